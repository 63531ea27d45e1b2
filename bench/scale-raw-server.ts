/**
 * The raw baseline of the scale bench (issue 17): bare `node:http` + `pg`, running the portal's list, detail and
 * declare SQL and answering the same JSON (the SLA block and clock history from libs/sla), without the framework,
 * the session, the tenant transaction or row-level security. It connects as the owner (RLS does not apply) and
 * carries the tenant as an explicit predicate instead.
 *
 *   RAW_DATABASE_URL=postgres://… RAW_PORT=0 node dist/bench/scale-raw-server.js     → prints "READY <port>"
 *
 * The caller names its scope in `x-bench-scope`: `tenant:<uuid>` (one tenant; declarations go there),
 * `csm:<staff uuid>` (that CSM's assigned tenants, read once), or `all` (no tenant predicate).
 * Routes: GET /api/v1/incidents (status, limit), GET /api/v1/incidents/:id, POST /api/v1/incidents.
 * Not a product: no validation beyond what keeps the bench honest, no authentication.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { Pool, type PoolClient } from 'pg';
import { DEFERRABLE_INTAKE_FIELDS } from '@portal/contracts';
import {
  businessDaysUntil,
  clockHistory,
  computeSla,
  type SlaClock,
  type BusinessCalendar,
  type IncidentPlane,
  type IncidentStatus,
  type ServiceMode,
  type Severity,
  type SlaInput,
} from '@portal/sla';
import { encodeCursor } from '../apps/portal-api/src/incidents/list-cursor';

const pool = new Pool({ connectionString: process.env.RAW_DATABASE_URL, max: Number(process.env.RAW_POOL_SIZE ?? 10) });
const SELECT = `select i.*, t.slug as tenant_slug, t.display_name as tenant_name, t.reference_key as tenant_key from incidents i join tenants t on t.id = i.tenant_id`;
const csmScopes = new Map<string, Promise<string[]>>();
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

type Scope = { kind: 'all' } | { kind: 'tenants'; ids: string[] };

/** An incidents row joined with its tenant's slug and name, as the portal's repository selects it. */
interface IncidentRow {
  id: string;
  tenant_id: string;
  tenant_slug: string;
  tenant_name: string;
  tenant_key: string;
  number: number;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  services: string[];
  regions: string[];
  impacted_users: number;
  first_noticed_at: Date;
  first_noticed_tz: string;
  symptoms: string;
  recent_changes: unknown;
  error_codes: string[];
  reproduction_confirmed: boolean;
  impacted_user_examples: string[];
  plane: IncidentPlane | null;
  service_mode: ServiceMode;
  declared_at: Date;
  declared_by: unknown;
  acknowledged_at: Date | null;
  acknowledged_by: unknown;
  resolved_at: Date | null;
  resolution_summary: string | null;
  closed_at: Date | null;
  last_status_update_at: Date | null;
  sla_pauses: { from: string; to: string | null }[];
  pir_delivered_at: Date | null;
  pir_waived_at: Date | null;
  intake_redactions: unknown;
  intake: unknown;
  calendar: BusinessCalendar;
  severity_changes: { at: string; from: Severity; to: Severity; reason: string; by: unknown }[];
  resolved_periods: { from: string; to: string }[];
}

interface DeclareBody {
  title: string;
  severity: Severity;
  services: string[];
  regions: string[];
  impactedUsers: number;
  firstNoticedAt: string;
  firstNoticedTimezone: string;
  symptoms: string;
  recentChanges: unknown;
  errorCodes?: string[];
  reproductionConfirmed: boolean;
  impactedUserExamples?: string[];
  plane?: IncidentPlane;
}

async function scopeOf(req: IncomingMessage): Promise<Scope | null> {
  const h = String(req.headers['x-bench-scope'] ?? '');
  if (h === 'all') return { kind: 'all' };
  if (h.startsWith('tenant:')) return { kind: 'tenants', ids: [h.slice(7)] };
  if (h.startsWith('csm:')) {
    const staffId = h.slice(4);
    if (!csmScopes.has(staffId))
      csmScopes.set(
        staffId,
        pool.query<{ tenant_id: string }>('select tenant_id from csm_assignments where staff_id = $1', [staffId]).then((r) => r.rows.map((x) => x.tenant_id)),
      );
    return { kind: 'tenants', ids: await csmScopes.get(staffId)! };
  }
  return null;
}

