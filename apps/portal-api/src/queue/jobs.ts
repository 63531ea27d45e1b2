/** Every job the portal runs: one name, one typed payload, and every payload carries its tenant. */
export enum JobName {
  SlaCheck = 'sla.check',
  /** Repeatable (hourly): deletes evidence a configured number of days after its incident closed. */
  EvidenceRetention = 'evidence.retention',
}

export interface JobPayloads {
  [JobName.SlaCheck]: { tenantId: string; incidentId: string; clock: string; dueAt: string };
  /**
   * The one sweep that is not about a single tenant: `tenantId: null` (the schedule) lists the tenants in
   * system scope and re-enters each tenant's context to do its work; a tenant id limits it to that tenant.
   */
  [JobName.EvidenceRetention]: { tenantId: string | null };
}

export type JobPayload<N extends JobName> = JobPayloads[N];

export const PORTAL_QUEUE = 'portal';

export interface JobHandler<N extends JobName = JobName> {
  readonly job: N;
  handle(payload: JobPayload<N>): Promise<void>;
}
