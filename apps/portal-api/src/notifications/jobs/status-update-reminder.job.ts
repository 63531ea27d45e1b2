import { Injectable, OnModuleInit } from '@nestjs/common';
import { TenantContext } from '@portal/tenancy';
import { JobHandler, JobName, JobPayload } from '../../queue/jobs';
import { TaskRegistry } from '../../queue/task-registry';
import { NotificationsService } from '../notifications.service';

/** A few minutes before a status update is due: reminds the engineer once if none was posted. */
@Injectable()
export class StatusUpdateReminderJob implements JobHandler<JobName.StatusUpdateReminder>, OnModuleInit {
  readonly job = JobName.StatusUpdateReminder;
  constructor(
    private readonly notifications: NotificationsService,
    private readonly registry: TaskRegistry,
  ) {}
  onModuleInit(): void {
    this.registry.registerJob(this);
  }
  async handle(payload: JobPayload<JobName.StatusUpdateReminder>): Promise<void> {
    const actor = { kind: 'system' as const, id: 'status-reminder', label: 'Status-update reminder', role: 'system', homeTenantId: payload.tenantId };
    await TenantContext.runAs(actor, [payload.tenantId], () => this.notifications.remindStatusUpdate(payload));
  }
}
