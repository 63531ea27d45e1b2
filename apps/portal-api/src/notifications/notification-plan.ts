import type { DomainEventType, NotificationChannel, ServiceMode, Severity, WebhookEventType } from '@portal/contracts';
import { requiredChannels } from '@portal/sla';

/** The events the notifications subscriber receives (events/subscriptions.ts). */
export type NotifiedEvent = Extract<
  DomainEventType,
  | 'incident.declared'
  | 'incident.acknowledged'
  | 'incident.status_updated'
  | 'incident.status_changed'
  | 'incident.severity_changed'
  | 'incident.resolved'
  | 'incident.reopened'
  | 'sla.warning'
  | 'sla.breached'
  // post-incident reviews (issue 15): the thread, the webhooks and the Hub hear of a published review
  | 'pir.published'
>;

export interface PlanInput {
  eventType: NotifiedEvent;
  /** The incident's severity and the tenant's mode now (after the event). */
  severity: Severity;
  mode: ServiceMode;
  /** For a severity change: the severity before it (email tells both). */
  previousSeverity?: Severity;
  slackConnected: boolean;
  /** A Slack thread was already started for this incident: it keeps getting the updates whatever the severity. */
  slackThreadExists: boolean;
  /** The contacts were emailed about this incident before: they hear how it ends whatever its severity now. */
  emailedBefore: boolean;
  /** Microsoft Teams (issue 14, part C): connected, and a thread already started for this incident. */
  teamsConnected?: boolean;
  teamsThreadExists?: boolean;
  pagerDutyConfigured: boolean;
  pagerDutySeverities: readonly string[];
  /** PagerDuty was triggered for this incident before (acknowledge/resolve only follow a trigger). */
  pagedBefore: boolean;
  webhookEndpoints: readonly { id: string; events: readonly string[] }[];
  /** The tenant connected its Hub: a published review's output record is sent there. */
  hubConnected?: boolean;
}

export interface PlannedDelivery {
  channel: NotificationChannel;
  endpointId?: string;
  /** PagerDuty Events API v2 action. */
  pagerDutyAction?: 'trigger' | 'acknowledge' | 'resolve';
}

/** A webhook's event name for a domain event: status updates and status changes are both `incident.updated`. */
export function webhookEventType(t: NotifiedEvent): WebhookEventType {
  if (t === 'incident.status_updated' || t === 'incident.status_changed') return 'incident.updated';
  return t;
}

/** The moments email is for: the contact list hears about the big changes, the thread gets every update. */
const EMAIL_EVENTS: ReadonlySet<NotifiedEvent> = new Set([
  'incident.declared',
  'incident.severity_changed',
  'incident.resolved',
  'incident.reopened',
  'sla.breached',
]);

/**
 * Who is told about one event: the channels the SLA policy requires for the incident's severity and the tenant's
 * mode (libs/sla, seed 000 "How to declare"), the vendor's on-call through PagerDuty for the paged severities,
 * and every enabled webhook endpoint subscribed to the event. Pure: the caller supplies what it knows.
 */
export function planDeliveries(p: PlanInput): PlannedDelivery[] {
  const policy = requiredChannels(p.severity, p.mode);
  const out: PlannedDelivery[] = [];
  if (p.slackConnected && (policy.includes('slack_teams_connect') || p.slackThreadExists)) out.push({ channel: 'slack' });
  if (p.teamsConnected && (policy.includes('slack_teams_connect') || p.teamsThreadExists)) out.push({ channel: 'teams' });
  const emailPolicy =
    policy.includes('email') || p.emailedBefore || (p.previousSeverity !== undefined && requiredChannels(p.previousSeverity, p.mode).includes('email'));
  if (emailPolicy && EMAIL_EVENTS.has(p.eventType)) out.push({ channel: 'email' });
  if (p.pagerDutyConfigured) {
    const paged = p.pagerDutySeverities.includes(p.severity);
    const trigger =
      paged && (p.eventType === 'incident.declared' || p.eventType === 'incident.reopened' || (p.eventType === 'incident.severity_changed' && !p.pagedBefore));
    if (trigger) out.push({ channel: 'pagerduty', pagerDutyAction: 'trigger' });
    else if (p.pagedBefore && p.eventType === 'incident.acknowledged') out.push({ channel: 'pagerduty', pagerDutyAction: 'acknowledge' });
    else if (p.pagedBefore && p.eventType === 'incident.resolved') out.push({ channel: 'pagerduty', pagerDutyAction: 'resolve' });
  }
  const hook = webhookEventType(p.eventType);
  for (const e of p.webhookEndpoints) if (e.events.includes(hook)) out.push({ channel: 'webhook', endpointId: e.id });
  if (p.hubConnected && p.eventType === 'pir.published') out.push({ channel: 'hub' });
  return out;
}

/** Seed 000: Mode B/C Sev1 is declared by phone as well; the hotline is shown on the incident and in the first message. */
export function hotlineFor(severity: Severity, mode: ServiceMode, hotline: string | null): string | null {
  return hotline && requiredChannels(severity, mode).includes('phone_hotline') ? hotline : null;
}

/**
 * Delay before attempt `attempt + 1` after `attempt` failed: exponential from `baseSeconds`, capped at six hours,
 * with ±20 % jitter so endpoints that failed together do not retry together. With the defaults (30 s, 16 attempts)
 * the retries span more than 24 hours.
 */
export function retryDelayMs(attempt: number, baseSeconds: number, random: () => number = Math.random): number {
  const base = Math.min(6 * 3600, baseSeconds * 2 ** Math.max(0, attempt - 1)) * 1000;
  return Math.round(base * (0.8 + 0.4 * random()));
}
