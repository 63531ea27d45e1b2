import { Injectable, OnModuleInit } from '@nestjs/common';
import { TenantContext } from '@portal/tenancy';
import { JobHandler, JobName, JobPayload } from '../queue/jobs';
import { TaskRegistry } from '../queue/task-registry';
import { CredentialHealthService } from './credential-health.service';

/** Daily: each subscribed tenant, in its own context, gets its weekly digest when due and each expiry alert once. */
@Injectable()
export class CredentialHealthSweepJob implements JobHandler<JobName.CredentialHealthSweep>, OnModuleInit {
  readonly job = JobName.CredentialHealthSweep;
  readonly repeat = { everyMs: 24 * 60 * 60 * 1000, payload: { tenantId: null } };
  constructor(
    private readonly health: CredentialHealthService,
    private readonly registry: TaskRegistry,
  ) {}
  onModuleInit(): void {
    this.registry.registerJob(this);
  }
  async handle(payload: JobPayload<JobName.CredentialHealthSweep>): Promise<void> {
    const tenants = payload.tenantId ? [payload.tenantId] : await this.health.subscribedTenants();
    for (const tenantId of tenants) {
      const actor = { kind: 'system' as const, id: 'credential-health', label: 'Credential-health digest', role: 'system', homeTenantId: tenantId };
      await TenantContext.runAs(actor, [tenantId], () => this.health.sweepTenant(tenantId));
    }
  }
}
