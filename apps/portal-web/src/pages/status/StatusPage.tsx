import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Box, Button, Center, Checkbox, Container, Group, Loader, Paper, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import {
  SERVICES,
  STATUS_REGIONS,
  type CreateStatusSubscriptionInput,
  type PublicIncidentView,
  type StatusComponentView,
  type StatusSubscriptionCreated,
} from '@portal/contracts';
import { ApiError } from '../../api/client';
import { statusApi } from '../../api/status-page';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { usePageTitle } from '../../hooks/use-page-title';
import { fieldMessage, toFieldMap } from '../../lib/forms';
import { StateBadge, STATE_LABELS, stateBar, statusLabel, utc } from './status-labels';

/** The public status page: no sign-in, one column on a phone. */
export function StatusPage() {
  usePageTitle('Service status');
  const page = useQuery({ queryKey: ['status-page'], queryFn: statusApi.page, refetchInterval: 60_000 });
  return (
    <Box component="main" py="lg">
      <Container size="md">
        <Stack gap="lg">
          <div>
            <Title order={1} className="page-title">
              Claresia service status
            </Title>
            <Text size="sm">
              Feeds:{' '}
              <Anchor underline="always" href="/status/history.rss">
                RSS
              </Anchor>{' '}
              ·{' '}
              <Anchor underline="always" href="/status/history.atom">
                Atom
              </Anchor>{' '}
              (add <code>?service=Hub</code> or <code>?region=eu-south-1</code> to filter) ·{' '}
              <Anchor underline="always" href="#subscribe">
                Subscribe to updates
              </Anchor>
            </Text>
          </div>
          {page.isPending && (
            <Center py="xl">
              <Loader aria-label="Loading the status" />
            </Center>
          )}
          {page.isError && <ApiErrorAlert error={page.error} title="The status cannot be loaded" />}
          {page.data && (
            <>
              <Alert
                color={page.data.overall === 'operational' ? 'green' : 'orange'}
                variant="light"
                title={page.data.overall === 'operational' ? 'All systems operational' : 'Some services are affected'}
                data-testid="overall"
                data-state={page.data.overall}
              >
                <Text size="sm">Updated {utc(page.data.generatedAt)}</Text>
              </Alert>
              {page.data.activeIncidents.length > 0 && <Posts title="Active incidents" posts={page.data.activeIncidents} id="active" />}
              {page.data.maintenance.length > 0 && <Posts title="Scheduled maintenance" posts={page.data.maintenance} id="maintenance" />}
              <Paper withBorder p="md" radius="md" component="section" aria-labelledby="components-title">
                <Title order={2} size="h3" id="components-title" mb="sm">
                  Services and regions (uptime over 90 days)
                </Title>
                <Stack gap="md">
                  {page.data.services.map((s) => (
                    <Box key={s.service} data-testid="service" data-service={s.service}>
                      <Group justify="space-between" wrap="nowrap">
                        <Title order={3} size="h4">
                          {s.service}
                        </Title>
                        <StateBadge state={s.state} />
                      </Group>
                      {s.components.map((c) => (
                        <ComponentRow key={c.id} c={c} />
                      ))}
                    </Box>
                  ))}
                </Stack>
              </Paper>
              {page.data.recent.length > 0 && <Posts title="Past incidents and maintenance (14 days)" posts={page.data.recent} id="recent" />}
            </>
          )}
          <Subscribe />
        </Stack>
      </Container>
    </Box>
  );
}

function ComponentRow({ c }: { c: StatusComponentView }) {
  const pct = (c.uptime90d * 100).toFixed(2);
  return (
    <Box mt={6}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="sm">
          {c.region} ({c.regionName}) · {STATE_LABELS[c.state]}
        </Text>
        <Text size="sm" data-testid="uptime">
          {pct} % uptime
        </Text>
      </Group>
      <div style={{ display: 'flex', gap: 1, height: 22, marginTop: 2 }} aria-hidden>
        {c.uptime.map((d) => (
          <div
            key={d.date}
            title={`${d.date}: ${(d.uptime * 100).toFixed(2)} %, worst ${STATE_LABELS[d.worst]}`}
            style={{ flex: 1, minWidth: 1, background: stateBar(d.worst), borderRadius: 1 }}
          />
        ))}
      </div>
    </Box>
  );
}

