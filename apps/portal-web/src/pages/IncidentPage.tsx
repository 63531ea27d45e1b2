import { Anchor, Center, Container, Grid, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link, useParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import type { IncidentDetail, Me } from '../api/types';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { EvidenceSection } from '../components/EvidenceSection';
import { StaleDataNotice } from '../components/StaleDataNotice';
import { useIncident } from '../hooks/use-incidents';
import { useSignedIn } from '../hooks/use-me';
import { usePageTitle } from '../hooks/use-page-title';
import { isVendorRole } from '../lib/labels';
import { AuditTrail } from './incident/AuditTrail';
import { ReopenForm, ReplyForm } from './incident/CustomerReply';
import { ImpactedUsers } from './incident/ImpactedUsers';
import { NotificationsSection } from './incident/Notifications';
import { IncidentHeader } from './incident/IncidentHeader';
import { Details, Responsibilities } from './incident/IncidentDetails';
import { isActive } from './incident/is-active';
import { SeverityChange } from './incident/SeverityChange';
import { SupportActions } from './incident/SupportActions';
import { TimelineSection } from './incident/Timeline';
// post-incident reviews (issue 15)
import { PirSection } from './incident/PirSection';

export function IncidentPage() {
  const { id = '' } = useParams();
  const me = useSignedIn();
  const incident = useIncident(id);
  const backTo = isVendorRole(me.principal.role) ? '/vendor' : '/incidents';
  usePageTitle(incident.data ? `${incident.data.reference} ${incident.data.title}` : 'Incident');

  if (incident.isPending) {
    return (
      <Center p="xl" aria-live="polite">
        <Group gap="xs">
          <Loader size="sm" aria-label="Loading the incident" />
          <Text size="sm">Loading the incident…</Text>
        </Group>
      </Center>
    );
  }
  // A failed refresh keeps the incident on screen (StaleDataNotice); only a first load that fails replaces it.
  if (!incident.data) {
    const notFound = incident.error instanceof ApiError && incident.error.status === 404;
    return (
      <Container size="md">
        <Title order={1} className="page-title" mb="md">
          {notFound ? 'Incident not found' : 'The incident could not be loaded'}
        </Title>
        {notFound ? <Text>It does not exist, or your account cannot see it.</Text> : <ApiErrorAlert error={incident.error} />}
        <Anchor component={Link} to={backTo} mt="md" display="inline-block">
          Back to incidents
        </Anchor>
      </Container>
    );
  }
  return <IncidentView incident={incident.data} receivedAt={incident.dataUpdatedAt} stale={incident.isRefetchError} me={me} backTo={backTo} />;
}

/** Which sections a role sees, and where: one column on phones, two on wider screens. */
function IncidentView({
  incident: i,
  receivedAt,
  stale,
  me,
  backTo,
}: {
  incident: IncidentDetail;
  receivedAt: number;
  stale: boolean;
  me: Me;
  backTo: string;
}) {
  const role = me.principal.role;
  const active = isActive(i);
  const vendor = isVendorRole(role);
  const phone = useMediaQuery('(max-width: 62em)', false, { getInitialValueInEffect: false });
  const waiting = i.status === 'waiting_on_customer';
  const actions = role === 'support_engineer' ? <SupportActions incident={i} /> : role === 'customer_admin' && waiting ? <ReplyForm incident={i} /> : null;
  const reply =
    role === 'customer_admin' && active && !waiting ? (
      <ReplyForm incident={i} />
    ) : i.status === 'resolved' && (role === 'customer_admin' || role === 'support_engineer') ? (
      <ReopenForm incident={i} />
    ) : null;
  const timeline = <TimelineSection incident={i} vendor={vendor} />;
  // Evidence uploads (HAR files, screenshots) plug in here: components/EvidenceSection.tsx.
  const evidence = <EvidenceSection incident={i} />;
  const audit = <AuditTrail id={i.id} audience={vendor ? 'vendor' : 'customer'} />;
  const notified = <NotificationsSection id={i.id} role={role} />;
  // post-incident reviews (issue 15): after the resolution.
  const pir = i.status === 'resolved' || i.status === 'closed' ? <PirSection incident={i} role={role} /> : null;
  const responsibilities = active && !vendor ? <Responsibilities /> : null;
  const impacted = <ImpactedUsers incident={i} canUpdate={active && (role === 'customer_admin' || role === 'support_engineer')} />;
  const details = <Details incident={i} />;
  const severityChange = active && (role === 'customer_admin' || role === 'support_engineer') ? <SeverityChange incident={i} /> : null;
  return (
    <Container size="xl">
      <Stack gap="lg">
        <StaleDataNotice show={stale} receivedAt={receivedAt} />
        <IncidentHeader incident={i} receivedAt={receivedAt} role={role} backTo={backTo} />

        {phone ? (
          // One column on phones, in the order someone in an outage needs: what to do, what happened, then the rest.
          <Stack gap="lg">
            {actions}
            {pir}
            {timeline}
            {responsibilities}
            {impacted}
            {reply}
            {details}
            {severityChange}
            {evidence}
            {notified}
            {audit}
          </Stack>
        ) : (
          <Grid gutter="lg">
            <Grid.Col span={8}>
              <Stack gap="lg">
                {actions}
                {pir}
                {timeline}
                {reply}
                {evidence}
                {audit}
              </Stack>
            </Grid.Col>
            <Grid.Col span={4}>
              <Stack gap="lg">
                {responsibilities}
                {impacted}
                {details}
                {severityChange}
                {notified}
              </Stack>
            </Grid.Col>
          </Grid>
        )}
      </Stack>
    </Container>
  );
}
