import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { TenantContext } from '@portal/tenancy';
import { Clock } from '../../common/clock';
import { PORTAL_CONFIG, PortalConfig } from '../../config/portal-config';
import { Db } from '../../database/db.service';
import { JobRegistry } from '../../queue/job-registry';
import { JobHandler, JobName, JobPayload, PORTAL_QUEUE } from '../../queue/jobs';
import { TenantsRepository } from '../../tenants/tenants.repository';
import { EvidenceService } from '../evidence.service';
import { EvidenceStorage } from '../storage/evidence-storage';

export const EVIDENCE_RETENTION_SCHEDULER = 'evidence-retention';
export const EVIDENCE_RETENTION_EVERY_MS = 60 * 60 * 1000;
/** A `.part` file untouched this long belongs to an upload that died with its process. */
const INCOMPLETE_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Evidence retention, hourly: every attachment of an incident closed EVIDENCE_RETENTION_DAYS ago is deleted,
 * with a governance event each. Lists the tenants in system scope, then does each tenant's work inside that
 * tenant's context (TenantContext.runAs + a tenant transaction), never across tenants.
 */
@Injectable()
export class EvidenceRetentionJob implements JobHandler<JobName.EvidenceRetention>, OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  readonly job = JobName.EvidenceRetention;
  private readonly logger = new Logger('EvidenceRetention');
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly evidence: EvidenceService,
    private readonly storage: EvidenceStorage,
    private readonly tenants: TenantsRepository,
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly registry: JobRegistry,
    @InjectQueue(PORTAL_QUEUE) private readonly queue: Queue,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  onApplicationBootstrap(): void {
    // Tests call the handler with a manual clock; processes that run jobs keep the schedule in Redis.
    if (this.config.env === 'test' || (this.config.role !== 'all' && this.config.role !== 'worker')) return;
    void this.schedule();
  }

  onApplicationShutdown(): void {
    if (this.retry) clearTimeout(this.retry);
  }

  /** Idempotent: every process may call it; Redis keeps one scheduler under this id. */
  async schedule(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(
        EVIDENCE_RETENTION_SCHEDULER,
        { every: EVIDENCE_RETENTION_EVERY_MS },
        { name: JobName.EvidenceRetention, data: { tenantId: null }, opts: { removeOnComplete: 100, removeOnFail: 500, attempts: 3, backoff: { type: 'exponential', delay: 60_000 } } },
      );
    } catch {
      this.logger.warn('Redis unavailable: evidence retention is not scheduled yet; retrying in a minute');
      this.retry = setTimeout(() => void this.schedule(), 60_000);
      this.retry.unref();
    }
  }

  async handle(payload: JobPayload<JobName.EvidenceRetention>): Promise<void> {
    const now = this.clock.now();
    const tenantIds = payload.tenantId ? [payload.tenantId] : await this.db.scoped('system', (em) => this.tenants.allIds(em));
    let deleted = 0;
    for (const tenantId of tenantIds) {
      const actor = { kind: 'system' as const, id: 'evidence-retention', label: 'Evidence retention', role: 'system', homeTenantId: tenantId };
      deleted += await TenantContext.runAs(actor, [tenantId], () => this.evidence.purgeExpired(now));
    }
    // Compared with file modification times, so against the real clock.
    const leftovers = await this.storage.removeIncomplete(new Date(Date.now() - INCOMPLETE_AFTER_MS));
    if (deleted || leftovers) this.logger.log({ deleted, tenants: tenantIds.length, leftovers }, 'evidence retention ran');
  }
}
