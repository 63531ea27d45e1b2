import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { Clock } from '../common/clock';
import { Db } from '../database/db.service';
import { sql } from '../database/sql';
import { WorkloadQueues } from '../queue/workload-queues';
import { workloadPolicy, Workload } from '../queue/workloads';

/** Any constant: the transaction-scoped advisory lock that makes the relay one at a time across workers. */
const RELAY_LOCK = 7_451_001;

/**
 * Moves outbox rows to their workload queue; a row is marked relayed only after Redis accepted the job.
 * Runs in worker processes only. Two workers never relay the same rows: the relay holds a transaction-scoped
 * advisory lock (a second relay returns at once) and locks its rows FOR UPDATE SKIP LOCKED besides.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private lastWarnedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly queues: WorkloadQueues,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Tests drive the relay by hand.
    if (this.config.env === 'test') return;
    this.timer = setInterval(() => void this.relayOnce().catch(() => undefined), this.config.outboxPollMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Relays what is pending; returns how many rows reached the queues (0 when another relay holds the lock). */
  relayOnce(opts: { batch?: number; ignoreBackoff?: boolean } = {}): Promise<number> {
    if (this.running) return this.running;
    this.running = this.relay(opts.batch ?? 100, opts.ignoreBackoff ?? false).finally(() => (this.running = null));
    return this.running;
  }

  private async relay(batch: number, ignoreBackoff: boolean): Promise<number> {
    return this.db.scoped('system', async (em) => {
      const [lock] = await sql<{ got: boolean }>(em, 'select pg_try_advisory_xact_lock($1) as got', [RELAY_LOCK]);
      if (!lock.got) return 0;
      const rows = await sql<{ id: string; topic: string; workload: Workload; payload: unknown; dedup_key: string; run_at: Date | null; attempts: number }>(
        em,
        `select id, topic, workload, payload, dedup_key, run_at, attempts from outbox where relayed_at is null and ($2 or available_at <= now())
         order by id limit $1 for update skip locked`,
        [batch, ignoreBackoff],
      );
      let done = 0;
      for (const row of rows) {
        const delay = row.run_at ? Math.max(0, new Date(row.run_at).getTime() - this.clock.now().getTime()) : 0;
        const policy = workloadPolicy(row.workload, this.config.queueConcurrency);
        try {
          // A stuck connection must not stall the relay; a late success is harmless (same jobId).
          await withTimeout(
            this.queues.get(row.workload).add(row.topic, row.payload, {
              jobId: String(row.dedup_key).replace(/:/g, '_'),
              delay,
              removeOnComplete: 1000,
              removeOnFail: 5000,
              attempts: policy.attempts,
              backoff: { type: 'exponential', delay: policy.backoffMs },
            }),
            3000,
          );
          await sql(em, `update outbox set relayed_at = now(), attempts = attempts + 1, last_error = null where id = $1`, [row.id]);
          done++;
        } catch (err) {
          const backoffSeconds = Math.min(300, 2 ** Math.min(8, Number(row.attempts)));
          await sql(em, `update outbox set attempts = attempts + 1, last_error = $2, available_at = now() + make_interval(secs => $3) where id = $1`, [
            row.id,
            String((err as Error).message).slice(0, 500),
            backoffSeconds,
          ]);
          // Once a minute at most: a Redis outage must not flood the log.
          if (Date.now() - this.lastWarnedAt > 60_000) {
            this.lastWarnedAt = Date.now();
            this.logger.warn({ outboxId: row.id, err: (err as Error).message }, 'queue unavailable; jobs stay in the outbox until Redis answers');
          }
          break;
        }
      }
      return done;
    });
  }

  /** Deletes relayed rows older than the retention; pending rows are never touched. */
  async purgeRelayed(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.retention.outboxHours * 3600_000);
    return this.db.scoped('system', async (em) => {
      const rows = await sql(em, `delete from outbox where relayed_at is not null and relayed_at < $1 returning id`, [cutoff]);
      return rows.length;
    });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`queue did not answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