function Posts({ title, posts, id }: { title: string; posts: PublicIncidentView[]; id: string }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={`${id}-title`}>
      <Title order={2} size="h3" id={`${id}-title`} mb="sm">
        {title}
      </Title>
      <Stack gap="md">
        {posts.map((p) => (
          <Box key={p.id} id={`post-${p.id}`} component="article" data-testid="post">
            <Group gap="xs">
              <Title order={3} size="h4">
                {p.title}
              </Title>
              <StateBadge state={p.kind === 'maintenance' ? 'maintenance' : p.status === 'resolved' ? 'operational' : p.impact} size="sm" />
            </Group>
            <Text size="sm">
              {p.components.map((c) => `${c.service} (${c.region})`).join(', ')}
              {p.endsAt ? ` · window ${utc(p.startsAt)} – ${utc(p.endsAt)}` : ''}
            </Text>
            {p.updates.map((u) => (
              <Box key={u.id} mt={6} pl="sm" style={{ borderLeft: '3px solid var(--portal-border)' }}>
                <Text size="sm" fw={600}>
                  {statusLabel(u.status)} · {utc(u.postedAt)}
                </Text>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {u.body}
                </Text>
              </Box>
            ))}
          </Box>
        ))}
      </Stack>
    </Paper>
  );
}

type Channel = CreateStatusSubscriptionInput['channel'];

function Subscribe() {
  const [channel, setChannel] = useState<Channel>('email');
  const [target, setTarget] = useState('');
  const [services, setServices] = useState<string[]>([]);
  const [regions, setRegions] = useState<string[]>([]);
  const m = useMutation({
    mutationFn: () =>
      statusApi.subscribe(
        (channel === 'email' ? { channel, email: target, services, regions } : { channel, url: target, services, regions }) as CreateStatusSubscriptionInput,
      ),
  });
  const fields = m.error instanceof ApiError ? toFieldMap(m.error.fields) : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    m.mutate();
  };
  const done: StatusSubscriptionCreated | undefined = m.data;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="subscribe-title" id="subscribe">
      <Title order={2} size="h3" id="subscribe-title" mb="xs">
        Subscribe to updates
      </Title>
      <Text size="sm" mb="sm">
        No account needed. Choose services and regions, or leave them empty to hear about everything.
      </Text>
      {done ? (
        <Alert color="green" variant="light" title={done.state === 'pending_confirmation' ? 'Check your inbox' : 'Subscribed'} role="status">
          {done.state === 'pending_confirmation' ? (
            <Text size="sm">We sent a confirmation link to the address. Nothing else is sent until you confirm.</Text>
          ) : (
            <Stack gap={4}>
              <Text size="sm">Updates will be posted to this URL.</Text>
              {done.signingSecret && (
                <Text size="sm">
                  Signing secret (shown once; verify with Standard Webhooks): <code data-testid="signing-secret">{done.signingSecret}</code>
                </Text>
              )}
            </Stack>
          )}
        </Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            <div>
              <Text size="sm" fw={500} id="channel-label" mb={4}>
                Channel
              </Text>
              <SegmentedControl
                aria-labelledby="channel-label"
                value={channel}
                onChange={(v) => setChannel(v as Channel)}
                data={[
                  { value: 'email', label: 'Email' },
                  { value: 'slack', label: 'Slack' },
                  { value: 'webhook', label: 'Webhook' },
                ]}
              />
            </div>
            <TextInput
              label={channel === 'email' ? 'Email address' : channel === 'slack' ? 'Slack incoming-webhook URL' : 'Webhook URL'}
              type={channel === 'email' ? 'email' : 'url'}
              value={target}
              onChange={(e) => setTarget(e.currentTarget.value)}
              error={fields.email || fields.url ? fieldMessage(fields.email ?? fields.url) : undefined}
              required
            />
            <Checkbox.Group label="Services" value={services} onChange={setServices}>
              <Group gap="sm" mt={4}>
                {SERVICES.map((s) => (
                  <Checkbox key={s} value={s} label={s} />
                ))}
              </Group>
            </Checkbox.Group>
            <Checkbox.Group label="Regions" value={regions} onChange={setRegions}>
              <Group gap="sm" mt={4}>
                {STATUS_REGIONS.map((r) => (
                  <Checkbox key={r.code} value={r.code} label={`${r.code} (${r.name})`} />
                ))}
              </Group>
            </Checkbox.Group>
            {m.isError && !(fields.email || fields.url) && <ApiErrorAlert error={m.error} listFields />}
            <Group>
              <Button type="submit" loading={m.isPending}>
                Subscribe
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Paper>
  );
}
