import { Injectable } from '@nestjs/common';
import { systemActor, TenantContext } from '@portal/tenancy';
import { JobHandler, JobName, JobPayload } from '../../queue/jobs';
import { TaskHandler } from '../../queue/task-handler';
import { NotificationsService } from '../notifications.service';

/** At a step of the escalation ladder: escalates once if the incident is still unacknowledged / open. */
@Injectable()
@TaskHandler()
export class EscalationCheckJob implements JobHandler<JobName.EscalationCheck> {
  readonly job = JobName.EscalationCheck;
  constructor(private readonly notifications: NotificationsService) {}
  async handle(payload: JobPayload<JobName.EscalationCheck>): Promise<void> {
    const actor = systemActor('escalation', 'Escalation ladder', payload.tenantId);
    await TenantContext.runAs(actor, [payload.tenantId], () => this.notifications.escalate(payload));
  }
}
