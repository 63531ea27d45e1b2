import { Injectable } from '@nestjs/common';
import { systemActor, TenantContext } from '@portal/tenancy';
import { JobHandler, JobName, JobPayload } from '../../queue/jobs';
import { TaskHandler } from '../../queue/task-handler';
import { IncidentsService } from '../incidents.service';

/** At a clock's warning or due instant: warned? breached? Re-enters the job's tenant before touching data. */
@Injectable()
@TaskHandler()
export class SlaCheckJob implements JobHandler<JobName.SlaCheck> {
  readonly job = JobName.SlaCheck;
  constructor(private readonly incidents: IncidentsService) {}
  async handle(payload: JobPayload<JobName.SlaCheck>): Promise<void> {
    const actor = systemActor('sla-check', 'SLA clock', payload.tenantId);
    await TenantContext.runAs(actor, [payload.tenantId], () => this.incidents.checkClocks(payload.incidentId));
  }
}
