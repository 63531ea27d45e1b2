import type { ReactNode } from 'react';
import { Badge, Box, Divider, Group, List, Stack, Text } from '@mantine/core';
import { CUSTOMER_RESPONSIBILITIES } from '@portal/contracts';
import type { IncidentDetail } from '../../api/types';
import { Time } from '../../components/Time';
import { CHANNEL_LABELS, PLANE_LABELS, RECENT_CHANGE_LABELS } from '../../lib/labels';
import { formatTime, viewerZone } from '../../lib/time';
import { Card } from './Card';

/** What the customer reported when declaring: symptoms, services, regions, first noticed, changes, error codes. */
export function Details({ incident: i }: { incident: IncidentDetail }) {
  // A quick declaration's missing intake reads "Not given yet" (the Missing intake card asks for it).
  const notYet = <em>Not given yet</em>;
  const rows: [string, ReactNode][] = [
    ['Services', i.services.join(', ')],
    ['Regions', i.regions.join(', ')],
    [
      'First noticed',
      i.firstNoticedAt && i.firstNoticedTimezone ? (
        <>
          {formatTime(i.firstNoticedAt, i.firstNoticedTimezone)} reporter's time ({i.firstNoticedTimezone})
          {i.firstNoticedTimezone !== viewerZone() && (
            <>
              <br />= <Time iso={i.firstNoticedAt} /> your time
            </>
          )}
        </>
      ) : (
        notYet
      ),
    ],
    ['Reproduced', i.reproductionConfirmed === null ? notYet : i.reproductionConfirmed ? 'Yes, the customer can reproduce it' : 'Not confirmed'],
    [
      'Recent changes',
      i.recentChanges === null ? notYet : i.recentChanges.kinds.length ? i.recentChanges.kinds.map((k) => RECENT_CHANGE_LABELS[k]).join(', ') : 'None reported',
    ],
  ];
  if (i.recentChanges?.details) rows.push(['Change details', <span className="prewrap">{i.recentChanges.details}</span>]);
  if (i.errorCodes.length)
    rows.push([
      'Error codes',
      <Group gap={4}>
        {i.errorCodes.map((c) => (
          <Badge key={c} variant="light" color="gray" tt="none" ff="monospace">
            {c}
          </Badge>
        ))}
      </Group>,
    ]);
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
            {i.symptoms ?? notYet}
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

/** The customer's part while the incident is open (seed 000). */
export function Responsibilities() {
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
