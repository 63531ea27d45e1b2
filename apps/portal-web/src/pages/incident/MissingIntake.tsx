import { useState, type FormEvent } from 'react';
import { Alert, Button, Checkbox, Group, NumberInput, Radio, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconClipboardList } from '@tabler/icons-react';
import { DEFERRABLE_INTAKE_FIELDS, RECENT_CHANGE_KINDS, type CompleteIntakeInput, type DeferrableIntakeField, type RecentChangeKind } from '@portal/contracts';
import { ApiError } from '../../api/client';
import { api } from '../../api/endpoints';
import type { IncidentDetail } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { Time } from '../../components/Time';
import { useIncidentMutation } from '../../hooks/use-incidents';
import { fieldMessage } from '../../lib/forms';
import { RECENT_CHANGE_LABELS } from '../../lib/labels';
import { fromLocalInput } from '../../lib/local-input';
import { viewerZone } from '../../lib/time';
import { Card } from './Card';

export const MISSING_LABELS: Record<DeferrableIntakeField, string> = {
  symptoms: 'Symptoms',
  impactedUsers: 'Impacted users',
  firstNoticedAt: 'First noticed',
  recentChanges: 'Recent changes',
  reproductionConfirmed: 'Reproduction',
};

/**
 * A quick declaration's intake still to give (issue 18): listed and counted for everyone, required before the
 * response target; the tenant's admin (or a support engineer for them) gives it here, in one go or in parts.
 */
export function MissingIntake({ incident: i, canComplete }: { incident: IncidentDetail; canComplete: boolean }) {
  const missing = i.missingIntakeFields;
  const due = i.sla.clocks.initialResponse.dueAt;
  return (
    <Card title={`Details still needed (${missing.length} of ${DEFERRABLE_INTAKE_FIELDS.length})`} testId="missing-intake">
      <Alert color="orange" variant="light" icon={<IconClipboardList size={18} aria-hidden />} mb="md">
        <Text size="sm">
          Declared quickly: {missing.map((k) => MISSING_LABELS[k]).join(', ')} {missing.length === 1 ? 'is' : 'are'} still missing.{' '}
          {due ? (
            <>
              Needed before the response target, <Time iso={due} />.
            </>
          ) : (
            'Needed as soon as possible.'
          )}
        </Text>
      </Alert>
      {canComplete && <MissingIntakeForm incident={i} />}
    </Card>
  );
}

function MissingIntakeForm({ incident: i }: { incident: IncidentDetail }) {
  const missing = new Set(i.missingIntakeFields);
  const [symptoms, setSymptoms] = useState('');
  const [users, setUsers] = useState<number | ''>('');
  const [noticed, setNoticed] = useState('');
  const [kinds, setKinds] = useState<RecentChangeKind[]>([]);
  const [noChanges, setNoChanges] = useState(false);
  const [details, setDetails] = useState('');
  const [reproduces, setReproduces] = useState<string | null>(null);
  const [localError, setLocalError] = useState<string | null>(null);
  const m = useIncidentMutation(i.id, (body: CompleteIntakeInput) => api.completeIntake(i.id, body));
  const fieldError = (k: string) => (m.error instanceof ApiError ? m.error.fieldMap()[k] : undefined);
  const shown = (k: string) => {
    const e = fieldError(k);
    return e ? fieldMessage(e) : undefined;
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const zone = viewerZone();
    const body: CompleteIntakeInput = {};
    if (missing.has('symptoms') && symptoms.trim()) body.symptoms = symptoms;
    if (missing.has('impactedUsers') && users !== '') body.impactedUsers = users;
    if (missing.has('firstNoticedAt') && noticed) {
      body.firstNoticedAt = fromLocalInput(noticed, zone) ?? noticed;
      body.firstNoticedTimezone = zone;
    }
    if (missing.has('recentChanges') && (noChanges || kinds.length)) body.recentChanges = { kinds, ...(details.trim() ? { details } : {}) };
    if (missing.has('reproductionConfirmed') && reproduces !== null) body.reproductionConfirmed = reproduces === 'yes';
    if (Object.keys(body).length === 0) return setLocalError('Fill in at least one of the missing details');
    setLocalError(null);
    m.mutate(body, {
      onSuccess: (next) =>
        notifications.show({
          color: 'green',
          message: next.missingIntakeFields.length ? `Saved; ${next.missingIntakeFields.length} still missing` : 'Saved: the intake is complete',
        }),
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Missing details">
      <Stack gap="md">
        {missing.has('symptoms') && (
          <Textarea
            label="Symptoms"
            description="What users see: messages, which pages or skills, since when. No passwords, tokens or API keys."
            value={symptoms}
            onChange={(e) => setSymptoms(e.currentTarget.value)}
            error={shown('symptoms')}
            autosize
            minRows={3}
            maxLength={8000}
          />
        )}
        {missing.has('impactedUsers') && (
          <NumberInput
            label="Impacted users"
            description="An estimate is fine."
            value={users}
            onChange={(v) => setUsers(typeof v === 'number' ? v : '')}
            error={shown('impactedUsers')}
            min={0}
            max={10_000_000}
            allowDecimal={false}
            allowNegative={false}
            maw={260}
          />
        )}
        {missing.has('firstNoticedAt') && (
          <TextInput
            type="datetime-local"
            label="First noticed"
            description={`Your local time (${viewerZone()}).`}
            value={noticed}
            onChange={(e) => setNoticed(e.currentTarget.value)}
            error={shown('firstNoticedAt') ?? shown('firstNoticedTimezone')}
            maw={300}
          />
        )}
        {missing.has('recentChanges') && (
          <Stack gap={6}>
            <Checkbox.Group
              label="Recent changes on your side"
              value={kinds}
              onChange={(v) => setKinds(v as RecentChangeKind[])}
              error={shown('recentChanges')}
            >
              <Group gap="md" mt={6}>
                {RECENT_CHANGE_KINDS.map((k) => (
                  <Checkbox key={k} value={k} label={RECENT_CHANGE_LABELS[k]} disabled={noChanges} />
                ))}
              </Group>
            </Checkbox.Group>
            <Checkbox label="Nothing changed recently" checked={noChanges} onChange={(e) => (setNoChanges(e.currentTarget.checked), setKinds([]))} />
            {kinds.length > 0 && (
              <Textarea
                label="Details of the changes"
                value={details}
                onChange={(e) => setDetails(e.currentTarget.value)}
                error={shown('recentChanges.details')}
                autosize
                minRows={2}
              />
            )}
          </Stack>
        )}
        {missing.has('reproductionConfirmed') && (
          <Radio.Group label="Can you reproduce the problem?" value={reproduces} onChange={setReproduces} error={shown('reproductionConfirmed')}>
            <Group gap="md" mt={6}>
              <Radio value="yes" label="Yes" />
              <Radio value="no" label="Not yet" />
            </Group>
          </Radio.Group>
        )}
        {localError && (
          <Text size="sm" c="red.9" role="alert">
            {localError}
          </Text>
        )}
        {m.error && !(m.error instanceof ApiError && m.error.fields.length) && <ApiErrorAlert error={m.error} title="The details were not saved" />}
        <Group justify="flex-end">
          <Button type="submit" loading={m.isPending}>
            Save the details
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
