import { useState, type FormEvent } from 'react';
import {
  Anchor,
  Box,
  Button,
  Checkbox,
  Container,
  Group,
  NativeSelect,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import {
  COMPONENT_STATES,
  MAINTENANCE_STATUSES,
  PUBLIC_INCIDENT_STATUSES,
  type ComponentState,
  type CreatePublicIncidentInput,
  type StaffPublicIncidentView,
  type StatusPageView,
} from '@portal/contracts';
import { ApiError } from '../../api/client';
import { statusApi } from '../../api/status-page';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { usePageTitle } from '../../hooks/use-page-title';
import { fieldMessage, toFieldMap } from '../../lib/forms';
import { StateBadge, STATE_LABELS, statusLabel, utc } from './status-labels';

const componentKey = (c: { service: string; region: string }) => `${c.service}|${c.region}`;
const fromKey = (k: string) => {
  const [service, region] = k.split('|');
  return { service, region } as CreatePublicIncidentInput['components'][number];
};

/** Vendor staff: component states, public incidents and maintenance (support engineers). */
export function StatusAdminPage() {
  usePageTitle('Status page');
  const qc = useQueryClient();
  const page = useQuery({ queryKey: ['status-page'], queryFn: statusApi.page });
  const posts = useQuery({ queryKey: ['status-posts'], queryFn: statusApi.staffPosts });
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: ['status-page'] }), qc.invalidateQueries({ queryKey: ['status-posts'] })]);
  return (
    <Container size="xl" py="md">
      <Stack gap="lg">
        <div>
          <Title order={1} className="page-title">
            Public status page
          </Title>
          <Text size="sm">
            What customers and the public see at{' '}
            <Anchor underline="always" component={Link} to="/status">
              /status
            </Anchor>
            . A tenant incident stays private unless you link it to a public incident; the link is never shown publicly.
          </Text>
        </div>
        {page.isError && <ApiErrorAlert error={page.error} />}
        {posts.isError && <ApiErrorAlert error={posts.error} />}
        {page.data && <NewIncident page={page.data} onDone={refresh} />}
        {posts.data && <OpenPosts posts={posts.data.filter((p) => !p.resolvedAt)} onDone={refresh} />}
        {page.data && <Maintenance page={page.data} onDone={refresh} />}
        {page.data && <Components page={page.data} onDone={refresh} />}
      </Stack>
    </Container>
  );
}

function ComponentPicker({ page, value, onChange, error }: { page: StatusPageView; value: string[]; onChange: (v: string[]) => void; error?: string }) {
  return (
    <Checkbox.Group label="Affected components" value={value} onChange={onChange} error={error}>
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing={4} mt={4}>
        {page.services.flatMap((s) => s.components.map((c) => <Checkbox key={c.id} value={componentKey(c)} label={`${c.service} · ${c.region}`} />))}
      </SimpleGrid>
    </Checkbox.Group>
  );
}

function NewIncident({ page, onDone }: { page: StatusPageView; onDone: () => Promise<unknown> }) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [impact, setImpact] = useState<CreatePublicIncidentInput['impact']>('degraded');
  const [components, setComponents] = useState<string[]>([]);
  const [linked, setLinked] = useState('');
  const m = useMutation({
    mutationFn: () =>
      statusApi.createIncident({
        title,
        body,
        impact,
        status: 'investigating',
        components: components.map(fromKey),
        ...(linked.trim() ? { linkedIncidentId: linked.trim() } : {}),
      }),
    onSuccess: async () => {
      setTitle('');
      setBody('');
      setComponents([]);
      setLinked('');
      notifications.show({ color: 'green', message: 'Public incident posted' });
      await onDone();
    },
  });
  const f = m.error instanceof ApiError ? toFieldMap(m.error.fields) : {};
  const err = (k: string) => (f[k] ? fieldMessage(f[k]) : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    m.mutate();
  };
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="new-incident-title">
      <Title order={2} size="h3" id="new-incident-title" mb="sm">
        Post a public incident
      </Title>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput label="Title" value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={err('title')} required />
          <Textarea label="First update" value={body} onChange={(e) => setBody(e.currentTarget.value)} error={err('body')} autosize minRows={2} required />
          <NativeSelect
            label="Impact"
            value={impact}
            onChange={(e) => setImpact(e.currentTarget.value as CreatePublicIncidentInput['impact'])}
            data={(['degraded', 'partial_outage', 'major_outage'] as const).map((s) => ({ value: s, label: STATE_LABELS[s] }))}
          />
          <ComponentPicker page={page} value={components} onChange={setComponents} error={err('components')} />
          <TextInput
            label="Linked tenant incident id (optional, never public)"
            value={linked}
            onChange={(e) => setLinked(e.currentTarget.value)}
            error={err('linkedIncidentId')}
          />
          {m.isError && Object.keys(f).length === 0 && <ApiErrorAlert error={m.error} />}
          <Group>
            <Button type="submit" loading={m.isPending}>
              Post publicly
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function OpenPosts({ posts, onDone }: { posts: StaffPublicIncidentView[]; onDone: () => Promise<unknown> }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="open-title">
      <Title order={2} size="h3" id="open-title" mb="sm">
        Open incidents and maintenance
      </Title>
      {posts.length === 0 ? (
        <Text size="sm">Nothing open.</Text>
      ) : (
        <Stack gap="lg">
          {posts.map((p) => (
            <PostUpdate key={p.id} post={p} onDone={onDone} />
          ))}
        </Stack>
      )}
    </Paper>
  );
}

