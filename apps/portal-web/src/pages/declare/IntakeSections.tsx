import { useMemo, type ReactNode } from 'react';
import { Alert, Checkbox, Group, NumberInput, Paper, Radio, Select, Stack, TagsInput, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { PLANE_OWNERSHIP_NOTE, PLANES, RECENT_CHANGE_KINDS, SERVICES, type Plane, type RecentChangeKind, type ServiceName } from '@portal/contracts';
import { ASSISTING_NOTE } from '@portal/sla';
import type { Region } from '../../api/types';
import { fromLocalInput } from '../../lib/local-input';
import { allTimeZones, formatTime, viewerZone } from '../../lib/time';
import { zoneFilter } from '../../lib/zone-search';
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
  const { t } = useTranslation();
  return (
    <Section title={t('sections.what')}>
      <TextInput
        id={fieldId('title')}
        label={t('fields.title')}
        description={t('fields.titleHelp')}
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
          label={t('fields.symptoms')}
          description={t('fields.symptomsHelp')}
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
  const { t } = useTranslation();
  return (
    <Section title={t('sections.impact')}>
      <Checkbox.Group
        id={fieldId('services')}
        label={t('fields.services')}
        description={t('fields.servicesHelp')}
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
        label={t('fields.regions')}
        description={t('fields.regionsHelp')}
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
            label={t('fields.impactedUsers')}
            description={t('fields.impactedUsersHelp')}
            value={draft.impactedUsers}
            onChange={(v) => update('impactedUsers', typeof v === 'number' ? v : v === '' ? '' : Number.isFinite(Number(v)) ? Number(v) : '', 'impactedUsers')}
            onBlur={blur('impactedUsers')}
            error={shown('impactedUsers')}
            min={0}
            max={10_000_000}
            allowDecimal={false}
            clampBehavior="none"
            thousandSeparator=","
            maw={260}
            required
          />
          <TagsInput
            id={fieldId('impactedUserExamples')}
            label={t('fields.examples')}
            description={t('fields.examplesHelp')}
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
  const { t } = useTranslation();
  return (
    <Section title={t('sections.when')}>
      <Group align="flex-start" gap="md" grow preventGrowOverflow={false} wrap="wrap">
        <TextInput
          id={fieldId('firstNoticedAt')}
          type="datetime-local"
          label={t('fields.firstNoticed')}
          description={t('fields.firstNoticedHelp')}
          value={draft.firstNoticedLocal}
          onChange={(e) => update('firstNoticedLocal', e.currentTarget.value, 'firstNoticedAt')}
          onBlur={blur('firstNoticedAt')}
          error={shown('firstNoticedAt')}
          miw={220}
          required
        />
        <Select
          id={fieldId('firstNoticedTimezone')}
          label={t('fields.timezone')}
          description={t('fields.timezoneHelp')}
          data={zones}
          value={draft.firstNoticedTimezone}
          onChange={(v) => update('firstNoticedTimezone', v ?? '', 'firstNoticedTimezone')}
          error={shown('firstNoticedTimezone')}
          searchable
          filter={zoneFilter}
          limit={60}
          allowDeselect={false}
          nothingFoundMessage={t('fields.noSuchZone')}
          miw={220}
          required
        />
      </Group>
      {noticedAt && (
        <Text size="sm" c="dimmed" aria-live="polite">
          {t('fields.forYou', { time: formatTime(noticedAt, draft.firstNoticedTimezone) })}
          {draft.firstNoticedTimezone !== viewerZone() ? t('fields.inBrowserZone', { time: formatTime(noticedAt) }) : ''}.
        </Text>
      )}
    </Section>
  );
}

/** Recent changes on the customer's side, error codes, whether it reproduces. */
export function ContextSection({ form: { draft, update, blur, shown } }: { form: DraftBinding }) {
  const { t } = useTranslation();
  return (
    <Section title={t('sections.context')}>
      <Checkbox.Group
        id={fieldId('recentChanges')}
        label={t('fields.recentChanges')}
        description={t('fields.recentChangesHelp')}
        value={draft.recentKinds}
        onChange={(v) => update('recentKinds', v as RecentChangeKind[], 'recentChanges')}
        error={shown('recentChanges')}
      >
        <Stack gap={6} mt={6}>
          {RECENT_CHANGE_KINDS.map((k) => (
            <Checkbox key={k} value={k} label={t(`change.${k}`)} />
          ))}
        </Stack>
      </Checkbox.Group>
      <Textarea
        id={fieldId('recentChanges.details')}
        label={t('fields.changeDetails')}
        description={t('fields.changeDetailsHelp')}
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
        label={t('fields.errorCodes')}
        description={t('fields.errorCodesHelp')}
        value={draft.errorCodes}
        onChange={(v) => update('errorCodes', v, 'errorCodes')}
        error={shown('errorCodes')}
        splitChars={[',', ' ', ';']}
        maxTags={50}
        clearable
      />
      <Checkbox
        id={fieldId('reproductionConfirmed')}
        label={t('fields.reproduced')}
        description={t('fields.reproducedHelp')}
        checked={draft.reproductionConfirmed}
        onChange={(e) => update('reproductionConfirmed', e.currentTarget.checked, 'reproductionConfirmed')}
        error={shown('reproductionConfirmed')}
      />
    </Section>
  );
}

/** Mode C (BYOC) only: which plane is affected decides who owns the incident. */
export function PlaneSection({ form: { draft, update, shown } }: { form: DraftBinding }) {
  const { t } = useTranslation();
  return (
    <Section title={t('sections.plane')}>
      <Radio.Group
        id={fieldId('plane')}
        label={t('fields.plane')}
        value={draft.plane}
        onChange={(v) => update('plane', v as Plane, 'plane')}
        error={shown('plane')}
        required
      >
        <Stack gap={6} mt={6}>
          {PLANES.map((p) => (
            <Radio key={p} value={p} label={t(`plane.${p}`)} />
          ))}
        </Stack>
      </Radio.Group>
      <Alert color="blue" variant="light" icon={<IconInfoCircle aria-hidden />} title={t('fields.ownership')}>
        <Text size="sm">{PLANE_OWNERSHIP_NOTE}</Text>
      </Alert>
      {draft.plane === 'data_plane' && (
        <Alert color="orange" variant="light" title={t('fields.runbook')} role="status">
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
