import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { businessDaysUntil, clockHistory, computeSla, SlaBlock, SlaClock, SlaInput, type SlaReportIncident } from '@portal/sla';
import { redactText } from '@portal/har-sanitizer';
import { DEFERRABLE_INTAKE_FIELDS } from '@portal/contracts';
import type {
  CompleteIntakeInput,
  CustomerReplyInput,
  DeclareIncidentInput,
  DeferrableIntakeField,
  ExportIncidentsQuery,
  QuickDeclareIncidentInput,
  IncidentStatus,
  ListIncidentsQuery,
  ResolveIncidentInput,
  StatusUpdateInput,
  UpdateIncidentInput,
  Incident,
  IncidentPirDue,
  IncidentDetail,
  IncidentPage,
  RecentChangeKind,
  ServiceName,
} from '@portal/contracts';
import { Actor, systemActor, TenantContext } from '@portal/tenancy';
import { Clock } from '../common/clock';
import { Forbidden, IdempotencyKeyReused, IncidentNotFound, InvalidTransition, ValidationFailed } from '../common/domain-errors';
import { Db } from '../database/db.service';
import { sql } from '../database/sql';
import { DomainEvents } from '../events/domain-events.service';
import { GovernanceService } from '../governance/governance.service';
import { OutboxService } from '../outbox/outbox.service';
import { JobName } from '../queue/jobs';
import { TenantDirectory } from '../tenants/tenant-directory.service';
import { ActorRef, EvidenceTarget, IncidentRecord, IncidentSearch, IncidentsRepository, SeverityChangeEntry } from './incidents.repository';
import { csvRow, INCIDENT_CSV_HEADER, incidentCsvRow } from './incident-csv';
import { decodeCursor, encodeCursor } from './list-cursor';

export type { EvidenceTarget };

/** Which status may follow which: the incident life cycle as data. */
const TRANSITIONS: Record<IncidentStatus, IncidentStatus[]> = {
  declared: ['acknowledged', 'investigating', 'identified', 'monitoring', 'waiting_on_customer', 'resolved'],
  acknowledged: ['investigating', 'identified', 'monitoring', 'waiting_on_customer', 'resolved'],
  investigating: ['identified', 'monitoring', 'waiting_on_customer', 'resolved'],
  identified: ['investigating', 'monitoring', 'waiting_on_customer', 'resolved'],
  monitoring: ['investigating', 'identified', 'waiting_on_customer', 'resolved'],
  waiting_on_customer: ['investigating', 'identified', 'monitoring', 'resolved'],
  resolved: ['closed', 'investigating'],
  closed: [],
};

const isActive = (s: IncidentStatus) => s !== 'resolved' && s !== 'closed';
const VENDOR = new Set(['support_engineer', 'csm']);
/** Who records breaches: the clock, whichever request or job notices them. */
const SLA_ACTOR = { kind: 'system', id: 'sla-check', label: 'SLA clock' };
const EXPORT_PAGE = 500;
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

