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
  // post-incident reviews (issue 15)
  /** A published review's PDF (Chromium): rendered once per content (hash), stored with the evidence. */
  PirRender = 'pir.render',
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
  // post-incident reviews (issue 15)
  [JobName.PirRender]: { tenantId: string; pirId: string };
}

export type JobPayload<N extends JobName> = JobPayloads[N];

export const JOB_WORKLOADS: Record<JobName, Workload> = {
  [JobName.SlaCheck]: 'clocks',
  [JobName.EvidenceRetention]: 'maintenance',
  [JobName.OutboxPurge]: 'maintenance',
  [JobName.SessionPurge]: 'maintenance',
  // post-incident reviews (issue 15)
  [JobName.PirRender]: 'rendering',
};

export interface JobHandler<N extends JobName = JobName> {
  readonly job: N;
  /** A repeatable job: workers keep one schedule of it in Redis (upserted at start-up). */
  readonly repeat?: { everyMs: number; payload: JobPayload<N> };
  handle(payload: JobPayload<N>): Promise<void>;
}
