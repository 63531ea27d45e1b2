import { useState, type FormEvent } from 'react';
import { WRAPPING_BUTTON } from '../theme';
import { Alert, Anchor, Box, Button, Container, Divider, Group, Loader, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconInfoCircle, IconLock, IconUserShield } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { devLoginSchema, TENANT_SLUG, zodIssuesToFields, type DevLoginInput } from '@portal/contracts';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { Logo } from '../components/Logo';
import { ME_KEY, rememberTenant, useMe } from '../hooks/use-me';
import { usePageTitle } from '../hooks/use-page-title';
import { fieldMessage } from '../lib/forms';
import { ROLE_LABELS } from '../lib/labels';

type CustomerRole = 'customer_admin' | 'customer_viewer';
type StaffRole = 'support_engineer' | 'csm';

/** Where a signed-out person lands: the tenant's sign-in options, or the tenant field and the staff sign-in. */
export function SignInPage() {
  const { slug } = useParams();
  const me = useMe();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  usePageTitle('Sign in');

  return (
    <Box className="sign-in-bg">
      <Container size={480} px={{ base: 0, xs: 'md' }} component="main" id="main">
        <Box mb="lg">
          <Logo />
        </Box>
        <Paper p={{ base: 'lg', sm: 'xl' }} shadow="md">
          {me.data && (
            <Alert color="blue" variant="light" mb="md" icon={<IconInfoCircle aria-hidden />} title="You are already signed in">
              <Text size="sm">
                Signed in as {me.data.principal.label}.{' '}
                <Anchor component={Link} to={next ?? '/'}>
                  Continue to the portal
                </Anchor>
              </Text>
            </Alert>
          )}
          {slug ? <TenantSignIn slug={slug} next={next} /> : <FindTenant />}
        </Paper>
        {!slug && (
          <Paper p={{ base: 'lg', sm: 'xl' }} mt="lg" id="staff">
            <StaffSignIn next={next} />
          </Paper>
        )}
        <Text size="xs" ta="center" mt="lg" c="dimmed">
          In an outage and cannot sign in? Email support@claresia.com or use your Slack/Teams Connect channel; for Sev 1 in Mode B/C also call the phone
          hotline.
        </Text>
      </Container>
    </Box>
  );
}

function FindTenant() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [slug, setSlug] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = slug.trim().toLowerCase();
    const r = TENANT_SLUG.safeParse(value);
    if (!r.success) return setError(fieldMessage(r.error.issues[0]?.message ?? 'is not a tenant name'));
    navigate(`/t/${value}/sign-in${params.get('next') ? `?next=${encodeURIComponent(params.get('next')!)}` : ''}`);
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <div>
          <Title order={1} size="h2">
            Sign in
          </Title>
          <Text size="sm" c="dimmed" mt={4}>
            Declare and follow incidents with Claresia. Start with your organisation's tenant name.
          </Text>
        </div>
        <TextInput
          label="Tenant"
          description="Your tenant slug, as in your portal address: …/t/acme/sign-in"
          placeholder="acme"
          autoComplete="organization"
          autoCapitalize="none"
          spellCheck={false}
          value={slug}
          onChange={(e) => {
            setSlug(e.currentTarget.value);
            setError(null);
          }}
          error={error}
          required
        />
        <Button type="submit">Continue</Button>
      </Stack>
    </form>
  );
}

function TenantSignIn({ slug, next }: { slug: string; next: string | null }) {
  const options = useQuery({ queryKey: ['sign-in-options', slug], queryFn: () => api.signInOptions(slug), retry: false });
  if (options.isPending) {
    return (
      <Group justify="center" p="lg" aria-live="polite">
        <Loader size="sm" aria-label="Loading sign-in options" />
        <Text size="sm">Loading sign-in options…</Text>
      </Group>
    );
  }
  if (options.isError) {
    const notFound = options.error instanceof ApiError && options.error.status === 404;
    return (
      <Stack>
        <Title order={1} size="h2">
          Sign in
        </Title>
        {notFound ? (
          <Alert color="red" variant="light" title={`No tenant called “${slug}”`} role="alert">
            <Text size="sm">Check the address, or ask your IT admin for your tenant name.</Text>
          </Alert>
        ) : (
          <ApiErrorAlert error={options.error} />
        )}
        <Anchor component={Link} to="/sign-in">
          Enter a different tenant
        </Anchor>
      </Stack>
    );
  }
  const o = options.data;
  return (
    <Stack gap="md">
      <div>
        <Text size="sm" fw={600} c="dimmed" tt="uppercase">
          Sign in to
        </Text>
        <Title order={1} size="h2">
          {o.tenant.displayName}
        </Title>
      </div>
      {o.providers.length > 0 && (
        <Stack gap="xs" aria-label="Single sign-on">
          {o.providers.map((p) => (
            <Button
              key={p.id}
              component="a"
              href={withReturn(p.startUrl, next)}
              variant="default"
              size="md"
              styles={WRAPPING_BUTTON}
              leftSection={<IconLock size={18} aria-hidden />}
            >
              Sign in with {p.displayName}
            </Button>
          ))}
        </Stack>
      )}
      {o.devLogin && (
        <>
          {o.providers.length > 0 && <Divider label="or, in this demo" labelPosition="center" />}
          <DevSignInForm tenant={o.tenant.slug} roles={['customer_admin', 'customer_viewer']} next={next} />
        </>
      )}
      {o.providers.length === 0 && !o.devLogin && (
        <Alert color="orange" variant="light" title="No sign-in method is set up yet" role="status">
          <Text size="sm">Your organisation has not configured single sign-on for this portal yet. Ask your Claresia CSM to set it up.</Text>
        </Alert>
      )}
      <Text size="sm">
        Not {o.tenant.displayName}?{' '}
        <Anchor component={Link} to="/sign-in">
          Choose another tenant
        </Anchor>
        {' · '}
        <Anchor component={Link} to="/sign-in#staff">
          Claresia staff sign-in
        </Anchor>
      </Text>
    </Stack>
  );
}