@Injectable()
export class IncidentsService {
  private readonly logger = new Logger('Incidents');
  constructor(
    private readonly db: Db,
    private readonly incidents: IncidentsRepository,
    private readonly tenants: TenantDirectory,
    private readonly governance: GovernanceService,
    private readonly domainEvents: DomainEvents,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  /**
   * Declares an incident. With an Idempotency-Key, a retried declaration (double click, flaky
   * network mid-outage) returns the incident the first one created instead of a duplicate.
   */
  async declare(input: DeclareIncidentInput, idempotencyKey: string | null = null): Promise<Incident & { replayed?: boolean }> {
    return this.declareIntake(input, false, idempotencyKey);
  }

  /**
   * h6-web-outage (issue 18): a Sev 1/Sev 2 declared with title, severity, services, regions (and the plane in
   * Mode C). The schema refuses Sev 3/4; the rest of the intake is required within the response target and the
   * incident lists it as missing until it is given (completeIntake).
   */
  async quickDeclare(input: QuickDeclareIncidentInput, idempotencyKey: string | null = null): Promise<Incident & { replayed?: boolean }> {
    return this.declareIntake(input, true, idempotencyKey);
  }

  private async declareIntake(
    input: DeclareIncidentInput | QuickDeclareIncidentInput,
    quick: boolean,
    idempotencyKey: string | null,
  ): Promise<Incident & { replayed?: boolean }> {
    const full = quick ? null : (input as DeclareIncidentInput);
    const actor = TenantContext.actor();
    if (!actor.homeTenantId) throw new Forbidden('incidents are declared by a tenant user or a tenant API token');
    const tenantId = actor.homeTenantId;
    const now = this.clock.now();
    return this.db.tx(async (em) => {
      const tenant = await this.tenants.findById(em, tenantId);
      if (!tenant) throw new IncidentNotFound();
      if (idempotencyKey) {
        await sql(em, 'select pg_advisory_xact_lock(hashtext($1))', [`${tenantId}:${idempotencyKey}`]);
        const existing = await this.incidents.findByIdempotencyKey(em, tenantId, idempotencyKey);
        if (existing) {
          // The same request again (a double click, a retry mid-outage) gets its incident back; another request
          // with a used key is refused rather than answered with an incident it did not create.
          if (existing.fingerprint !== null && existing.fingerprint !== fingerprint(quick ? { quick, ...input } : input)) {
            throw new IdempotencyKeyReused('this Idempotency-Key was used for a different declaration; use a new key for a new incident', [
              { field: 'idempotency-key', message: 'was already used with a different body' },
            ]);
          }
          return { ...this.view(existing.incident, now), replayed: true };
        }
      }
      const fields: { field: string; message: string }[] = [];
      const known = new Set(tenant.regions.map((r) => r.code));
      input.regions.forEach((r, i) => {
        if (!known.has(r)) fields.push({ field: `regions.${i}`, message: `is not a region of this tenant (${[...known].join(', ')})` });
      });
      if (tenant.serviceMode === 'C' && !input.plane)
        fields.push({ field: 'plane', message: 'is required for Mode C tenants: data plane, control plane or not sure' });
      if (tenant.serviceMode !== 'C' && input.plane) fields.push({ field: 'plane', message: 'only applies to Mode C (BYOC) tenants' });
      if (full && new Date(full.firstNoticedAt).getTime() > now.getTime() + 5 * 60_000)
        fields.push({ field: 'firstNoticedAt', message: 'cannot be in the future' });
      if (fields.length) throw new ValidationFailed(fields);

      // Free text gets the evidence secret scan: a pasted token is redacted before it is stored.
      const redactions: { field: string; rule: string; count: number }[] = [];
      const scrub = (field: string, text: string | undefined) => {
        if (text === undefined) return undefined;
        const r = redactText(text);
        for (const f of r.findings) redactions.push({ field, rule: f.rule, count: f.count });
        return r.text;
      };
      const symptoms = full ? scrub('symptoms', full.symptoms)! : null;
      const details = full ? scrub('recentChanges.details', full.recentChanges.details) : undefined;
      const title = scrub('title', input.title)!;
      const errorCodes = (full?.errorCodes ?? []).map((c, i) => scrub(`errorCodes.${i}`, c)!);

      const number = await this.incidents.nextNumber(em, tenantId);
      const declaredBy = ref(actor);
      const id = await this.incidents.insert(
        em,
        {
          tenantId,
          title,
          severity: input.severity,
          status: 'declared',
          services: input.services,
          regions: input.regions,
          impactedUsers: full?.impactedUsers ?? null,
          firstNoticedAt: full ? new Date(full.firstNoticedAt) : null,
          firstNoticedTimezone: full?.firstNoticedTimezone ?? null,
          symptoms,
          recentChanges: full ? { kinds: full.recentChanges.kinds, ...(details ? { details } : {}) } : null,
          errorCodes,
          reproductionConfirmed: full?.reproductionConfirmed ?? null,
          impactedUserExamples: full?.impactedUserExamples ?? [],
          intake: quick ? 'quick' : 'full',
          plane: input.plane ?? null,
          serviceMode: tenant.serviceMode,
          declaredAt: now,
          declaredBy,
          intakeRedactions: redactions,
          // The calendar in force at the declaration: a later edit of the tenant calendar does not move this incident's clocks.
          calendar: tenant.calendar,
        },
        number,
        idempotencyKey ? { key: idempotencyKey, fingerprint: fingerprint(quick ? { quick, ...input } : input) } : null,
      );
      if (full) await this.incidents.addImpactedCount(em, tenantId, id, full.impactedUsers, now, declaredBy.label);
      const incident = (await this.incidents.findById(em, id))!;
      await this.domainEvents.emit(em, {
        type: 'incident.declared',
        tenantId,
        subjectId: id,
        incidentId: id,
        payload: {
          reference: referenceOf(incident),
          severity: input.severity,
          services: input.services,
          regions: input.regions,
          plane: input.plane ?? null,
          redactions,
          ...(quick ? { quick: true } : {}),
        },
      });
      // The breach sweep's instant, in the declaration's transaction: an incident is never without one.
      await this.incidents.setSlaDue(em, id, nextDue(this.sla(incident, now)));
      return this.view(incident, now);
    });
  }

  async list(q: ListIncidentsQuery): Promise<IncidentPage> {
    const limit = q.limit ?? 25;
    const now = this.clock.now();
    // RLS is the guarantee; the tenant predicate from the context is what lets the planner use the (tenant_id, …) indexes.
    const scope = TenantContext.scope();
    const filter = {
      tenantIds: scope.allTenants ? undefined : scope.tenantIds,
      status: q.status,
      severity: q.severity,
      service: q.service,
      region: q.region,
      tenantSlug: q.tenant,
      search: q.q ? searchFor(q.q) : undefined,
      pirOwed: q.pir !== undefined,
    };
    // The PIR filter narrows in SQL to resolved incidents without a delivered or waived review; whether one is due or
    // overdue is the SLA computation's (the incident's own calendar), so those pages are filled batch by batch.
    const keep = (v: Incident) => !q.pir || (q.pir === 'owed' ? v.pir.state === 'due' || v.pir.state === 'overdue' : v.pir.state === q.pir);
    const items: { row: IncidentRecord; view: Incident }[] = [];
    let after = q.cursor ? decodeCursor(q.cursor) : undefined;
    let more = true;
    await this.db.tx(async (em) => {
      while (items.length <= limit && more) {
        const rows = await this.incidents.list(em, { ...filter, after, limit: limit + 1 });
        more = rows.length === limit + 1;
        for (const row of rows) {
          const view = this.view(row, now);
          if (keep(view)) items.push({ row, view });
        }
        const last = rows[rows.length - 1];
        if (last) after = { declaredAt: new Date(last.declaredAt).toISOString(), id: last.id };
        if (!q.pir) break;
      }
    });
    const page = items.slice(0, limit);
    const last = page[page.length - 1]?.row;
    return {
      items: page.map((i) => i.view),
      nextCursor: items.length > limit && last ? encodeCursor({ declaredAt: new Date(last.declaredAt).toISOString(), id: last.id }) : null,
    };
  }

  /**
   * The list as CSV, with the list's filters, newest first: the header, then one chunk per page of 500 rows read
   * in its own transaction (a long export holds no transaction and no more than a page in memory).
   */
  async *exportCsv(q: ExportIncidentsQuery): AsyncGenerator<string> {
    const scope = TenantContext.scope();
    const filter = {
      tenantIds: scope.allTenants ? undefined : scope.tenantIds,
      status: q.status,
      severity: q.severity,
      service: q.service,
      region: q.region,
      tenantSlug: q.tenant,
      search: q.q ? searchFor(q.q) : undefined,
    };
    let after: { declaredAt: string; id: string } | undefined;
    let chunk = csvRow(INCIDENT_CSV_HEADER);
    for (;;) {
      const rows = await this.db.tx((em) => this.incidents.list(em, { ...filter, after, limit: EXPORT_PAGE }));
      const now = this.clock.now();
      for (const r of rows) chunk += incidentCsvRow(this.view(r, now));
      yield chunk;
      chunk = '';
      const last = rows[rows.length - 1];
      if (rows.length < EXPORT_PAGE || !last) return;
      after = { declaredAt: new Date(last.declaredAt).toISOString(), id: last.id };
    }
  }

  /** The incident without its page's lists and clock history: what a notification, an escalation or a check needs. */
  async summary(id: string): Promise<Incident> {
    const now = this.clock.now();
    return this.db.tx(async (em) => {
      const inc = await this.incidents.findById(em, id);
      if (!inc) throw new IncidentNotFound();
      return this.view(inc, now);
    });
  }

  async get(id: string): Promise<IncidentDetail> {
    const now = this.clock.now();
    return this.db.tx(async (em) => {
      const h = await this.incidents.findWithHistory(em, id);
      if (!h) throw new IncidentNotFound();
      const inc = h.incident;
      return {
        ...this.view(inc, now),
        statusUpdates: h.statusUpdates,
        impactedUserHistory: h.impactedHistory,
        customerReplies: h.customerReplies,
        customerQuestions: h.questions.map((q) => ({
          id: q.id,
          body: q.body,
          askedBy: q.askedBy.label,
          askedAt: q.askedAt,
          state: q.outcome ?? 'open',
          closedAt: q.closedAt,
        })),
        clockHistory: clockHistory(this.slaInput(inc), now),
        severityChanges: inc.severityChanges.map((c) => ({ at: c.at, from: c.from, to: c.to, reason: c.reason, by: c.by })),
        slaBreaches: h.breaches.map((b) => ({ ...b, informational: !b.owned })),
      };
    });
  }

  async events(id: string) {
    return this.db.tx(async (em) => {
      const inc = await this.incidents.findById(em, id);
      if (!inc) throw new IncidentNotFound();
      return { items: await this.governance.forIncident(em, id) };
    });
  }

  async update(id: string, patch: UpdateIncidentInput) {
    const actor = TenantContext.actor();
    const vendor = VENDOR.has(actor.role);
    if (patch.status !== undefined && !vendor) throw new Forbidden('only support engineers change the status; post a reply to answer a question');
    return this.mutate(id, async (em, inc, now) => {
      if (!isActive(inc.status)) throw new InvalidTransition(`${referenceOf(inc)} is ${inc.status}; it can no longer be changed`);
      const on = { tenantId: inc.tenantId, subjectId: id, incidentId: id };
      const reference = referenceOf(inc);
      const reason = patch.reason ? { reason: patch.reason } : {};
      if (patch.status !== undefined && patch.status !== inc.status) this.assertTransition(inc, patch.status);
      if (patch.severity !== undefined && patch.severity !== inc.severity) {
        if (!patch.reason) throw new ValidationFailed([{ field: 'reason', message: 'is required to change the severity' }]);
        // What was decided before the change is recorded now, under the severity in force: it stays.
        await this.recordBreaches(em, inc, now);
        const change: SeverityChangeEntry = { at: now.toISOString(), from: inc.severity, to: patch.severity, reason: patch.reason, by: ref(actor) };
        const changed: IncidentRecord = { ...inc, severity: patch.severity, severityChanges: [...inc.severityChanges, change] };
        await this.incidents.update(em, id, { severity: changed.severity, severityChanges: changed.severityChanges });
        // A clock change is an event with its own start: the clocks that start a new run here.
        const restarted = clockHistory(this.slaInput(changed), now)
          .runs.filter((r) => r.startedBy === 'severity_change' && r.startedAt === change.at)
          .map((r) => r.clock);
        await this.domainEvents.emit(em, {
          type: 'incident.severity_changed',
          ...on,
          payload: { reference, from: inc.severity, to: patch.severity, reason: patch.reason, restarted },
        });
      }
      if (patch.impactedUsers !== undefined && patch.impactedUsers !== inc.impactedUsers) {
        await this.incidents.update(em, id, { impactedUsers: patch.impactedUsers });
        await this.incidents.addImpactedCount(em, inc.tenantId, id, patch.impactedUsers, now, actor.label);
        await this.domainEvents.emit(em, {
          type: 'incident.impact_changed',
          ...on,
          payload: { reference, from: inc.impactedUsers, to: patch.impactedUsers, ...reason },
        });
      }
      if (patch.status !== undefined && patch.status !== inc.status) {
        await this.incidents.update(em, id, { status: patch.status, slaPauses: nextPauses(inc, patch.status, now), ...this.ackIfFirstHuman(inc, actor, now) });
        let question: { questionId?: string } = {};
        if (patch.status === 'waiting_on_customer') {
          // The reason is the question (required by the schema): the customer sees it in the banner and the timeline.
          const body = redactText(patch.reason ?? '').text;
          question = { questionId: await this.incidents.addQuestion(em, { tenantId: inc.tenantId, incidentId: id, body, askedBy: ref(actor), at: now }) };
        } else {
          await this.leaveWaiting(em, inc, actor, now);
        }
        await this.domainEvents.emit(em, {
          type: 'incident.status_changed',
          ...on,
          payload: { reference, from: inc.status, to: patch.status, ...reason, ...question },
        });
      }
    });
  }

  acknowledge(id: string) {
    const actor = TenantContext.actor();
    return this.mutate(id, async (em, inc, now) => {
      if (inc.acknowledgedAt) throw new InvalidTransition(`${referenceOf(inc)} was already acknowledged`);
      if (!isActive(inc.status)) throw new InvalidTransition(`${referenceOf(inc)} is ${inc.status}`);
      await this.incidents.update(em, id, { acknowledgedAt: now, acknowledgedBy: ref(actor), status: inc.status === 'declared' ? 'acknowledged' : inc.status });
      await this.domainEvents.emit(em, {
        type: 'incident.acknowledged',
        tenantId: inc.tenantId,
        subjectId: id,
        incidentId: id,
        payload: { reference: referenceOf(inc), responseMinutes: Math.round((now.getTime() - new Date(inc.declaredAt).getTime()) / 60000) },
      });
    });
  }

  postStatusUpdate(id: string, input: StatusUpdateInput) {
    const actor = TenantContext.actor();
    return this.mutate(id, async (em, inc, now) => {
      if (!isActive(inc.status)) throw new InvalidTransition(`${referenceOf(inc)} is ${inc.status}; reopen it before posting updates`);
      const updateId = await this.incidents.addStatusUpdate(em, {
        tenantId: inc.tenantId,
        incidentId: id,
        state: input.state,
        body: input.body,
        author: ref(actor),
        at: now,
      });
      const status: IncidentStatus = input.state;
      if (status !== inc.status) this.assertTransition(inc, status);
      await this.leaveWaiting(em, inc, actor, now);
      await this.incidents.update(em, id, {
        lastStatusUpdateAt: now,
        status,
        slaPauses: nextPauses(inc, status, now),
        ...(status === 'resolved' ? { resolvedAt: now, resolutionSummary: input.body } : {}),
        ...this.ackIfFirstHuman(inc, actor, now),
      });
      await this.domainEvents.emit(em, {
        type: 'incident.status_updated',
        tenantId: inc.tenantId,
        subjectId: updateId,
        incidentId: id,
        payload: { reference: referenceOf(inc), state: input.state, from: inc.status, statusUpdateId: updateId },
      });
    });
  }

  resolve(id: string, input: ResolveIncidentInput) {
    const actor = TenantContext.actor();
    return this.mutate(id, async (em, inc, now) => {
      if (!isActive(inc.status)) throw new InvalidTransition(`${referenceOf(inc)} is already ${inc.status}`);
      await this.leaveWaiting(em, inc, actor, now);
      await this.incidents.update(em, id, {
        status: 'resolved',
        resolvedAt: now,
        resolutionSummary: input.summary,
        slaPauses: nextPauses(inc, 'resolved', now),
        ...this.ackIfFirstHuman(inc, actor, now),
      });
      await this.domainEvents.emit(em, {
        type: 'incident.resolved',
        tenantId: inc.tenantId,
        subjectId: id,
        incidentId: id,
        payload: { reference: referenceOf(inc), from: inc.status },
      });
    });
  }

  close(id: string) {
    return this.mutate(id, async (em, inc, now) => {
      if (inc.status !== 'resolved') throw new InvalidTransition(`${referenceOf(inc)} is ${inc.status}; only a resolved incident can be closed`);
      await this.incidents.update(em, id, { status: 'closed', closedAt: now });
      await this.domainEvents.emit(em, {
        type: 'incident.closed',
        tenantId: inc.tenantId,
        subjectId: id,
        incidentId: id,
        payload: { reference: referenceOf(inc) },
      });
    });
  }

  /**
   * A resolved incident that is not fixed after all: back to investigating. The resolved period is kept as a
   * pause of restoration, so the clock resumes with the time it had left at the resolution.
   */
  reopen(id: string, reason: string) {
    return this.mutate(id, async (em, inc, now) => {
      if (inc.status !== 'resolved') throw new InvalidTransition(`${referenceOf(inc)} is ${inc.status}; only a resolved incident can be reopened`);
      // A PIR already overdue is recorded before the reopen ends its run.
      await this.recordBreaches(em, inc, now);
      await this.incidents.update(em, id, {
        status: 'investigating',
        resolvedAt: null,
        resolutionSummary: null,
        resolvedPeriods: [...inc.resolvedPeriods, { from: iso(inc.resolvedAt)!, to: now.toISOString() }],
      });
      await this.domainEvents.emit(em, {
        type: 'incident.reopened',
        tenantId: inc.tenantId,
        subjectId: id,
        incidentId: id,
        payload: { reference: referenceOf(inc), reason, previouslyResolvedAt: iso(inc.resolvedAt) },
      });
    });
  }

  /**
   * The customer answers the vendor. A reply answers the vendor's open question (or the one it names, which may be
   * an earlier one: a follow-up); answering while the vendor waits on the customer ends the waiting_on_customer pause,
   * so restoration resumes with the time it had left (seed 000: the clocks measure Claresia, not the customer's answer).
   */
  reply(id: string, input: CustomerReplyInput) {
    const actor = TenantContext.actor();
    return this.mutate(id, async (em, inc, now) => {
      if (!isActive(inc.status)) throw new InvalidTransition(`${referenceOf(inc)} is ${inc.status}`);
      const questions = await this.incidents.questions(em, id);
      const open = questions.find((q) => q.outcome === null) ?? null;
      let questionId: string | null = open?.id ?? null;
      if (input.questionId !== undefined) {
        if (!questions.some((q) => q.id === input.questionId))
          throw new ValidationFailed([{ field: 'questionId', message: 'is not a question on this incident' }]);
        questionId = input.questionId;
      }
      const r = redactText(input.body);
      if (open && questionId === open.id) await this.incidents.closeOpenQuestion(em, id, 'answered', ref(actor), now);
      const replyId = await this.incidents.addCustomerReply(em, {
        tenantId: inc.tenantId,
        incidentId: id,
        body: r.text,
        author: ref(actor),
        at: now,
        questionId,
      });
      if (inc.status === 'waiting_on_customer') {
        await this.incidents.update(em, id, { status: 'investigating', slaPauses: nextPauses(inc, 'investigating', now) });
      }
      await this.domainEvents.emit(em, {
        type: 'incident.customer_replied',
        tenantId: inc.tenantId,
        subjectId: replyId,
        incidentId: id,
        payload: {
          reference: referenceOf(inc),
          replyId,
          resumed: inc.status === 'waiting_on_customer',
          redactions: r.findings,
          ...(questionId ? { questionId } : {}),
        },
      });
    });
  }

  /** The vendor moves on from waiting on the customer without an answer: the open question is withdrawn. */
  private async leaveWaiting(em: EntityManager, inc: IncidentRecord, actor: Actor, now: Date): Promise<void> {
    if (inc.status === 'waiting_on_customer') await this.incidents.closeOpenQuestion(em, inc.id, 'withdrawn', ref(actor), now);
  }

  private async mutate(id: string, work: (em: EntityManager, inc: IncidentRecord, now: Date) => Promise<void>) {
    const now = this.clock.now();
    await this.db.tx(async (em) => {
      const inc = await this.incidents.findById(em, id, { lock: true });
      if (!inc) throw new IncidentNotFound();
      await work(em, inc, now);
    });
    return this.get(id);
  }

  private assertTransition(inc: IncidentRecord, to: IncidentStatus) {
    if (!TRANSITIONS[inc.status].includes(to)) throw new InvalidTransition(`${referenceOf(inc)} cannot go from ${inc.status} to ${to}`);
  }

  /** A human engineer's first action is the initial response (seed: "a human Claresia engineer acknowledges"). */
  private ackIfFirstHuman(inc: IncidentRecord, actor: Actor, now: Date) {
    if (inc.acknowledgedAt || actor.role !== 'support_engineer') return {};
    return { acknowledgedAt: now, acknowledgedBy: ref(actor) };
  }

  /**
   * The `sla-clocks` subscriber's work: a check at each running clock's warning instant and due instant,
   * through the outbox. Idempotent: a check already scheduled for the same instant is one job (dedup key).
   */
  async scheduleClockChecks(incidentId: string): Promise<number> {
    const now = this.clock.now();
    return this.db.tx(async (em) => {
      const inc = await this.incidents.findById(em, incidentId);
      if (!inc) return 0;
      let scheduled = 0;
      const block = this.sla(inc, now);
      await this.incidents.setSlaDue(em, inc.id, nextDue(block));
      for (const clock of Object.values<SlaClock>(block.clocks)) {
        // A clock already past due when this runs (Redis was down, the worker was late) is checked at once.
        if ((clock.state !== 'running' && clock.state !== 'breached') || !clock.dueAt) continue;
        const due = Date.parse(clock.dueAt);
        const warnAt = warningInstant(clock);
        const payload = { tenantId: inc.tenantId, incidentId: inc.id, clock: clock.kind, dueAt: clock.dueAt };
        if (clock.state === 'running' && warnAt !== null && warnAt > now.getTime()) {
          await this.outbox.enqueueJob(em, JobName.SlaCheck, payload, { runAt: new Date(warnAt), dedupKey: `sla:${inc.id}:${clock.kind}:${due}:warn` });
          scheduled++;
        }
        await this.outbox.enqueueJob(em, JobName.SlaCheck, payload, { runAt: new Date(due + 1000), dedupKey: `sla:${inc.id}:${clock.kind}:${due}` });
        scheduled++;
      }
      return scheduled;
    });
  }

  /**
   * The breach sweep (every minute, beside the per-clock jobs): incidents with a clock past due and no breach
   * recorded, checked through the same path as the per-clock job, each in its own tenant. Catches incidents whose
   * jobs were lost or never scheduled. Idempotent: a breach is one row per clock and due instant, announced once.
   */
  async sweepDueClocks(limit = 500): Promise<{ checked: number; breached: number }> {
    const now = this.clock.now();
    const due = await this.db.tx((em) => this.incidents.dueForSweep(em, now, limit));
    let breached = 0;
    for (const d of due) {
      const actor = systemActor('sla-sweep', 'SLA sweep', d.tenantId);
      try {
        const r = await TenantContext.runAs(actor, [d.tenantId], () => this.checkClocks(d.id), `sla-sweep-${d.id}`);
        breached += r.breached.length;
      } catch (err) {
        // One incident that cannot be checked must not stop the sweep for the others; it is tried again next run.
        this.logger.error(
          { incidentId: d.id, tenantId: d.tenantId, err: err instanceof Error ? err.message : String(err) },
          'the sweep could not check an incident',
        );
      }
    }
    return { checked: due.length, breached };
  }

  /**
   * The check job: records each clock that is breached now, and warns once for each running clock inside
   * its warning window. Idempotent under redelivery (one row per clock and due instant).
   */
  async checkClocks(incidentId: string): Promise<{ breached: string[]; warned: string[] }> {
    const now = this.clock.now();
    return this.db.tx(async (em) => {
      const inc = await this.incidents.findById(em, incidentId);
      if (!inc) return { breached: [], warned: [] };
      const breached = await this.recordBreaches(em, inc, now);
      // Every breach due by now is recorded: the sweep next looks at the earliest clock still running.
      await this.incidents.setSlaDue(em, inc.id, nextDue(this.sla(inc, now), 'running'));
      const warned: string[] = [];
      const on = { tenantId: inc.tenantId, subjectId: inc.id, incidentId: inc.id, actor: SLA_ACTOR };
      const reference = referenceOf(inc);
      for (const clock of Object.values<SlaClock>(this.sla(inc, now).clocks)) {
        if (!clock.dueAt) continue;
        const warnAt = warningInstant(clock);
        if (
          clock.state === 'running' &&
          warnAt !== null &&
          now.getTime() >= warnAt &&
          (await this.incidents.recordWarning(em, inc.tenantId, inc.id, clock.kind, new Date(clock.dueAt), now))
        ) {
          warned.push(clock.kind);
          const minutesLeft = Math.max(0, Math.round((Date.parse(clock.dueAt) - now.getTime()) / 60_000));
          await this.domainEvents.emit(em, {
            type: 'sla.warning',
            ...on,
            payload: { reference, clock: clock.kind, dueAt: clock.dueAt, minutesLeft, owned: clock.owned },
          });
        }
      }
      return { breached, warned };
    });
  }

  /**
   * Records each clock breached at `now` once (one row per clock and due instant) and announces it. A breach
   * of a clock the vendor does not own (Mode C data plane) is recorded as informational. Idempotent.
   */
  private async recordBreaches(em: EntityManager, inc: IncidentRecord, now: Date): Promise<string[]> {
    const breached: string[] = [];
    for (const clock of Object.values<SlaClock>(this.sla(inc, now).clocks)) {
      if (clock.state !== 'breached' || !clock.dueAt) continue;
      const b = {
        tenantId: inc.tenantId,
        incidentId: inc.id,
        clock: clock.kind,
        dueAt: new Date(clock.dueAt),
        at: now,
        severity: clock.severity,
        owned: clock.owned,
      };
      if (!(await this.incidents.recordBreach(em, b))) continue;
      breached.push(clock.kind);
      await this.domainEvents.emit(em, {
        type: 'sla.breached',
        tenantId: inc.tenantId,
        subjectId: inc.id,
        incidentId: inc.id,
        actor: SLA_ACTOR,
        payload: {
          reference: referenceOf(inc),
          clock: clock.kind,
          dueAt: clock.dueAt,
          owned: clock.owned,
          informational: !clock.owned,
          severity: clock.severity,
        },
      });
    }
    return breached;
  }

  /**
   * For PIRs, in the PIR's transaction: the review was delivered (published) at `at`, which stops the PIR clock.
   * Only a resolved or closed incident has a PIR clock to stop.
   */
  async recordPirDelivered(em: EntityManager, incidentId: string, at: Date): Promise<void> {
    const inc = await this.incidents.findById(em, incidentId, { lock: true });
    if (!inc) throw new IncidentNotFound();
    if (isActive(inc.status)) throw new InvalidTransition(`${referenceOf(inc)} is ${inc.status}; a PIR is published after the resolution`);
    await this.recordBreaches(em, inc, at);
    await this.incidents.update(em, incidentId, { pirDeliveredAt: at });
  }

  /**
   * For PIRs: a support engineer decided this Sev 2 gets no PIR ("most Sev 2"). A breach already due is recorded
   * first (it stays); the PIR clock then ends as not applicable.
   */
  async recordPirWaived(em: EntityManager, incidentId: string, at: Date): Promise<void> {
    const inc = await this.incidents.findById(em, incidentId, { lock: true });
    if (!inc) throw new IncidentNotFound();
    if (inc.severity !== 'sev2') throw new InvalidTransition(`${referenceOf(inc)} is ${inc.severity}; only a Sev 2 PIR can be waived`);
    if (isActive(inc.status)) throw new InvalidTransition(`${referenceOf(inc)} is ${inc.status}; a PIR is waived after the resolution`);
    await this.recordBreaches(em, inc, at);
    await this.incidents.update(em, incidentId, { pirWaivedAt: at });
  }

  /**
   * For SLA reports: the facts of a tenant's incidents declared in [from, to), as the report function reads them
   * (every clock run, the owned breaches recorded, the PIR clock), in the caller's row-level-security scope.
   */
  async slaReportFacts(tenantId: string, from: Date, to: Date): Promise<SlaReportIncident[]> {
    const now = this.clock.now();
    return this.db.tx(async (em) => {
      const records = await this.incidents.declaredBetween(em, tenantId, from, to);
      const breaches = await this.incidents.ownedBreachClocks(
        em,
        records.map((r) => r.id),
      );
      return records.map((inc) => {
        const pirDue = this.sla(inc, now).clocks.pirDue;
        return {
          reference: referenceOf(inc),
          severity: inc.severity,
          // a quick declaration without its first-noticed time yet: detection counted as at the declaration
          firstNoticedAt: new Date(inc.firstNoticedAt ?? inc.declaredAt),
          declaredAt: new Date(inc.declaredAt),
          acknowledgedAt: inc.acknowledgedAt ? new Date(inc.acknowledgedAt) : null,
          resolvedAt: inc.resolvedAt ? new Date(inc.resolvedAt) : null,
          runs: clockHistory(this.slaInput(inc), now).runs,
          recordedBreaches: breaches.get(inc.id) ?? [],
          pir: {
            dueAt: pirDue.dueAt ? new Date(pirDue.dueAt) : null,
            deliveredAt: inc.pirDeliveredAt ? new Date(inc.pirDeliveredAt) : null,
            waivedAt: inc.pirWaivedAt ? new Date(inc.pirWaivedAt) : null,
          },
        };
      });
    });
  }

  /** For evidence: the incident an attachment belongs to, locked FOR SHARE when asked (uploads vs closing). */
  async evidenceTarget(em: EntityManager, incidentId: string, opts: { lock?: boolean } = {}): Promise<EvidenceTarget | null> {
    return this.incidents.evidenceTarget(em, incidentId, opts);
  }

  /** For retention sweeps: incidents of the current scope closed at or before `closedBefore`. */
  closedBefore(em: EntityManager, closedBefore: Date): Promise<{ id: string; number: number; closedAt: Date }[]> {
    return this.incidents.closedBefore(em, closedBefore);
  }

  sla(inc: IncidentRecord, now: Date): SlaBlock {
    return computeSla(this.slaInput(inc), now);
  }

  /** The incident as the clocks see it: its own calendar (from the declaration), severity changes, resolved periods. */
  private slaInput(inc: IncidentRecord): SlaInput {
    return {
      mode: inc.serviceMode,
      severity: inc.severity,
      plane: inc.plane,
      status: inc.status,
      declaredAt: new Date(inc.declaredAt),
      acknowledgedAt: inc.acknowledgedAt ? new Date(inc.acknowledgedAt) : null,
      resolvedAt: inc.resolvedAt ? new Date(inc.resolvedAt) : null,
      pauses: inc.slaPauses.map((p) => ({ from: new Date(p.from), to: p.to ? new Date(p.to) : null })),
      lastStatusUpdateAt: inc.lastStatusUpdateAt ? new Date(inc.lastStatusUpdateAt) : null,
      pirDeliveredAt: inc.pirDeliveredAt ? new Date(inc.pirDeliveredAt) : null,
      pirWaivedAt: inc.pirWaivedAt ? new Date(inc.pirWaivedAt) : null,
      calendar: inc.calendar,
      severityChanges: inc.severityChanges.map((c) => ({ at: new Date(c.at), from: c.from, to: c.to })),
      resolvedPeriods: inc.resolvedPeriods.map((p) => ({ from: new Date(p.from), to: new Date(p.to) })),
    };
  }

  view(inc: IncidentRecord, now: Date): Incident {
    const sla = this.sla(inc, now);
    return {
      id: inc.id,
      reference: referenceOf(inc),
      number: inc.number,
      tenant: { id: inc.tenantId, slug: inc.tenantSlug, displayName: inc.tenantName },
      title: inc.title,
      severity: inc.severity,
      status: inc.status,
      services: inc.services as ServiceName[],
      regions: inc.regions,
      impactedUsers: inc.impactedUsers,
      firstNoticedAt: iso(inc.firstNoticedAt)!,
      firstNoticedTimezone: inc.firstNoticedTimezone,
      symptoms: inc.symptoms,
      recentChanges: inc.recentChanges as { kinds: RecentChangeKind[]; details?: string },
      errorCodes: inc.errorCodes,
      reproductionConfirmed: inc.reproductionConfirmed,
      impactedUserExamples: inc.impactedUserExamples,
      plane: inc.plane,
      serviceMode: inc.serviceMode,
      declaredAt: iso(inc.declaredAt)!,
      declaredBy: inc.declaredBy,
      acknowledgedAt: iso(inc.acknowledgedAt),
      acknowledgedBy: inc.acknowledgedBy,
      resolvedAt: iso(inc.resolvedAt),
      resolutionSummary: inc.resolutionSummary,
      closedAt: iso(inc.closedAt),
      lastStatusUpdateAt: iso(inc.lastStatusUpdateAt),
      intakeRedactions: inc.intakeRedactions,
      intake: inc.intake,
      missingIntakeFields: missingIntake(inc),
      sla,
      pir: pirDueOf(sla.clocks.pirDue, inc, now),
    };
  }

  /**
   * h6-web-outage (issue 18): the rest of a quick declaration's intake, by the tenant's admin (or a support
   * engineer on their behalf). Only missing fields are taken (a given one is refused: 400 naming it); free text
   * gets the same secret scan as at the declaration; the audit trail records which fields came and what is left.
   */
  async completeIntake(id: string, input: CompleteIntakeInput): Promise<IncidentDetail> {
    return this.mutate(id, async (em, inc, now) => {
      if (!isActive(inc.status)) throw new InvalidTransition(`${referenceOf(inc)} is ${inc.status}; its intake can no longer be changed`);
      const missing = new Set(missingIntake(inc));
      const given = DEFERRABLE_INTAKE_FIELDS.filter((k) => input[k] !== undefined);
      const fields = given.filter((k) => !missing.has(k)).map((k) => ({ field: k, message: 'is already recorded for this incident' }));
      if (input.firstNoticedAt && new Date(input.firstNoticedAt).getTime() > now.getTime() + 5 * 60_000)
        fields.push({ field: 'firstNoticedAt', message: 'cannot be in the future' });
      if (fields.length) throw new ValidationFailed(fields);
      const redactions: { field: string; rule: string; count: number }[] = [];
      const scrub = (field: string, text: string) => {
        const r = redactText(text);
        for (const f of r.findings) redactions.push({ field, rule: f.rule, count: f.count });
        return r.text;
      };
      const details = input.recentChanges?.details !== undefined ? scrub('recentChanges.details', input.recentChanges.details) : undefined;
      await this.incidents.completeIntake(em, id, {
        symptoms: input.symptoms !== undefined ? scrub('symptoms', input.symptoms) : undefined,
        impactedUsers: input.impactedUsers,
        firstNoticedAt: input.firstNoticedAt ? new Date(input.firstNoticedAt) : undefined,
        firstNoticedTimezone: input.firstNoticedTimezone,
        recentChanges: input.recentChanges ? { kinds: input.recentChanges.kinds, ...(details ? { details } : {}) } : undefined,
        reproductionConfirmed: input.reproductionConfirmed,
        errorCodes: input.errorCodes?.map((c, i) => scrub(`errorCodes.${i}`, c)),
        impactedUserExamples: input.impactedUserExamples,
      });
      if (input.impactedUsers !== undefined) await this.incidents.addImpactedCount(em, inc.tenantId, id, input.impactedUsers, now, TenantContext.actor().label);
      const left = [...missing].filter((k) => !given.includes(k));
      await this.domainEvents.emit(em, {
        type: 'incident.intake_completed',
        tenantId: inc.tenantId,
        subjectId: id,
        incidentId: id,
        payload: { reference: referenceOf(inc), fields: given, missing: left, redactions },
      });
    });
  }
}

/** h2b-pir-publish: the review an incident owes, from its PIR clock (business days in the incident's own calendar). */
function pirDueOf(clock: SlaClock, inc: IncidentRecord, now: Date): IncidentPirDue {
  if (inc.pirWaivedAt && clock.state === 'not_applicable' && clock.stoppedAt) return { state: 'waived', dueAt: null, businessDaysLeft: null };
  if (clock.stoppedAt && (clock.state === 'met' || clock.state === 'breached')) return { state: 'delivered', dueAt: clock.dueAt, businessDaysLeft: null };
  if (!clock.dueAt || (clock.state !== 'running' && clock.state !== 'breached')) return { state: 'none', dueAt: null, businessDaysLeft: null };
  const due = new Date(clock.dueAt);
  if (clock.state === 'breached' || due.getTime() <= now.getTime()) return { state: 'overdue', dueAt: clock.dueAt, businessDaysLeft: 0 };
  return { state: 'due', dueAt: clock.dueAt, businessDaysLeft: businessDaysUntil(now, due, inc.calendar) };
}

/** A fifth of the clock's span before it is due, at least one minute: when `sla.warning` is announced. */
function warningInstant(clock: SlaClock): number | null {
  if (!clock.dueAt || !clock.startedAt) return null;
  const due = Date.parse(clock.dueAt);
  const span = due - Date.parse(clock.startedAt);
  if (span <= 0) return null;
  return due - Math.max(60_000, Math.round(span / 5));
}

/** A request's identity for Idempotency-Key: SHA-256 of its validated body with keys in a fixed order. */
function fingerprint(input: object): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(input)))
    .digest('hex');
}