function slaInput(r: IncidentRow): SlaInput {
  return {
    mode: r.service_mode,
    severity: r.severity,
    plane: r.plane,
    status: r.status,
    declaredAt: new Date(r.declared_at),
    acknowledgedAt: r.acknowledged_at ? new Date(r.acknowledged_at) : null,
    resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
    pauses: r.sla_pauses.map((p) => ({ from: new Date(p.from), to: p.to ? new Date(p.to) : null })),
    lastStatusUpdateAt: r.last_status_update_at ? new Date(r.last_status_update_at) : null,
    pirDeliveredAt: r.pir_delivered_at ? new Date(r.pir_delivered_at) : null,
    pirWaivedAt: r.pir_waived_at ? new Date(r.pir_waived_at) : null,
    calendar: r.calendar,
    severityChanges: r.severity_changes.map((c) => ({ at: new Date(c.at), from: c.from, to: c.to })),
    resolvedPeriods: r.resolved_periods.map((p) => ({ from: new Date(p.from), to: new Date(p.to) })),
  };
}

/** The incidents column of each intake field a quick declaration may leave for later. */
const COLUMN_OF = {
  symptoms: 'symptoms',
  impactedUsers: 'impacted_users',
  firstNoticedAt: 'first_noticed_at',
  recentChanges: 'recent_changes',
  reproductionConfirmed: 'reproduction_confirmed',
} as const satisfies Record<(typeof DEFERRABLE_INTAKE_FIELDS)[number], keyof IncidentRow>;

/** The PIR's due state, as the portal's incident view gives it (waived, delivered, none, overdue, due). */
function pirDue(clock: SlaClock, r: IncidentRow, now: Date) {
  if (r.pir_waived_at && clock.state === 'not_applicable' && clock.stoppedAt) return { state: 'waived', dueAt: null, businessDaysLeft: null };
  if (clock.stoppedAt && (clock.state === 'met' || clock.state === 'breached')) return { state: 'delivered', dueAt: clock.dueAt, businessDaysLeft: null };
  if (!clock.dueAt || (clock.state !== 'running' && clock.state !== 'breached')) return { state: 'none', dueAt: null, businessDaysLeft: null };
  const due = new Date(clock.dueAt);
  if (clock.state === 'breached' || due.getTime() <= now.getTime()) return { state: 'overdue', dueAt: clock.dueAt, businessDaysLeft: 0 };
  return { state: 'due', dueAt: clock.dueAt, businessDaysLeft: businessDaysUntil(now, due, r.calendar) };
}

function view(r: IncidentRow, now: Date) {
  const sla = computeSla(slaInput(r), now);
  return {
    id: r.id,
    reference: `${r.tenant_key}-${r.number}`,
    number: r.number,
    tenant: { id: r.tenant_id, slug: r.tenant_slug, displayName: r.tenant_name },
    title: r.title,
    severity: r.severity,
    status: r.status,
    services: r.services,
    regions: r.regions,
    impactedUsers: r.impacted_users,
    firstNoticedAt: iso(r.first_noticed_at),
    firstNoticedTimezone: r.first_noticed_tz,
    symptoms: r.symptoms,
    recentChanges: r.recent_changes,
    errorCodes: r.error_codes,
    reproductionConfirmed: r.reproduction_confirmed,
    impactedUserExamples: r.impacted_user_examples,
    plane: r.plane,
    serviceMode: r.service_mode,
    declaredAt: iso(r.declared_at),
    declaredBy: r.declared_by,
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    resolvedAt: iso(r.resolved_at),
    resolutionSummary: r.resolution_summary,
    closedAt: iso(r.closed_at),
    lastStatusUpdateAt: iso(r.last_status_update_at),
    intakeRedactions: r.intake_redactions,
    intake: r.intake,
    missingIntakeFields: DEFERRABLE_INTAKE_FIELDS.filter((k) => r[COLUMN_OF[k]] === null || r[COLUMN_OF[k]] === undefined),
    sla,
    pir: pirDue(sla.clocks.pirDue, r, now),
  };
}

function tenantPredicate(scope: Scope, params: unknown[]): string | null {
  if (scope.kind === 'all') return null;
  if (scope.ids.length === 1) {
    params.push(scope.ids[0]);
    return `i.tenant_id = $${params.length}`;
  }
  params.push(scope.ids);
  return `i.tenant_id = any($${params.length}::uuid[])`;
}

