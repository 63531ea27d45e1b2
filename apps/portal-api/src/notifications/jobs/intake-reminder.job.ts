import { Injectable, OnModuleInit } from '@nestjs/common';
import { TenantContext } from '@portal/tenancy';
import { JobHandler, JobName, JobPayload } from '../../queue/jobs';
import { TaskRegistry } from '../../queue/task-registry';
import { NotificationsService } from '../notifications.service';

/** Half-way to a quick declaration's response target: asks the tenant's admins once for the intake still missing. */
@Injectable()
export class IntakeReminderJob implements JobHandler<JobName.IntakeReminder>, OnModuleInit {
  readonly job = JobName.IntakeReminder;
  constructor(
    private readonly notifications: NotificationsService,
    private readonly registry: TaskRegistry,
  ) {}
  onModuleInit(): void {
    this.registry.registerJob(this);
  }
  async handle(payload: JobPayload<JobName.IntakeReminder>): Promise<void> {
    const actor = { kind: 'system' as const, id: 'intake-reminder', label: 'Intake reminder', role: 'system', homeTenantId: payload.tenantId };
    await TenantContext.runAs(actor, [payload.tenantId], () => this.notifications.chaseIntake(payload));
  }
}
