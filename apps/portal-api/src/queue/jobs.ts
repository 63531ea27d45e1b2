import type { Workload } from './workloads';

/** Every job the portal runs: one name, one typed payload, one workload queue. Payloads carry their tenant. */
export enum JobName {
  /** At a clock's warning or due instant: records `sla.warning` / `sla.breached` once. */
  SlaCheck = 'sla.check',
  /** Repeatable (hourly): deletes evidence a configured number of days after its incident closed. */
  EvidenceRetention = 'evidence.retention',
  /** Repeatable (hourly): deletes relayed outbox rows older than OUTBOX_RETENTION_HOURS. */
  OutboxPurge = 'outbox.purge',
  /** Repeatable (hourly): deletes sessions ended or expired more than SESSION_RETENTION_DAYS ago. */
  SessionPurge = 'sessions.purge',
  // incident communications (issue 14, part A)
  /** One attempt of one notification delivery (Slack, email, PagerDuty, a webhook endpoint); retries are new jobs. */
  NotificationDeliver = 'notification.deliver',
  // status page (issue 14 part B): vendor-wide, `tenantId: null`
  /** Mails the confirmation link to a new email subscriber (double opt-in). */
  StatusConfirmMail = 'status.confirm-mail',
  /** Finds the subscribers of one public update and enqueues one delivery per (update, subscriber). */
  StatusFanout = 'status.fanout',
  /** Delivers one public update to one subscriber (email, Slack, signed webhook); idempotent. */
  StatusDeliver = 'status.deliver',
  /** Repeatable (daily): credential-health digests (weekly per tenant) and expiry alerts (30, 7, 1 days). */
  CredentialHealthSweep = 'credentials.sweep',
  /** At a step of the escalation ladder: escalates once if the incident is still unacknowledged / open. */
  EscalationCheck = 'notification.escalation',
  /** A few minutes before a status update is due: reminds the engineer once if none was posted. */
  StatusUpdateReminder = 'notification.status_reminder',
  /** Half-way to the response target of a quick declaration: asks its admins once for the intake still missing. */
  IntakeReminder = 'notification.intake_reminder',
  // post-incident reviews (issue 15)
  /** A published review's PDF (Chromium): rendered once per content (hash), stored with the evidence. */
  PirRender = 'pir.render',
  // CSM walkthroughs (issue 15, h2a-walkthroughs)
  /** Mails one side (customer or CSM) the iCalendar invite of one version (SEQUENCE) of a walkthrough; skipped once superseded. */
  WalkthroughInvite = 'walkthrough.invite',
  // scale (issue 17, h4-scale-core)
  /** Repeatable (every minute): checks incidents with a clock past due and no breach recorded (jobs lost or never made). */
  SlaSweep = 'sla.sweep',
}

export interface JobPayloads {
  [JobName.SlaCheck]: { tenantId: string; incidentId: string; clock: string; dueAt: string };
  /**
   * Sweeps that are not about a single tenant: `tenantId: null` (the schedule) lists the tenants in
   * system scope and re-enters each tenant's context to do its work; a tenant id limits it to that tenant.
   */
  [JobName.EvidenceRetention]: { tenantId: string | null };
  [JobName.OutboxPurge]: { tenantId: null };
  [JobName.SessionPurge]: { tenantId: null };
  [JobName.NotificationDeliver]: { tenantId: string; deliveryId: string };
  // status page (issue 14 part B)
  [JobName.StatusConfirmMail]: { tenantId: null; subscriberId: string };
  [JobName.StatusFanout]: { tenantId: null; updateId: string };
  [JobName.StatusDeliver]: { tenantId: null; updateId: string; subscriberId: string };
  [JobName.CredentialHealthSweep]: { tenantId: string | null };
  [JobName.EscalationCheck]: { tenantId: string; incidentId: string; step: number; severity: string; from: string };
  [JobName.StatusUpdateReminder]: { tenantId: string; incidentId: string; dueAt: string };
  [JobName.IntakeReminder]: { tenantId: string; incidentId: string; at: string };
  // post-incident reviews (issue 15)
  [JobName.PirRender]: { tenantId: string; pirId: string };
  // CSM walkthroughs (issue 15, h2a-walkthroughs)
  [JobName.WalkthroughInvite]: { tenantId: string; walkthroughId: string; sequence: number; recipient: 'customer' | 'csm' };
  // scale (issue 17, h4-scale-core)
  [JobName.SlaSweep]: { tenantId: null };
}

export type JobPayload<N extends JobName> = JobPayloads[N];

export const JOB_WORKLOADS: Record<JobName, Workload> = {
  [JobName.SlaCheck]: 'clocks',
  [JobName.EvidenceRetention]: 'maintenance',
  [JobName.OutboxPurge]: 'maintenance',
  [JobName.SessionPurge]: 'maintenance',
  [JobName.NotificationDeliver]: 'notifications',
  // status page (issue 14 part B)
  [JobName.StatusConfirmMail]: 'notifications',
  [JobName.StatusFanout]: 'notifications',
  [JobName.StatusDeliver]: 'notifications',
  [JobName.CredentialHealthSweep]: 'notifications',
  [JobName.EscalationCheck]: 'notifications',
  [JobName.StatusUpdateReminder]: 'notifications',
  [JobName.IntakeReminder]: 'notifications',
  // post-incident reviews (issue 15)
  [JobName.PirRender]: 'rendering',
  // CSM walkthroughs (issue 15, h2a-walkthroughs)
  [JobName.WalkthroughInvite]: 'notifications',
  // scale (issue 17, h4-scale-core)
  [JobName.SlaSweep]: 'clocks',
};

/**
 * BullMQ priorities (lower first; a job without one goes ahead of every prioritized job). Deciding who is told (the
 * subscribers' planning, fan-outs, escalation and reminder checks) goes ahead of the delivery attempts already
 * planned: in a burst, each event's messages are planned as soon as it commits instead of after the backlog of
 * earlier events' attempts (issue 14: planning waited in the same FIFO behind ten times as many deliveries).
 */
export const JOB_PRIORITY: Partial<Record<string, number>> = {
  [JobName.NotificationDeliver]: 10,
  [JobName.StatusDeliver]: 10,
};

export interface JobHandler<N extends JobName = JobName> {
  readonly job: N;
  /** A repeatable job: workers keep one schedule of it in Redis (upserted at start-up). */
  readonly repeat?: { everyMs: number; payload: JobPayload<N> };
  handle(payload: JobPayload<N>): Promise<void>;
}
