import { Injectable, OnModuleInit } from '@nestjs/common';
import { TenantContext } from '@portal/tenancy';
import { JobHandler, JobName, JobPayload } from '../../queue/jobs';
import { TaskRegistry } from '../../queue/task-registry';
import { IncidentsService } from '../incidents.service';

/** At a clock's warning or due instant: warned? breached? Re-enters the job's tenant before touching data. */
@Injectable()
export class SlaCheckJob implements JobHandler<JobName.SlaCheck>, OnModuleInit {
  readonly job = JobName.SlaCheck;
  constructor(
    private readonly incidents: IncidentsService,
    private readonly registry: TaskRegistry,
  ) {}
  onModuleInit(): void {
    this.registry.registerJob(this);
  }
  async handle(payload: JobPayload<JobName.SlaCheck>): Promise<void> {
    const actor = { kind: 'system' as const, id: 'sla-check', label: 'SLA clock', role: 'system', homeTenantId: payload.tenantId };
    await TenantContext.runAs(actor, [payload.tenantId], () => this.incidents.checkClocks(payload.incidentId));
  }
}
