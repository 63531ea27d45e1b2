import { useState, type FormEvent } from 'react';
import { Button, Select, Stack, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { SEVERITIES, SEVERITY_DEFINITIONS, type Severity } from '@portal/contracts';
import { api } from '../../api/endpoints';
import type { IncidentDetail } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { useIncidentMutation } from '../../hooks/use-incidents';
import { SEVERITY_SHORT } from '../../lib/labels';
import { Card } from './Card';

/** Raise or lower the severity, with an optional reason for the audit trail; the API recomputes the clocks. */
export function SeverityChange({ incident: i }: { incident: IncidentDetail }) {
  const [severity, setSeverity] = useState<Severity>(i.severity);
  const [reason, setReason] = useState('');
  const m = useIncidentMutation(i.id, (v: { severity: Severity; reason?: string }) => api.updateIncident(i.id, v));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    m.mutate(
      { severity, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      {
        onSuccess: () => (
          setReason(''),
          notifications.show({ color: 'green', message: `Severity is now ${SEVERITY_SHORT[severity]}; the clocks were recomputed.` })
        ),
      },
    );
  };
  return (
    <Card title="Change severity">
      <form onSubmit={submit} noValidate>
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
            description="Recorded in the audit trail."
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            autosize
            minRows={2}
          />
          {m.error && <ApiErrorAlert error={m.error} />}
          <Button type="submit" variant="default" disabled={severity === i.severity} loading={m.isPending}>
            Change severity
          </Button>
        </Stack>
      </form>
    </Card>
  );
}
