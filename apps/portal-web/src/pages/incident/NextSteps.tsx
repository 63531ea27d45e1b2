import { Anchor, List, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api } from '../../api/endpoints';
import type { IncidentDetail, Me } from '../../api/types';
import { CHANNEL_LABELS } from '../../lib/labels';
import { telLink } from '../declare/PortalUnreachable';
import { Card } from './Card';

/** A link into the tenant's connected chat channel: Slack's app redirect, or Teams' channel deep link. */
export function slackChannelUrl(channelId: string) {
  return `https://slack.com/app_redirect?channel=${encodeURIComponent(channelId)}`;
}
export function teamsChannelUrl(t: { channelId: string; teamId: string; directoryId: string }) {
  return `https://teams.microsoft.com/l/channel/${encodeURIComponent(t.channelId)}/incidents?groupId=${encodeURIComponent(t.teamId)}&tenantId=${encodeURIComponent(t.directoryId)}`;
}

/**
 * Right after a declaration, before anything else (issue 18, item 4): what to do now, acted on in one tap. The
 * hotline (per deployment, HOTLINE_NUMBER) as a tel: link, the tenant's Slack or Teams channel if connected, and
 * who is being told.
 */
export function NextSteps({ incident: i, me }: { incident: IncidentDetail; me: Me }) {
  const admin = me.principal.role === 'customer_admin';
  const slack = useQuery({ queryKey: ['integrations', 'slack'], queryFn: api.slack, enabled: admin, retry: false });
  const teams = useQuery({ queryKey: ['integrations', 'teams'], queryFn: api.teams, enabled: admin, retry: false });
  const channels = i.sla.channels;
  const hotlineRequired = channels.includes('phone_hotline');
  const contacts = me.tenant?.contacts ?? [];
  // Every connected channel (a tenant may have both): the incident is threaded in each.
  const chats = [
    teams.data?.connected && teams.data.channelId && teams.data.teamId && teams.data.directoryId
      ? { name: 'Teams', url: teamsChannelUrl({ channelId: teams.data.channelId, teamId: teams.data.teamId, directoryId: teams.data.directoryId }) }
      : null,
    slack.data?.connected && slack.data.channelId ? { name: 'Slack', url: slackChannelUrl(slack.data.channelId) } : null,
  ].filter((c): c is { name: string; url: string } => c !== null);
  return (
    <Card title="Next steps" testId="next-steps">
      <Stack gap="sm">
        <List type="ordered" spacing="xs" size="sm">
          {me.support.hotline && (
            <List.Item>
              <Text size="sm" span fw={hotlineRequired ? 700 : undefined}>
                {hotlineRequired ? 'Call the hotline now (required for this severity in your service mode): ' : 'To talk to an engineer, call the hotline: '}
              </Text>
              <Anchor href={telLink(me.support.hotline)} fw={700}>
                {me.support.hotline}
              </Anchor>
            </List.Item>
          )}
          <List.Item>
            {chats.length > 0 ? (
              <>
                Follow and discuss it in your{' '}
                {chats.map((chat, n) => (
                  <span key={chat.name}>
                    {n > 0 && ' and '}
                    <Anchor href={chat.url} target="_blank" rel="noopener noreferrer">
                      {chat.name} incident channel
                    </Anchor>
                  </span>
                ))}
                .
              </>
            ) : admin ? (
              <>
                No Slack or Teams channel is connected:{' '}
                <Anchor component={Link} to="/settings/integrations">
                  connect one
                </Anchor>{' '}
                so updates reach your team where it works.
              </>
            ) : (
              'Updates also reach your Slack or Teams channel when your administrator connects one.'
            )}
          </List.Item>
          <List.Item>Keep this page open: clocks, updates and questions from Claresia appear here.</List.Item>
        </List>
        <div>
          <Text size="sm" fw={600}>
            Who is notified
          </Text>
          <List size="sm" spacing={2}>
            <List.Item>Claresia’s on-call support engineers, now.</List.Item>
            {contacts.length > 0 && <List.Item>Your incident contacts: {contacts.map((c) => c.name).join(', ')}.</List.Item>}
            {channels.length > 0 && <List.Item>Also declare through: {channels.map((c) => CHANNEL_LABELS[c]).join('; ')}.</List.Item>}
          </List>
        </div>
      </Stack>
    </Card>
  );
}
