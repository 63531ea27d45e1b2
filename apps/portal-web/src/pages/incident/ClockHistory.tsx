import type { ReactNode } from 'react';
import { Badge, Box, Group, Stack, Text } from '@mantine/core';
import type { IncidentDetail } from '../../api/types';
import { Time } from '../../components/Time';
import { CLOCK_LABELS, describeRun, OWNS_CLOCK, type Audience } from '../../lib/clocks';
import { SEVERITY_SHORT } from '../../lib/labels';
import { formatTime } from '../../lib/time';
import { personName } from '../../lib/people';

type Entry = { at: string; order: number; key: string; title: string; detail: ReactNode; badge?: ReactNode };

/**
 * The clock history of an incident, oldest first: each run of a clock (a severity change that changes a
 * target ends one run and starts another), the severity changes with their reasons, the pauses of the
 * restoration clock and the breaches as they were recorded. Nothing here is ever rewritten.
 */
export function ClockHistory({ incident: i, audience = 'customer' }: { incident: IncidentDetail; audience?: Audience }) {
  const entries: Entry[] = [];
  i.severityChanges.forEach((c, n) =>
    entries.push({
      at: c.at,
      order: 0,
      key: `change-${n}`,
      title: `Severity changed: ${SEVERITY_SHORT[c.from]} to ${SEVERITY_SHORT[c.to]}`,
      detail: `By ${personName(c.by.label)}. Reason: ${c.reason}`,
    }),
  );
  i.clockHistory.runs.forEach((run, n) => {
    const { title, detail } = describeRun(run, audience);
    entries.push({ at: run.startedAt, order: 1, key: `run-${n}`, title, detail });
  });
  i.clockHistory.pauses.forEach((p, n) =>
    entries.push({
      at: p.from,
      order: 2,
      key: `pause-${n}`,
      title: p.reason === 'resolved' ? 'Resolved, then reopened: restoration paused' : 'Waiting on the customer: restoration paused',
      detail: p.to ? `From ${formatTime(p.from)} to ${formatTime(p.to)}.` : `Since ${formatTime(p.from)}.`,
    }),
  );
  i.slaBreaches.forEach((b, n) =>
    entries.push({
      at: b.detectedAt,
      order: 3,
      key: `breach-${n}`,
      title: `${b.informational ? 'Reference time passed' : 'Breach recorded'}: ${CLOCK_LABELS[b.clock]}${b.severity ? `, ${SEVERITY_SHORT[b.severity]}` : ''}`,
      detail: b.informational
        ? `Due ${formatTime(b.dueAt)}. Informational: ${OWNS_CLOCK[audience]} (Mode C data plane), so it is not a Claresia breach.`
        : `Due ${formatTime(b.dueAt)}. A recorded breach stays in the record whatever changes later.`,
      badge: b.informational ? (
        <Badge size="xs" variant="light" color="gray">
          informational
        </Badge>
      ) : (
        <Badge size="xs" variant="light" color="red">
          breach
        </Badge>
      ),
    }),
  );
  entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.order - b.order);
  const changes = i.severityChanges.length;
  const breaches = i.slaBreaches.filter((b) => !b.informational).length;
  const summary = [
    `${i.clockHistory.runs.length} clock ${i.clockHistory.runs.length === 1 ? 'run' : 'runs'}`,
    ...(changes ? [`${changes} severity ${changes === 1 ? 'change' : 'changes'}`] : []),
    ...(breaches ? [`${breaches} ${breaches === 1 ? 'breach' : 'breaches'} recorded`] : []),
  ].join(', ');

  return (
    <Box component="details" data-testid="clock-history" mt={6}>
      <Box component="summary" style={{ cursor: 'pointer' }}>
        <Text span size="sm" fw={600}>
          Clock history
        </Text>{' '}
        <Text span size="xs" c="dimmed">
          ({summary})
        </Text>
      </Box>
      <Text size="xs" c="dimmed" mt={4}>
        A severity change starts the clocks still running again from the change, with the new targets; clocks already met or breached keep their result. Time
        while the incident waited on {audience === 'vendor' ? 'the customer' : 'you'} or was resolved does not count towards restoration.
      </Text>
      <Box component="ol" m={0} mt={6} p={0} style={{ listStyle: 'none' }} aria-label="Clock history">
        {entries.map((e) => (
          <Box component="li" key={e.key} py={6} style={{ borderBottom: '1px solid var(--portal-divider)' }} data-testid="clock-history-entry">
            <Stack gap={2}>
              <Group gap="xs" justify="space-between" wrap="wrap" align="baseline">
                <Group gap={6} wrap="wrap">
                  <Text size="sm" fw={600} className="break">
                    {e.title}
                  </Text>
                  {e.badge}
                </Group>
                <Text size="xs" c="dimmed">
                  <Time iso={e.at} />
                </Text>
              </Group>
              <Text size="xs" className="break prewrap">
                {e.detail}
              </Text>
            </Stack>
          </Box>
        ))}
      </Box>
    </Box>
  );
}
