import { QueueEvents } from 'bullmq';
import { Client } from 'pg';
import { redisOptions } from '../../apps/portal-api/src/queue/redis-connections';
import { WorkloadQueues } from '../../apps/portal-api/src/queue/workload-queues';
import { queueNameOf } from '../../apps/portal-api/src/queue/workloads';
import { relayAll } from './queues';
import type { TestApp } from './test-app';

/**
 * Runs the status page's vendor-wide jobs to the end: relays the outbox, waits (on BullMQ's completion events)
 * for every status job on the notifications queue, relays what they wrote, until nothing is left. Jobs waiting
 * out a retry backoff are promoted instead of waited for (`promoteDelayed`).
 */
export async function drainStatusJobs(t: TestApp, opts: { promoteDelayed?: boolean } = {}): Promise<void> {
  const queue = t.app.get(WorkloadQueues).get('notifications');
  const events = new QueueEvents(queueNameOf('notifications'), { connection: redisOptions(t.config.redisUrl), prefix: t.config.queuePrefix });
  await events.waitUntilReady();
  try {
    for (let round = 0; round < 30; round++) {
      const relayed = await relayAll(t);
      let promoted = 0;
      if (opts.promoteDelayed) {
        for (const j of await queue.getJobs(['delayed'])) {
          if (j.name.startsWith('status.')) {
            await j.promote();
            promoted++;
          }
        }
      }
      const pending = (await queue.getJobs(['waiting', 'active', 'prioritized'])).filter((j) => j.name.startsWith('status.'));
      if (relayed === 0 && promoted === 0 && pending.length === 0) return;
      // A job that fails goes back to `delayed` without finishing: with promotion on, the wait is short and the
      // next round promotes it (the retry runs at once instead of after its backoff).
      for (const j of pending) await j.waitUntilFinished(events, opts.promoteDelayed ? 2_000 : 30_000).catch(() => undefined);
    }
  } finally {
    await events.close();
  }
}

/** Reads as the database owner (governance rows without a tenant are not readable by the app role). */
export async function ownerQuery<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: process.env.PORTAL_TEST_OWNER_URL });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}
