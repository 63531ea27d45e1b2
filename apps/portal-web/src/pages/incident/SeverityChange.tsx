import { useState, type FormEvent } from 'react';
import { Button, Select, Stack, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { SEVERITIES, SEVERITY_DEFINITIONS, type Severity } from '@portal/contracts';
import { ApiError } from '../../api/client';
import { api } from '../../api/endpoints';
import type { IncidentDetail } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { useIncidentMutation } from '../../hooks/use-incidents';
import { fieldMessage } from '../../lib/forms';
import { SEVERITY_SHORT } from '../../lib/labels';
import { Card } from './Card';

/**
 * Raise or lower the severity, with the reason the audit trail and the clock history keep. Running clocks
 * start again from the change with the new targets; clocks already met or breached keep their result.
 */
export function SeverityChange({ incident: i }: { incident: IncidentDetail }) {
  const [severity, setSeverity] = useState<Severity>(i.severity);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const m = useIncidentMutation(i.id, (v: { severity: Severity; reason: string }) => api.updateIncident(i.id, v));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) return setError('Say why the severity changes');
    setError(null);
    m.mutate(
      { severity, reason: reason.trim() },
      {
        onSuccess: () => {
          setReason('');
          notifications.show({
            color: 'green',
            message: `Severity is now ${SEVERITY_SHORT[severity]}. Clocks still running start again from now with the new targets.`,
          });
        },
      },
    );
  };
  const serverError = m.error instanceof ApiError ? (m.error.fieldMap().reason ?? null) : null;
  return (
    <Card title="Change severity">
      <form onSubmit={submit} noValidate aria-label="Change severity">
        <Stack gap="sm">
          <Select
            label="Severity"
            data={SEVERITIES.map((s) => ({ value: s, label: SEVERITY_DEFINITIONS[s].name }))}
            value={severity}
            onChange={(v) => v && setSeverity(v as Severity)}
            allowDeselect={false}
          />
          <Textarea
            label="Reason"
            description="Required. Recorded in the audit trail and the clock history."
            required
            value={reason}
            onChange={(e) => {
              setReason(e.currentTarget.value);
              setError(null);
            }}
            error={error ?? (serverError ? fieldMessage(serverError) : undefined)}
            autosize
            minRows={2}
          />
          {m.error && !serverError && <ApiErrorAlert error={m.error} />}
          <Button type="submit" variant="default" disabled={severity === i.severity} loading={m.isPending}>
            Change severity
          </Button>
        </Stack>
      </form>
    </Card>
  );
}
