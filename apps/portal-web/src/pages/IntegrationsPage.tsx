import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Anchor, Badge, Button, Code, Container, CopyButton, Group, Loader, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  connectHubSchema,
  connectSlackSchema,
  connectTeamsSchema,
  createWebhookEndpointSchema,
  zodIssuesToFields,
  type CreatedWebhookEndpoint,
  type WebhookEndpointView,
} from '@portal/contracts';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { DeliveryList } from '../components/DeliveryList';
import { usePageTitle } from '../hooks/use-page-title';
import { fieldMessage, toFieldMap } from '../lib/forms';

/** Settings → Integrations: the tenant's Slack and Teams channels (threaded incident updates) and its signed webhooks. */
export function IntegrationsPage() {
  usePageTitle('Integrations');
  return (
    <Container size="lg">
      <Stack gap="lg">
        <div>
          <Anchor component={Link} to="/settings" size="sm">
            ← Settings
          </Anchor>
          <Title order={1} className="page-title">
            Integrations
          </Title>
          <Text size="sm" c="dimmed">
            Where the portal tells your team about your incidents, besides email to your incident contacts.
          </Text>
        </div>
        <SlackConnection />
        <TeamsConnection />
        <Webhooks />
        <HubConnection />
      </Stack>
    </Container>
  );
}

