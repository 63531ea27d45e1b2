import { Job, QueueEvents } from 'bullmq';
import { OutboxRelayService } from '../../apps/portal-api/src/outbox/outbox-relay.service';
import { redisOptions } from '../../apps/portal-api/src/queue/redis-connections';
import { WorkloadQueues } from '../../apps/portal-api/src/queue/workload-queues';
import { queueNameOf, WORKLOADS } from '../../apps/portal-api/src/queue/workloads';
import type { TestApp } from './test-app';

/**
 * Relays everything pending to the queues, as the worker's relay does, until nothing is left. The e2e database is
 * shared by every suite of a run, so "everything" includes what earlier suites' apps left pending: larger batches.
 */
export async function relayAll(t: TestApp): Promise<number> {
  let relayed = 0;
  for (let n = -1; n !== 0; relayed += n) n = Math.max(0, await t.app.get(OutboxRelayService).relayOnce({ ignoreBackoff: true, batch: 500 }));
  return relayed;
}

/**
 * Relays the outbox, waits until the app's real BullMQ workers have finished every immediate job of this
 * tenant (event deliveries), relays what those wrote, and returns the jobs now in the queues for the tenant.
 * Waits on BullMQ's completion events, not on time.
 */
export async function relayAndRun(t: TestApp, tenantId: string): Promise<Job[]> {
  const queues = t.app.get(WorkloadQueues);
  const events = await Promise.all(
    WORKLOADS.map(async (w) => {
      const e = new QueueEvents(queueNameOf(w), { connection: redisOptions(t.config.redisUrl), prefix: t.config.queuePrefix });
      await e.waitUntilReady();
      return [w, e] as const;
    }),
  );
  try {
    await relayAll(t);
    for (const [w, e] of events) {
      const jobs = await queues.get(w).getJobs(['waiting', 'active', 'completed', 'failed', 'prioritized']);
      for (const job of jobs.filter((j) => j.data?.tenantId === tenantId && j.name.startsWith('deliver:'))) await job.waitUntilFinished(e, 30_000);
    }
    await relayAll(t);
    const all = await Promise.all(WORKLOADS.map((w) => queues.get(w).getJobs(['delayed', 'waiting', 'active', 'completed', 'failed'])));
    return all.flat().filter((j) => j.data?.tenantId === tenantId);
  } finally {
    await Promise.all(events.map(([, e]) => e.close()));
  }
}
