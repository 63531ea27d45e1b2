import { Badge, Box, Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { NotificationDeliveryView } from '@portal/contracts';
import { api } from '../api/endpoints';
import { ApiErrorAlert } from './ApiErrorAlert';
import { Time } from './Time';

const CHANNEL_LABELS: Record<string, string> = { slack: 'Slack', email: 'Email', pagerduty: 'PagerDuty', webhook: 'Webhook', teams: 'Teams', hub: 'Hub' };
const STATUS_COLORS: Record<string, string> = { delivered: 'green', pending: 'gray', retrying: 'orange', failed: 'red', skipped: 'gray' };

export const eventLabel = (t: string) =>
  t
    .replace(/^incident\./, '')
    .replace(/^sla\./, 'SLA ')
    .replace(/[._]/g, ' ');

/** A delivery log: which channel was told what, when, how it went; a retry for the ones that did not arrive. */
export function DeliveryList({ items, canRetry, refresh }: { items: NotificationDeliveryView[]; canRetry: boolean; refresh: QueryKey }) {
  const qc = useQueryClient();
  const retry = useMutation({
    mutationFn: (id: string) => api.retryDelivery(id),
    onSuccess: () => {
      notifications.show({ color: 'green', message: 'Retry scheduled' });
      void qc.invalidateQueries({ queryKey: refresh });
    },
  });
  if (items.length === 0) return <Text size="sm">Nothing sent yet.</Text>;
  return (
    <Box component="ul" m={0} p={0} style={{ listStyle: 'none' }} data-testid="deliveries">
      {retry.isError && <ApiErrorAlert error={retry.error} title="The retry could not be scheduled" />}
      {items.map((d) => (
        <Box component="li" key={d.id} py={8} style={{ borderBottom: '1px solid var(--portal-divider)' }} data-testid="delivery-row">
          <Group justify="space-between" gap="xs" wrap="wrap" align="baseline">
            <Text size="sm" className="break">
              <strong>{CHANNEL_LABELS[d.channel] ?? d.channel}</strong> · {eventLabel(d.eventType)}
            </Text>
            <Badge color={STATUS_COLORS[d.status] ?? 'gray'} variant="light">
              {d.status}
            </Badge>
          </Group>
          <Text size="xs" c="dimmed" className="break">
            {d.target ? `${d.target} · ` : ''}
            {d.deliveredAt ? (
              <>
                delivered <Time iso={d.deliveredAt} />
              </>
            ) : (
              <>
                queued <Time iso={d.createdAt} />
              </>
            )}
            {` · ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`}
            {d.latencyMs !== null ? ` · ${d.latencyMs} ms` : ''}
            {d.nextAttemptAt && d.status === 'retrying' ? (
              <>
                {' · next '}
                <Time iso={d.nextAttemptAt} />
              </>
            ) : null}
          </Text>
          {d.lastError && (
            <Text size="xs" c="var(--mantine-color-red-text)" className="break">
              {d.lastError}
            </Text>
          )}
          {canRetry && (d.status === 'failed' || d.status === 'retrying') && (
            <Button size="compact-xs" variant="light" mt={4} loading={retry.isPending && retry.variables === d.id} onClick={() => retry.mutate(d.id)}>
              Retry now
            </Button>
          )}
        </Box>
      ))}
    </Box>
  );
}
