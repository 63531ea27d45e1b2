import { Alert, Anchor, Button, Group, List, Text } from '@mantine/core';
import { IconCloudOff } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { SEVERITY_DEFINITIONS } from '@portal/contracts';
import type { Me } from '../../api/types';
import type { Draft } from './draft';

/** The draft as plain text, for the support email when the portal cannot take the declaration. */
export function draftAsText(d: Draft, tenant: string): string {
  const lines = [
    `Tenant: ${tenant}`,
    `Title: ${d.title || '(none yet)'}`,
    `Severity: ${d.severity ? SEVERITY_DEFINITIONS[d.severity].name : '(not chosen)'}`,
    `Affected services: ${d.services.join(', ') || '(none picked)'}`,
    `Affected regions: ${d.regions.join(', ') || '(none picked)'}`,
    `Impacted users: ${d.impactedUsers === '' ? '(not given)' : d.impactedUsers}`,
    `First noticed: ${d.firstNoticedLocal} (${d.firstNoticedTimezone})`,
    ...(d.plane ? [`Where the problem is: ${d.plane.replace('_', ' ')}`] : []),
    ...(d.errorCodes.length ? [`Error codes: ${d.errorCodes.join(', ')}`] : []),
    '',
    'Symptoms:',
    // mail clients cut long mailto: links; the portal keeps the whole draft and sends it when it answers again
    d.symptoms.length > 1200 ? `${d.symptoms.slice(0, 1200)}…` : d.symptoms || '(none yet)',
  ];
  return lines.join('\n');
}

export const mailtoLink = (email: string, subject: string, body: string) =>
  `mailto:${email}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
export const telLink = (number: string) => `tel:${number.replace(/[^+0-9]/g, '')}`;

/**
 * Shown at once when the portal does not answer a declaration: the draft is safe, it goes by itself when the
 * portal answers, and meanwhile the other ways to reach Claresia, with the draft already written into the email.
 */
export function PortalUnreachable({
  me,
  draft,
  waiting,
  attempts,
  onRetry,
  onStop,
}: {
  me: Me;
  draft: Draft;
  waiting: boolean;
  attempts: number;
  onRetry: () => void;
  onStop: () => void;
}) {
  const tenant = me.tenant?.displayName ?? '';
  const { t } = useTranslation();
  const subject = `[${draft.severity ? draft.severity.toUpperCase() : 'Incident'}] ${tenant}: ${draft.title || 'new incident'}`;
  return (
    <Alert color="orange" variant="light" icon={<IconCloudOff size={20} aria-hidden />} title={t('unreachable.title')} data-testid="portal-unreachable">
      <Text size="sm" mb="xs">
        {waiting ? t('unreachable.waiting') : t('unreachable.slow')} {attempts > 1 && <span>{t('unreachable.tries', { count: attempts })}</span>}
      </Text>
      <Text size="sm" fw={600}>
        {t('unreachable.dontWait')}
      </Text>
      <List size="sm" spacing={4} mb="sm">
        <List.Item>
          <Anchor href={mailtoLink(me.support.email, subject, draftAsText(draft, tenant))}>{t('unreachable.email', { email: me.support.email })}</Anchor>
        </List.Item>
        {me.support.hotline && (
          <List.Item>
            {t('unreachable.call')} <Anchor href={telLink(me.support.hotline)}>{me.support.hotline}</Anchor>
          </List.Item>
        )}
        <List.Item>{t('unreachable.chat')}</List.Item>
      </List>
      <Group gap="sm">
        <Button size="xs" variant="default" onClick={onRetry}>
          {t('unreachable.retry')}
        </Button>
        <Button size="xs" variant="subtle" color="dark" onClick={onStop}>
          {t('unreachable.stop')}
        </Button>
      </Group>
    </Alert>
  );
}
