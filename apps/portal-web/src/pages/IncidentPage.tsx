import { useState, type FormEvent, type ReactNode } from 'react';
import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Center,
  Container,
  Divider,
  Grid,
  Group,
  List,
  Loader,
  NumberInput,
  Paper,
  Select,
  Stack,
  Tabs,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconArrowLeft, IconCheck, IconInfoCircle, IconLock, IconMessage, IconUsers } from '@tabler/icons-react';
import { Link, useParams } from 'react-router-dom';
import {
  CUSTOMER_RESPONSIBILITIES,
  resolveIncidentSchema,
  SEVERITIES,
  SEVERITY_DEFINITIONS,
  STATUS_UPDATE_STATES,
  STATUS_UPDATE_TEMPLATES,
  statusUpdateSchema,
  type Severity,
  type StatusUpdateState,
} from '@portal/contracts';
import type { ClockTarget } from '@portal/sla';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { GovernanceEvent, IncidentDetail, Me } from '../api/types';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { SeverityBadge, StatusBadge } from '../components/Badges';
import { EvidenceSection } from '../components/EvidenceSection';
import { SlaClockPanel } from '../components/SlaClock';
import { StaleDataNotice } from '../components/StaleDataNotice';
import { Time } from '../components/Time';
import { useIncident, useIncidentEvents, useIncidentMutation } from '../hooks/use-incidents';
import { useSignedIn } from '../hooks/use-me';
import { usePageTitle } from '../hooks/use-page-title';
import { fieldMessage } from '../lib/forms';
import { CHANNEL_LABELS, EVENT_LABELS, humanize, isVendorRole, MODE_LABELS, PLANE_LABELS, RECENT_CHANGE_LABELS, SEVERITY_SHORT, UPDATE_STATE_LABELS } from '../lib/labels';
import { formatTime, viewerZone } from '../lib/time';

const isActive = (i: IncidentDetail) => i.status !== 'resolved' && i.status !== 'closed';

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

