import { Injectable, OnModuleInit } from '@nestjs/common';
import { TenantContext } from '@portal/tenancy';
import type { EventSubscriber, SubscribedEvent } from '../../events/subscriptions';
import { TaskRegistry } from '../../queue/task-registry';
import { NotificationsService } from '../notifications.service';

/** An incident or SLA event: decides who is told and records one delivery per channel or endpoint. */
@Injectable()
export class NotificationsSubscriber implements EventSubscriber<'notifications'>, OnModuleInit {
  readonly subscriber = 'notifications';
  constructor(
    private readonly notifications: NotificationsService,
    private readonly registry: TaskRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.registerSubscriber(this);
  }

  async handle(event: SubscribedEvent<'notifications'>): Promise<void> {
    const actor = { kind: 'system' as const, id: 'notifications', label: 'Notifications', role: 'system', homeTenantId: event.tenantId };
    await TenantContext.runAs(actor, [event.tenantId], () => this.notifications.plan(event), `event-${event.eventId}`);
  }
}
