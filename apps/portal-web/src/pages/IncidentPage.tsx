import type { ReactNode } from 'react';
import { Anchor, Center, Container, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { Link, useLocation, useParams } from 'react-router-dom';
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
import { MissingIntake } from './incident/MissingIntake';
import { NextSteps } from './incident/NextSteps';
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

/** Which sections a role sees, and where: one column on phones, two on wider screens, in one tree. */
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
  // Right after declaring (DeclareIncidentPage passes the state): the next steps come first.
  const location = useLocation();
  const justDeclared = (location.state as { declared?: boolean } | null)?.declared === true && active;
  const vendor = isVendorRole(role);
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
        {justDeclared && <NextSteps incident={i} me={me} />}
        {/* A quick declaration's intake still to give (issue 18): counted for everyone, asked of those who can give it. */}
        {i.missingIntakeFields.length > 0 && active && <MissingIntake incident={i} canComplete={role === 'customer_admin' || role === 'support_engineer'} />}

        {/* One tree at every width (CSS only, styles.css .incident-layout): crossing 992 px re-lays the sections out
            without remounting them, so an upload in progress and a half-typed reply survive a rotation or a resize.
            On phones the columns dissolve and `order` puts the sections in what someone in an outage needs first. */}
        <div className="incident-layout">
          <div className="incident-column">
            <Slot order={1}>{actions}</Slot>
            <Slot order={2}>{pir}</Slot>
            <Slot order={3}>{timeline}</Slot>
            <Slot order={6}>{reply}</Slot>
            <Slot order={9}>{evidence}</Slot>
            <Slot order={11}>{audit}</Slot>
          </div>
          <div className="incident-column">
            <Slot order={4}>{responsibilities}</Slot>
            <Slot order={5}>{impacted}</Slot>
            <Slot order={7}>{details}</Slot>
            <Slot order={8}>{severityChange}</Slot>
            <Slot order={10}>{notified}</Slot>
          </div>
        </div>
      </Stack>
    </Container>
  );
}

/** A section's place in the phone order; nothing when the role does not see the section. */
function Slot({ order, children }: { order: number; children: ReactNode }) {
  if (children === null || children === undefined || children === false) return null;
  return (
    <div className="incident-slot" style={{ order }}>
      {children}
    </div>
  );
}
