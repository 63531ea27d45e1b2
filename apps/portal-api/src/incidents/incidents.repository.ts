import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { BusinessCalendar, ClockKind } from '@portal/sla';
import type { IncidentStatus, Plane, ServiceMode, Severity, StatusUpdateState } from '@portal/contracts';
import { sql } from '../database/sql';

export interface ActorRef {
  kind: string;
  id: string;
  label: string;
}

export interface IncidentRecord {
  id: string;
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  /** The tenant's reference key: references read `${tenantKey}-${number}` (e.g. ACME-8). */
  tenantKey: string;
  calendar: BusinessCalendar;
  number: number;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  services: string[];
  regions: string[];
  /** Null only while a quick declaration's intake is missing (intake = 'quick'). */
  impactedUsers: number | null;
  firstNoticedAt: Date | null;
  firstNoticedTimezone: string | null;
  symptoms: string | null;
  recentChanges: { kinds: string[]; details?: string } | null;
  errorCodes: string[];
  reproductionConfirmed: boolean | null;
  intake: 'full' | 'quick';
  impactedUserExamples: string[];
  plane: Plane | null;
  serviceMode: ServiceMode;
  declaredAt: Date;
  declaredBy: ActorRef;
  acknowledgedAt: Date | null;
  acknowledgedBy: ActorRef | null;
  resolvedAt: Date | null;
  resolutionSummary: string | null;
  closedAt: Date | null;
  lastStatusUpdateAt: Date | null;
  slaPauses: { from: string; to: string | null }[];
  /** Append-only (a database trigger refuses anything else): the SLA record of severity changes. */
  severityChanges: SeverityChangeEntry[];
  /** Append-only: earlier resolutions that were reopened (each pauses restoration). */
  resolvedPeriods: { from: string; to: string }[];
  pirDeliveredAt: Date | null;
  /** A Sev 2 PIR waived by a support engineer (the PIR clock ends as not applicable). */
  pirWaivedAt: Date | null;
  intakeRedactions: { field: string; rule: string; count: number }[];
}

export interface SeverityChangeEntry {
  at: string;
  from: Severity;
  to: Severity;
  reason: string;
  by: ActorRef;
}

export interface QuestionRow {
  id: string;
  body: string;
  askedBy: ActorRef;
  askedAt: string;
  outcome: 'answered' | 'withdrawn' | null;
  closedAt: string | null;
  closedBy: ActorRef | null;
}

export interface BreachRow {
  clock: ClockKind;
  dueAt: string;
  detectedAt: string;
  severity: Severity | null;
  owned: boolean;
}

export type NewIncident = Omit<
  IncidentRecord,
  | 'id'
  | 'tenantSlug'
  | 'tenantName'
  | 'tenantKey'
  | 'number'
  | 'acknowledgedAt'
  | 'acknowledgedBy'
  | 'resolvedAt'
  | 'resolutionSummary'
  | 'closedAt'
  | 'lastStatusUpdateAt'
  | 'slaPauses'
  | 'severityChanges'
  | 'resolvedPeriods'
  | 'pirDeliveredAt'
  | 'pirWaivedAt'
>;

export interface IncidentFilter {
  /** The tenants of the context (RLS enforces them anyway): the predicate that leads the (tenant_id, …) indexes. */
  tenantIds?: string[];
  status?: IncidentStatus | 'active';
  severity?: Severity;
  service?: string;
  region?: string;
  tenantSlug?: string;
  /** Words (prefix-matched over title, symptoms, error codes) or a reference (`ACME-8`, `INC-8`, `8`). */
  search?: IncidentSearch;
  /** Resolved incidents whose review may still be owed (the exact state is the SLA computation's). */
  pirOwed?: boolean;
  after?: { declaredAt: string; id: string };
  limit: number;
}

export interface IncidentSearch {
  /** The words as typed: the database turns them into prefix lexemes (`incident_search_query`). */
  terms: string | null;
  /** The reference the text reads as, if any: a number and an optional tenant key (`INC` matches any tenant). */
  reference: { key: string | null; number: number } | null;
}

// The calendar is the incident's own (the tenant's as it was at the declaration); the join is for slug and name.
const SELECT = `
  select i.*, t.slug as tenant_slug, t.display_name as tenant_name, t.reference_key as tenant_key
  from incidents i join tenants t on t.id = i.tenant_id`;