function StaffSignIn({ next }: { next: string | null }) {
  return (
    <Stack gap="md">
      <Group gap="xs">
        <IconUserShield size={22} aria-hidden />
        <Title order={2} size="h3">
          Claresia staff
        </Title>
      </Group>
      <Text size="sm" c="dimmed">
        Support engineers and customer success managers see the incidents of every tenant they work with.
      </Text>
      <StaffProviders next={next} />
      <DevSignInForm roles={['support_engineer', 'csm']} next={next} />
    </Stack>
  );
}

/** The vendor's own identity providers (configured by the operator, not by tenants). */
function StaffProviders({ next }: { next: string | null }) {
  const q = useQuery({
    queryKey: ['staff-sign-in-providers'],
    queryFn: async () => {
      const res = await fetch('/sso/staff/providers', { credentials: 'same-origin' });
      if (!res.ok) return { providers: [] as { id: string; displayName: string; startUrl: string }[] };
      return (await res.json()) as { providers: { id: string; displayName: string; startUrl: string }[] };
    },
    retry: false,
  });
  const providers = q.data?.providers ?? [];
  if (providers.length === 0) return null;
  return (
    <Stack gap="xs" aria-label="Staff single sign-on">
      {providers.map((p) => (
        <Button
          key={p.id}
          component="a"
          href={withReturn(p.startUrl, next)}
          variant="default"
          size="md"
          styles={WRAPPING_BUTTON}
          leftSection={<IconLock size={18} aria-hidden />}
        >
          Sign in with {p.displayName}
        </Button>
      ))}
    </Stack>
  );
}

/** Keeps the page the person was heading to; the server accepts only same-origin relative paths. */
function withReturn(startUrl: string, next: string | null): string {
  const safe = safeNext(next);
  if (!safe) return startUrl;
  return `${startUrl}${startUrl.includes('?') ? '&' : '?'}returnTo=${encodeURIComponent(safe)}`;
}

function DevSignInForm({ tenant, roles, next }: { tenant?: string; roles: (CustomerRole | StaffRole)[]; next: string | null }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<CustomerRole | StaffRole>(roles[0]);
  const [touched, setTouched] = useState(false);
  const body: DevLoginInput = { email: email.trim(), role, ...(tenant ? { tenant } : {}) };
  const parsed = devLoginSchema.safeParse(body);
  const clientErrors = parsed.success ? {} : Object.fromEntries(zodIssuesToFields(parsed.error.issues).map((f) => [f.field, f.message]));

  const login = useMutation({
    mutationFn: (b: DevLoginInput) => api.devLogin(b),
    onSuccess: async () => {
      if (tenant) rememberTenant(tenant);
      await qc.resetQueries({ queryKey: ME_KEY });
      navigate(next ?? '/', { replace: true });
    },
  });
  const serverErrors = login.error instanceof ApiError ? login.error.fieldMap() : {};
  const emailError = (touched && clientErrors.email) || serverErrors.email;
  const id = tenant ? 'tenant' : 'staff';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (parsed.success) login.mutate(parsed.data);
  };

  return (
    <form onSubmit={submit} noValidate aria-label={tenant ? 'Development sign-in' : 'Staff development sign-in'}>
      <Stack gap="sm">
        <Alert color="gray" variant="light" p="xs" icon={<IconInfoCircle size={16} aria-hidden />}>
          <Text size="xs">Development sign-in (demo mode): no password; production uses your single sign-on.</Text>
        </Alert>
        <TextInput
          id={`${id}-email`}
          label="Work email"
          type="email"
          autoComplete="email"
          placeholder={tenant ? `admin@${tenant}.example` : 'support@claresia.example'}
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          onBlur={() => setTouched(true)}
          error={emailError ? fieldMessage(emailError) : undefined}
          required
        />
        <Select
          id={`${id}-role`}
          label="Role"
          data={roles.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          value={role}
          onChange={(v) => v && setRole(v as CustomerRole | StaffRole)}
          allowDeselect={false}
          required
        />
        {login.error &&
          !emailError &&
          (!tenant && login.error instanceof ApiError && login.error.status === 404 ? (
            <Alert color="orange" variant="light" title="Development sign-in is off" role="alert">
              <Text size="sm">This portal does not offer the development sign-in. Claresia staff sign in with the company single sign-on.</Text>
            </Alert>
          ) : (
            <ApiErrorAlert error={login.error} title="Sign-in failed" />
          ))}
        <Button type="submit" loading={login.isPending}>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}

/** Only same-site paths are followed after sign-in. */
function safeNext(next: string | null): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('/sign-in')) return null;
  return next;
}