/** The tenant-qualified reference (`ACME-8`): unambiguous wherever a person sees more than one tenant. */
export function referenceOf(inc: { tenantKey: string; number: number }): string {
  return `${inc.tenantKey}-${inc.number}`;
}

/** What a quick declaration has not given yet, in the order the incident page asks for it. */
export function missingIntake(
  inc: Pick<IncidentRecord, 'symptoms' | 'impactedUsers' | 'firstNoticedAt' | 'recentChanges' | 'reproductionConfirmed'>,
): DeferrableIntakeField[] {
  return DEFERRABLE_INTAKE_FIELDS.filter((k) => inc[k] === null || inc[k] === undefined);
}

function ref(a: Actor): ActorRef {
  return { kind: a.kind, id: a.id, label: a.label };
}

/**
 * What a search box's text asks for: its words (prefix-matched in the database) and, when the text reads as a
 * reference, that reference. `ACME-8` is tenant ACME's incident 8; `INC-8` and `8` (the references before tenant
 * keys, issue 18) are incident 8 of any tenant the caller may see.
 */
export function searchFor(text: string): IncidentSearch {
  const m = /^(?:([A-Za-z][A-Za-z0-9]{0,11})-)?(\d{1,9})$/.exec(text.trim());
  return { terms: text, reference: m ? { key: m[1] ? m[1].toUpperCase() : null, number: Number(m[2]) } : null };
}

/** waiting_on_customer opens a pause of the restoration clock; leaving it closes the pause. */
function nextPauses(inc: IncidentRecord, to: IncidentStatus, now: Date) {
  const pauses = inc.slaPauses.map((p) => ({ ...p }));
  const open = pauses.find((p) => p.to === null);
  if (to === 'waiting_on_customer' && !open) pauses.push({ from: now.toISOString(), to: null });
  if (to !== 'waiting_on_customer' && open) open.to = now.toISOString();
  return pauses;
}

/**
 * The earliest due instant the breach sweep must look at: of clocks running (or, before the breaches are recorded,
 * already breached). Null when nothing can breach any more.
 */
function nextDue(block: SlaBlock, only: 'running' | 'open' = 'open'): Date | null {
  let earliest: number | null = null;
  for (const clock of Object.values<SlaClock>(block.clocks)) {
    if (!clock.dueAt || !(clock.state === 'running' || (only === 'open' && clock.state === 'breached'))) continue;
    const due = Date.parse(clock.dueAt);
    if (earliest === null || due < earliest) earliest = due;
  }
  return earliest === null ? null : new Date(earliest);
}
