import { Injectable } from '@nestjs/common';
import { systemActor, TenantContext } from '@portal/tenancy';
import { JobHandler, JobName, JobPayload } from '../../queue/jobs';
import { TaskHandler } from '../../queue/task-handler';
import { NotificationsService } from '../notifications.service';

/** A few minutes before a status update is due: reminds the engineer once if none was posted. */
@Injectable()
@TaskHandler()
export class StatusUpdateReminderJob implements JobHandler<JobName.StatusUpdateReminder> {
  readonly job = JobName.StatusUpdateReminder;
  constructor(private readonly notifications: NotificationsService) {}
  async handle(payload: JobPayload<JobName.StatusUpdateReminder>): Promise<void> {
    const actor = systemActor('status-reminder', 'Status-update reminder', payload.tenantId);
    await TenantContext.runAs(actor, [payload.tenantId], () => this.notifications.remindStatusUpdate(payload));
  }
}
