import { Alert, Anchor, Badge, Box, Group, List, Stack, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconInfoCircle, IconLock, IconMessage } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import type { Role } from '@portal/contracts';
import type { ClockTarget } from '@portal/sla';
import type { CustomerQuestion, IncidentDetail } from '../../api/types';
import { SeverityBadge, StatusBadge } from '../../components/Badges';
import { SlaClockPanel } from '../../components/SlaClock';
import { Time } from '../../components/Time';
import { humanize, isVendorRole, MODE_LABELS, SEVERITY_SHORT } from '../../lib/labels';
import { ClockHistory } from './ClockHistory';
import { isActive } from './is-active';
import { personName } from '../../lib/people';

/** The top of the incident page: reference, badges, title, who declared it, the SLA clocks, their history and the notices. */
export function IncidentHeader({ incident: i, receivedAt, role, backTo }: { incident: IncidentDetail; receivedAt: number; role: Role; backTo: string }) {
  const active = isActive(i);
  const vendor = isVendorRole(role);
  const audience = vendor ? 'vendor' : 'customer';
  const question = i.customerQuestions.find((q) => q.state === 'open');
  return (
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
        Declared <Time iso={i.declaredAt} /> by {personName(i.declaredBy.label)}
        {i.acknowledgedAt && (
          <>
            {' · '}acknowledged <Time iso={i.acknowledgedAt} />
            {i.acknowledgedBy ? ` by ${personName(i.acknowledgedBy.label)}` : ''}
          </>
        )}
        {i.resolvedAt && !active && (
          <>
            {' · '}resolved <Time iso={i.resolvedAt} />
          </>
        )}
      </Text>
      <Box component="section" aria-label="SLA clocks">
        <SlaClockPanel sla={i.sla} receivedAt={receivedAt} audience={audience} />
        <Text size="xs" c="dimmed" mt={6}>
          {commitmentLine(i)}
        </Text>
        <ClockHistory incident={i} audience={audience} />
      </Box>
      {i.sla.ownership === 'assisting' && i.sla.ownershipNote && (
        <Alert
          color="orange"
          variant="light"
          icon={<IconInfoCircle aria-hidden />}
          title={vendor ? "The customer's runbook applies (Mode C data plane)" : 'Your runbook applies (Mode C data plane)'}
        >
          <Text size="sm">{vendor ? VENDOR_OWNERSHIP_NOTE : i.sla.ownershipNote}</Text>
        </Alert>
      )}
      {i.intakeRedactions.length > 0 && <RedactionNotice incident={i} />}
      {i.status === 'waiting_on_customer' && !vendor && (
        <Alert
          color="orange"
          variant="light"
          icon={<IconMessage aria-hidden />}
          title="Claresia is waiting on your answer"
          role="status"
          data-testid="waiting-banner"
        >
          {question && <QuestionQuote question={question} />}
          <Text size="sm">
            The restoration clock is paused until you reply.{' '}
            {role === 'customer_admin' ? (
              <Anchor href="#reply" size="sm" underline="always">
                Answer here
              </Anchor>
            ) : (
              'Ask your IT admin to answer'
            )}
            .
          </Text>
        </Alert>
      )}
      {i.status === 'waiting_on_customer' && vendor && (
        <Alert color="blue" variant="light" icon={<IconMessage aria-hidden />} title="Waiting on the customer" role="status" data-testid="waiting-banner">
          {question && <QuestionQuote question={question} />}
          <Text size="sm">The restoration clock is paused until the customer replies; their reply answers this question and resumes it.</Text>
        </Alert>
      )}
    </Stack>
  );
}

/** Mode C data plane, in the words of Claresia staff (the API's note speaks to the customer). */
const VENDOR_OWNERSHIP_NOTE =
  "In Mode C (BYOC) the data plane runs in the customer's cloud: the customer's team owns the runbook for Postgres / SharePoint / Snowflake outages and Claresia assists. The control plane still runs in Claresia Cloud and follows the standard Sev 1-4 process. Cross-cutting incidents are jointly triaged.";

/** The vendor's open question, quoted: what the customer is asked for. */
function QuestionQuote({ question: q }: { question: CustomerQuestion }) {
  return (
    <Box mb={6} data-testid="open-question">
      <Text size="sm" fw={600}>
        {q.askedBy} asked <Time iso={q.askedAt} />:
      </Text>
      <Text size="sm" className="prewrap break" component="blockquote" m={0} pl="sm" style={{ borderLeft: '3px solid currentColor' }}>
        {q.body}
      </Text>
    </Box>
  );
}

/** Seed 000, "What Claresia commits to", for this incident's severity and the tenant's mode. */
function commitmentLine(i: IncidentDetail): string {
  const { initialResponse, restoration, statusUpdate } = i.sla.clocks;
  const within = (t: ClockTarget) => (t.kind === 'wall_clock' || t.kind === 'business_days' ? `within ${t.label}` : t.label);
  const head = i.sla.ownership === 'assisting' ? 'For reference (Claresia assists)' : `${SEVERITY_SHORT[i.severity]}, ${MODE_LABELS[i.serviceMode]}`;
  const restore = restoration.target.kind === 'wall_clock' ? `restoration target ${restoration.target.label}` : `restoration ${restoration.target.label}`;
  const updates =
    statusUpdate.target.kind === 'none' ? 'status updates when something changes' : `status updates every ${statusUpdate.target.label} while active`;
  return `${head}: a Claresia engineer acknowledges ${within(initialResponse.target)}; ${restore}; ${updates}.`;
}

function RedactionNotice({ incident: i }: { incident: IncidentDetail }) {
  return (
    <Alert color="yellow" variant="light" icon={<IconLock aria-hidden />} title="We removed secrets from what was typed" data-testid="redaction-notice">
      <Text size="sm">
        Something that looked like a credential was replaced with a placeholder before the incident was stored, so it never reaches our logs or engineers.
        Claresia will never ask for IdP credentials, LLM platform API keys or end-user passwords; if a real secret was pasted, rotate it once the incident is
        resolved.
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
