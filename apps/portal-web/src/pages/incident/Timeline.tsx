import type { ReactNode } from 'react';
import { Badge, Box, Group, Stack, Text } from '@mantine/core';
import type { CustomerQuestion, IncidentDetail } from '../../api/types';
import { StatusBadge } from '../../components/Badges';
import { Time } from '../../components/Time';
import { UPDATE_STATE_LABELS } from '../../lib/labels';
import { Card } from './Card';
import { isActive } from './is-active';
import { personName } from '../../lib/people';

type Entry = { at: string; key: string; node: ReactNode; dot: string };

/** What happened, newest first: declaration, acknowledgement, status updates, customer replies, resolution, closure. */
export function TimelineSection({ incident: i, vendor = false }: { incident: IncidentDetail; vendor?: boolean }) {
  const entries: Entry[] = [];
  entries.push({
    at: i.declaredAt,
    key: 'declared',
    dot: '#b3261e',
    node: <Moment title="Incident declared" who={personName(i.declaredBy.label)} at={i.declaredAt} />,
  });
  if (i.acknowledgedAt)
    entries.push({
      at: i.acknowledgedAt,
      key: 'ack',
      dot: '#314ea3',
      node: <Moment title="Acknowledged by Claresia" who={personName(i.acknowledgedBy?.label)} at={i.acknowledgedAt} />,
    });
  for (const u of i.statusUpdates) {
    entries.push({
      at: u.createdAt,
      key: `u-${u.id}`,
      dot: u.state === 'resolved' ? '#1f6b30' : '#314ea3',
      node: (
        <Moment
          title={`Status update: ${UPDATE_STATE_LABELS[u.state]}`}
          who={personName(u.author)}
          at={u.createdAt}
          badge={<StatusBadge status={u.state} size="sm" />}
        >
          <Text size="sm" className="prewrap">
            {u.body}
          </Text>
        </Moment>
      ),
    });
  }
  // The vendor's questions, each with the replies that answer it in place (issue 18): what was asked and what came back.
  const answers = new Map<string, typeof i.customerReplies>();
  for (const r of i.customerReplies) if (r.questionId) answers.set(r.questionId, [...(answers.get(r.questionId) ?? []), r]);
  for (const q of i.customerQuestions) {
    const replies = answers.get(q.id) ?? [];
    entries.push({
      at: q.askedAt,
      key: `q-${q.id}`,
      dot: '#8a3700',
      node: (
        <Moment
          title={vendor ? 'Question to the customer' : 'Claresia asked you'}
          who={q.askedBy}
          at={q.askedAt}
          badge={<QuestionBadge state={q.state} vendor={vendor} />}
          testId="timeline-question"
        >
          <Text size="sm" className="prewrap break">
            {q.body}
          </Text>
          {replies.length > 0 && (
            <Stack gap="xs" mt={4} pl="sm" style={{ borderLeft: '2px solid #d5dadf' }}>
              {replies.map((r) => (
                <Box key={r.id} data-testid="timeline-answer">
                  <Text size="xs" c="dimmed">
                    {vendor ? 'Answer' : 'Your answer'} · <Time iso={r.createdAt} /> · {r.author}
                  </Text>
                  <Text size="sm" className="prewrap break">
                    {r.body}
                  </Text>
                </Box>
              ))}
            </Stack>
          )}
        </Moment>
      ),
    });
  }
  for (const r of i.customerReplies) {
    if (r.questionId && i.customerQuestions.some((q) => q.id === r.questionId)) continue;
    entries.push({
      at: r.createdAt,
      key: `r-${r.id}`,
      dot: '#8a3700',
      node: (
        <Moment title={vendor ? 'Customer reply' : 'Your reply'} who={personName(r.author)} at={r.createdAt}>
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
          {i.sla.clocks.statusUpdate.target.kind === 'none'
            ? 'No status update yet. Updates follow when something changes.'
            : vendor
              ? `No status update yet. One is due at least every ${i.sla.clocks.statusUpdate.target.label} while the incident is active.`
              : `No status update yet. Claresia posts one at least every ${i.sla.clocks.statusUpdate.target.label} while the incident is active.`}
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

function QuestionBadge({ state, vendor }: { state: CustomerQuestion['state']; vendor: boolean }) {
  const label = state === 'open' ? (vendor ? 'waiting on the customer' : 'waiting on you') : state;
  return (
    <Badge size="sm" variant="light" color={state === 'open' ? 'orange' : 'gray'} data-state={state}>
      {label}
    </Badge>
  );
}

function Moment({
  title,
  who,
  at,
  badge,
  children,
  testId,
}: {
  title: string;
  who?: string;
  at: string;
  badge?: ReactNode;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <Stack gap={4} data-testid={testId}>
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
