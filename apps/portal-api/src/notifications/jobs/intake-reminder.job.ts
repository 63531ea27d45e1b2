import { Injectable } from '@nestjs/common';
import { systemActor, TenantContext } from '@portal/tenancy';
import { JobHandler, JobName, JobPayload } from '../../queue/jobs';
import { TaskHandler } from '../../queue/task-handler';
import { NotificationsService } from '../notifications.service';

/** Half-way to a quick declaration's response target: asks the tenant's admins once for the intake still missing. */
@Injectable()
@TaskHandler()
export class IntakeReminderJob implements JobHandler<JobName.IntakeReminder> {
  readonly job = JobName.IntakeReminder;
  constructor(private readonly notifications: NotificationsService) {}
  async handle(payload: JobPayload<JobName.IntakeReminder>): Promise<void> {
    const actor = systemActor('intake-reminder', 'Intake reminder', payload.tenantId);
    await TenantContext.runAs(actor, [payload.tenantId], () => this.notifications.chaseIntake(payload));
  }
}