function PostUpdate({ post, onDone }: { post: StaffPublicIncidentView; onDone: () => Promise<unknown> }) {
  const statuses = post.kind === 'incident' ? PUBLIC_INCIDENT_STATUSES : MAINTENANCE_STATUSES.filter((s) => s !== 'scheduled');
  const [status, setStatus] = useState<string>(statuses.find((s) => s !== post.status) ?? statuses[0]);
  const [body, setBody] = useState('');
  const m = useMutation({
    mutationFn: () =>
      post.kind === 'incident'
        ? statusApi.updateIncident(post.id, { status: status as (typeof PUBLIC_INCIDENT_STATUSES)[number], body })
        : statusApi.updateMaintenance(post.id, { status: status as 'in_progress' | 'completed' | 'cancelled', body }),
    onSuccess: async () => {
      setBody('');
      notifications.show({ color: 'green', message: 'Update posted' });
      await onDone();
    },
  });
  const f = m.error instanceof ApiError ? toFieldMap(m.error.fields) : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    m.mutate();
  };
  return (
    <form onSubmit={submit} noValidate aria-label={`Update ${post.title}`}>
      <Stack gap={6}>
        <Group gap="xs">
          <Text fw={600}>{post.title}</Text>
          <Text size="sm">
            {statusLabel(post.status)} · {post.components.map((c) => `${c.service} (${c.region})`).join(', ')} · since {utc(post.startsAt)}
            {post.linkedIncident ? ' · linked to a tenant incident' : ''}
          </Text>
        </Group>
        <Group align="flex-end" gap="sm" wrap="wrap">
          <NativeSelect
            label="New status"
            value={status}
            onChange={(e) => setStatus(e.currentTarget.value)}
            data={statuses.map((s) => ({ value: s, label: statusLabel(s) }))}
          />
          <Textarea
            label="Public update"
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
            error={f.body ? fieldMessage(f.body) : undefined}
            autosize
            style={{ flex: 1, minWidth: 220 }}
          />
          <Button type="submit" loading={m.isPending}>
            Post update
          </Button>
        </Group>
        {m.isError && !f.body && <ApiErrorAlert error={m.error} />}
      </Stack>
    </form>
  );
}

function Maintenance({ page, onDone }: { page: StatusPageView; onDone: () => Promise<unknown> }) {
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [components, setComponents] = useState<string[]>([]);
  const [impact, setImpact] = useState('');
  // The inputs are in UTC, as the maintenance template states times.
  const iso = (v: string) => (v ? `${v}:00Z` : '');
  const m = useMutation({
    mutationFn: () =>
      statusApi.scheduleMaintenance({ startsAt: iso(startsAt), endsAt: iso(endsAt), components: components.map(fromKey), expectedImpact: impact }),
    onSuccess: async () => {
      setComponents([]);
      setImpact('');
      notifications.show({ color: 'green', message: 'Maintenance scheduled' });
      await onDone();
    },
  });
  const f = m.error instanceof ApiError ? toFieldMap(m.error.fields) : {};
  const err = (k: string) => (f[k] ? fieldMessage(f[k]) : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    m.mutate();
  };
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="maintenance-title">
      <Title order={2} size="h3" id="maintenance-title" mb="sm">
        Schedule maintenance
      </Title>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Group grow wrap="wrap">
            <TextInput
              type="datetime-local"
              label="Starts (UTC)"
              value={startsAt}
              onChange={(e) => setStartsAt(e.currentTarget.value)}
              error={err('startsAt')}
              required
            />
            <TextInput
              type="datetime-local"
              label="Ends (UTC)"
              value={endsAt}
              onChange={(e) => setEndsAt(e.currentTarget.value)}
              error={err('endsAt')}
              required
            />
          </Group>
          <ComponentPicker page={page} value={components} onChange={setComponents} error={err('components')} />
          <TextInput label="Expected impact" value={impact} onChange={(e) => setImpact(e.currentTarget.value)} error={err('expectedImpact')} required />
          {m.isError && Object.keys(f).length === 0 && <ApiErrorAlert error={m.error} />}
          <Group>
            <Button type="submit" loading={m.isPending}>
              Schedule
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function Components({ page, onDone }: { page: StatusPageView; onDone: () => Promise<unknown> }) {
  const m = useMutation({
    mutationFn: (v: { id: string; state: ComponentState }) => statusApi.setComponent(v.id, { state: v.state }),
    onSuccess: onDone,
  });
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="components-admin-title">
      <Title order={2} size="h3" id="components-admin-title" mb="sm">
        Component states
      </Title>
      {m.isError && <ApiErrorAlert error={m.error} />}
      <Box style={{ overflowX: 'auto' }} tabIndex={0} role="region" aria-label="Component states table">
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Component</Table.Th>
              <Table.Th>Now</Table.Th>
              <Table.Th>Set to</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {page.services.flatMap((s) =>
              s.components.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    {c.service} · {c.region}
                  </Table.Td>
                  <Table.Td>
                    <StateBadge state={c.state} size="sm" />
                  </Table.Td>
                  <Table.Td>
                    <NativeSelect
                      aria-label={`State of ${c.service} in ${c.region}`}
                      value={c.state}
                      onChange={(e) => m.mutate({ id: c.id, state: e.currentTarget.value as ComponentState })}
                      data={COMPONENT_STATES.map((st) => ({ value: st, label: STATE_LABELS[st] }))}
                    />
                  </Table.Td>
                </Table.Tr>
              )),
            )}
          </Table.Tbody>
        </Table>
      </Box>
    </Paper>
  );
}
