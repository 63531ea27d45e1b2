import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DOMAIN_EVENTS, DomainEventEnvelope, DomainEventPayloads, DomainEventType } from '@portal/contracts';
import { Clock } from '../common/clock';
import { GovernanceService } from '../governance/governance.service';
import { OutboxService } from '../outbox/outbox.service';
import { subscribersOf } from './subscriptions';

export interface EmitInput<T extends DomainEventType> {
  type: T;
  /** null only for events outside any tenant (a vendor staff sign-in); those have no subscribers. */
  tenantId: string | null;
  subjectId?: string | null;
  /** Overrides the catalogue's subject type (sign-ins: user or staff). */
  subjectType?: string;
  incidentId?: string | null;
  payload: DomainEventPayloads[T];
  /** Overrides the context's actor (jobs, the CLI, refused sign-ins). */
  actor?: { kind: string; id: string; label: string };
}

/**
 * The one way a state change is announced. In the caller's transaction it writes the governance row (the
 * audit trail) and one outbox delivery per subscriber of the event's type, so the change, its record and
 * every reaction to it exist together or not at all.
 */
@Injectable()
export class DomainEvents {
  constructor(
    private readonly governance: GovernanceService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  async emit<T extends DomainEventType>(em: EntityManager, e: EmitInput<T>): Promise<void> {
    const catalogue = DOMAIN_EVENTS[e.type];
    const recorded = await this.governance.record(em, {
      tenantId: e.tenantId,
      action: e.type,
      subjectType: e.subjectType ?? catalogue.subject,
      subjectId: e.subjectId ?? null,
      incidentId: e.incidentId ?? null,
      details: e.payload,
      actor: e.actor,
    });
    if (!e.tenantId) return;
    const subscribers = subscribersOf(e.type);
    if (subscribers.length === 0) return;
    const envelope: DomainEventEnvelope<T> = {
      type: e.type,
      eventId: recorded.id,
      tenantId: e.tenantId,
      occurredAt: this.clock.now().toISOString(),
      subjectId: e.subjectId ?? null,
      incidentId: e.incidentId ?? null,
      actor: recorded.actor,
      payload: e.payload,
    };
    await this.outbox.deliver(em, subscribers, envelope);
  }
}
