import { Injectable, OnModuleInit } from '@nestjs/common';
import { TenantContext } from '@portal/tenancy';
import { JobHandler, JobName, JobPayload } from '../../queue/jobs';
import { TaskRegistry } from '../../queue/task-registry';
import { NotificationsService } from '../notifications.service';

/** One attempt of one delivery, in the delivery's tenant. A failed attempt schedules the next as a new job. */
@Injectable()
export class NotificationDeliverJob implements JobHandler<JobName.NotificationDeliver>, OnModuleInit {
  readonly job = JobName.NotificationDeliver;
  constructor(
    private readonly notifications: NotificationsService,
    private readonly registry: TaskRegistry,
  ) {}
  onModuleInit(): void {
    this.registry.registerJob(this);
  }
  async handle(payload: JobPayload<JobName.NotificationDeliver>): Promise<void> {
    const actor = { kind: 'system' as const, id: 'notifications', label: 'Notifications', role: 'system', homeTenantId: payload.tenantId };
    await TenantContext.runAs(actor, [payload.tenantId], () => this.notifications.deliver(payload.deliveryId), `delivery-${payload.deliveryId}`);
  }
}
