import { Injectable } from '@nestjs/common';
import { systemActor, TenantContext } from '@portal/tenancy';
import type { EventSubscriber, SubscribedEvent } from '../../events/subscriptions';
import { TaskHandler } from '../../queue/task-handler';
import { NotificationsService } from '../notifications.service';

/** An incident or SLA event: decides who is told and records one delivery per channel or endpoint. */
@Injectable()
@TaskHandler()
export class NotificationsSubscriber implements EventSubscriber<'notifications'> {
  readonly subscriber = 'notifications';
  constructor(private readonly notifications: NotificationsService) {}

  async handle(event: SubscribedEvent<'notifications'>): Promise<void> {
    const actor = systemActor('notifications', 'Notifications', event.tenantId);
    await TenantContext.runAs(actor, [event.tenantId], () => this.notifications.plan(event), `event-${event.eventId}`);
  }
}
