/**
 * One BullMQ queue per workload, each with its own concurrency, retries and backoff, so a slow SMTP
 * server or a PDF render never delays an SLA check (SECURITY.md, "Queues").
 */
export const WORKLOADS = ['clocks', 'notifications', 'rendering', 'maintenance'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface WorkloadPolicy {
  concurrency: number;
  attempts: number;
  /** Exponential backoff base. */
  backoffMs: number;
}

export const WORKLOAD_POLICIES: Record<Workload, WorkloadPolicy> = {
  // Breach checks and clock scheduling: short, many, must not wait behind anything.
  clocks: { concurrency: 4, attempts: 8, backoffMs: 1_000 },
  // Outbound channels retry for a long time: a receiver being down is expected during an outage. Attempts wait on
  // customers' receivers (hundreds of ms each in real life) and share their database reads and writes, so many run
  // at once: at 8, a fan-out of 5,000 webhook deliveries on loopback ran at 500/s with the process 20 % idle; at 32,
  // 1,060/s (issue 14 delivery bench). One dead endpoint still holds at most one attempt (its backoff).
  notifications: { concurrency: 32, attempts: 12, backoffMs: 5_000 },
  // Chromium renders: one at a time per worker, few retries.
  rendering: { concurrency: 1, attempts: 3, backoffMs: 30_000 },
  // Sweeps (retention, purges): hourly anyway.
  maintenance: { concurrency: 1, attempts: 3, backoffMs: 60_000 },
};

export const queueNameOf = (w: Workload): string => `portal-${w}`;

export function workloadPolicy(w: Workload, concurrency: Partial<Record<Workload, number>>): WorkloadPolicy {
  return { ...WORKLOAD_POLICIES[w], ...(concurrency[w] ? { concurrency: concurrency[w] } : {}) };
}