function SlackConnection() {
  const qc = useQueryClient();
  const slack = useQuery({ queryKey: ['slack'], queryFn: api.slack });
  const [botToken, setBotToken] = useState('');
  const [channelId, setChannelId] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const connect = useMutation({
    mutationFn: () => api.connectSlack({ botToken: botToken.trim(), channelId: channelId.trim() }),
    onSuccess: (v) => {
      qc.setQueryData(['slack'], v);
      setBotToken('');
      setChannelId('');
      setSubmitted(false);
      notifications.show({ color: 'green', message: 'Slack connected' });
    },
  });
  const test = useMutation({ mutationFn: api.testSlack });
  const disconnect = useMutation({
    mutationFn: api.disconnectSlack,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['slack'] });
      notifications.show({ color: 'green', message: 'Slack disconnected' });
    },
  });
  const parsed = connectSlackSchema.safeParse({ botToken: botToken.trim(), channelId: channelId.trim() });
  const errors = {
    ...(submitted && !parsed.success ? toFieldMap(zodIssuesToFields(parsed.error.issues)) : {}),
    ...(connect.error instanceof ApiError ? connect.error.fieldMap() : {}),
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (parsed.success) connect.mutate();
  };
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="slack-title" data-testid="slack">
      <Title order={2} size="h3" id="slack-title">
        Slack
      </Title>
      <Text size="sm" mt={4} mb="sm">
        A declaration is posted to your channel; every update, acknowledgement, severity change and resolution is a reply in its thread, and the first message
        always shows the current state and clocks. Create a Slack app with the <Code>chat:write</Code> scope, invite it to the channel, and paste its bot token
        here. The token is stored encrypted and never shown again.
      </Text>
      {slack.isPending ? (
        <Loader size="xs" aria-label="Loading the Slack connection" />
      ) : slack.isError ? (
        <ApiErrorAlert error={slack.error} />
      ) : slack.data.connected ? (
        <Stack gap="xs" mb="md">
          <Text size="sm">
            Connected to channel <Code>{slack.data.channelId}</Code> with token {slack.data.tokenHint}.
          </Text>
          <Group gap="xs">
            <Button variant="light" onClick={() => test.mutate()} loading={test.isPending}>
              Send test message
            </Button>
            <Button variant="subtle" color="red" onClick={() => disconnect.mutate()} loading={disconnect.isPending}>
              Disconnect
            </Button>
          </Group>
          {test.data && (
            <Alert color={test.data.ok ? 'green' : 'red'} variant="light" role="status" title={test.data.ok ? 'Test message sent' : 'The test message failed'}>
              {test.data.ok ? 'Check the channel.' : test.data.error}
            </Alert>
          )}
          <ApiErrorAlert error={test.error ?? disconnect.error} />
        </Stack>
      ) : (
        <Text size="sm" mb="md">
          Not connected.
        </Text>
      )}
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="sm" maw={520}>
          <TextInput
            label="Bot token"
            type="password"
            autoComplete="off"
            placeholder="xoxb-…"
            value={botToken}
            onChange={(e) => setBotToken(e.currentTarget.value)}
            error={errors.botToken ? fieldMessage(errors.botToken) : undefined}
          />
          <TextInput
            label="Channel id"
            placeholder="C0123456789"
            value={channelId}
            onChange={(e) => setChannelId(e.currentTarget.value)}
            error={errors.channelId ? fieldMessage(errors.channelId) : undefined}
          />
          <Group>
            <Button type="submit" loading={connect.isPending}>
              {slack.data?.connected ? 'Replace connection' : 'Connect Slack'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

/**
 * h2b-pir-publish: the tenant's Hub. Each published post-incident review is sent there as an output record of kind
 * `gatespic.incident-postmortem`, signed like the webhooks with the Hub's own secret.
 */
function HubConnection() {
  const qc = useQueryClient();
  const hub = useQuery({ queryKey: ['hub'], queryFn: api.hub });
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const connect = useMutation({
    mutationFn: () => api.connectHub({ url: url.trim(), secret: secret.trim() }),
    onSuccess: (v) => {
      qc.setQueryData(['hub'], v);
      setUrl('');
      setSecret('');
      setSubmitted(false);
      notifications.show({ color: 'green', message: 'Hub connected' });
    },
  });
  const disconnect = useMutation({
    mutationFn: api.disconnectHub,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['hub'] });
      notifications.show({ color: 'green', message: 'Hub disconnected' });
    },
  });
  const parsed = connectHubSchema.safeParse({ url: url.trim(), secret: secret.trim() });
  const errors = {
    ...(submitted && !parsed.success ? toFieldMap(zodIssuesToFields(parsed.error.issues)) : {}),
    ...(connect.error instanceof ApiError ? connect.error.fieldMap() : {}),
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (parsed.success) connect.mutate();
  };
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="hub-title" data-testid="hub">
      <Title order={2} size="h3" id="hub-title">
        Hub
      </Title>
      <Text size="sm" mt={4} mb="sm">
        Every published post-incident review is sent to your Hub as an output record of kind <Code>gatespic.incident-postmortem</Code> (summary, timeline,
        action items, SLA outcomes and links), so you can search it there. Deliveries are signed (Standard Webhooks) with the Hub&apos;s secret, retried with
        backoff, and listed on the review. The secret is stored encrypted and never shown again.
      </Text>
      {hub.isPending ? (
        <Loader size="xs" aria-label="Loading the Hub connection" />
      ) : hub.isError ? (
        <ApiErrorAlert error={hub.error} />
      ) : hub.data.connected ? (
        <Stack gap="xs" mb="md">
          <Text size="sm" className="break">
            Sending to <Code>{hub.data.url}</Code>, signed with secret {hub.data.secretHint}.
          </Text>
          <Group gap="xs">
            <Button variant="subtle" color="red" onClick={() => disconnect.mutate()} loading={disconnect.isPending}>
              Disconnect
            </Button>
          </Group>
          <ApiErrorAlert error={disconnect.error} />
        </Stack>
      ) : (
        <Text size="sm" mb="md">
          Not connected.
        </Text>
      )}
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="sm" maw={520}>
          <TextInput
            label="Hub endpoint URL"
            placeholder="https://hub.example.com/output-records"
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            error={errors.url ? fieldMessage(errors.url) : undefined}
          />
          <TextInput
            label="Signing secret"
            type="password"
            autoComplete="off"
            placeholder="whsec_…"
            value={secret}
            onChange={(e) => setSecret(e.currentTarget.value)}
            error={errors.secret ? fieldMessage(errors.secret) : undefined}
          />
          <Group>
            <Button type="submit" loading={connect.isPending}>
              {hub.data?.connected ? 'Replace connection' : 'Connect the Hub'}
            </Button>
          </Group>
          {connect.error && !(connect.error instanceof ApiError && connect.error.status === 400) && <ApiErrorAlert error={connect.error} />}
        </Stack>
      </form>
    </Paper>
  );
}

const TEAMS_FIELDS = [
  { name: 'directoryId', label: 'Directory (tenant) id', placeholder: '00000000-0000-0000-0000-000000000000', secret: false },
  { name: 'clientId', label: 'Application (client) id', placeholder: '00000000-0000-0000-0000-000000000000', secret: false },
  { name: 'clientSecret', label: 'Client secret', placeholder: 'the secret value', secret: true },
  { name: 'teamId', label: 'Team id', placeholder: '00000000-0000-0000-0000-000000000000', secret: false },
  { name: 'channelId', label: 'Channel id', placeholder: '19:…@thread.tacv2', secret: false },
] as const;
type TeamsField = (typeof TEAMS_FIELDS)[number]['name'];
const NO_TEAMS: Record<TeamsField, string> = { directoryId: '', clientId: '', clientSecret: '', teamId: '', channelId: '' };

