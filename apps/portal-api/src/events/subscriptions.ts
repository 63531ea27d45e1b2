import type { DomainEventEnvelope, DomainEventType } from '@portal/contracts';
import type { Workload } from '../queue/workloads';

/**
 * Who reacts to which domain event, and on which workload queue. Emitting writes one outbox delivery
 * per subscriber listed here, in the transaction of the change; a worker whose composition lacks the
 * handler of a subscriber listed here refuses to start (as with jobs).
 */
export const SUBSCRIPTIONS = {
  /** Schedules each running SLA clock's warning and breach checks (incidents/subscribers). */
  'sla-clocks': {
    workload: 'clocks',
    events: [
      'incident.declared',
      'incident.acknowledged',
      'incident.status_updated',
      'incident.status_changed',
      'incident.severity_changed',
      'incident.customer_replied',
      'incident.resolved',
      'incident.reopened',
    ],
  },
  // incident communications (issue 14, part A)
  /** Decides who is told what (Slack thread, email, PagerDuty, webhooks) and records one delivery per channel. */
  notifications: {
    workload: 'notifications',
    events: [
      'incident.declared',
      'incident.acknowledged',
      'incident.status_updated',
      'incident.status_changed',
      'incident.severity_changed',
      'incident.resolved',
      'incident.reopened',
      'sla.warning',
      'sla.breached',
      // h2b-pir-publish: a published review goes to the incident's thread, the webhooks and the tenant's Hub
      'pir.published',
    ],
  },
} as const satisfies Record<string, { workload: Workload; events: readonly DomainEventType[] }>;

export type SubscriberName = keyof typeof SUBSCRIPTIONS;
export type SubscribedEvent<S extends SubscriberName> = DomainEventEnvelope<(typeof SUBSCRIPTIONS)[S]['events'][number]>;

export const SUBSCRIBER_NAMES = Object.keys(SUBSCRIPTIONS) as SubscriberName[];

/** The outbox topic (and BullMQ job name) of a subscriber's deliveries. */
export const deliveryTopic = (s: SubscriberName): string => `deliver:${s}`;

export function subscribersOf(type: DomainEventType): SubscriberName[] {
  return SUBSCRIBER_NAMES.filter((s) => (SUBSCRIPTIONS[s].events as readonly DomainEventType[]).includes(type));
}

export interface EventSubscriber<S extends SubscriberName = SubscriberName> {
  readonly subscriber: S;
  handle(event: SubscribedEvent<S>): Promise<void>;
}
