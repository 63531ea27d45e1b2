import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { JobsOptions } from 'bullmq';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { Clock } from '../common/clock';
import { Db } from '../database/db.service';
import { PgListener } from '../database/pg-listener';
import { sql } from '../database/sql';
import { WorkloadQueues } from '../queue/workload-queues';
import { JOB_PRIORITY } from '../queue/jobs';
import { workloadPolicy, Workload } from '../queue/workloads';

/** Any constant: the transaction-scoped advisory lock that makes the relay one at a time across workers. */
const RELAY_LOCK = 7_451_001;
/** The channel the outbox's insert trigger notifies on commit (migration 1763900000017). */
const WAKEUP_CHANNEL = 'portal_outbox';
/** Rows claimed per pass; a full pass is followed by another at once. */
const DEFAULT_BATCH = 1000;
/** Jobs per `addBulk` (one Redis MULTI each). */
const BULK_CHUNK = 500;
/** How long a LISTEN connection that dropped waits before it connects again (the poll covers the gap). */
const RELISTEN_MS = 5_000;

interface OutboxRow {
  id: string;
  topic: string;
  workload: Workload;
  payload: unknown;
  dedup_key: string;
  run_at: Date | null;
}

/**
 * Moves outbox rows to their workload queue; a row is marked relayed only after Redis accepted the job.
 * Runs in worker processes only. Two workers never relay the same rows: the relay holds a transaction-scoped
 * advisory lock (a second relay returns at once) and locks its rows FOR UPDATE SKIP LOCKED besides.
 *
 * It wakes on every commit that wrote to the outbox (LISTEN on the insert trigger's NOTIFY), and on its poll
 * interval as the fallback; it claims up to a thousand rows a pass, adds them with one `addBulk` per workload and
 * chunk, marks them relayed in one statement, and passes again while a pass came back full or a wake-up arrived
 * during it.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private draining = false;
  private again = false;
  private stopped = false;
  private listener: PgListener | null = null;
  private lastWarnedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly queues: WorkloadQueues,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Tests drive the relay by hand (or call start() to run the real loop).
    if (this.config.env === 'test') return;
    this.start();
  }

  /** Relays on its own from now on: on each outbox commit, and every OUTBOX_POLL_MS. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.wake(), this.config.outboxPollMs);
    this.timer.unref();
    void this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.listener?.stop();
    await this.running?.catch(() => undefined);
  }

  /** Relays what is pending; returns how many rows reached the queues (0 when another relay holds the lock). */
  relayOnce(opts: { batch?: number; ignoreBackoff?: boolean } = {}): Promise<number> {
    if (this.running) return this.running;
    this.running = this.relay(opts.batch ?? DEFAULT_BATCH, opts.ignoreBackoff ?? false).finally(() => (this.running = null));
    return this.running;
  }

  /** A commit or the poll: relay now, or once more after the pass in progress. */
  private wake(): void {
    this.again = true;
    if (this.draining || this.stopped) return;
    this.draining = true;
    void (async () => {
      try {
        while (this.again && !this.stopped) {
          this.again = false;
          const n = await this.relayOnce().catch(() => 0);
          if (n >= DEFAULT_BATCH) this.again = true;
        }
      } finally {
        this.draining = false;
      }
    })();
  }

  /** The outbox's commit notifications wake the relay (PgListener: a dedicated connection, made again after a loss). */
  private async listen(): Promise<void> {
    const url = (this.db.dataSource.options as { url?: string }).url;
    if (!url || this.stopped || this.listener) return;
    this.listener = new PgListener({
      url,
      channel: WAKEUP_CHANNEL,
      applicationName: 'portal-outbox-relay',
      relistenMs: RELISTEN_MS,
      onNotification: () => this.wake(),
      // Rows committed before LISTEN took effect had nobody to wake.
      onUp: () => this.wake(),
      onDown: (err) => this.warn({ err: err.message }, 'outbox wake-up connection lost; polling until it is back'),
    });
    await this.listener.start();
  }

  private async relay(batch: number, ignoreBackoff: boolean): Promise<number> {
    return this.db.scoped('system', async (em) => {
      const [lock] = await sql<{ got: boolean }>(em, 'select pg_try_advisory_xact_lock($1) as got', [RELAY_LOCK]);
      if (!lock.got) return 0;
      const rows = await sql<OutboxRow>(
        em,
        `select id, topic, workload, payload, dedup_key, run_at from outbox where relayed_at is null and ($2 or available_at <= now())
         order by id limit $1 for update skip locked`,
        [batch, ignoreBackoff],
      );
      if (rows.length === 0) return 0;
      const byWorkload = new Map<Workload, OutboxRow[]>();
      for (const row of rows) {
        const list = byWorkload.get(row.workload);
        if (list) list.push(row);
        else byWorkload.set(row.workload, [row]);
      }
      const now = this.clock.now().getTime();
      const relayed: string[] = [];
      let failed: { ids: string[]; error: string } | null = null;
      outer: for (const [workload, list] of byWorkload) {
        const policy = workloadPolicy(workload, this.config.queueConcurrency);
        for (let i = 0; i < list.length; i += BULK_CHUNK) {
          const chunk = list.slice(i, i + BULK_CHUNK);
          const jobs = chunk.map((row) => ({
            name: row.topic,
            data: row.payload,
            opts: {
              jobId: String(row.dedup_key).replace(/:/g, '_'),
              delay: row.run_at ? Math.max(0, new Date(row.run_at).getTime() - now) : 0,
              removeOnComplete: 1000,
              removeOnFail: 5000,
              attempts: policy.attempts,
              backoff: { type: 'exponential', delay: policy.backoffMs },
              ...(JOB_PRIORITY[row.topic] ? { priority: JOB_PRIORITY[row.topic] } : {}),
            } satisfies JobsOptions,
          }));
          try {
            // A stuck connection must not stall the relay; a late success is harmless (same jobIds).
            await withTimeout(this.queues.get(workload).addBulk(jobs), 3000);
            for (const row of chunk) relayed.push(row.id);
          } catch (err) {
            failed = { ids: chunk.map((r) => r.id), error: String((err as Error).message).slice(0, 500) };
            break outer;
          }
        }
      }
      if (relayed.length) {
        await sql(em, `update outbox set relayed_at = now(), attempts = attempts + 1, last_error = null where id = any($1::bigint[])`, [relayed]);
      }
      if (failed) {
        // Each row backs off on its own count (2^attempts s, at most 5 min); rows not tried yet stay as they were.
        await sql(
          em,
          `update outbox set attempts = attempts + 1, last_error = $2,
             available_at = now() + make_interval(secs => least(300, power(2, least(8, attempts)))) where id = any($1::bigint[])`,
          [failed.ids, failed.error],
        );
        this.warn({ outboxIds: failed.ids.length, err: failed.error }, 'queue unavailable; jobs stay in the outbox until Redis answers');
      }
      return relayed.length;
    });
  }

  /** Once a minute at most: a Redis or database outage must not flood the log. */
  private warn(fields: object, message: string): void {
    if (Date.now() - this.lastWarnedAt < 60_000) return;
    this.lastWarnedAt = Date.now();
    this.logger.warn(fields, message);
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
