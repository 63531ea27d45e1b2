import { Box, Group, Loader, Text } from '@mantine/core';
import { governanceActionLabel } from '@portal/contracts';
import type { GovernanceEvent } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { Time } from '../../components/Time';
import { useIncidentEvents } from '../../hooks/use-incidents';
import { Card } from './Card';
import type { Audience } from '../../lib/clocks';
import { describeEventDetails } from './event-details';
import { personName } from '../../lib/people';

/** Every recorded action on the incident, newest first, in the wording of the contracts' event catalogue. */
export function AuditTrail({ id, audience = 'customer' }: { id: string; audience?: Audience }) {
  const events = useIncidentEvents(id);
  return (
    <Card title="Audit trail" testId="audit-trail">
      {events.isPending ? (
        <Group gap="xs">
          <Loader size="xs" aria-label="Loading the audit trail" />
          <Text size="sm">Loading the audit trail…</Text>
        </Group>
      ) : events.isError ? (
        <ApiErrorAlert error={events.error} title="The audit trail could not be loaded" />
      ) : events.data.items.length === 0 ? (
        <Text size="sm">No events recorded yet.</Text>
      ) : (
        <Box component="ol" m={0} p={0} style={{ listStyle: 'none' }}>
          {[...events.data.items].reverse().map((e) => (
            <EventRow key={e.id} event={e} audience={audience} />
          ))}
        </Box>
      )}
    </Card>
  );
}

function EventRow({ event: e, audience }: { event: GovernanceEvent; audience: Audience }) {
  const { parts, reason } = describeEventDetails(e, audience);
  return (
    <Box component="li" py={8} style={{ borderBottom: '1px solid var(--portal-divider)' }}>
      <Group justify="space-between" gap="xs" wrap="wrap" align="baseline">
        <Text size="sm" className="break">
          <strong title={e.actor.label}>{personName(e.actor.label)}</strong> {governanceActionLabel(e.action)}
        </Text>
        <Text size="xs" c="dimmed">
          <Time iso={e.occurredAt} />
        </Text>
      </Group>
      {parts.length > 0 && (
        <Text size="xs" c="dimmed" className="break">
          {parts.join(' · ')}
        </Text>
      )}
      {reason && (
        <Text size="xs" className="break prewrap">
          Reason: {reason}
        </Text>
      )}
      {(e.requestId || e.ip) && (
        <Text size="xs" c="dimmed">
          {e.ip ? `from ${e.ip}` : ''}
          {e.ip && e.requestId ? ' · ' : ''}
          {e.requestId ? `request ${e.requestId}` : ''}
        </Text>
      )}
    </Box>
  );
}
