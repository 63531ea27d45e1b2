import { Injectable } from '@nestjs/common';
import { systemActor, TenantContext } from '@portal/tenancy';
import { JobHandler, JobName, JobPayload } from '../../queue/jobs';
import { TaskHandler } from '../../queue/task-handler';
import { NotificationsService } from '../notifications.service';

/** One attempt of one delivery, in the delivery's tenant. A failed attempt schedules the next as a new job. */
@Injectable()
@TaskHandler()
export class NotificationDeliverJob implements JobHandler<JobName.NotificationDeliver> {
  readonly job = JobName.NotificationDeliver;
  constructor(private readonly notifications: NotificationsService) {}
  async handle(payload: JobPayload<JobName.NotificationDeliver>): Promise<void> {
    const actor = systemActor('notifications', 'Notifications', payload.tenantId);
    await TenantContext.runAs(actor, [payload.tenantId], () => this.notifications.deliver(payload.deliveryId), `delivery-${payload.deliveryId}`);
  }
}
