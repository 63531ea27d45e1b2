import { Box, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconClock } from '@tabler/icons-react';
import type { Plane, ServiceMode, Severity } from '@portal/contracts';
import { requiredChannels, responseTarget, SLA_POLICY, type ClockTarget } from '@portal/sla';
import { SeverityBadge } from '../../components/Badges';
import { CHANNEL_LABELS, MODE_LABELS } from '../../lib/labels';

function targetSentence(t: ClockTarget): string {
  if (t.kind === 'wall_clock' || t.kind === 'business_days') return `within ${t.label}`;
  return t.label;
}

function joinChannels(list: string[], either: boolean): string {
  if (list.length <= 1) return list.join('');
  return `${list.slice(0, -1).join(', ')} ${either ? 'or' : 'and'} ${list[list.length - 1]}`;
}

/** What Claresia commits to for the chosen severity in this tenant's mode (seed 000 tables). */
export function Commitments({ severity, mode, plane }: { severity: Severity | null; mode: ServiceMode; plane: Plane | null }) {
  if (!severity) {
    return (
      <Paper p="lg" component="section" aria-label="What Claresia commits to">
        <Group gap="xs" mb="xs">
          <IconClock size={20} aria-hidden />
          <Title order={2} size="h4">
            What happens next
          </Title>
        </Group>
        <Text size="sm">Choose a severity to see how fast a Claresia engineer responds and which channels to use as well.</Text>
      </Paper>
    );
  }
  const response = responseTarget(severity, mode);
  const policy = SLA_POLICY[severity][mode];
  const channels = requiredChannels(severity, mode).map((c) => CHANNEL_LABELS[c]);
  const assisting = mode === 'C' && plane === 'data_plane';
  return (
    <Paper p="lg" component="section" aria-label="What Claresia commits to" data-testid="commitments">
      <Group gap="xs" mb="sm" justify="space-between">
        <Group gap="xs">
          <IconClock size={20} aria-hidden />
          <Title order={2} size="h4">
            What happens next
          </Title>
        </Group>
        <SeverityBadge severity={severity} />
      </Group>
      <Stack gap="sm">
        <Text size="md" fw={600} data-testid="response-target">
          {assisting ? 'For reference only: your team owns this incident. ' : ''}A Claresia engineer will acknowledge {targetSentence(response)}.
        </Text>
        <Text size="sm">
          Full restoration: {policy.restoration.kind === 'wall_clock' ? `${policy.restoration.label} target` : policy.restoration.label}. Status updates every{' '}
          {policy.statusUpdate.label} while the incident is active.
        </Text>
        <Box>
          <Text size="sm" fw={600}>
            Also tell us through
          </Text>
          <Text size="sm" data-testid="required-channels">
            {joinChannels(channels, severity === 'sev3')}.
          </Text>
        </Box>
        <Text size="xs" c="dimmed">
          {MODE_LABELS[mode]} commitments. Claresia will never ask for your IdP credentials, LLM platform API keys or end-user passwords.
        </Text>
      </Stack>
    </Paper>
  );
}
