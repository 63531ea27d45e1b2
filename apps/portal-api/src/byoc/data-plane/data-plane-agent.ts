import { randomUUID } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { PORTAL_CONFIG, PortalConfig } from '../../config/portal-config';
import { Db } from '../../database/db.service';
import { EvidenceStorage } from '../../evidence/storage/evidence-storage';
import { certificateExpiry, MAX_BATCH, type HealthCheck, type PlaneMessage } from '../plane-protocol';
import { PlaneLinkClient } from './plane-link-client';
import { PlaneStoreRepository } from './plane-store.repository';

/** A certificate this close to its end makes the heartbeat unhealthy (renew it before the link breaks). */
export const CERT_WARN_DAYS = 7;
const MIN_FREE_BYTES = 512 * 1024 * 1024;
const MAX_BACKOFF_SECONDS = 60;
const fmtGiB = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GiB`;

/**
 * The data plane's messages to the control plane: a heartbeat every HEARTBEAT_SECONDS with its health checks, and
 * the relay of its own outbox (`plane_outbox`) over the mTLS link. A message leaves the outbox only when the control
 * plane answered for it (applied, or refused for good); otherwise it is retried with a growing delay (1 s … 60 s),
 * so a control-plane outage delays messages and loses none.
 */
@Injectable()
export class DataPlaneAgent implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('DataPlane');
  private timers: NodeJS.Timeout[] = [];
  private relaying: Promise<{ delivered: number; failed: number }> | null = null;
  /** The last error of the plane link, for the data plane's own /data-plane/v1/health. */
  lastLinkError: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly store: PlaneStoreRepository,
    private readonly storage: EvidenceStorage,
    private readonly link: PlaneLinkClient,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  onApplicationBootstrap(): void {
    const beat = () => void this.beat().catch((err: Error) => this.logger.warn({ err: err.message }, 'heartbeat could not be recorded'));
    const relay = () => void this.relay().catch((err: Error) => this.logger.warn({ err: err.message }, 'plane outbox relay failed'));
    this.timers.push(setInterval(beat, this.config.byoc.heartbeatSeconds * 1000), setInterval(relay, this.config.outboxPollMs));
    for (const t of this.timers) t.unref();
  }

  onModuleDestroy(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Runs the health checks now and puts the heartbeat in the outbox. */
  async beat(): Promise<{ healthy: boolean; checks: HealthCheck[] }> {
    const now = this.clock.now();
    const checks = await this.checks(now);
    const healthy = checks.every((c) => c.ok);
    const cert = this.config.byoc.tls.certPem ? certificateExpiry(this.config.byoc.tls.certPem, now) : null;
    const message = {
      id: randomUUID(),
      tenantId: null,
      type: 'heartbeat' as const,
      at: now,
      payload: { publicUrl: this.config.publicUrl, healthy, checks, certificateNotAfter: cert ? cert.notAfter.toISOString() : null },
    };
    await this.db.scoped('system', (em) => this.store.enqueue(em, message));
    return { healthy, checks };
  }

  async checks(now: Date): Promise<HealthCheck[]> {
    const attempt = async (name: HealthCheck['name'], run: () => Promise<string>): Promise<HealthCheck> => {
      try {
        return { name, ok: true, detail: (await run()).slice(0, 300) };
      } catch (err) {
        return { name, ok: false, detail: ((err as Error).message || String(err)).slice(0, 300) };
      }
    };
    return [
      await attempt('database', async () => {
        await this.db.scoped('system', (em) => em.query('select 1'));
        return 'answers';
      }),
      // Lists the storage's in-progress area without removing anything: proves reachability and credentials.
      await attempt('object_storage', async () => {
        await this.storage.removeIncomplete(new Date(0));
        return this.config.byoc.storage === 's3' ? `bucket ${this.config.byoc.s3.bucket} answers` : 'evidence directory readable';
      }),
      await attempt('disk', async () => {
        const dir = this.config.byoc.storage === 'local' ? resolve(this.config.evidence.dir) : tmpdir();
        const s = await statfs(dir);
        const free = s.bavail * s.bsize;
        const share = s.blocks ? free / (s.blocks * s.bsize) : 1;
        const detail = `${fmtGiB(free)} free (${Math.round(share * 100)} %)`;
        if (free < MIN_FREE_BYTES && share < 0.05) throw new Error(`low disk space: ${detail}`);
        return detail;
      }),
      await attempt('certificate', async () => {
        const pem = this.config.byoc.tls.certPem;
        if (!pem) throw new Error('no client certificate configured');
        const { daysLeft, notAfter } = certificateExpiry(pem, now);
        if (daysLeft < 0) throw new Error(`the client certificate expired on ${notAfter.toISOString()}`);
        if (daysLeft < CERT_WARN_DAYS) throw new Error(`the client certificate expires in ${daysLeft} days (${notAfter.toISOString()}): renew it`);
        return `${daysLeft} days left`;
      }),
    ];
  }

  /** Sends what is due, batch after batch, until the outbox is empty or the link fails (one relay at a time). */
  relay(): Promise<{ delivered: number; failed: number }> {
    this.relaying ??= this.relayNow().finally(() => (this.relaying = null));
    return this.relaying;
  }

  private async relayNow(): Promise<{ delivered: number; failed: number }> {
    let delivered = 0;
    for (;;) {
      const now = this.clock.now();
      const due = await this.db.scoped('system', (em) => this.store.due(em, now, MAX_BATCH));
      if (due.length === 0) return { delivered, failed: 0 };
      const messages = due.map((m) => ({ id: m.id, type: m.type, at: new Date(m.createdAt).toISOString(), payload: m.payload }) as PlaneMessage);
      try {
        const res = await this.link.send(messages);
        const done = new Set([...res.accepted, ...res.refused.map((r) => r.id)]);
        await this.db.scoped('system', async (em) => {
          await this.store.markDelivered(em, res.accepted, now);
          for (const r of res.refused) await this.store.markDelivered(em, [r.id], now, `refused: ${r.error}`);
        });
        for (const r of res.refused) this.logger.warn({ messageId: r.id, error: r.error }, 'the control plane refused a message for good');
        delivered += done.size;
        this.lastLinkError = null;
        if (done.size === 0) return { delivered, failed: 0 };
      } catch (err) {
        const message = (err as Error).message;
        this.lastLinkError = message;
        const attempts = Math.max(...due.map((m) => m.attempts)) + 1;
        const retryAt = new Date(now.getTime() + Math.min(2 ** (attempts - 1), MAX_BACKOFF_SECONDS) * 1000);
        await this.db.scoped('system', (em) =>
          this.store.markFailed(
            em,
            due.map((m) => m.id),
            retryAt,
            message,
          ),
        );
        this.logger.warn({ pending: due.length, attempts, retryAt: retryAt.toISOString(), err: message }, 'plane link failed; messages stay in the outbox');
        return { delivered, failed: due.length };
      }
    }
  }

  pending(): Promise<number> {
    return this.db.scoped('system', (em) => this.store.pendingCount(em));
  }
}