function IncidentView({ incident: i, receivedAt, stale, me, backTo }: { incident: IncidentDetail; receivedAt: number; stale: boolean; me: Me; backTo: string }) {
  const role = me.principal.role;
  const active = isActive(i);
  const vendor = isVendorRole(role);
  const phone = useMediaQuery('(max-width: 62em)', false, { getInitialValueInEffect: false });
  const waiting = i.status === 'waiting_on_customer';
  const actions =
    role === 'support_engineer' ? <SupportActions incident={i} /> : role === 'customer_admin' && waiting ? <ReplyForm incident={i} /> : null;
  const reply =
    role === 'customer_admin' && active && !waiting ? (
      <ReplyForm incident={i} />
    ) : i.status === 'resolved' && (role === 'customer_admin' || role === 'support_engineer') ? (
      <ReopenForm incident={i} />
    ) : null;
  const timeline = <TimelineSection incident={i} />;
  // Evidence uploads (HAR files, screenshots) plug in here: components/EvidenceSection.tsx.
  const evidence = <EvidenceSection incident={i} />;
  const audit = <AuditTrail id={i.id} />;
  const responsibilities = active && !vendor ? <Responsibilities /> : null;
  const impacted = <ImpactedUsers incident={i} canUpdate={active && (role === 'customer_admin' || role === 'support_engineer')} />;
  const details = <Details incident={i} />;
  const severityChange = active && (role === 'customer_admin' || role === 'support_engineer') ? <SeverityChange incident={i} /> : null;
  return (
    <Container size="xl">
      <Stack gap="lg">
        <StaleDataNotice show={stale} receivedAt={receivedAt} />
        <Stack gap="sm" component="header">
          <Anchor component={Link} to={backTo} size="sm">
            <Group gap={4}>
              <IconArrowLeft size={16} aria-hidden />
              All incidents
            </Group>
          </Anchor>
          <Group gap="xs" wrap="wrap">
            <Text ff="monospace" fw={700} size="lg" data-testid="incident-reference">
              {i.reference}
            </Text>
            <SeverityBadge severity={i.severity} size="lg" />
            <StatusBadge status={i.status} size="lg" testId="incident-status" />
            {vendor && (
              <Badge variant="light" color="gray" size="lg">
                {i.tenant.displayName} · {MODE_LABELS[i.serviceMode]}
              </Badge>
            )}
          </Group>
          <Title order={1} className="page-title break">
            {i.title}
          </Title>
          <Text size="sm" c="dimmed">
            Declared <Time iso={i.declaredAt} /> by {i.declaredBy.label}
            {i.acknowledgedAt && (
              <>
                {' · '}acknowledged <Time iso={i.acknowledgedAt} />
                {i.acknowledgedBy ? ` by ${i.acknowledgedBy.label}` : ''}
              </>
            )}
            {i.resolvedAt && !active && (
              <>
                {' · '}resolved <Time iso={i.resolvedAt} />
              </>
            )}
          </Text>
          <Box component="section" aria-label="SLA clocks">
            <SlaClockPanel sla={i.sla} receivedAt={receivedAt} />
            <Text size="xs" c="dimmed" mt={6}>
              {commitmentLine(i)}
            </Text>
          </Box>
          {i.sla.ownership === 'assisting' && i.sla.ownershipNote && (
            <Alert color="orange" variant="light" icon={<IconInfoCircle aria-hidden />} title="Your runbook applies (Mode C data plane)">
              <Text size="sm">{i.sla.ownershipNote}</Text>
            </Alert>
          )}
          {i.intakeRedactions.length > 0 && <RedactionNotice incident={i} />}
          {i.status === 'waiting_on_customer' && !vendor && (
            <Alert color="orange" variant="light" icon={<IconMessage aria-hidden />} title="Claresia is waiting on your answer" role="status">
              <Text size="sm">
                The restoration clock is paused until you reply. Read the latest update below, then{' '}
                {role === 'customer_admin' ? (
                  <Anchor href="#reply" size="sm">
                    reply here
                  </Anchor>
                ) : (
                  'ask your IT admin to reply'
                )}
                .
              </Text>
            </Alert>
          )}
        </Stack>

        {phone ? (
          // One column on phones, in the order someone in an outage needs: what to do, what happened, then the rest.
          <Stack gap="lg">
            {actions}
            {timeline}
            {responsibilities}
            {impacted}
            {reply}
            {details}
            {severityChange}
            {evidence}
            {audit}
          </Stack>
        ) : (
          <Grid gutter="lg">
            <Grid.Col span={8}>
              <Stack gap="lg">
                {actions}
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
              </Stack>
            </Grid.Col>
          </Grid>
        )}
      </Stack>
    </Container>
  );
}

/** Seed 000, "What Claresia commits to", for this incident's severity and the tenant's mode. */
function commitmentLine(i: IncidentDetail): string {
  const { initialResponse, restoration, statusUpdate } = i.sla.clocks;
  const within = (t: ClockTarget) => (t.kind === 'wall_clock' || t.kind === 'business_days' ? `within ${t.label}` : t.label);
  const head = i.sla.ownership === 'assisting' ? 'For reference (Claresia assists)' : `${SEVERITY_SHORT[i.severity]}, ${MODE_LABELS[i.serviceMode]}`;
  const restore = restoration.target.kind === 'wall_clock' ? `restoration target ${restoration.target.label}` : `restoration ${restoration.target.label}`;
  return `${head}: a Claresia engineer acknowledges ${within(initialResponse.target)}; ${restore}; status updates every ${statusUpdate.target.label} while active.`;
}

