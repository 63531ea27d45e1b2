import { Injectable } from '@nestjs/common';
import { systemActor, TenantContext } from '@portal/tenancy';
import { JobHandler, JobName, JobPayload } from '../queue/jobs';
import { TaskHandler } from '../queue/task-handler';
import { CredentialHealthService } from './credential-health.service';

/** Daily: each subscribed tenant, in its own context, gets its weekly digest when due and each expiry alert once. */
@Injectable()
@TaskHandler()
export class CredentialHealthSweepJob implements JobHandler<JobName.CredentialHealthSweep> {
  readonly job = JobName.CredentialHealthSweep;
  readonly repeat = { everyMs: 24 * 60 * 60 * 1000, payload: { tenantId: null } };
  constructor(private readonly health: CredentialHealthService) {}
  async handle(payload: JobPayload<JobName.CredentialHealthSweep>): Promise<void> {
    const tenants = payload.tenantId ? [payload.tenantId] : await this.health.subscribedTenants();
    for (const tenantId of tenants) {
      const actor = systemActor('credential-health', 'Credential-health digest', tenantId);
      await TenantContext.runAs(actor, [tenantId], () => this.health.sweepTenant(tenantId));
    }
  }
}