function toRecord(r: Record<string, any>): IncidentRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    tenantSlug: r.tenant_slug,
    tenantName: r.tenant_name,
    tenantKey: r.tenant_key,
    calendar: r.calendar,
    number: r.number,
    title: r.title,
    severity: r.severity,
    status: r.status,
    services: r.services,
    regions: r.regions,
    impactedUsers: r.impacted_users,
    firstNoticedAt: r.first_noticed_at,
    firstNoticedTimezone: r.first_noticed_tz,
    symptoms: r.symptoms,
    recentChanges: r.recent_changes,
    errorCodes: r.error_codes,
    reproductionConfirmed: r.reproduction_confirmed,
    impactedUserExamples: r.impacted_user_examples,
    plane: r.plane,
    serviceMode: r.service_mode,
    declaredAt: r.declared_at,
    declaredBy: r.declared_by,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    resolvedAt: r.resolved_at,
    resolutionSummary: r.resolution_summary,
    closedAt: r.closed_at,
    lastStatusUpdateAt: r.last_status_update_at,
    slaPauses: r.sla_pauses,
    severityChanges: r.severity_changes,
    resolvedPeriods: r.resolved_periods,
    pirDeliveredAt: r.pir_delivered_at,
    pirWaivedAt: r.pir_waived_at ?? null,
    intakeRedactions: r.intake_redactions,
    intake: r.intake ?? 'full',
  };
}

/** Every incident query. Row-level security decides which tenants are visible; filters only narrow. */
@Injectable()
export class IncidentsRepository {
  async nextNumber(em: EntityManager, tenantId: string): Promise<number> {
    const rows = await sql<{ incident_seq: number }>(
      em,
      `insert into tenant_counters (tenant_id, incident_seq) values ($1, 1)
       on conflict (tenant_id) do update set incident_seq = tenant_counters.incident_seq + 1
       returning incident_seq`,
      [tenantId],
    );
    return rows[0].incident_seq;
  }

  /** The incident a key created, with the fingerprint of the request that created it. */
  async findByIdempotencyKey(em: EntityManager, tenantId: string, key: string): Promise<{ incident: IncidentRecord; fingerprint: string | null } | null> {
    const rows = await sql(em, `${SELECT} where i.tenant_id = $1 and i.idempotency_key = $2`, [tenantId, key]);
    if (!rows[0]) return null;
    const [fp] = await sql<{ f: string | null }>(em, `select idempotency_fingerprint as f from incidents where id = $1`, [rows[0].id]);
    return { incident: toRecord(rows[0]), fingerprint: fp?.f ?? null };
  }

  async insert(em: EntityManager, n: NewIncident, number: number, idempotency: { key: string; fingerprint: string } | null = null): Promise<string> {
    const rows = await sql<{ id: string }>(
      em,
      `insert into incidents (tenant_id, number, title, severity, status, services, regions, impacted_users, first_noticed_at, first_noticed_tz,
         symptoms, recent_changes, error_codes, reproduction_confirmed, impacted_user_examples, plane, service_mode, declared_at, declared_by, intake_redactions, idempotency_key,
         calendar, idempotency_fingerprint, intake)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24) returning id`,
      [
        n.tenantId,
        number,
        n.title,
        n.severity,
        n.status,
        n.services,
        n.regions,
        n.impactedUsers,
        n.firstNoticedAt,
        n.firstNoticedTimezone,
        n.symptoms,
        n.recentChanges === null ? null : JSON.stringify(n.recentChanges),
        n.errorCodes,
        n.reproductionConfirmed,
        n.impactedUserExamples,
        n.plane,
        n.serviceMode,
        n.declaredAt,
        JSON.stringify(n.declaredBy),
        JSON.stringify(n.intakeRedactions),
        idempotency?.key ?? null,
        JSON.stringify(n.calendar),
        idempotency?.fingerprint ?? null,
        n.intake,
      ],
    );
    return rows[0].id;
  }

