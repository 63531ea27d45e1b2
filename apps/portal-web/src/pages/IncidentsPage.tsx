import { Button, Container, Group, Stack, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { DataPlaneHealthPanel } from '../components/DataPlaneHealth';
import { IncidentList } from '../components/IncidentList';
import { useSignedIn } from '../hooks/use-me';
import { usePageTitle } from '../hooks/use-page-title';
import { MODE_LABELS } from '../lib/labels';
import { viewerZone, zoneAbbreviation } from '../lib/time';

export function IncidentsPage() {
  const me = useSignedIn();
  const canDeclare = me.principal.role === 'customer_admin';
  usePageTitle('Incidents');
  return (
    <Container size="xl">
      <Stack gap="md">
        <Group justify="space-between" align="flex-end" gap="sm">
          <div>
            <Title order={1} className="page-title">
              Incidents
            </Title>
            <Text size="sm" c="dimmed">
              {me.tenant ? `${me.tenant.displayName} · ${MODE_LABELS[me.tenant.serviceMode]} · ` : ''}times in {zoneAbbreviation(viewerZone())} ({viewerZone()})
            </Text>
          </div>
          {canDeclare && (
            <Button component={Link} to="/incidents/new" color="red.9" hiddenFrom="xs" leftSection={<IconPlus size={16} aria-hidden />}>
              Declare incident
            </Button>
          )}
        </Group>
        {me.tenant?.serviceMode === 'C' && <DataPlaneHealthPanel />}
        <IncidentList regions={me.tenant?.regions} canDeclare={canDeclare} />
      </Stack>
    </Container>
  );
}
