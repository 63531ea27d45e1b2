import { Inject, Injectable, Logger } from '@nestjs/common';
import { systemActor, TenantContext } from '@portal/tenancy';
import { Clock } from '../../common/clock';
import { PORTAL_CONFIG, PortalConfig } from '../../config/portal-config';
import { Db } from '../../database/db.service';
import { JobHandler, JobName, JobPayload } from '../../queue/jobs';
import { TaskHandler } from '../../queue/task-handler';
import { TenantDirectory } from '../../tenants/tenant-directory.service';
import { EvidenceService } from '../evidence.service';
import { EvidenceStorage } from '../storage/evidence-storage';

export const EVIDENCE_RETENTION_EVERY_MS = 60 * 60 * 1000;
/** A `.part` file untouched this long belongs to an upload that died with its process. */
const INCOMPLETE_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Evidence retention, hourly: every attachment of an incident closed EVIDENCE_RETENTION_DAYS ago is deleted,
 * with a governance event each. Lists the tenants in system scope, then does each tenant's work inside that
 * tenant's context (TenantContext.runAs + a tenant transaction), never across tenants.
 */
@Injectable()
@TaskHandler()
export class EvidenceRetentionJob implements JobHandler<JobName.EvidenceRetention> {
  readonly job = JobName.EvidenceRetention;
  readonly repeat = { everyMs: EVIDENCE_RETENTION_EVERY_MS, payload: { tenantId: null } };
  private readonly logger = new Logger('EvidenceRetention');

  constructor(
    private readonly evidence: EvidenceService,
    private readonly storage: EvidenceStorage,
    private readonly tenants: TenantDirectory,
    private readonly db: Db,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  async handle(payload: JobPayload<JobName.EvidenceRetention>): Promise<void> {
    const now = this.clock.now();
    const tenantIds = payload.tenantId ? [payload.tenantId] : await this.db.scoped('system', (em) => this.tenants.allIds(em));
    let deleted = 0;
    for (const tenantId of tenantIds) {
      const actor = systemActor('evidence-retention', 'Evidence retention', tenantId);
      deleted += await TenantContext.runAs(actor, [tenantId], () => this.evidence.purgeExpired(now));
    }
    // Compared with file modification times, so against the real clock.
    const leftovers = await this.storage.removeIncomplete(new Date(Date.now() - INCOMPLETE_AFTER_MS));
    if (deleted || leftovers)
      this.logger.log({ deleted, tenants: tenantIds.length, leftovers, retentionDays: this.config.evidence.retentionDays }, 'evidence retention ran');
  }
}
