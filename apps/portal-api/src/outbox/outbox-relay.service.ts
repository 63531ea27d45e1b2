import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { Clock } from '../common/clock';
import { Db } from '../database/db.service';
import { sql } from '../database/sql';
import { PORTAL_QUEUE } from '../queue/jobs';

/** Moves outbox rows to the queue; a row is marked relayed only after Redis accepted the job. */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  /** Tests drive the relay by hand. */
  autoStart = true;

  constructor(
    private readonly db: Db,
    @InjectQueue(PORTAL_QUEUE) private readonly queue: Queue,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {
    // Connection errors surface on add(); without a listener they would crash the process.
    this.queue.on('error', () => undefined);
  }

  onApplicationBootstrap(): void {
    if (!this.autoStart || this.config.env === 'test') return;
    this.timer = setInterval(() => void this.relayOnce().catch(() => undefined), this.config.outboxPollMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Relays what is pending; returns how many rows reached the queue. */
  relayOnce(opts: { batch?: number; ignoreBackoff?: boolean } = {}): Promise<number> {
    if (this.running) return this.running;
    this.running = this.relay(opts.batch ?? 100, opts.ignoreBackoff ?? false).finally(() => (this.running = null));
    return this.running;
  }

  private async relay(batch: number, ignoreBackoff: boolean): Promise<number> {
    return this.db.scoped('system', async (em) => {
      const rows = await sql(em,
        `select id, topic, payload, dedup_key, attempts from outbox where relayed_at is null and ($2 or available_at <= now())
         order by id limit $1 for update skip locked`,
        [batch, ignoreBackoff],
      );
      let done = 0;
      for (const row of rows) {
        const payload = row.payload as Record<string, unknown> & { runAt: string | null };
        const delay = payload.runAt ? Math.max(0, new Date(payload.runAt).getTime() - this.clock.now().getTime()) : 0;
        const { runAt: _runAt, ...data } = payload;
        try {
          // A stuck connection must not stall the relay; a late success is harmless (same jobId).
          await withTimeout(
            this.queue.add(row.topic, data, { jobId: String(row.dedup_key).replace(/:/g, '_'), delay, removeOnComplete: 1000, removeOnFail: 5000, attempts: 5, backoff: { type: 'exponential', delay: 2000 } }),
            3000,
          );
          await sql(em, `update outbox set relayed_at = now(), attempts = attempts + 1, last_error = null where id = $1`, [row.id]);
          done++;
        } catch (err) {
          const backoffSeconds = Math.min(300, 2 ** Math.min(8, Number(row.attempts)));
          await sql(em,
            `update outbox set attempts = attempts + 1, last_error = $2, available_at = now() + make_interval(secs => $3) where id = $1`,
            [row.id, String((err as Error).message).slice(0, 500), backoffSeconds],
          );
          this.logger.warn({ outboxId: row.id }, 'queue unavailable; the job stays in the outbox');
          break;
        }
      }
      return done;
    });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`queue did not answer within ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });
}