  async findById(em: EntityManager, id: string, opts: { lock?: boolean } = {}): Promise<IncidentRecord | null> {
    const rows = await sql(em, `${SELECT} where i.id = $1${opts.lock ? ' for update of i' : ''}`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(em: EntityManager, f: IncidentFilter): Promise<IncidentRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (f.tenantIds && f.tenantIds.length === 1) where.push(`i.tenant_id = ${p(f.tenantIds[0])}::uuid`);
    else if (f.tenantIds) where.push(`i.tenant_id = any(${p(f.tenantIds)}::uuid[])`);
    if (f.status === 'active') where.push(`i.status not in ('resolved','closed')`);
    else if (f.status) where.push(`i.status = ${p(f.status)}`);
    if (f.severity) where.push(`i.severity = ${p(f.severity)}`);
    if (f.service) where.push(`${p(f.service)} = any(i.services)`);
    if (f.region) where.push(`${p(f.region)} = any(i.regions)`);
    if (f.tenantSlug) where.push(`i.tenant_id = (select id from tenants where slug = ${p(f.tenantSlug)})`);
    if (f.search) {
      const any: string[] = [];
      if (f.search.terms) any.push(`i.search @@ incident_search_query(${p(f.search.terms)})`);
      const r = f.search.reference;
      if (r) {
        any.push(
          `(i.number = ${p(r.number)}${r.key && r.key !== 'INC' ? ` and i.tenant_id in (select id from tenants where reference_key = ${p(r.key)})` : ''})`,
        );
      }
      where.push(any.length ? `(${any.join(' or ')})` : 'false');
    }
    if (f.pirOwed) {
      where.push(`i.resolved_at is not null and (i.pir_delivered_at is null or i.pir_delivered_at < i.resolved_at)`);
      where.push(`(i.pir_waived_at is null or i.pir_waived_at < i.resolved_at)`);
    }
    if (f.after) where.push(`(i.declared_at, i.id) < (${p(f.after.declaredAt)}::timestamptz, ${p(f.after.id)}::uuid)`);
    // The page of incidents first, in the keyset order of the list indexes, then its tenants: joined first, the
    // planner drove the vendor-wide list from every tenant (213 ms at 200 tenants) instead of reading 25 index rows.
    const rows = await sql(
      em,
      `select i.*, t.slug as tenant_slug, t.display_name as tenant_name, t.reference_key as tenant_key
       from (select * from incidents i ${where.length ? 'where ' + where.join(' and ') : ''}
             order by i.declared_at desc, i.id desc limit ${p(f.limit)}) i
       join tenants t on t.id = i.tenant_id
       order by i.declared_at desc, i.id desc`,
      params,
    );
    return rows.map(toRecord);
  }

  async update(
    em: EntityManager,
    id: string,
    patch: Partial<{
      severity: Severity;
      status: IncidentStatus;
      impactedUsers: number;
      acknowledgedAt: Date;
      acknowledgedBy: ActorRef;
      resolvedAt: Date | null;
      resolutionSummary: string | null;
      closedAt: Date;
      lastStatusUpdateAt: Date;
      slaPauses: { from: string; to: string | null }[];
      severityChanges: SeverityChangeEntry[];
      resolvedPeriods: { from: string; to: string }[];
      pirDeliveredAt: Date;
      pirWaivedAt: Date;
    }>,
  ): Promise<void> {
    const cols: Record<string, [string, (v: any) => unknown]> = {
      severity: ['severity', (v) => v],
      status: ['status', (v) => v],
      impactedUsers: ['impacted_users', (v) => v],
      acknowledgedAt: ['acknowledged_at', (v) => v],
      acknowledgedBy: ['acknowledged_by', (v) => JSON.stringify(v)],
      resolvedAt: ['resolved_at', (v) => v],
      resolutionSummary: ['resolution_summary', (v) => v],
      closedAt: ['closed_at', (v) => v],
      lastStatusUpdateAt: ['last_status_update_at', (v) => v],
      slaPauses: ['sla_pauses', (v) => JSON.stringify(v)],
      severityChanges: ['severity_changes', (v) => JSON.stringify(v)],
      resolvedPeriods: ['resolved_periods', (v) => JSON.stringify(v)],
      pirDeliveredAt: ['pir_delivered_at', (v) => v],
      pirWaivedAt: ['pir_waived_at', (v) => v],
    };
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue; // null is a value: it clears the column
      const [col, conv] = cols[k];
      params.push(conv(v));
      sets.push(`${col} = $${params.length}`);
    }
    if (!sets.length) return;
    await sql(em, `update incidents set ${sets.join(', ')}, version = version + 1 where id = $1`, params);
  }

