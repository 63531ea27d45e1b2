import { Injectable, OnModuleInit } from '@nestjs/common';
import { TenantContext } from '@portal/tenancy';
import type { EventSubscriber, SubscribedEvent } from '../../events/subscriptions';
import { TaskRegistry } from '../../queue/task-registry';
import { IncidentsService } from '../incidents.service';

/** When an incident changes, (re)schedules the warning and breach checks of its running clocks. */
@Injectable()
export class SlaClocksSubscriber implements EventSubscriber<'sla-clocks'>, OnModuleInit {
  readonly subscriber = 'sla-clocks';
  constructor(
    private readonly incidents: IncidentsService,
    private readonly registry: TaskRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.registerSubscriber(this);
  }

  async handle(event: SubscribedEvent<'sla-clocks'>): Promise<void> {
    if (!event.incidentId) return;
    const actor = { kind: 'system' as const, id: 'sla-clocks', label: 'SLA clocks', role: 'system', homeTenantId: event.tenantId };
    await TenantContext.runAs(actor, [event.tenantId], () => this.incidents.scheduleClockChecks(event.incidentId!), `event-${event.eventId}`);
  }
}