/** Microsoft Teams through Graph: the tenant's own app registration (client credentials), the team and the channel. */
function TeamsConnection() {
  const qc = useQueryClient();
  const teams = useQuery({ queryKey: ['teams'], queryFn: api.teams });
  const [form, setForm] = useState(NO_TEAMS);
  const [submitted, setSubmitted] = useState(false);
  const input = { ...form, directoryId: form.directoryId.trim(), clientId: form.clientId.trim(), teamId: form.teamId.trim(), channelId: form.channelId.trim() };
  const connect = useMutation({
    mutationFn: () => api.connectTeams(input),
    onSuccess: (v) => {
      qc.setQueryData(['teams'], v);
      setForm(NO_TEAMS);
      setSubmitted(false);
      notifications.show({ color: 'green', message: 'Microsoft Teams connected' });
    },
  });
  const test = useMutation({ mutationFn: api.testTeams });
  const disconnect = useMutation({
    mutationFn: api.disconnectTeams,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['teams'] });
      notifications.show({ color: 'green', message: 'Microsoft Teams disconnected' });
    },
  });
  const parsed = connectTeamsSchema.safeParse(input);
  const errors: Record<string, string> = {
    ...(submitted && !parsed.success ? toFieldMap(zodIssuesToFields(parsed.error.issues)) : {}),
    ...(connect.error instanceof ApiError ? connect.error.fieldMap() : {}),
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (parsed.success) connect.mutate();
  };
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="teams-title" data-testid="teams">
      <Title order={2} size="h3" id="teams-title">
        Microsoft Teams
      </Title>
      <Text size="sm" mt={4} mb="sm">
        A declaration is posted to your channel and every update, acknowledgement, severity change and resolution is a reply to it, with the current state and
        clocks. Register an app in Microsoft Entra ID with the Microsoft Graph application permission to post channel messages, add a client secret, and enter
        its ids with the team and channel. The secret is stored encrypted and never shown again.
      </Text>
      {teams.isPending ? (
        <Loader size="xs" aria-label="Loading the Teams connection" />
      ) : teams.isError ? (
        <ApiErrorAlert error={teams.error} />
      ) : teams.data.connected ? (
        <Stack gap="xs" mb="md">
          <Text size="sm" className="break">
            Connected to channel <Code>{teams.data.channelId}</Code> of team <Code>{teams.data.teamId}</Code> as application <Code>{teams.data.clientId}</Code>{' '}
            with secret {teams.data.secretHint}.
          </Text>
          <Group gap="xs">
            <Button variant="light" onClick={() => test.mutate()} loading={test.isPending}>
              Send test message
            </Button>
            <Button variant="subtle" color="red" onClick={() => disconnect.mutate()} loading={disconnect.isPending}>
              Disconnect
            </Button>
          </Group>
          {test.data && (
            <Alert color={test.data.ok ? 'green' : 'red'} variant="light" role="status" title={test.data.ok ? 'Test message sent' : 'The test message failed'}>
              {test.data.ok ? 'Check the channel.' : test.data.error}
            </Alert>
          )}
          <ApiErrorAlert error={test.error ?? disconnect.error} />
        </Stack>
      ) : (
        <Text size="sm" mb="md">
          Not connected.
        </Text>
      )}
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="sm" maw={520}>
          {TEAMS_FIELDS.map((f) => (
            <TextInput
              key={f.name}
              label={f.label}
              type={f.secret ? 'password' : 'text'}
              autoComplete="off"
              placeholder={f.placeholder}
              value={form[f.name]}
              onChange={(e) => {
                const value = e.currentTarget.value;
                setForm((prev) => ({ ...prev, [f.name]: value }));
              }}
              error={errors[f.name] ? fieldMessage(errors[f.name]) : undefined}
            />
          ))}
          <Group>
            <Button type="submit" loading={connect.isPending}>
              {teams.data?.connected ? 'Replace connection' : 'Connect Teams'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function Webhooks() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['webhook-endpoints'], queryFn: api.webhookEndpoints });
  const [url, setUrl] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [created, setCreated] = useState<CreatedWebhookEndpoint | null>(null);
  const create = useMutation({
    mutationFn: () => api.createWebhookEndpoint({ url: url.trim() }),
    onSuccess: (ep) => {
      setCreated(ep);
      setUrl('');
      setSubmitted(false);
      void qc.invalidateQueries({ queryKey: ['webhook-endpoints'] });
    },
  });
  const parsed = createWebhookEndpointSchema.safeParse({ url: url.trim() });
  const errors = {
    ...(submitted && !parsed.success ? toFieldMap(zodIssuesToFields(parsed.error.issues)) : {}),
    ...(create.error instanceof ApiError ? create.error.fieldMap() : {}),
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (parsed.success) create.mutate();
  };
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="webhooks-title" data-testid="webhooks">
      <Title order={2} size="h3" id="webhooks-title">
        Webhooks
      </Title>
      <Text size="sm" mt={4} mb="sm">
        Signed per Standard Webhooks (<Code>webhook-id</Code>, <Code>webhook-timestamp</Code>, <Code>webhook-signature</Code>): events incident.declared,
        acknowledged, updated, severity_changed, resolved, reopened, sla.warning and sla.breached. Failed deliveries are retried with backoff for more than a
        day; an endpoint that keeps failing is disabled and your incident contacts are told.
      </Text>
      <form onSubmit={onSubmit} noValidate>
        <Group align="flex-end" gap="sm" wrap="wrap">
          <TextInput
            label="Endpoint URL"
            placeholder="https://hooks.example.com/portal"
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            error={errors.url ? fieldMessage(errors.url) : undefined}
            style={{ flex: '1 1 260px' }}
          />
          <Button type="submit" loading={create.isPending}>
            Add endpoint
          </Button>
        </Group>
      </form>
      {create.isError && !(create.error instanceof ApiError && create.error.fields.length) && <ApiErrorAlert error={create.error} />}
      {created && (
        <Alert color="green" variant="light" mt="md" title="Endpoint added: copy its signing secret now" data-testid="new-secret">
          <Text size="sm">It is shown only once.</Text>
          <Group gap="xs" wrap="nowrap" mt={4}>
            <Code className="break" data-testid="new-secret-value">
              {created.secret}
            </Code>
            <CopyButton value={created.secret}>
              {({ copied, copy }) => (
                <Button
                  size="compact-sm"
                  variant="light"
                  onClick={copy}
                  leftSection={copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />}
                >
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Alert>
      )}
      <Stack gap="md" mt="md">
        {list.isPending ? (
          <Loader size="xs" aria-label="Loading the webhook endpoints" />
        ) : list.isError ? (
          <ApiErrorAlert error={list.error} />
        ) : list.data.items.length === 0 ? (
          <Text size="sm">No endpoints yet.</Text>
        ) : (
          list.data.items.map((ep) => <Endpoint key={ep.id} endpoint={ep} />)
        )}
      </Stack>
    </Paper>
  );
}