function Card({ title, children, id, testId }: { title: string; children: ReactNode; id?: string; testId?: string }) {
  const headingId = `${id ?? title.replace(/\W+/g, '-').toLowerCase()}-title`;
  return (
    <Paper p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby={headingId} id={id} data-testid={testId}>
      <Title order={2} size="h4" id={headingId} mb="md">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

function RedactionNotice({ incident: i }: { incident: IncidentDetail }) {
  return (
    <Alert color="yellow" variant="light" icon={<IconLock aria-hidden />} title="We removed secrets from what was typed" data-testid="redaction-notice">
      <Text size="sm">
        Something that looked like a credential was replaced with a placeholder before the incident was stored, so it never reaches our logs or engineers. Claresia will
        never ask for IdP credentials, LLM platform API keys or end-user passwords; if a real secret was pasted, rotate it once the incident is resolved.
      </Text>
      <List size="sm" mt={4}>
        {i.intakeRedactions.map((r, n) => (
          <List.Item key={n}>
            {r.field}: {r.count} × {humanize(r.rule)}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

function Responsibilities() {
  return (
    <Card title="While the incident is open">
      <List size="sm" spacing="xs">
        {CUSTOMER_RESPONSIBILITIES.map((r) => (
          <List.Item key={r}>{r}</List.Item>
        ))}
      </List>
    </Card>
  );
}

function Details({ incident: i }: { incident: IncidentDetail }) {
  const rows: [string, ReactNode][] = [
    ['Services', i.services.join(', ')],
    ['Regions', i.regions.join(', ')],
    [
      'First noticed',
      <>
        {formatTime(i.firstNoticedAt, i.firstNoticedTimezone)} reporter's time ({i.firstNoticedTimezone})
        {i.firstNoticedTimezone !== viewerZone() && (
          <>
            <br />= <Time iso={i.firstNoticedAt} /> your time
          </>
        )}
      </>,
    ],
    ['Reproduced', i.reproductionConfirmed ? 'Yes, the customer can reproduce it' : 'Not confirmed'],
    ['Recent changes', i.recentChanges.kinds.length ? i.recentChanges.kinds.map((k) => RECENT_CHANGE_LABELS[k]).join(', ') : 'None reported'],
  ];
  if (i.recentChanges.details) rows.push(['Change details', <span className="prewrap">{i.recentChanges.details}</span>]);
  if (i.errorCodes.length) rows.push(['Error codes', <Group gap={4}>{i.errorCodes.map((c) => <Badge key={c} variant="light" color="gray" tt="none" ff="monospace">{c}</Badge>)}</Group>]);
  if (i.impactedUserExamples.length) rows.push(['Affected users, e.g.', i.impactedUserExamples.join(', ')]);
  if (i.plane) rows.push(['Plane', PLANE_LABELS[i.plane]]);
  rows.push(['Channels', i.sla.channels.map((c) => CHANNEL_LABELS[c]).join('; ')]);
  return (
    <Card title="Details">
      <Stack gap="sm">
        <Box>
          <Text size="sm" fw={600}>
            Symptoms
          </Text>
          <Text size="sm" className="prewrap">
            {i.symptoms}
          </Text>
        </Box>
        <Divider />
        <Box component="dl" m={0}>
          {rows.map(([k, v]) => (
            <Box key={k} mb={8}>
              <Text component="dt" size="xs" fw={700} tt="uppercase" c="dimmed">
                {k}
              </Text>
              <Text component="dd" size="sm" m={0} className="break">
                {v}
              </Text>
            </Box>
          ))}
        </Box>
      </Stack>
    </Card>
  );
}

type Entry = { at: string; key: string; node: ReactNode; dot: string };

function TimelineSection({ incident: i }: { incident: IncidentDetail }) {
  const entries: Entry[] = [];
  entries.push({ at: i.declaredAt, key: 'declared', dot: '#b3261e', node: <Moment title="Incident declared" who={i.declaredBy.label} at={i.declaredAt} /> });
  if (i.acknowledgedAt) entries.push({ at: i.acknowledgedAt, key: 'ack', dot: '#314ea3', node: <Moment title="Acknowledged by Claresia" who={i.acknowledgedBy?.label} at={i.acknowledgedAt} /> });
  for (const u of i.statusUpdates) {
    entries.push({
      at: u.createdAt,
      key: `u-${u.id}`,
      dot: u.state === 'resolved' ? '#1f6b30' : '#314ea3',
      node: (
        <Moment title={`Status update: ${UPDATE_STATE_LABELS[u.state]}`} who={u.author} at={u.createdAt} badge={<StatusBadge status={u.state} size="sm" />}>
          <Text size="sm" className="prewrap">
            {u.body}
          </Text>
        </Moment>
      ),
    });
  }
  for (const r of i.customerReplies) {
    entries.push({
      at: r.createdAt,
      key: `r-${r.id}`,
      dot: '#8a3700',
      node: (
        <Moment title="Customer reply" who={r.author} at={r.createdAt}>
          <Text size="sm" className="prewrap">
            {r.body}
          </Text>
        </Moment>
      ),
    });
  }
  const resolvedByUpdate = i.statusUpdates.some((u) => u.state === 'resolved' && u.createdAt === i.resolvedAt);
  if (i.resolvedAt && !resolvedByUpdate && (i.status === 'resolved' || i.status === 'closed')) {
    entries.push({
      at: i.resolvedAt,
      key: 'resolved',
      dot: '#1f6b30',
      node: (
        <Moment title="Resolved" at={i.resolvedAt}>
          {i.resolutionSummary && (
            <Text size="sm" className="prewrap">
              {i.resolutionSummary}
            </Text>
          )}
        </Moment>
      ),
    });
  }
  if (i.closedAt) entries.push({ at: i.closedAt, key: 'closed', dot: '#575f6a', node: <Moment title="Closed" at={i.closedAt} /> });
  entries.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return (
    <Card title="Timeline" testId="timeline">
      {i.statusUpdates.length === 0 && isActive(i) && (
        <Text size="sm" c="dimmed" mb="md">
          No status update yet. Claresia posts one at least every 30 minutes while the incident is active.
        </Text>
      )}
      <Box component="ol" m={0} p={0} style={{ listStyle: 'none' }}>
        {entries.map((e) => (
          <li key={e.key} className="timeline-item" style={{ ['--dot' as string]: e.dot }}>
            {e.node}
          </li>
        ))}
      </Box>
    </Card>
  );
}

function Moment({ title, who, at, badge, children }: { title: string; who?: string; at: string; badge?: ReactNode; children?: ReactNode }) {
  return (
    <Stack gap={4}>
      <Group gap="xs" wrap="wrap">
        <Text size="sm" fw={700}>
          {title}
        </Text>
        {badge}
      </Group>
      <Text size="xs" c="dimmed">
        <Time iso={at} />
        {who ? ` · ${who}` : ''}
      </Text>
      {children}
    </Stack>
  );
}

function ImpactedUsers({ incident: i, canUpdate }: { incident: IncidentDetail; canUpdate: boolean }) {
  const [count, setCount] = useState<number | ''>('');
  const [error, setError] = useState<string | null>(null);
  const m = useIncidentMutation(i.id, (n: number) => api.updateIncident(i.id, { impactedUsers: n }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (count === '' || !Number.isInteger(count) || count < 0) return setError('Enter a whole number, 0 or more');
    if (count === i.impactedUsers) return setError(`The count is already ${count.toLocaleString('en-US')}`);
    setError(null);
    m.mutate(count, {
      onSuccess: () => {
        setCount('');
        notifications.show({ color: 'green', message: 'Impacted-user count updated' });
      },
    });
  };
  const serverError = m.error instanceof ApiError ? (m.error.fieldMap().impactedUsers ?? null) : null;
  return (
    <Card title="Impacted users" testId="impacted-users">
      <Group gap="xs" align="baseline">
        <IconUsers size={20} aria-hidden />
        <Text fz={28} fw={750} data-testid="impacted-count">
          {i.impactedUsers.toLocaleString('en-US')}
        </Text>
        <Text size="sm" c="dimmed">
          now
        </Text>
      </Group>
      {i.impactedUserHistory.length > 1 && (
        <Box component="ol" mt="sm" p={0} style={{ listStyle: 'none' }} aria-label="Count history">
          {[...i.impactedUserHistory].reverse().map((h, n) => (
            <li key={n}>
              <Text size="sm">
                <strong>{h.count.toLocaleString('en-US')}</strong> · <Time iso={h.recordedAt} /> · {h.recordedBy}
              </Text>
            </li>
          ))}
        </Box>
      )}
      {canUpdate && (
        <form onSubmit={submit} noValidate>
          <Group align="flex-end" gap="xs" mt="md" wrap="nowrap">
            <NumberInput
              label="New count"
              value={count}
              onChange={(v) => {
                setCount(typeof v === 'number' ? v : '');
                setError(null);
              }}
              min={0}
              allowDecimal={false}
              allowNegative={false}
              thousandSeparator=","
              error={error ?? (serverError ? fieldMessage(serverError) : undefined)}
              style={{ flex: 1 }}
            />
            <Button type="submit" variant="default" loading={m.isPending}>
              Update
            </Button>
          </Group>
          {m.error && !serverError && (
            <Box mt="xs">
              <ApiErrorAlert error={m.error} />
            </Box>
          )}
        </form>
      )}
    </Card>
  );
}

function SeverityChange({ incident: i }: { incident: IncidentDetail }) {
  const [severity, setSeverity] = useState<Severity>(i.severity);
  const [reason, setReason] = useState('');
  const m = useIncidentMutation(i.id, (v: { severity: Severity; reason?: string }) => api.updateIncident(i.id, v));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    m.mutate(
      { severity, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      { onSuccess: () => (setReason(''), notifications.show({ color: 'green', message: `Severity is now ${SEVERITY_SHORT[severity]}; the clocks were recomputed.` })) },
    );
  };
  return (
    <Card title="Change severity">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Select
            label="Severity"
            data={SEVERITIES.map((s) => ({ value: s, label: SEVERITY_DEFINITIONS[s].name }))}
            value={severity}
            onChange={(v) => v && setSeverity(v as Severity)}
            allowDeselect={false}
          />
          <Textarea label="Reason" description="Recorded in the audit trail." value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={2} />
          {m.error && <ApiErrorAlert error={m.error} />}
          <Button type="submit" variant="default" disabled={severity === i.severity} loading={m.isPending}>
            Change severity
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

/** Resolved but not fixed after all: reopen, with the reason in the audit trail. */
function ReopenForm({ incident: i }: { incident: IncidentDetail }) {
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const m = useIncidentMutation(i.id, (r: string) => api.reopen(i.id, r));
  const empty = reason.trim().length === 0;
  const serverError = m.error instanceof ApiError ? m.error.fieldMap().reason : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (empty) return;
    m.mutate(reason, { onSuccess: () => notifications.show({ color: 'green', message: `${i.reference} reopened; the restoration clock runs again.` }) });
  };
  return (
    <Card title="Not fixed after all?" id="reopen">
      <form onSubmit={submit} noValidate aria-label="Reopen the incident">
        <Stack gap="sm">
          <Textarea
            label="Why reopen"
            description="What is still failing, since when. It goes to the audit trail."
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={touched && empty ? 'Say what is still failing' : serverError ? fieldMessage(serverError) : undefined}
            autosize
            minRows={2}
            required
          />
          {m.error && !serverError && <ApiErrorAlert error={m.error} />}
          <Group justify="flex-end">
            <Button type="submit" variant="outline" color="red.9" loading={m.isPending}>
              Reopen incident
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function ReplyForm({ incident: i }: { incident: IncidentDetail }) {
  const [body, setBody] = useState('');
  const [touched, setTouched] = useState(false);
  const m = useIncidentMutation(i.id, (b: string) => api.reply(i.id, b));
  const empty = body.trim().length === 0;
  const serverError = m.error instanceof ApiError ? m.error.fieldMap().body : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (empty) return;
    m.mutate(body, {
      onSuccess: () => {
        setBody('');
        setTouched(false);
        notifications.show({ color: 'green', message: i.status === 'waiting_on_customer' ? 'Reply sent; the restoration clock runs again.' : 'Reply sent to Claresia.' });
      },
    });
  };
  return (
    <Card title={i.status === 'waiting_on_customer' ? 'Reply to Claresia (they are waiting on you)' : 'Reply to Claresia'} id="reply">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Textarea
            label="Your message"
            description="Answers to questions, new observations, timestamps. Never paste passwords or API keys."
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
            error={touched && empty ? 'Write a message first' : serverError ? fieldMessage(serverError) : undefined}
            autosize
            minRows={3}
            required
          />
          {m.error && !serverError && <ApiErrorAlert error={m.error} />}
          <Group justify="flex-end">
            <Button type="submit" loading={m.isPending} leftSection={<IconMessage size={16} aria-hidden />}>
              Send reply
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** Support engineer's controls: acknowledge, post an update from a template, wait on the customer, resolve, close. */
function SupportActions({ incident: i }: { incident: IncidentDetail }) {
  const active = isActive(i);
  const ack = useIncidentMutation(i.id, () => api.acknowledge(i.id));
  const close = useIncidentMutation(i.id, () => api.close(i.id));
  return (
    <Card title="Support actions" testId="support-actions">
      <Stack gap="md">
        {active && !i.acknowledgedAt && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle aria-hidden />} title="Not acknowledged yet">
            <Stack gap="xs">
              <Text size="sm">Acknowledge once you have told the customer in their channel that a human engineer is on it. This stops the initial-response clock.</Text>
              <Group>
                <Button color="red.9" leftSection={<IconCheck size={16} aria-hidden />} loading={ack.isPending} onClick={() => ack.mutate(undefined, { onSuccess: () => notifications.show({ color: 'green', message: `${i.reference} acknowledged` }) })}>
                  Acknowledge
                </Button>
              </Group>
              {ack.error && <ApiErrorAlert error={ack.error} />}
            </Stack>
          </Alert>
        )}
        {active ? (
          <Tabs defaultValue="update" keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="update">Post update</Tabs.Tab>
              <Tabs.Tab value="wait" disabled={i.status === 'waiting_on_customer'}>
                Wait on customer
              </Tabs.Tab>
              <Tabs.Tab value="resolve">Resolve</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="update" pt="md">
              <StatusUpdateForm incident={i} />
            </Tabs.Panel>
            <Tabs.Panel value="wait" pt="md">
              <WaitForm incident={i} />
            </Tabs.Panel>
            <Tabs.Panel value="resolve" pt="md">
              <ResolveForm incident={i} />
            </Tabs.Panel>
          </Tabs>
        ) : i.status === 'resolved' ? (
          <Group justify="space-between">
            <Text size="sm">Resolved. Close it once the customer agrees; the post-incident review clock keeps running.</Text>
            <Button variant="default" loading={close.isPending} onClick={() => close.mutate(undefined)}>
              Close incident
            </Button>
            {close.error && <ApiErrorAlert error={close.error} />}
          </Group>
        ) : (
          <Text size="sm">This incident is closed.</Text>
        )}
      </Stack>
    </Card>
  );
}

function StatusUpdateForm({ incident: i }: { incident: IncidentDetail }) {
  const initial: StatusUpdateState = i.status === 'identified' || i.status === 'monitoring' ? i.status : 'investigating';
  const [state, setState] = useState<StatusUpdateState>(initial);
  const [body, setBody] = useState(STATUS_UPDATE_TEMPLATES[initial]);
  const [touched, setTouched] = useState(false);
  const m = useIncidentMutation(i.id, (v: { state: StatusUpdateState; body: string }) => api.postStatusUpdate(i.id, v));
  const parsed = statusUpdateSchema.safeParse({ state, body });
  const bodyError = !parsed.success ? parsed.error.issues.find((x) => x.path[0] === 'body')?.message : undefined;
  const placeholder = /\{[a-z]+\}/.exec(body)?.[0];
  const serverError = m.error instanceof ApiError ? m.error.fieldMap().body : undefined;

  const pick = (next: StatusUpdateState) => {
    // The template follows the state until the engineer edits the text.
    if (body === STATUS_UPDATE_TEMPLATES[state] || !body.trim()) setBody(STATUS_UPDATE_TEMPLATES[next]);
    setState(next);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!parsed.success || placeholder) return;
    m.mutate(parsed.data, {
      onSuccess: () => {
        setTouched(false);
        notifications.show({ color: 'green', message: `Update posted: ${UPDATE_STATE_LABELS[state]}` });
        setBody(STATUS_UPDATE_TEMPLATES[state]);
      },
    });
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Post a status update">
      <Stack gap="sm">
        <Select
          label="State"
          data={STATUS_UPDATE_STATES.map((s) => ({ value: s, label: UPDATE_STATE_LABELS[s] }))}
          value={state}
          onChange={(v) => v && pick(v as StatusUpdateState)}
          allowDeselect={false}
        />
        <Textarea
          label="Update for the customer"
          description="Prefilled from the template for this state; replace the {placeholders}. Posted to the portal and threaded in the customer's channel."
          value={body}
          onChange={(e) => setBody(e.currentTarget.value)}
          error={
            touched && bodyError
              ? fieldMessage(bodyError)
              : touched && placeholder
                ? `Replace ${placeholder} with the real text`
                : serverError
                  ? fieldMessage(serverError)
                  : undefined
          }
          autosize
          minRows={3}
          required
        />
        {m.error && !serverError && <ApiErrorAlert error={m.error} />}
        <Group justify="flex-end">
          <Button type="submit" loading={m.isPending}>
            Post update
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function WaitForm({ incident: i }: { incident: IncidentDetail }) {
  const [reason, setReason] = useState('');
  const m = useIncidentMutation(i.id, (r: string) => api.updateIncident(i.id, { status: 'waiting_on_customer', ...(r ? { reason: r } : {}) }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    m.mutate(reason.trim(), { onSuccess: () => (setReason(''), notifications.show({ color: 'green', message: 'Waiting on the customer; the restoration clock is paused.' })) });
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Wait on the customer">
      <Stack gap="sm">
        <Text size="sm">Pauses the restoration clock until the customer replies. Say what you need from them.</Text>
        <Textarea label="What do you need from the customer?" value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={2} />
        {m.error && <ApiErrorAlert error={m.error} />}
        <Group justify="flex-end">
          <Button type="submit" variant="default" loading={m.isPending}>
            Set waiting on customer
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ResolveForm({ incident: i }: { incident: IncidentDetail }) {
  const [summary, setSummary] = useState('');
  const [touched, setTouched] = useState(false);
  const m = useIncidentMutation(i.id, (s: string) => api.resolve(i.id, { summary: s }));
  const parsed = resolveIncidentSchema.safeParse({ summary });
  const serverError = m.error instanceof ApiError ? m.error.fieldMap().summary : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!parsed.success) return;
    m.mutate(parsed.data.summary, { onSuccess: () => notifications.show({ color: 'green', message: `${i.reference} resolved` }) });
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Resolve the incident">
      <Stack gap="sm">
        <Textarea
          label="Resolution summary"
          description="What was wrong and what restored service. Sev 1 and Sev 2 get a post-incident review within 5 business days."
          value={summary}
          onChange={(e) => setSummary(e.currentTarget.value)}
          error={touched && !parsed.success ? 'Write a short summary first' : serverError ? fieldMessage(serverError) : undefined}
          autosize
          minRows={3}
          required
        />
        {m.error && !serverError && <ApiErrorAlert error={m.error} />}
        <Group justify="flex-end">
          <Button type="submit" color="green.9" loading={m.isPending} leftSection={<IconCheck size={16} aria-hidden />}>
            Resolve incident
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function AuditTrail({ id }: { id: string }) {
  const events = useIncidentEvents(id);
  return (
    <Card title="Audit trail" testId="audit-trail">
      {events.isPending ? (
        <Group gap="xs">
          <Loader size="xs" aria-label="Loading the audit trail" />
          <Text size="sm">Loading the audit trail…</Text>
        </Group>
      ) : events.isError ? (
        <ApiErrorAlert error={events.error} title="The audit trail could not be loaded" />
      ) : events.data.items.length === 0 ? (
        <Text size="sm">No events recorded yet.</Text>
      ) : (
        <Box component="ol" m={0} p={0} style={{ listStyle: 'none' }}>
          {[...events.data.items].reverse().map((e) => (
            <EventRow key={e.id} event={e} />
          ))}
        </Box>
      )}
    </Card>
  );
}

function EventRow({ event: e }: { event: GovernanceEvent }) {
  const details = Object.entries(e.details).filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0));
  return (
    <Box component="li" py={8} style={{ borderBottom: '1px solid #eceff3' }}>
      <Group justify="space-between" gap="xs" wrap="wrap" align="baseline">
        <Text size="sm" className="break">
          <strong>{e.actor.label}</strong> {EVENT_LABELS[e.action] ?? humanize(e.action)}
        </Text>
        <Text size="xs" c="dimmed">
          <Time iso={e.occurredAt} />
        </Text>
      </Group>
      {details.length > 0 && (
        <Text size="xs" c="dimmed" className="break">
          {details.map(([k, v]) => `${humanize(k)}: ${formatDetail(v)}`).join(' · ')}
        </Text>
      )}
      {(e.requestId || e.ip) && (
        <Text size="xs" c="dimmed">
          {e.ip ? `from ${e.ip}` : ''}
          {e.ip && e.requestId ? ' · ' : ''}
          {e.requestId ? `request ${e.requestId}` : ''}
        </Text>
      )}
    </Box>
  );
}

function formatDetail(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(formatDetail).join(', ');
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('from' in o && 'to' in o) return `${formatDetail(o.from)} → ${formatDetail(o.to)}`;
    return Object.entries(o)
      .map(([k, x]) => `${k} ${formatDetail(x)}`)
      .join(', ');
  }
  return '';
}
