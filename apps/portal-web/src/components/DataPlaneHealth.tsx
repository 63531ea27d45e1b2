import { Alert, Badge, Button, Group, List, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconServer } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api } from '../api/endpoints';
import type { DataPlaneHealth } from '../api/types';
import { Time } from './Time';

const STATUS: Record<DataPlaneHealth['status'], { label: string; color: string }> = {
  unknown: { label: 'No heartbeat yet', color: 'gray' },
  healthy: { label: 'Healthy', color: 'green' },
  failing: { label: 'Health check failing', color: 'red' },
  silent: { label: 'Silent', color: 'red' },
};
const CHECK_LABELS: Record<string, string> = { database: 'Database', object_storage: 'Object storage', disk: 'Disk', certificate: 'mTLS certificate' };

export const dataPlanesKey = ['data-planes'] as const;

/**
 * BYOC (Mode C): the health of each data plane the viewer may see, from its heartbeats. A failing or silent data
 * plane is the seed's signal 2, with the data-plane/control-plane ownership note and a prefilled declaration.
 */
export function DataPlaneHealthPanel({ vendor = false, onPrefill }: { vendor?: boolean; onPrefill?: (p: NonNullable<DataPlaneHealth['prefill']>) => void }) {
  const q = useQuery({ queryKey: dataPlanesKey, queryFn: api.dataPlanes, refetchInterval: 30_000 });
  // A Mode C tenant whose data plane never reported (BYOC not set up yet) has nothing to show.
  const items = (q.data?.items ?? []).filter((h) => h.status !== 'unknown');
  if (items.length === 0) return null;
  return (
    <Stack gap="xs" aria-label="Data-plane health">
      {items.map((h) =>
        h.signal2 ? (
          <Alert
            key={h.tenantId}
            color="red"
            variant="light"
            icon={<IconAlertTriangle aria-hidden />}
            title={`Signal 2: ${vendor ? `${h.tenantName}'s` : 'your'} data plane ${h.status === 'silent' ? 'stopped reporting' : 'health check is failing'}`}
          >
            <Stack gap={6}>
              {h.status === 'silent' ? (
                <Text size="sm">
                  No heartbeat since {h.lastHeartbeatAt ? <Time iso={h.lastHeartbeatAt} /> : 'it started'} ({Math.round((h.silentForSeconds ?? 0) / 60)} min).
                </Text>
              ) : (
                <List size="sm">
                  {h.checks
                    .filter((c) => !c.ok)
                    .map((c) => (
                      <List.Item key={c.name}>
                        {CHECK_LABELS[c.name] ?? c.name}: {c.detail}
                      </List.Item>
                    ))}
                </List>
              )}
              <Text size="sm">{h.ownershipNote}</Text>
              {h.prefill && !vendor && (
                <Group>
                  {onPrefill ? (
                    <Button size="xs" color="red.9" onClick={() => onPrefill(h.prefill!)}>
                      Prefill the declaration from this signal
                    </Button>
                  ) : (
                    <Button size="xs" color="red.9" component={Link} to="/incidents/new">
                      Declare an incident
                    </Button>
                  )}
                </Group>
              )}
            </Stack>
          </Alert>
        ) : (
          <Group key={h.tenantId} gap="xs" wrap="wrap">
            <IconServer size={16} aria-hidden />
            <Text size="sm">{vendor ? `${h.tenantName} data plane` : 'Your data plane'}</Text>
            <Badge color={STATUS[h.status].color} variant="light">
              {STATUS[h.status].label}
            </Badge>
            {h.lastHeartbeatAt && (
              <Text size="xs" c="dimmed">
                last heartbeat <Time iso={h.lastHeartbeatAt} />
                {h.certificateDaysLeft !== null ? ` · certificate ${h.certificateDaysLeft} days left` : ''}
              </Text>
            )}
          </Group>
        ),
      )}
    </Stack>
  );
}
