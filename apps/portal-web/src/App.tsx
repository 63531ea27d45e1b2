import type { ReactNode } from 'react';
import { Anchor, Center, Container, Loader, Stack, Text, Title } from '@mantine/core';
import { Link, Navigate, Outlet, Route, Routes, useLocation } from 'react-router-dom';
import type { Role } from '@portal/contracts';
import { ApiErrorAlert } from './components/ApiErrorAlert';
import { AppLayout } from './components/AppLayout';
import { ErrorBoundary } from './components/ErrorBoundary';
import { lastTenant, useMe, useSignedIn } from './hooks/use-me';
import { isVendorRole } from './lib/labels';
import { DeclareIncidentPage } from './pages/DeclareIncidentPage';
import { IncidentPage } from './pages/IncidentPage';
import { IncidentsPage } from './pages/IncidentsPage';
import { IdentityProvidersPage } from './pages/IdentityProvidersPage';
import { SettingsPage } from './pages/SettingsPage';
import { SignInPage } from './pages/SignInPage';
import { SsoErrorPage } from './pages/SsoErrorPage';
import { VendorIncidentsPage } from './pages/VendorIncidentsPage';
// status page (issue 14 part B)
import { StatusAdminPage } from './pages/status/StatusAdminPage';
import { StatusPage } from './pages/status/StatusPage';
import { StatusTokenPage } from './pages/status/StatusTokenPage';
// incident communications (issue 14, part A)
import { IntegrationsPage } from './pages/IntegrationsPage';
import { PirArchivePage } from './pages/PirArchivePage';
// SLA reports (issue 15b)
import { ReportsPage } from './pages/ReportsPage';
// --- vendor notification settings (lead) ---
import { EscalationSettingsPage } from './pages/vendor/EscalationSettingsPage';
// CSM walkthroughs (issue 15, h2a-walkthroughs)
import { WorkingHoursPage } from './pages/WorkingHoursPage';

export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/sign-in/error" element={<SsoErrorPage />} />
      <Route path="/t/:slug/sign-in" element={<SignInPage />} />
      <Route path="/t/:slug" element={<TenantRoot />} />
      {/* status page (issue 14 part B): public, no sign-in */}
      <Route path="/status" element={<StatusPage />} />
      <Route path="/status/confirm" element={<StatusTokenPage action="confirm" />} />
      <Route path="/status/unsubscribe" element={<StatusTokenPage action="unsubscribe" />} />
      <Route element={<SignedInShell />}>
        <Route index element={<Home />} />
        <Route path="/incidents" element={<IncidentsPage />} />
        <Route
          path="/incidents/new"
          element={
            <RequireRole roles={['customer_admin']} what="Declaring an incident">
              <DeclareIncidentPage />
            </RequireRole>
          }
        />
        <Route path="/incidents/:id" element={<IncidentPage />} />
        <Route
          path="/settings"
          element={
            <RequireRole roles={['customer_admin']} what="Settings">
              <SettingsPage />
            </RequireRole>
          }
        />
        <Route
          path="/settings/identity-providers"
          element={
            <RequireRole roles={['customer_admin']} what="Identity providers">
              <IdentityProvidersPage />
            </RequireRole>
          }
        />
        <Route
          path="/settings/integrations"
          element={
            <RequireRole roles={['customer_admin']} what="Integrations">
              <IntegrationsPage />
            </RequireRole>
          }
        />
        <Route
          path="/vendor"
          element={
            <RequireRole roles={['support_engineer', 'csm']} what="The all-tenants view">
              <VendorIncidentsPage />
            </RequireRole>
          }
        />
        {/* status page (issue 14 part B) */}
        <Route
          path="/vendor/status"
          element={
            <RequireRole roles={['support_engineer']} what="Posting on the status page">
              <StatusAdminPage />
            </RequireRole>
          }
        />
        {/* --- vendor notification settings (lead) --- */}
        <Route
          path="/vendor/escalation"
          element={
            <RequireRole roles={['support_engineer']} what="The escalation and paging settings">
              <EscalationSettingsPage />
            </RequireRole>
          }
        />
        {/* post-incident reviews (issue 15) */}
        <Route path="/reviews" element={<PirArchivePage />} />
        {/* SLA reports (issue 15b) */}
        <Route path="/reports" element={<ReportsPage />} />
        {/* CSM walkthroughs (issue 15, h2a-walkthroughs) */}
        <Route
          path="/working-hours"
          element={
            <RequireRole roles={['csm']} what="Working hours">
              <WorkingHoursPage />
            </RequireRole>
          }
        />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

function TenantRoot() {
  const { pathname } = useLocation();
  return <Navigate to={`${pathname.replace(/\/$/, '')}/sign-in`} replace />;
}

/** Everything behind sign-in: asks who is signed in, sends signed-out people to the sign-in page. */
function SignedInShell() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) {
    return (
      <Center h="100vh" component="main">
        <Stack align="center" gap="xs" aria-live="polite">
          <Loader aria-label="Loading the portal" />
          <Text size="sm">Loading the portal…</Text>
        </Stack>
      </Center>
    );
  }
  // Only a first load that fails blocks the portal; a failed refresh keeps the signed-in shell.
  if (me.isError && me.data === undefined) {
    return (
      <Container size="sm" py="xl" component="main">
        <Title order={1} size="h2" mb="md">
          Claresia Incident Support
        </Title>
        <ApiErrorAlert error={me.error} title="The portal cannot be reached" />
        <Text size="sm" mt="md">
          In an outage, declare by email to support@claresia.com or in your Slack/Teams Connect channel.
        </Text>
      </Container>
    );
  }
  if (!me.data) {
    const slug = lastTenant();
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`${slug ? `/t/${slug}` : ''}/sign-in?next=${next}`} replace />;
  }
  return (
    <AppLayout me={me.data}>
      <ErrorBoundary resetKey={location.pathname}>
        <Outlet />
      </ErrorBoundary>
    </AppLayout>
  );
}

function Home() {
  const me = useSignedIn();
  return <Navigate to={isVendorRole(me.principal.role) ? '/vendor' : '/incidents'} replace />;
}

function RequireRole({ roles, what, children }: { roles: Role[]; what: string; children: ReactNode }) {
  const me = useSignedIn();
  if (roles.includes(me.principal.role)) return <>{children}</>;
  return (
    <Container size="sm" py="xl">
      <Title order={1} className="page-title" mb="sm">
        Not available for your role
      </Title>
      <Text>
        {what} is for {roles.map((r) => r.replace('_', ' ')).join(' or ')} accounts.{' '}
        <Anchor component={Link} to="/">
          Back to incidents
        </Anchor>
      </Text>
    </Container>
  );
}

function NotFound() {
  return (
    <Container size="sm" py="xl">
      <Title order={1} className="page-title" mb="sm">
        Page not found
      </Title>
      <Text>
        This address does not exist in the portal.{' '}
        <Anchor component={Link} to="/">
          Go to incidents
        </Anchor>
      </Text>
    </Container>
  );
}
