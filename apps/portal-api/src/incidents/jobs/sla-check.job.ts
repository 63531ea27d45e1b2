import { Injectable, OnModuleInit } from '@nestjs/common';
import { TenantContext } from '@portal/tenancy';
import { JobRegistry } from '../../queue/job-registry';
import { JobHandler, JobName, JobPayload } from '../../queue/jobs';
import { IncidentsService } from '../incidents.service';

/** At a clock's due instant: is it breached? Re-enters the job's tenant before touching data. */
@Injectable()
export class SlaCheckJob implements JobHandler<JobName.SlaCheck>, OnModuleInit {
  readonly job = JobName.SlaCheck;
  constructor(private readonly incidents: IncidentsService, private readonly registry: JobRegistry) {}
  onModuleInit(): void {
    this.registry.register(this);
  }
  async handle(payload: JobPayload<JobName.SlaCheck>): Promise<void> {
    const actor = { kind: 'system' as const, id: 'sla-check', label: 'SLA clock', role: 'system', homeTenantId: payload.tenantId };
    await TenantContext.runAs(actor, [payload.tenantId], () => this.incidents.checkBreaches(payload.incidentId));
  }
}
