import { useMemo, type ReactNode } from 'react';
import { Alert, Checkbox, Group, NumberInput, Paper, Radio, Select, Stack, TagsInput, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { PLANE_OWNERSHIP_NOTE, PLANES, RECENT_CHANGE_KINDS, SERVICES, type Plane, type RecentChangeKind, type ServiceName } from '@portal/contracts';
import { ASSISTING_NOTE } from '@portal/sla';
import type { Region } from '../../api/types';
import { PLANE_LABELS, RECENT_CHANGE_LABELS } from '../../lib/labels';
import { allTimeZones, formatTime, fromLocalInput, viewerZone } from '../../lib/time';
import { fieldId } from './draft';
import { SeverityField } from './SeverityField';
import type { DraftBinding } from './use-draft-form';

// The declare form's sections, in the order of the page. Each control reads and writes the draft through the binding.

/** Title, symptoms and severity; `children` follow the severity (the commitments, on phones). */
export function WhatIsHappeningSection({
  form: { draft, update, blur, shown },
  children,
  quick = false,
}: {
  form: DraftBinding;
  children?: ReactNode;
  /** Quick declaration (issue 18): the symptoms come later. */
  quick?: boolean;
}) {
  return (
    <Section title="What is happening">
      <TextInput
        id={fieldId('title')}
        label="Title"
        description="One line your colleagues will recognise, e.g. “SSO sign-in fails for all users”."
        value={draft.title}
        onChange={(e) => update('title', e.currentTarget.value, 'title')}
        onBlur={blur('title')}
        error={shown('title')}
        maxLength={200}
        required
      />
      {!quick && (
        <Textarea
          id={fieldId('symptoms')}
          label="Symptoms"
          description="What users see: messages, which pages or skills, since when. Do not paste passwords, tokens or API keys: Claresia will never ask for them."
          value={draft.symptoms}
          onChange={(e) => update('symptoms', e.currentTarget.value, 'symptoms')}
          onBlur={blur('symptoms')}
          error={shown('symptoms')}
          autosize
          minRows={4}
          maxRows={12}
          required
        />
      )}
      <SeverityField
        quick={quick}
        value={draft.severity}
        onChange={(s) => update('severity', s, 'severity')}
        error={shown('severity')}
        title={draft.title}
        symptoms={draft.symptoms}
      />
      {children}
    </Section>
  );
}

/** Services, regions, how many users and a few of them. */
export function ImpactSection({
  form: { draft, update, blur, shown },
  regions,
  quick = false,
}: {
  form: DraftBinding;
  regions: Region[];
  /** Quick declaration (issue 18): the count and examples come later. */
  quick?: boolean;
}) {
  return (
    <Section title="Impact">
      <Checkbox.Group
        id={fieldId('services')}
        label="Affected services"
        description="Pick every service that misbehaves."
        value={draft.services}
        onChange={(v) => update('services', v as ServiceName[], 'services')}
        error={shown('services')}
        required
      >
        <Group gap="md" mt={6}>
          {SERVICES.map((s) => (
            <Checkbox key={s} value={s} label={s} />
          ))}
        </Group>
      </Checkbox.Group>
      <Checkbox.Group
        id={fieldId('regions')}
        label="Affected regions"
        description="Regions of your tenant."
        value={draft.regions}
        onChange={(v) => update('regions', v, 'regions')}
        error={shown('regions')}
        required
      >
        <Group gap="md" mt={6}>
          {regions.map((r) => (
            <Checkbox key={r.code} value={r.code} label={`${r.code} (${r.name})`} />
          ))}
        </Group>
      </Checkbox.Group>
      {!quick && (
        <>
          <NumberInput
            id={fieldId('impactedUsers')}
            label="Impacted users"
            description="An estimate is fine; you can update it as the situation evolves."
            value={draft.impactedUsers}
            onChange={(v) => update('impactedUsers', typeof v === 'number' ? v : v === '' ? '' : Number.isFinite(Number(v)) ? Number(v) : '', 'impactedUsers')}
            onBlur={blur('impactedUsers')}
            error={shown('impactedUsers')}
            min={0}
            max={10_000_000}
            allowDecimal={false}
            allowNegative={false}
            thousandSeparator=","
            maw={260}
            required
          />
          <TagsInput
            id={fieldId('impactedUserExamples')}
            label="Impacted-user examples"
            description="A few affected accounts (user names or emails) so engineers can look them up. Press Enter after each."
            value={draft.impactedUserExamples}
            onChange={(v) => update('impactedUserExamples', v, 'impactedUserExamples')}
            error={shown('impactedUserExamples')}
            splitChars={[',', ' ', ';']}
            maxTags={50}
            clearable
          />
        </>
      )}
    </Section>
  );
}

/** When it was first noticed, in the reporter's zone, shown in the browser's zone too. */
export function WhenSection({ form: { draft, update, blur, shown } }: { form: DraftBinding }) {
  const zones = useMemo(() => allTimeZones(), []);
  const noticedAt = fromLocalInput(draft.firstNoticedLocal, draft.firstNoticedTimezone);
  return (
    <Section title="When">
      <Group align="flex-start" gap="md" grow preventGrowOverflow={false} wrap="wrap">
        <TextInput
          id={fieldId('firstNoticedAt')}
          type="datetime-local"
          label="First noticed"
          description={`Local time in the zone on the right.`}
          value={draft.firstNoticedLocal}
          onChange={(e) => update('firstNoticedLocal', e.currentTarget.value, 'firstNoticedAt')}
          onBlur={blur('firstNoticedAt')}
          error={shown('firstNoticedAt')}
          miw={220}
          required
        />
        <Select
          id={fieldId('firstNoticedTimezone')}
          label="Your time zone"
          description="Defaults to this browser's zone."
          data={zones}
          value={draft.firstNoticedTimezone}
          onChange={(v) => update('firstNoticedTimezone', v ?? '', 'firstNoticedTimezone')}
          error={shown('firstNoticedTimezone')}
          searchable
          limit={60}
          allowDeselect={false}
          nothingFoundMessage="No such time zone"
          miw={220}
          required
        />
      </Group>
      {noticedAt && (
        <Text size="sm" c="dimmed" aria-live="polite">
          {formatTime(noticedAt, draft.firstNoticedTimezone)} for you
          {draft.firstNoticedTimezone !== viewerZone() ? ` = ${formatTime(noticedAt)} in this browser's zone` : ''}.
        </Text>
      )}
    </Section>
  );
}

/** Recent changes on the customer's side, error codes, whether it reproduces. */
export function ContextSection({ form: { draft, update, blur, shown } }: { form: DraftBinding }) {
  return (
    <Section title="Context">
      <Checkbox.Group
        id={fieldId('recentChanges')}
        label="Recent changes on your side"
        description="Anything changed in the last days? Leave empty if nothing changed."
        value={draft.recentKinds}
        onChange={(v) => update('recentKinds', v as RecentChangeKind[], 'recentChanges')}
        error={shown('recentChanges')}
      >
        <Stack gap={6} mt={6}>
          {RECENT_CHANGE_KINDS.map((k) => (
            <Checkbox key={k} value={k} label={RECENT_CHANGE_LABELS[k]} />
          ))}
        </Stack>
      </Checkbox.Group>
      <Textarea
        id={fieldId('recentChanges.details')}
        label="Details of the changes"
        description="What changed and when, e.g. “Reply URL list edited in Entra ID this morning”."
        value={draft.recentDetails}
        onChange={(e) => update('recentDetails', e.currentTarget.value, 'recentChanges.details')}
        onBlur={blur('recentChanges.details')}
        error={shown('recentChanges.details')}
        required={draft.recentKinds.includes('other')}
        autosize
        minRows={2}
      />
      <TagsInput
        id={fieldId('errorCodes')}
        label="Error codes"
        description="From Command Center or Hub Browser, e.g. AADSTS50011. Press Enter after each."
        value={draft.errorCodes}
        onChange={(v) => update('errorCodes', v, 'errorCodes')}
        error={shown('errorCodes')}
        splitChars={[',', ' ', ';']}
        maxTags={50}
        clearable
      />
      <Checkbox
        id={fieldId('reproductionConfirmed')}
        label="We can reproduce the problem"
        description="Leave unticked if it happened but you could not make it happen again yet."
        checked={draft.reproductionConfirmed}
        onChange={(e) => update('reproductionConfirmed', e.currentTarget.checked, 'reproductionConfirmed')}
        error={shown('reproductionConfirmed')}
      />
    </Section>
  );
}

/** Mode C (BYOC) only: which plane is affected decides who owns the incident. */
export function PlaneSection({ form: { draft, update, shown } }: { form: DraftBinding }) {
  return (
    <Section title="Where the problem is (Mode C, BYOC)">
      <Radio.Group
        id={fieldId('plane')}
        label="Which plane is affected?"
        value={draft.plane}
        onChange={(v) => update('plane', v as Plane, 'plane')}
        error={shown('plane')}
        required
      >
        <Stack gap={6} mt={6}>
          {PLANES.map((p) => (
            <Radio key={p} value={p} label={PLANE_LABELS[p]} />
          ))}
        </Stack>
      </Radio.Group>
      <Alert color="blue" variant="light" icon={<IconInfoCircle aria-hidden />} title="Who owns what in Mode C">
        <Text size="sm">{PLANE_OWNERSHIP_NOTE}</Text>
      </Alert>
      {draft.plane === 'data_plane' && (
        <Alert color="orange" variant="light" title="Your runbook applies" role="status">
          <Text size="sm">{ASSISTING_NOTE}</Text>
        </Alert>
      )}
    </Section>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `section-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <Paper p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby={id}>
      <Title order={2} size="h4" id={id} mb="md">
        {title}
      </Title>
      <Stack gap="md">{children}</Stack>
    </Paper>
  );
}
