import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sql } from '../database/sql';
import { TenantContext } from '@portal/tenancy';
import type { DomainEventType } from '@portal/contracts';

export interface GovernanceEventInput {
  tenantId: string | null;
  action: DomainEventType;
  subjectType: string;
  subjectId?: string | null;
  incidentId?: string | null;
  details?: Record<string, unknown>;
  /** Overrides the context actor (sign-in failures have no actor yet). */
  actor?: { kind: string; id: string; label: string };
}

export interface GovernanceEvent {
  id: string;
  tenantId: string | null;
  occurredAt: string;
  actor: { kind: string; id: string; label: string };
  action: string;
  subjectType: string;
  subjectId: string | null;
  incidentId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

/** The append-only audit trail: every state change and every read of sensitive material. */
@Injectable()
export class GovernanceService {
  /**
   * Written in the caller's transaction, so the event exists if and only if the change does. Called by
   * DomainEvents.emit only: a change is announced once, as a typed event.
   */
  async record(em: EntityManager, e: GovernanceEventInput): Promise<{ id: string; actor: { kind: string; id: string; label: string } }> {
    const store = TenantContext.maybeStore();
    const actor =
      e.actor ?? (store?.actor ? { kind: store.actor.kind, id: store.actor.id, label: store.actor.label } : { kind: 'system', id: 'system', label: 'system' });
    // The id first: RETURNING would need a read policy the writer may not have (a sign-in outside any tenant).
    const [{ id }] = await sql<{ id: string }>(em, `select nextval('governance_events_id_seq')::text as id`);
    await sql(
      em,
      `insert into governance_events (id, tenant_id, actor_kind, actor_id, actor_label, action, subject_type, subject_id, incident_id, ip, user_agent, request_id, details)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
      [
        id,
        e.tenantId,
        actor.kind,
        actor.id,
        actor.label,
        e.action,
        e.subjectType,
        e.subjectId ?? null,
        e.incidentId ?? null,
        store?.ip ?? null,
        store?.userAgent ?? null,
        store?.requestId ?? null,
        JSON.stringify(e.details ?? {}),
      ],
    );
    return { id, actor };
  }

  async forIncident(em: EntityManager, incidentId: string): Promise<GovernanceEvent[]> {
    const rows = await sql(em, `select * from governance_events where incident_id = $1 order by occurred_at, id`, [incidentId]);
    return rows.map(toEvent);
  }

  async forTenant(em: EntityManager, tenantId: string, limit = 200): Promise<GovernanceEvent[]> {
    const rows = await sql(em, `select * from governance_events where tenant_id = $1 order by occurred_at desc, id desc limit $2`, [tenantId, limit]);
    return rows.map(toEvent);
  }
}

function toEvent(r: Record<string, any>): GovernanceEvent {
  return {
    id: String(r.id),
    tenantId: r.tenant_id,
    occurredAt: new Date(r.occurred_at).toISOString(),
    actor: { kind: r.actor_kind, id: r.actor_id, label: r.actor_label },
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    incidentId: r.incident_id,
    ip: r.ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
    details: r.details ?? {},
  };
}
