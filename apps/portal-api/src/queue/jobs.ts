/** Every job the portal runs: one name, one typed payload, and every payload carries its tenant. */
export enum JobName {
  SlaCheck = 'sla.check',
}

export interface JobPayloads {
  [JobName.SlaCheck]: { tenantId: string; incidentId: string; clock: string; dueAt: string };
}

export type JobPayload<N extends JobName> = JobPayloads[N];

export const PORTAL_QUEUE = 'portal';

export interface JobHandler<N extends JobName = JobName> {
  readonly job: N;
  handle(payload: JobPayload<N>): Promise<void>;
}
