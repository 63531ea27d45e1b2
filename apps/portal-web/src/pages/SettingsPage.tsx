import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import {
  ActionIcon,
  Alert,
  Badge,
  Box,
  Button,
  Center,
  Code,
  Container,
  CopyButton,
  Grid,
  Group,
  Loader,
  Modal,
  NumberInput,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconCopy, IconKey, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  createApiTokenSchema,
  incidentContactsSchema,
  TENANT_ROLES,
  zodIssuesToFields,
  type CreateApiTokenInput,
  type IncidentContact,
  type TenantRole,
} from '@portal/contracts';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { ApiToken } from '../api/types';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { Time } from '../components/Time';
import { ME_KEY, useSignedIn } from '../hooks/use-me';
import { usePageTitle } from '../hooks/use-page-title';
import { fieldMessage, toFieldMap } from '../lib/forms';
import { MODE_LABELS, ROLE_LABELS } from '../lib/labels';
import { CredentialHealth } from './settings/CredentialHealth';
import { personName } from '../lib/people';

export function SettingsPage() {
  const me = useSignedIn();
  usePageTitle('Settings');
  return (
    <Container size="xl">
      <Stack gap="lg">
        <div>
          <Title order={1} className="page-title">
            Settings
          </Title>
          <Text size="sm" c="dimmed">
            {me.tenant?.displayName} · {me.tenant ? MODE_LABELS[me.tenant.serviceMode] : ''} · tenant <code>{me.tenant?.slug}</code>
          </Text>
        </div>
        <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="sso-title">
          <Title order={2} size="h3" id="sso-title">
            Single sign-on
          </Title>
          <Text size="sm" mt={4} mb="sm">
            Your users sign in through your identity provider (SAML 2.0, OpenID Connect or Microsoft Entra ID); the portal stores no passwords.
          </Text>
          <Button component={Link} to="/settings/identity-providers" variant="light">
            Manage identity providers
          </Button>
        </Paper>
        <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="integrations-title">
          <Title order={2} size="h3" id="integrations-title">
            Integrations
          </Title>
          <Text size="sm" mt={4} mb="sm">
            Threaded incident updates in your Slack channel, and signed webhooks to your own systems.
          </Text>
          <Button component={Link} to="/settings/integrations" variant="light">
            Manage integrations
          </Button>
        </Paper>
        <Contacts />
        <ApiTokens />
        {/* credential-health digest (issue 14 part B) */}
        <CredentialHealth />
      </Stack>
    </Container>
  );
}

interface ContactRow {
  key: number;
  name: string;
  email: string;
  phone: string;
  role: string;
}
let rowKey = 0;
const toRow = (c: IncidentContact): ContactRow => ({ key: ++rowKey, name: c.name, email: c.email, phone: c.phone ?? '', role: c.role ?? '' });
const toContact = (r: ContactRow): Record<string, string> => ({
  name: r.name.trim(),
  email: r.email.trim(),
  ...(r.phone.trim() ? { phone: r.phone.trim() } : {}),
  ...(r.role.trim() ? { role: r.role.trim() } : {}),
});

