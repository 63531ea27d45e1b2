import { Box, Group, Paper, SimpleGrid, Text, Tooltip } from '@mantine/core';
import { IconCircleCheck, IconClock, IconFlame, IconPlayerPause } from '@tabler/icons-react';
import type { SlaBlock, SlaClock } from '@portal/sla';
import { useNow } from '../hooks/use-now';
import { CLOCK_LABELS, readClock, type Audience, type ClockTone } from '../lib/clocks';
import { formatTime } from '../lib/time';

// green running, amber under 20 % left, red breached, grey met / best effort / not applicable, blue paused.
export const TONE_STYLE: Record<ClockTone, { bg: string; fg: string; border: string; name: string }> = {
  running: { bg: '#e6f4ea', fg: '#17561d', border: '#9fd0ac', name: 'running' },
  warning: { bg: '#fff4e0', fg: '#723c00', border: '#f0b95a', name: 'less than 20% left' },
  breached: { bg: '#fdecea', fg: '#9b1510', border: '#ee9c93', name: 'breached' },
  met: { bg: '#f1f3f5', fg: '#3d434a', border: '#d5dadf', name: 'met' },
  inactive: { bg: '#f1f3f5', fg: '#3d434a', border: '#d5dadf', name: 'not running' },
  paused: { bg: '#e8eefc', fg: '#1f3d87', border: '#a9bbec', name: 'paused' },
};

function ToneIcon({ tone, size = 16 }: { tone: ClockTone; size?: number }) {
  if (tone === 'breached') return <IconFlame size={size} aria-hidden />;
  if (tone === 'met') return <IconCircleCheck size={size} aria-hidden />;
  if (tone === 'paused') return <IconPlayerPause size={size} aria-hidden />;
  return <IconClock size={size} aria-hidden />;
}

/** One clock, small: for list rows. Counts down locally from the data received at `receivedAt`. */
export function SlaClockChip({ clock, receivedAt, audience = 'customer' }: { clock: SlaClock; receivedAt: number; audience?: Audience }) {
  const now = useNow();
  const r = readClock(clock, receivedAt, now, audience);
  const s = TONE_STYLE[r.tone];
  return (
    <Tooltip label={r.description} withArrow>
      <Box
        role="timer"
        aria-label={r.description}
        data-testid={`clock-${clock.kind}`}
        data-tone={r.tone}
        style={{ background: s.bg, color: s.fg, border: `1px solid ${s.border}`, borderRadius: 6, padding: '3px 8px', display: 'inline-block', minWidth: 120 }}
      >
        <Group gap={6} wrap="nowrap">
          <ToneIcon tone={r.tone} size={14} />
          <div>
            <Text size="xs" fw={600} lh={1.2} c="inherit">
              {CLOCK_LABELS[clock.kind]}
            </Text>
            <Text size="sm" fw={700} lh={1.3} c="inherit" data-testid="clock-value" style={{ fontVariantNumeric: 'tabular-nums' }}>
              {r.value}
              <Text span size="xs" fw={500} c="inherit">
                {' '}
                {r.tone === 'running' || r.tone === 'warning' ? 'left' : r.tone === 'breached' ? 'overdue' : r.tone === 'paused' ? 'paused' : ''}
              </Text>
            </Text>
          </div>
        </Group>
      </Box>
    </Tooltip>
  );
}

/** All four clocks of an incident, large: for the incident header. */
export function SlaClockPanel({ sla, receivedAt, audience = 'customer' }: { sla: SlaBlock; receivedAt: number; audience?: Audience }) {
  const clocks = [sla.clocks.initialResponse, sla.clocks.restoration, sla.clocks.statusUpdate, sla.clocks.pirDue];
  return (
    <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm" aria-label="SLA clocks">
      {clocks.map((c) => (
        <ClockCard key={c.kind} clock={c} receivedAt={receivedAt} audience={audience} />
      ))}
    </SimpleGrid>
  );
}

function ClockCard({ clock, receivedAt, audience }: { clock: SlaClock; receivedAt: number; audience: Audience }) {
  const now = useNow();
  const r = readClock(clock, receivedAt, now, audience);
  const s = TONE_STYLE[r.tone];
  const due = clock.dueAt && (r.tone === 'running' || r.tone === 'warning' || r.tone === 'paused' || r.tone === 'breached');
  return (
    <Paper
      p="sm"
      role="timer"
      aria-label={r.description}
      data-testid={`clock-${clock.kind}`}
      data-tone={r.tone}
      style={{ background: s.bg, color: s.fg, borderColor: s.border }}
    >
      <Group gap={6} wrap="nowrap">
        <ToneIcon tone={r.tone} />
        <Text size="sm" fw={600} c="inherit">
          {CLOCK_LABELS[clock.kind]}
        </Text>
      </Group>
      <Text fz={{ base: 20, sm: 24 }} fw={750} c="inherit" mt={4} data-testid="clock-value" style={{ fontVariantNumeric: 'tabular-nums', lineHeight: 1.2 }}>
        {r.value}
      </Text>
      <Text size="xs" c="inherit" fw={500}>
        {r.caption}
      </Text>
      {due && (
        <Text size="xs" c="inherit" mt={2}>
          {r.tone === 'paused' ? 'frozen while paused' : `due ${formatTime(clock.dueAt)}`}
        </Text>
      )}
      {!clock.owned && (
        <Text size="xs" c="inherit" mt={2} fs="italic">
          {audience === 'vendor' ? "for reference: the customer's team owns this" : 'for reference: your team owns this'}
        </Text>
      )}
    </Paper>
  );
}