async function list(scope: Scope, q: URLSearchParams) {
  const limit = Math.min(100, Math.max(1, Number(q.get('limit') ?? 25)));
  const params: unknown[] = [];
  const where: string[] = [];
  const t = tenantPredicate(scope, params);
  if (t) where.push(t);
  const status = q.get('status');
  if (status === 'active') where.push(`i.status not in ('resolved','closed')`);
  else if (status) {
    params.push(status);
    where.push(`i.status = $${params.length}`);
  }
  params.push(limit + 1);
  const { rows } = await pool.query<IncidentRow>(
    `select i.*, t.slug as tenant_slug, t.display_name as tenant_name, t.reference_key as tenant_key
       from (select * from incidents i ${where.length ? 'where ' + where.join(' and ') : ''}
             order by i.declared_at desc, i.id desc limit $${params.length}) i
       join tenants t on t.id = i.tenant_id order by i.declared_at desc, i.id desc`,
    params,
  );
  const now = new Date();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => view(r, now)),
    nextCursor: rows.length > limit && last ? encodeCursor({ declaredAt: new Date(last.declared_at).toISOString(), id: last.id }) : null,
  };
}

async function detail(scope: Scope, id: string) {
  const c = await pool.connect();
  try {
    const params: unknown[] = [id];
    const t = tenantPredicate(scope, params);
    const { rows } = await c.query<IncidentRow>(`${SELECT} where i.id = $1${t ? ` and ${t}` : ''}`, params);
    const inc = rows[0];
    if (!inc) return null;
    const now = new Date();
    const updates = await c.query<{ id: string; state: string; body: string; author_label: string; created_at: Date }>(
      `select * from status_updates where incident_id = $1 order by created_at, id`,
      [id],
    );
    const impacted = await c.query<{ count: number; recorded_at: Date; recorded_by: string }>(
      `select count, recorded_at, recorded_by from impacted_user_counts where incident_id = $1 order by recorded_at, id`,
      [id],
    );
    const replies = await c.query<{ id: string; body: string; author_label: string; created_at: Date }>(
      `select * from customer_replies where incident_id = $1 order by created_at, id`,
      [id],
    );
    const questions = await c.query<{ id: string; body: string; asked_by: { label: string }; asked_at: Date; outcome: string | null; closed_at: Date | null }>(
      `select * from customer_questions where incident_id = $1 order by asked_at, coalesce(closed_at, 'infinity'), id`,
      [id],
    );
    const breaches = await c.query<{ clock: string; due_at: Date; detected_at: Date; severity: Severity | null; owned: boolean }>(
      `select clock, due_at, detected_at, severity, owned from sla_breaches where incident_id = $1 order by detected_at, due_at, clock`,
      [id],
    );
    return {
      ...view(inc, now),
      statusUpdates: updates.rows.map((r) => ({ id: r.id, state: r.state, body: r.body, author: r.author_label, createdAt: iso(r.created_at) })),
      impactedUserHistory: impacted.rows.map((r) => ({ count: r.count, recordedAt: iso(r.recorded_at), recordedBy: r.recorded_by })),
      customerReplies: replies.rows.map((r) => ({ id: r.id, body: r.body, author: r.author_label, createdAt: iso(r.created_at) })),
      customerQuestions: questions.rows.map((q) => ({
        id: q.id,
        body: q.body,
        askedBy: q.asked_by.label,
        askedAt: iso(q.asked_at),
        state: q.outcome ?? 'open',
        closedAt: iso(q.closed_at),
      })),
      clockHistory: clockHistory(slaInput(inc), now),
      severityChanges: inc.severity_changes.map((c2) => ({ at: c2.at, from: c2.from, to: c2.to, reason: c2.reason, by: c2.by })),
      slaBreaches: breaches.rows.map((b) => ({
        clock: b.clock,
        dueAt: iso(b.due_at),
        detectedAt: iso(b.detected_at),
        severity: b.severity,
        owned: b.owned,
        informational: !b.owned,
      })),
    };
  } finally {
    c.release();
  }
}

