import { Alert, Group, Loader, Text } from '@mantine/core';
import { IconPhone } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import type { Role } from '@portal/contracts';
import { api } from '../../api/endpoints';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DeliveryList } from '../../components/DeliveryList';
import { Card } from './Card';

const key = (id: string) => ['incident', id, 'notifications'];

/** Who was told about this incident, through which channel and when (seed 000), and the phone hotline for Mode B/C Sev1. */
export function NotificationsSection({ id, role }: { id: string; role: Role }) {
  const q = useQuery({ queryKey: key(id), queryFn: () => api.incidentNotifications(id), refetchInterval: 15_000 });
  return (
    <Card title="Notifications" testId="notifications">
      {q.isPending ? (
        <Group gap="xs">
          <Loader size="xs" aria-label="Loading the notifications" />
          <Text size="sm">Loading the notifications…</Text>
        </Group>
      ) : q.isError ? (
        <ApiErrorAlert error={q.error} title="The notifications could not be loaded" />
      ) : (
        <>
          {q.data.hotline && (
            <Alert color="red" variant="light" icon={<IconPhone size={18} aria-hidden />} mb="sm" title="Phone hotline">
              Sev 1 in your service mode: call <a href={`tel:${q.data.hotline.replace(/[^+0-9]/g, '')}`}>{q.data.hotline}</a> as well.
            </Alert>
          )}
          <DeliveryList items={q.data.deliveries} canRetry={role === 'customer_admin' || role === 'support_engineer'} refresh={key(id)} />
        </>
      )}
    </Card>
  );
}
