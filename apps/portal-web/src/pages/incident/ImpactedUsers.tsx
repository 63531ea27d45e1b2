import { useState, type FormEvent } from 'react';
import { Box, Button, Group, NumberInput, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconUsers } from '@tabler/icons-react';
import { ApiError } from '../../api/client';
import { api } from '../../api/endpoints';
import type { IncidentDetail } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { Time } from '../../components/Time';
import { useIncidentMutation } from '../../hooks/use-incidents';
import { fieldMessage } from '../../lib/forms';
import { Card } from './Card';
import { personName } from '../../lib/people';

/** The impacted-user count, its history and, for those allowed, the form to update it. */
export function ImpactedUsers({ incident: i, canUpdate }: { incident: IncidentDetail; canUpdate: boolean }) {
  const [count, setCount] = useState<number | ''>('');
  const [error, setError] = useState<string | null>(null);
  const m = useIncidentMutation(i.id, (n: number) => api.updateIncident(i.id, { impactedUsers: n }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (count === '' || !Number.isInteger(count)) return setError('Enter a whole number, 0 or more');
    // A negative count is refused, not quietly made positive (issue 18).
    if (count < 0) return setError('The count cannot be negative: enter 0 or more');
    if (count === i.impactedUsers) return setError(`The count is already ${count.toLocaleString('en-US')}`);
    setError(null);
    m.mutate(count, {
      onSuccess: () => {
        setCount('');
        notifications.show({ color: 'green', message: 'Impacted-user count updated' });
      },
    });
  };
  const serverError = m.error instanceof ApiError ? (m.error.fieldMap().impactedUsers ?? null) : null;
  return (
    <Card title="Impacted users" testId="impacted-users">
      <Group gap="xs" align="baseline">
        <IconUsers size={20} aria-hidden />
        <Text fz={28} fw={750} data-testid="impacted-count">
          {i.impactedUsers === null ? '—' : i.impactedUsers.toLocaleString('en-US')}
        </Text>
        <Text size="sm" c="dimmed">
          {i.impactedUsers === null ? 'not counted yet' : 'now'}
        </Text>
      </Group>
      {i.impactedUserHistory.length > 1 && (
        <Box component="ol" mt="sm" p={0} style={{ listStyle: 'none' }} aria-label="Count history">
          {[...i.impactedUserHistory].reverse().map((h, n) => (
            <li key={n}>
              <Text size="sm">
                <strong>{h.count.toLocaleString('en-US')}</strong> · <Time iso={h.recordedAt} /> · {personName(h.recordedBy)}
              </Text>
            </li>
          ))}
        </Box>
      )}
      {canUpdate && (
        <form onSubmit={submit} noValidate>
          <Group align="flex-end" gap="xs" mt="md" wrap="nowrap">
            <NumberInput
              label="New count"
              value={count}
              onChange={(v) => {
                setCount(typeof v === 'number' ? v : '');
                setError(null);
              }}
              min={0}
              clampBehavior="none"
              allowDecimal={false}
              thousandSeparator=","
              error={error ?? (serverError ? fieldMessage(serverError) : undefined)}
              style={{ flex: 1 }}
            />
            <Button type="submit" variant="default" loading={m.isPending}>
              Update
            </Button>
          </Group>
          {m.error && !serverError && (
            <Box mt="xs">
              <ApiErrorAlert error={m.error} />
            </Box>
          )}
        </form>
      )}
    </Card>
  );
}
