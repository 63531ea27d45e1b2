import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { Anchor, Center, Container, Loader, Stack, Text, Title } from '@mantine/core';
import { useIsFetching } from '@tanstack/react-query';
import { Link, Navigate, Outlet, Route, Routes, useLocation } from 'react-router-dom';
import type { Role } from '@portal/contracts';
import { ApiErrorAlert } from './components/ApiErrorAlert';
import { AppLayout } from './components/AppLayout';
import { ErrorBoundary } from './components/ErrorBoundary';
import { lastTenant, useMe, useSignedIn } from './hooks/use-me';
import { isVendorRole } from './lib/labels';
import { IncidentsPage } from './pages/IncidentsPage';
import { VendorIncidentsPage } from './pages/VendorIncidentsPage';

// h6-web-outage (issue 18, item 8): pages nobody needs before the incident list load on first visit, each in its
// own chunk; only the incident lists are in the first load. Declaring and an incident's page are fetched as soon as
// the first screen's data has arrived (prefetchOutagePages), so the Declare button does not wait on a bad network.
// Each lazy page also brings the Mantine stylesheets the first screen does not load (styles/later.css).
const laterStyles = () => import('./styles/later');
const withLaterStyles = <T,>(page: Promise<T>): Promise<T> => Promise.all([laterStyles(), page]).then(([, m]) => m);
const loadDeclarePage = () => withLaterStyles(import('./pages/DeclareIncidentPage'));
const loadIncidentPage = () => withLaterStyles(import('./pages/IncidentPage'));
const DeclareIncidentPage = lazy(() => loadDeclarePage().then((m) => ({ default: m.DeclareIncidentPage })));
const IncidentPage = lazy(() => loadIncidentPage().then((m) => ({ default: m.IncidentPage })));
const SignInPage = lazy(() => withLaterStyles(import('./pages/SignInPage')).then((m) => ({ default: m.SignInPage })));
const SettingsPage = lazy(() => withLaterStyles(import('./pages/SettingsPage')).then((m) => ({ default: m.SettingsPage })));
const IdentityProvidersPage = lazy(() => withLaterStyles(import('./pages/IdentityProvidersPage')).then((m) => ({ default: m.IdentityProvidersPage })));
const IntegrationsPage = lazy(() => withLaterStyles(import('./pages/IntegrationsPage')).then((m) => ({ default: m.IntegrationsPage })));
const PirArchivePage = lazy(() => withLaterStyles(import('./pages/PirArchivePage')).then((m) => ({ default: m.PirArchivePage })));
const ReportsPage = lazy(() => withLaterStyles(import('./pages/ReportsPage')).then((m) => ({ default: m.ReportsPage })));
const SsoErrorPage = lazy(() => withLaterStyles(import('./pages/SsoErrorPage')).then((m) => ({ default: m.SsoErrorPage })));
const StatusAdminPage = lazy(() => withLaterStyles(import('./pages/status/StatusAdminPage')).then((m) => ({ default: m.StatusAdminPage })));
const StatusPage = lazy(() => withLaterStyles(import('./pages/status/StatusPage')).then((m) => ({ default: m.StatusPage })));
// --- vendor notification settings (lead) ---
const EscalationSettingsPage = lazy(() =>
  withLaterStyles(import('./pages/vendor/EscalationSettingsPage')).then((m) => ({ default: m.EscalationSettingsPage })),
);
// CSM walkthroughs (issue 15, h2a-walkthroughs)
const WorkingHoursPage = lazy(() => withLaterStyles(import('./pages/WorkingHoursPage')).then((m) => ({ default: m.WorkingHoursPage })));
const StatusTokenPage = lazy(() => withLaterStyles(import('./pages/status/StatusTokenPage')).then((m) => ({ default: m.StatusTokenPage })));

let prefetched = false;
/** Once a second has passed with no query in flight (the first screen is complete), fetch the outage pages. */
function usePrefetchOutagePages() {
  const fetching = useIsFetching();
  useEffect(() => {
    if (prefetched || fetching > 0) return;
    const t = setTimeout(() => {
      prefetched = true;
      void loadDeclarePage().catch(() => {});
      void loadIncidentPage().catch(() => {});
    }, 1000);
    return () => clearTimeout(t);
  }, [fetching]);
}

/** What shows while a lazy page's chunk arrives. */
function PageLoading() {
  return (
    <Center p="xl" aria-live="polite">
      <Stack align="center" gap="xs">
        <Loader size="sm" aria-label="Loading the page" />
        <Text size="sm">Loading the page…</Text>
      </Stack>
    </Center>
  );
}

export function App() {
  return (
    <Suspense fallback={<PageLoading />}>
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
    </Suspense>
  );
}

function TenantRoot() {
  const { pathname } = useLocation();
  return <Navigate to={`${pathname.replace(/\/$/, '')}/sign-in`} replace />;
}

/** Everything behind sign-in: asks who is signed in, sends signed-out people to the sign-in page. */
function SignedInShell() {
  const me = useMe();
  usePrefetchOutagePages();
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
        <Suspense fallback={<PageLoading />}>
          <Outlet />
        </Suspense>
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