/** The declaration's statements, in one transaction: counter, incident, impacted count, governance event, two outbox rows. */
async function declare(tenantId: string, body: DeclareBody) {
  const c: PoolClient = await pool.connect();
  const now = new Date();
  try {
    await c.query('begin');
    const tenant = (await c.query<{ service_mode: ServiceMode; calendar: BusinessCalendar }>('select * from tenants where id = $1', [tenantId])).rows[0];
    if (!tenant) throw new Error('no such tenant');
    const number = (
      await c.query<{ incident_seq: number }>(
        `insert into tenant_counters (tenant_id, incident_seq) values ($1, 1)
         on conflict (tenant_id) do update set incident_seq = tenant_counters.incident_seq + 1 returning incident_seq`,
        [tenantId],
      )
    ).rows[0].incident_seq;
    const declaredBy = { kind: 'user', id: 'raw-bench', label: 'Raw bench' };
    const id = (
      await c.query<{ id: string }>(
        `insert into incidents (tenant_id, number, title, severity, status, services, regions, impacted_users, first_noticed_at, first_noticed_tz,
           symptoms, recent_changes, error_codes, reproduction_confirmed, impacted_user_examples, plane, service_mode, declared_at, declared_by, intake_redactions, idempotency_key,
           calendar, idempotency_fingerprint)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23) returning id`,
        [
          tenantId,
          number,
          body.title,
          body.severity,
          'declared',
          body.services,
          body.regions,
          body.impactedUsers,
          new Date(body.firstNoticedAt),
          body.firstNoticedTimezone,
          body.symptoms,
          JSON.stringify(body.recentChanges),
          body.errorCodes ?? [],
          body.reproductionConfirmed,
          body.impactedUserExamples ?? [],
          body.plane ?? null,
          tenant.service_mode,
          now,
          JSON.stringify(declaredBy),
          '[]',
          null,
          JSON.stringify(tenant.calendar),
          null,
        ],
      )
    ).rows[0].id;
    await c.query(`insert into impacted_user_counts (tenant_id, incident_id, count, recorded_at, recorded_by) values ($1,$2,$3,$4,$5)`, [
      tenantId,
      id,
      body.impactedUsers,
      now,
      declaredBy.label,
    ]);
    const payload = {
      reference: `INC-${number}`,
      severity: body.severity,
      services: body.services,
      regions: body.regions,
      plane: body.plane ?? null,
      redactions: [],
    };
    const eventId = (await c.query<{ id: string }>(`select nextval('governance_events_id_seq')::text as id`)).rows[0].id;
    await c.query(
      `insert into governance_events (id, tenant_id, actor_kind, actor_id, actor_label, action, subject_type, subject_id, incident_id, ip, user_agent, request_id, details)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
      [eventId, tenantId, declaredBy.kind, declaredBy.id, declaredBy.label, 'incident.declared', 'incident', id, id, null, null, null, JSON.stringify(payload)],
    );
    const envelope = { type: 'incident.declared', eventId, tenantId, occurredAt: now.toISOString(), subjectId: id, incidentId: id, actor: declaredBy, payload };
    for (const [subscriber, workload] of [
      ['sla-clocks', 'clocks'],
      ['notifications', 'notifications'],
    ]) {
      // Relayed at once: the baseline has no relay, and its rows must not reach the portal's.
      await c.query(
        `insert into outbox (tenant_id, topic, workload, payload, dedup_key, run_at, available_at, relayed_at) values ($1,$2,$3,$4,$5,$6, now(), now())`,
        [tenantId, `deliver:${subscriber}`, workload, JSON.stringify(envelope), `${subscriber}:${eventId}`, null],
      );
    }
    const inc = (await c.query<IncidentRow>(`${SELECT} where i.id = $1`, [id])).rows[0];
    await c.query('commit');
    return view(inc, now);
  } catch (err) {
    await c.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://raw');
      const scope = await scopeOf(req);
      if (!scope) return send(res, 401, { error: 'unauthenticated', message: 'x-bench-scope is required' });
      if (req.method === 'GET' && url.pathname === '/api/v1/incidents') return send(res, 200, await list(scope, url.searchParams));
      const m = /^\/api\/v1\/incidents\/([0-9a-f-]{36})$/.exec(url.pathname);
      if (req.method === 'GET' && m) {
        const d = await detail(scope, m[1]);
        return d ? send(res, 200, d) : send(res, 404, { error: 'not_found', message: 'no such incident' });
      }
      if (req.method === 'POST' && url.pathname === '/api/v1/incidents' && scope.kind === 'tenants' && scope.ids.length === 1) {
        return send(res, 201, await declare(scope.ids[0], JSON.parse(Buffer.concat(chunks).toString('utf8')) as DeclareBody));
      }
      return send(res, 404, { error: 'not_found', message: 'no such route' });
    })().catch((err: unknown) => send(res, 500, { error: 'internal', message: err instanceof Error ? err.message : String(err) }));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.RAW_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void pool.end().finally(() => process.exit(0));
});
