import { Container, Stack, Text, Title } from '@mantine/core';
import { DataPlaneHealthPanel } from '../components/DataPlaneHealth';
import { IncidentList } from '../components/IncidentList';
import { useSignedIn } from '../hooks/use-me';
import { usePageTitle } from '../hooks/use-page-title';
import { ROLE_LABELS } from '../lib/labels';
import { viewerZone, zoneAbbreviation } from '../lib/time';

/** Support engineers and CSMs: every incident of the tenants they may see, most urgent first. */
export function VendorIncidentsPage() {
  const me = useSignedIn();
  usePageTitle('All incidents');
  return (
    <Container size="xl">
      <Stack gap="md">
        <div>
          <Title order={1} className="page-title">
            All incidents
          </Title>
          <Text size="sm" c="dimmed">
            {ROLE_LABELS[me.principal.role]} · {me.tenants.length} tenant{me.tenants.length === 1 ? '' : 's'} visible · times in{' '}
            {zoneAbbreviation(viewerZone())} ({viewerZone()})
          </Text>
        </div>
        <DataPlaneHealthPanel vendor />
        <IncidentList vendor tenants={me.tenants} />
      </Stack>
    </Container>
  );
}