function Endpoint({ endpoint: ep }: { endpoint: WebhookEndpointView }) {
  const qc = useQueryClient();
  const key = ['webhook-endpoints', ep.id, 'deliveries'];
  const [open, setOpen] = useState(false);
  const log = useQuery({ queryKey: key, queryFn: () => api.webhookDeliveries(ep.id), enabled: open, refetchInterval: open ? 5_000 : false });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['webhook-endpoints'] });
  };
  const test = useMutation({
    mutationFn: () => api.testWebhookEndpoint(ep.id),
    onSuccess: () => {
      setOpen(true);
      notifications.show({ color: 'green', message: 'Test event queued' });
      void qc.invalidateQueries({ queryKey: key });
    },
  });
  const enable = useMutation({ mutationFn: () => api.updateWebhookEndpoint(ep.id, { enabled: true }), onSuccess: refresh });
  const remove = useMutation({ mutationFn: () => api.deleteWebhookEndpoint(ep.id), onSuccess: refresh });
  return (
    <Paper withBorder p="md" radius="sm" data-testid="endpoint-row">
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Text size="sm" fw={600} className="break">
          {ep.url}
        </Text>
        <Badge color={ep.enabled ? 'green' : 'red'} variant="light">
          {ep.enabled ? 'enabled' : 'disabled'}
        </Badge>
      </Group>
      {ep.disabledReason && (
        <Text size="xs" c="var(--mantine-color-red-text)" className="break">
          {ep.disabledReason}
        </Text>
      )}
      <Group gap="xs" mt="xs" wrap="wrap">
        <Button size="compact-sm" variant="light" onClick={() => test.mutate()} loading={test.isPending} disabled={!ep.enabled}>
          Send test event
        </Button>
        <Button size="compact-sm" variant="subtle" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
          {open ? 'Hide delivery log' : 'Delivery log'}
        </Button>
        {!ep.enabled && (
          <Button size="compact-sm" variant="light" onClick={() => enable.mutate()} loading={enable.isPending}>
            Enable again
          </Button>
        )}
        <Button size="compact-sm" variant="subtle" color="red" onClick={() => remove.mutate()} loading={remove.isPending}>
          Remove
        </Button>
      </Group>
      <ApiErrorAlert error={test.error ?? enable.error ?? remove.error} />
      {open && (
        <div style={{ marginTop: 8 }}>
          {log.isPending ? (
            <Loader size="xs" aria-label="Loading the delivery log" />
          ) : log.isError ? (
            <ApiErrorAlert error={log.error} />
          ) : (
            <DeliveryList items={log.data.items} canRetry={ep.enabled} refresh={key} />
          )}
        </div>
      )}
    </Paper>
  );
}