  /** h6-web-outage (issue 18): the rest of a quick declaration's intake, each column only while it is still empty. */
  async completeIntake(
    em: EntityManager,
    id: string,
    p: Partial<{
      symptoms: string;
      impactedUsers: number;
      firstNoticedAt: Date;
      firstNoticedTimezone: string;
      recentChanges: { kinds: string[]; details?: string };
      reproductionConfirmed: boolean;
      errorCodes: string[];
      impactedUserExamples: string[];
    }>,
  ): Promise<void> {
    const cols: [keyof typeof p, string, (v: any) => unknown, boolean][] = [
      ['symptoms', 'symptoms', (v) => v, true],
      ['impactedUsers', 'impacted_users', (v) => v, true],
      ['firstNoticedAt', 'first_noticed_at', (v) => v, true],
      ['firstNoticedTimezone', 'first_noticed_tz', (v) => v, true],
      ['recentChanges', 'recent_changes', (v) => JSON.stringify(v), true],
      ['reproductionConfirmed', 'reproduction_confirmed', (v) => v, true],
      ['errorCodes', 'error_codes', (v) => v, false],
      ['impactedUserExamples', 'impacted_user_examples', (v) => v, false],
    ];
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const [k, col, conv, onlyWhenEmpty] of cols) {
      if (p[k] === undefined) continue;
      params.push(conv(p[k]));
      sets.push(onlyWhenEmpty ? `${col} = coalesce(${col}, $${params.length})` : `${col} = $${params.length}`);
    }
    if (!sets.length) return;
    await sql(em, `update incidents set ${sets.join(', ')}, version = version + 1 where id = $1`, params);
  }

  async addImpactedCount(em: EntityManager, tenantId: string, incidentId: string, count: number, at: Date, by: string): Promise<void> {
    await sql(em, `insert into impacted_user_counts (tenant_id, incident_id, count, recorded_at, recorded_by) values ($1,$2,$3,$4,$5)`, [
      tenantId,
      incidentId,
      count,
      at,
      by,
    ]);
  }
  async addStatusUpdate(em: EntityManager, u: { tenantId: string; incidentId: string; state: StatusUpdateState; body: string; author: ActorRef; at: Date }) {
    const rows = await sql(
      em,
      `insert into status_updates (tenant_id, incident_id, state, body, author_id, author_label, created_at) values ($1,$2,$3,$4,$5,$6,$7) returning id`,
      [u.tenantId, u.incidentId, u.state, u.body, u.author.id, u.author.label, u.at],
    );
    return rows[0].id as string;
  }
  async addCustomerReply(em: EntityManager, u: { tenantId: string; incidentId: string; body: string; author: ActorRef; at: Date; questionId: string | null }) {
    const rows = await sql(
      em,
      `insert into customer_replies (tenant_id, incident_id, body, author_id, author_label, created_at, question_id) values ($1,$2,$3,$4,$5,$6,$7) returning id`,
      [u.tenantId, u.incidentId, u.body, u.author.id, u.author.label, u.at, u.questionId],
    );
    return rows[0].id as string;
  }
  /** What the vendor asked the customer when it started waiting on them. */
  async addQuestion(em: EntityManager, q: { tenantId: string; incidentId: string; body: string; askedBy: ActorRef; at: Date }): Promise<string> {
    const rows = await sql<{ id: string }>(
      em,
      `insert into customer_questions (tenant_id, incident_id, body, asked_by, asked_at) values ($1,$2,$3,$4,$5) returning id`,
      [q.tenantId, q.incidentId, q.body, JSON.stringify(q.askedBy), q.at],
    );
    return rows[0].id;
  }
  /**
   * The incident and its page's lists in one statement (status updates, impacted-user history, replies, questions,
   * breaches, each in its order): one round trip instead of six (issue 17). Null when the incident is not visible.
   */
  async findWithHistory(em: EntityManager, incidentId: string) {
    const [r] = await sql<Record<string, any> & Record<'updates' | 'impacted' | 'replies' | 'questions' | 'breaches', Record<string, any>[]>>(
      em,
      `select i.*, t.slug as tenant_slug, t.display_name as tenant_name, t.reference_key as tenant_key, h.*
       from incidents i join tenants t on t.id = i.tenant_id,
         lateral (select
           (select coalesce(json_agg(x order by x.created_at, x.id), '[]') from
              (select id, state, body, author_label, created_at from status_updates where incident_id = i.id) x) as updates,
           (select coalesce(json_agg(x order by x.recorded_at, x.id), '[]') from
              (select id, count, recorded_at, recorded_by from impacted_user_counts where incident_id = i.id) x) as impacted,
           (select coalesce(json_agg(x order by x.created_at, x.id), '[]') from
              (select id, body, author_label, created_at, question_id from customer_replies where incident_id = i.id) x) as replies,
           (select coalesce(json_agg(x order by x.asked_at, coalesce(x.closed_at, 'infinity'), x.id), '[]') from
              (select id, body, asked_by, asked_at, outcome, closed_at, closed_by from customer_questions where incident_id = i.id) x) as questions,
           (select coalesce(json_agg(x order by x.detected_at, x.due_at, x.clock), '[]') from
              (select clock, due_at, detected_at, severity, owned from sla_breaches where incident_id = i.id) x) as breaches) h
       where i.id = $1`,
      [incidentId],
    );
    if (!r) return null;
    const at = (v: string) => new Date(v).toISOString();
    return {
      incident: toRecord(r),
      statusUpdates: r.updates.map((u) => ({
        id: u.id as string,
        state: u.state as StatusUpdateState,
        body: u.body as string,
        author: u.author_label as string,
        createdAt: at(u.created_at),
      })),
      impactedHistory: r.impacted.map((u) => ({ count: u.count as number, recordedAt: at(u.recorded_at), recordedBy: u.recorded_by as string })),
      customerReplies: r.replies.map((u) => ({
        id: u.id as string,
        body: u.body as string,
        author: u.author_label as string,
        createdAt: at(u.created_at),
        questionId: (u.question_id as string | null) ?? null,
      })),
      questions: r.questions.map((q): QuestionRow => ({
        id: q.id as string,
        body: q.body as string,
        askedBy: q.asked_by as ActorRef,
        askedAt: at(q.asked_at),
        outcome: (q.outcome as QuestionRow['outcome']) ?? null,
        closedAt: q.closed_at ? at(q.closed_at) : null,
        closedBy: (q.closed_by as ActorRef | null) ?? null,
      })),
      breaches: r.breaches.map((b): BreachRow => ({
        clock: b.clock as ClockKind,
        dueAt: at(b.due_at),
        detectedAt: at(b.detected_at),
        severity: b.severity as Severity | null,
        owned: b.owned as boolean,
      })),
    };
  }

  async questions(em: EntityManager, incidentId: string): Promise<QuestionRow[]> {
    const rows = await sql(em, `select * from customer_questions where incident_id = $1 order by asked_at, coalesce(closed_at, 'infinity'), id`, [incidentId]);
    return rows.map((r) => ({
      id: r.id as string,
      body: r.body as string,
      askedBy: r.asked_by as ActorRef,
      askedAt: new Date(r.asked_at).toISOString(),
      outcome: (r.outcome as QuestionRow['outcome']) ?? null,
      closedAt: r.closed_at ? new Date(r.closed_at).toISOString() : null,
      closedBy: (r.closed_by as ActorRef | null) ?? null,
    }));
  }
  /** Closes the incident's open question (answered or withdrawn); returns its id, or null when none was open. */
  async closeOpenQuestion(em: EntityManager, incidentId: string, outcome: 'answered' | 'withdrawn', by: ActorRef, at: Date): Promise<string | null> {
    const rows = await sql<{ id: string }>(
      em,
      `update customer_questions set outcome = $2, closed_by = $3, closed_at = $4 where incident_id = $1 and closed_at is null returning id`,
      [incidentId, outcome, JSON.stringify(by), at],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Records a breach once per (incident, clock, due); returns false when it was already known. The row is
   * the record: append-only (a trigger refuses updates and deletes), whatever the incident does later.
   */
  async recordBreach(
    em: EntityManager,
    b: { tenantId: string; incidentId: string; clock: string; dueAt: Date; at: Date; severity: Severity; owned: boolean },
  ): Promise<boolean> {
    const rows = await sql(
      em,
      `insert into sla_breaches (tenant_id, incident_id, clock, due_at, detected_at, severity, owned) values ($1,$2,$3,$4,$5,$6,$7)
       on conflict (incident_id, clock, due_at) do nothing returning id`,
      [b.tenantId, b.incidentId, b.clock, b.dueAt, b.at, b.severity, b.owned],
    );
    return rows.length > 0;
  }
  /** The breach sweep's instant for this incident (see the scale migration): the earliest clock that can still breach. */
  async setSlaDue(em: EntityManager, id: string, dueAt: Date | null): Promise<void> {
    await sql(em, `update incidents set sla_due_at = $2 where id = $1 and sla_due_at is distinct from $2`, [id, dueAt]);
  }

  /** Incidents with a clock past due at `now` and no breach recorded for it yet (served by incidents_sla_due). */
  async dueForSweep(em: EntityManager, now: Date, limit: number): Promise<{ id: string; tenantId: string }[]> {
    const rows = await sql<{ id: string; tenant_id: string }>(
      em,
      `select id, tenant_id from incidents where sla_due_at is not null and sla_due_at <= $1 order by sla_due_at limit $2`,
      [now, limit],
    );
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id }));
  }

  /** For SLA reports: a tenant's incidents declared in [from, to), oldest first. */
  async declaredBetween(em: EntityManager, tenantId: string, from: Date, to: Date): Promise<IncidentRecord[]> {
    const rows = await sql(em, `${SELECT} where i.tenant_id = $1 and i.declared_at >= $2 and i.declared_at < $3 order by i.declared_at, i.id`, [
      tenantId,
      from,
      to,
    ]);
    return rows.map(toRecord);
  }

  /** For SLA reports: the clocks with an owned breach recorded, per incident. */
  async ownedBreachClocks(em: EntityManager, incidentIds: string[]): Promise<Map<string, ClockKind[]>> {
    const out = new Map<string, ClockKind[]>();
    if (incidentIds.length === 0) return out;
    const rows = await sql<{ incident_id: string; clock: ClockKind }>(
      em,
      `select distinct incident_id, clock from sla_breaches where owned and incident_id = any($1::uuid[]) order by incident_id, clock`,
      [incidentIds],
    );
    for (const r of rows) out.set(r.incident_id, [...(out.get(r.incident_id) ?? []), r.clock]);
    return out;
  }

  async recordWarning(em: EntityManager, tenantId: string, incidentId: string, clock: string, dueAt: Date, at: Date): Promise<boolean> {
    const rows = await sql(
      em,
      `insert into sla_warnings (tenant_id, incident_id, clock, due_at, warned_at) values ($1,$2,$3,$4,$5)
       on conflict (tenant_id, incident_id, clock, due_at) do nothing returning incident_id`,
      [tenantId, incidentId, clock, dueAt, at],
    );
    return rows.length > 0;
  }

  async evidenceTarget(em: EntityManager, incidentId: string, opts: { lock?: boolean } = {}): Promise<EvidenceTarget | null> {
    // FOR SHARE: an upload's row and the incident's closing cannot cross (closing waits, or sees the row).
    const rows = await sql(
      em,
      `select i.id, i.tenant_id, i.number, i.status, i.closed_at, t.reference_key from incidents i join tenants t on t.id = i.tenant_id
       where i.id = $1${opts.lock ? ' for share of i' : ''}`,
      [incidentId],
    );
    const r = rows[0];
    return r
      ? { id: r.id, tenantId: r.tenant_id, number: r.number, reference: `${r.reference_key}-${r.number}`, status: r.status, closedAt: r.closed_at }
      : null;
  }

  async closedBefore(em: EntityManager, closedBefore: Date): Promise<{ id: string; number: number; closedAt: Date }[]> {
    const rows = await sql(em, `select id, number, closed_at from incidents where status = 'closed' and closed_at <= $1 order by closed_at, id`, [
      closedBefore,
    ]);
    return rows.map((r) => ({ id: r.id, number: r.number, closedAt: r.closed_at }));
  }
}

/** The incident as evidence needs it: who owns it and whether it still takes uploads. */
export interface EvidenceTarget {
  id: string;
  tenantId: string;
  number: number;
  /** Tenant-qualified (`ACME-8`). */
  reference: string;
  status: IncidentStatus;
  closedAt: Date | null;
}