/** Seed 000: "Email broadcast on Sev 1 to your incident-contact list". */
function Contacts() {
  const qc = useQueryClient();
  const tenant = useQuery({ queryKey: ['tenant'], queryFn: api.tenant });
  const [rows, setRows] = useState<ContactRow[] | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const [touched, setTouched] = useState<Set<string>>(new Set());

  // The form starts from the saved list once it has loaded (adjusted during render, not in an effect).
  if (tenant.data && rows === null) setRows(tenant.data.contacts.map(toRow));

  const save = useMutation({
    mutationFn: (contacts: IncidentContact[]) => api.updateContacts(contacts),
    onSuccess: (t) => {
      qc.setQueryData(['tenant'], t);
      void qc.invalidateQueries({ queryKey: ME_KEY });
      setRows(t.contacts.map(toRow));
      setSubmitted(false);
      setTouched(new Set());
      notifications.show({ color: 'green', message: 'Incident contacts saved' });
    },
  });

  if (tenant.isPending || rows === null) {
    return (
      <Paper p="lg" component="section" aria-label="Incident contacts">
        {tenant.isError ? (
          <ApiErrorAlert error={tenant.error} title="The contacts could not be loaded" />
        ) : (
          <Group gap="xs">
            <Loader size="xs" aria-label="Loading contacts" />
            <Text size="sm">Loading contacts…</Text>
          </Group>
        )}
      </Paper>
    );
  }

  const parsed = incidentContactsSchema.safeParse({ contacts: rows.map(toContact) });
  const clientErrors = parsed.success ? {} : toFieldMap(zodIssuesToFields(parsed.error.issues));
  const serverErrors = save.error instanceof ApiError ? save.error.fieldMap() : {};
  const err = (n: number, f: keyof IncidentContact) => {
    const path = `contacts.${n}.${f}`;
    const m = (submitted || touched.has(path) ? clientErrors[path] : undefined) ?? serverErrors[path];
    return m ? fieldMessage(m) : undefined;
  };
  const edit = (key: number, f: keyof Omit<ContactRow, 'key'>, value: string) => setRows((rs) => rs!.map((r) => (r.key === key ? { ...r, [f]: value } : r)));
  const touch = (path: string) => () => setTouched((t) => new Set(t).add(path));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (parsed.success) save.mutate(parsed.data.contacts);
  };
  const dirty = JSON.stringify(rows.map(toContact)) !== JSON.stringify((tenant.data?.contacts ?? []).map((c) => toContact(toRow(c))));

  return (
    <Paper p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby="contacts-title" data-testid="contacts">
      <Title order={2} size="h3" id="contacts-title">
        Incident contacts
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        Who Claresia emails on every Sev 1 broadcast and calls when they need you. Keep at least one reachable person.
      </Text>
      <form onSubmit={submit} noValidate aria-label="Incident contacts">
        <Stack gap="md">
          {rows.length === 0 && (
            <Alert color="orange" variant="light" title="No incident contacts">
              <Text size="sm">Nobody will receive Sev 1 email broadcasts. Add at least one contact.</Text>
            </Alert>
          )}
          {rows.map((r, n) => (
            <Paper key={r.key} p="sm" bg="var(--portal-surface-subtle)" data-testid="contact-row">
              <Grid gutter="sm" align="flex-start">
                <Grid.Col span={{ base: 12, sm: 6, lg: 3 }}>
                  <TextInput
                    label="Name"
                    value={r.name}
                    onChange={(e) => edit(r.key, 'name', e.currentTarget.value)}
                    onBlur={touch(`contacts.${n}.name`)}
                    error={err(n, 'name')}
                    required
                  />
                </Grid.Col>
                <Grid.Col span={{ base: 12, sm: 6, lg: 3 }}>
                  <TextInput
                    label="Email"
                    type="email"
                    value={r.email}
                    onChange={(e) => edit(r.key, 'email', e.currentTarget.value)}
                    onBlur={touch(`contacts.${n}.email`)}
                    error={err(n, 'email')}
                    required
                  />
                </Grid.Col>
                <Grid.Col span={{ base: 12, sm: 6, lg: 3 }}>
                  <TextInput
                    label="Phone"
                    type="tel"
                    placeholder="+39 02 1234 5678"
                    value={r.phone}
                    onChange={(e) => edit(r.key, 'phone', e.currentTarget.value)}
                    onBlur={touch(`contacts.${n}.phone`)}
                    error={err(n, 'phone')}
                  />
                </Grid.Col>
                <Grid.Col span={{ base: 10, sm: 5, lg: 2 }}>
                  <TextInput
                    label="Role"
                    placeholder="IT on-call"
                    value={r.role}
                    onChange={(e) => edit(r.key, 'role', e.currentTarget.value)}
                    error={err(n, 'role')}
                  />
                </Grid.Col>
                <Grid.Col span={{ base: 2, sm: 1 }}>
                  <Tooltip label="Remove this contact">
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      size="lg"
                      mt={26}
                      aria-label={`Remove contact ${r.name || n + 1}`}
                      onClick={() => setRows((rs) => rs!.filter((x) => x.key !== r.key))}
                    >
                      <IconTrash size={18} aria-hidden />
                    </ActionIcon>
                  </Tooltip>
                </Grid.Col>
              </Grid>
            </Paper>
          ))}
          {save.error && !(save.error instanceof ApiError && save.error.fields.some((f) => f.field.startsWith('contacts.'))) && (
            <ApiErrorAlert error={save.error} title="The contacts were not saved" listFields />
          )}
          <Group justify="space-between">
            <Button
              variant="default"
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={() => setRows((rs) => [...rs!, { key: ++rowKey, name: '', email: '', phone: '', role: '' }])}
              disabled={rows.length >= 50}
            >
              Add contact
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!dirty}>
              Save contacts
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function ApiTokens() {
  const qc = useQueryClient();
  const tokens = useQuery({ queryKey: ['api-tokens'], queryFn: api.apiTokens });
  const phone = useMediaQuery('(max-width: 48em)', false, { getInitialValueInEffect: false });
  const [name, setName] = useState('');
  const [role, setRole] = useState<TenantRole>('customer_viewer');
  const [days, setDays] = useState<number | ''>(90);
  const [submitted, setSubmitted] = useState(false);
  const [created, setCreated] = useState<{ token: string; apiToken: ApiToken } | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);

  const body = { name, role, ...(days === '' ? {} : { expiresInDays: days }) };
  const parsed = createApiTokenSchema.safeParse(body);
  const clientErrors = parsed.success ? {} : toFieldMap(zodIssuesToFields(parsed.error.issues));

  const create = useMutation({
    mutationFn: (b: CreateApiTokenInput) => api.createApiToken(b),
    onSuccess: (r) => {
      setCreated(r);
      setName('');
      setSubmitted(false);
      void qc.invalidateQueries({ queryKey: ['api-tokens'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (t: ApiToken) => api.revokeApiToken(t.id),
    onSuccess: (t) => {
      setRevoking(null);
      void qc.invalidateQueries({ queryKey: ['api-tokens'] });
      notifications.show({ color: 'green', message: `Token “${t.name}” revoked; it stops working immediately.` });
    },
  });
  const serverErrors = create.error instanceof ApiError ? create.error.fieldMap() : {};
  const err = (f: string) => {
    const m = (submitted ? clientErrors[f] : undefined) ?? serverErrors[f];
    return m ? fieldMessage(m) : undefined;
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (parsed.success) create.mutate(parsed.data);
  };

  const items = tokens.data?.items ?? [];
  const activeTokens = items.filter((t) => !t.revokedAt);
  const revoked = items.filter((t) => t.revokedAt);

  return (
    <Paper p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby="tokens-title" data-testid="api-tokens">
      <Title order={2} size="h3" id="tokens-title">
        API tokens
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        For your monitoring or ITSM tools to declare and read incidents through the API (<code>Authorization: Bearer …</code>). A token is shown once, when it
        is created.
      </Text>

      {created && (
        <Alert
          color="green"
          variant="light"
          icon={<IconKey aria-hidden />}
          title={`Token “${created.apiToken.name}” created: copy it now`}
          mb="md"
          data-testid="new-token"
          withCloseButton
          onClose={() => setCreated(null)}
          closeButtonLabel="Dismiss"
        >
          <Text size="sm" mb="xs">
            This is the only time the token is shown. Store it in your secret manager; if it is lost, revoke it and create another.
          </Text>
          <Group gap="xs" wrap="nowrap" align="center">
            <Code block style={{ flex: 1, minWidth: 0, overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }} data-testid="new-token-value">
              {created.token}
            </Code>
            <CopyButton value={created.token} timeout={2000}>
              {({ copied, copy }) => (
                <Button
                  size="sm"
                  variant={copied ? 'light' : 'filled'}
                  color={copied ? 'green' : undefined}
                  leftSection={copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}
                  onClick={copy}
                >
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Alert>
      )}

      <form onSubmit={submit} noValidate aria-label="Create an API token">
        <Grid gutter="sm" align="flex-end">
          <Grid.Col span={{ base: 12, sm: 5 }}>
            <TextInput
              label="Token name"
              placeholder="ServiceNow integration"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={err('name')}
              required
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 3 }}>
            <Select
              label="Role"
              data={TENANT_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
              value={role}
              onChange={(v) => v && setRole(v as TenantRole)}
              allowDeselect={false}
              error={err('role')}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 2 }}>
            <NumberInput
              label="Expires in (days)"
              min={1}
              max={730}
              allowDecimal={false}
              value={days}
              onChange={(v) => setDays(typeof v === 'number' ? v : '')}
              error={err('expiresInDays')}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 2 }}>
            <Button type="submit" fullWidth loading={create.isPending} leftSection={<IconPlus size={16} aria-hidden />}>
              Create token
            </Button>
          </Grid.Col>
        </Grid>
        {create.error && Object.keys(serverErrors).length === 0 && (
          <Box mt="sm">
            <ApiErrorAlert error={create.error} title="The token was not created" />
          </Box>
        )}
      </form>

      <Title order={3} size="h5" mt="xl" mb="xs">
        Active tokens
      </Title>
      {tokens.isPending ? (
        <Center p="md">
          <Loader size="sm" aria-label="Loading tokens" />
        </Center>
      ) : tokens.isError ? (
        <ApiErrorAlert error={tokens.error} title="The tokens could not be loaded" />
      ) : activeTokens.length === 0 ? (
        <Text size="sm">No active tokens.</Text>
      ) : phone ? (
        <Stack gap="xs">
          {activeTokens.map((t) => (
            <Paper key={t.id} p="sm" data-testid="token-row">
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <Box style={{ minWidth: 0 }}>
                  <Text fw={600} size="sm" className="break">
                    {t.name}
                  </Text>
                  <Text size="xs" ff="monospace" className="break">
                    {t.displayPrefix}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {ROLE_LABELS[t.role]} · expires {t.expiresAt ? <Time iso={t.expiresAt} /> : 'never'}
                  </Text>
                </Box>
                <Button size="xs" variant="outline" color="red" onClick={() => setRevoking(t)} style={{ flexShrink: 0 }} aria-label={`Revoke token ${t.name}`}>
                  Revoke
                </Button>
              </Group>
            </Paper>
          ))}
        </Stack>
      ) : (
        <Table verticalSpacing="xs" data-testid="token-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Token</Table.Th>
              <Table.Th scope="col">Role</Table.Th>
              <Table.Th scope="col">Created</Table.Th>
              <Table.Th scope="col">Last used</Table.Th>
              <Table.Th scope="col">Expires</Table.Th>
              <Table.Th scope="col">
                <span className="sr-only">Actions</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {activeTokens.map((t) => (
              <Table.Tr key={t.id} data-testid="token-row">
                <Table.Td>
                  <Text size="sm" fw={600}>
                    {t.name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    by {personName(t.createdBy)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs" ff="monospace">
                    {t.displayPrefix}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={t.role === 'customer_admin' ? 'orange' : 'gray'}>
                    {t.role === 'customer_admin' ? 'admin' : 'viewer'}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    <Time iso={t.createdAt} />
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{t.lastUsedAt ? <Time iso={t.lastUsedAt} /> : 'never'}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{t.expiresAt ? <Time iso={t.expiresAt} /> : 'never'}</Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Button size="xs" variant="outline" color="red" onClick={() => setRevoking(t)} aria-label={`Revoke token ${t.name}`}>
                    Revoke
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {revoked.length > 0 && (
        <Text size="xs" c="dimmed" mt="sm">
          {revoked.length} revoked token{revoked.length === 1 ? '' : 's'} kept for the audit trail.
        </Text>
      )}

      <Modal opened={revoking !== null} onClose={() => (setRevoking(null), revoke.reset())} title={`Revoke “${revoking?.name ?? ''}”?`} centered>
        <Stack gap="md">
          <Text size="sm">Tools using this token lose access immediately. This cannot be undone.</Text>
          {revoke.error && <ApiErrorAlert error={revoke.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => (setRevoking(null), revoke.reset())}>
              Keep token
            </Button>
            <Button color="red.9" loading={revoke.isPending} onClick={() => revoking && revoke.mutate(revoking)}>
              Revoke token
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}
