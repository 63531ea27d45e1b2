import { Injectable } from '@nestjs/common';
import { systemActor, TenantContext } from '@portal/tenancy';
import type { EventSubscriber, SubscribedEvent } from '../../events/subscriptions';
import { TaskHandler } from '../../queue/task-handler';
import { IncidentsService } from '../incidents.service';

/** When an incident changes, (re)schedules the warning and breach checks of its running clocks. */
@Injectable()
@TaskHandler()
export class SlaClocksSubscriber implements EventSubscriber<'sla-clocks'> {
  readonly subscriber = 'sla-clocks';
  constructor(private readonly incidents: IncidentsService) {}

  async handle(event: SubscribedEvent<'sla-clocks'>): Promise<void> {
    if (!event.incidentId) return;
    const actor = systemActor('sla-clocks', 'SLA clocks', event.tenantId);
    await TenantContext.runAs(actor, [event.tenantId], () => this.incidents.scheduleClockChecks(event.incidentId!), `event-${event.eventId}`);
  }
}
