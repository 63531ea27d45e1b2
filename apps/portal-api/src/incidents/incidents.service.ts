import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { businessDaysUntil, clockHistory, computeSla, SlaBlock, SlaClock, SlaInput, type SlaReportIncident } from '@portal/sla';
import { redactText } from '@portal/har-sanitizer';
import type {
  DeclareIncidentInput,
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
import { TenantContext, Actor } from '@portal/tenancy';
import { Clock } from '../common/clock';
import { Forbidden, IdempotencyKeyReused, IncidentNotFound, InvalidTransition, ValidationFailed } from '../common/domain-errors';
import { Db } from '../database/db.service';
import { sql } from '../database/sql';
import { DomainEvents } from '../events/domain-events.service';
import { GovernanceService } from '../governance/governance.service';
import { OutboxService } from '../outbox/outbox.service';
import { JobName } from '../queue/jobs';
import { TenantDirectory } from '../tenants/tenant-directory.service';
import { ActorRef, EvidenceTarget, IncidentRecord, IncidentsRepository, SeverityChangeEntry } from './incidents.repository';
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
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

@Injectable()
export class IncidentsService {
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
          if (existing.fingerprint !== null && existing.fingerprint !== fingerprint(input)) {
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
      if (new Date(input.firstNoticedAt).getTime() > now.getTime() + 5 * 60_000) fields.push({ field: 'firstNoticedAt', message: 'cannot be in the future' });
      if (fields.length) throw new ValidationFailed(fields);

      // Free text gets the evidence secret scan: a pasted token is redacted before it is stored.
      const redactions: { field: string; rule: string; count: number }[] = [];
      const scrub = (field: string, text: string | undefined) => {
        if (text === undefined) return undefined;
        const r = redactText(text);
        for (const f of r.findings) redactions.push({ field, rule: f.rule, count: f.count });
        return r.text;
      };
      const symptoms = scrub('symptoms', input.symptoms)!;
      const details = scrub('recentChanges.details', input.recentChanges.details);
      const title = scrub('title', input.title)!;
      const errorCodes = (input.errorCodes ?? []).map((c, i) => scrub(`errorCodes.${i}`, c)!);

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
          impactedUsers: input.impactedUsers,
          firstNoticedAt: new Date(input.firstNoticedAt),
          firstNoticedTimezone: input.firstNoticedTimezone,
          symptoms,
          recentChanges: { kinds: input.recentChanges.kinds, ...(details ? { details } : {}) },
          errorCodes,
          reproductionConfirmed: input.reproductionConfirmed,
          impactedUserExamples: input.impactedUserExamples ?? [],
          plane: input.plane ?? null,
          serviceMode: tenant.serviceMode,
          declaredAt: now,
          declaredBy,
          intakeRedactions: redactions,
          // The calendar in force at the declaration: a later edit of the tenant calendar does not move this incident's clocks.
          calendar: tenant.calendar,
        },
        number,
        idempotencyKey ? { key: idempotencyKey, fingerprint: fingerprint(input) } : null,
      );
      await this.incidents.addImpactedCount(em, tenantId, id, input.impactedUsers, now, declaredBy.label);
      await this.domainEvents.emit(em, {
        type: 'incident.declared',
        tenantId,
        subjectId: id,
        incidentId: id,
        payload: {
          reference: `INC-${number}`,
          severity: input.severity,
          services: input.services,
          regions: input.regions,
          plane: input.plane ?? null,
          redactions,
        },
      });
      const incident = (await this.incidents.findById(em, id))!;
      return this.view(incident, now);
    });
  }

  async list(q: ListIncidentsQuery): Promise<IncidentPage> {
    const limit = q.limit ?? 25;
    const now = this.clock.now();
    const filter = {
      status: q.status,
      severity: q.severity,
      service: q.service,
      region: q.region,
      tenantSlug: q.tenant,
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

  async get(id: string): Promise<IncidentDetail> {
    const now = this.clock.now();
    return this.db.tx(async (em) => {
      const inc = await this.incidents.findById(em, id);
      if (!inc) throw new IncidentNotFound();
      return {
        ...this.view(inc, now),
        statusUpdates: await this.incidents.statusUpdates(em, id),
        impactedUserHistory: await this.incidents.impactedHistory(em, id),
        customerReplies: await this.incidents.customerReplies(em, id),
        clockHistory: clockHistory(this.slaInput(inc), now),
        severityChanges: inc.severityChanges.map((c) => ({ at: c.at, from: c.from, to: c.to, reason: c.reason, by: c.by })),
        slaBreaches: (await this.incidents.breaches(em, id)).map((b) => ({ ...b, informational: !b.owned })),
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
      if (!isActive(inc.status)) throw new InvalidTransition(`INC-${inc.number} is ${inc.status}; it can no longer be changed`);
      const on = { tenantId: inc.tenantId, subjectId: id, incidentId: id };
      const reference = `INC-${inc.number}`;
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
        await this.domainEvents.emit(em, { type: 'incident.status_changed', ...on, payload: { reference, from: inc.status, to: patch.status, ...reason } });
      }
    });
  }

  acknowledge(id: string) {
    const actor = TenantContext.actor();
    return this.mutate(id, async (em, inc, now) => {
      if (inc.acknowledgedAt) throw new InvalidTransition(`INC-${inc.number} was already acknowledged`);
      if (!isActive(inc.status)) throw new InvalidTransition(`INC-${inc.number} is ${inc.status}`);
      await this.incidents.update(em, id, { acknowledgedAt: now, acknowledgedBy: ref(actor), status: inc.status === 'declared' ? 'acknowledged' : inc.status });
      await this.domainEvents.emit(em, {
        type: 'incident.acknowledged',
        tenantId: inc.tenantId,
        subjectId: id,
        incidentId: id,
        payload: { reference: `INC-${inc.number}`, responseMinutes: Math.round((now.getTime() - new Date(inc.declaredAt).getTime()) / 60000) },
      });
    });
  }

  postStatusUpdate(id: string, input: StatusUpdateInput) {
    const actor = TenantContext.actor();
    return this.mutate(id, async (em, inc, now) => {
      if (!isActive(inc.status)) throw new InvalidTransition(`INC-${inc.number} is ${inc.status}; reopen it before posting updates`);
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
        payload: { reference: `INC-${inc.number}`, state: input.state, from: inc.status, statusUpdateId: updateId },
      });
    });
  }

  resolve(id: string, input: ResolveIncidentInput) {
    const actor = TenantContext.actor();
    return this.mutate(id, async (em, inc, now) => {
      if (!isActive(inc.status)) throw new InvalidTransition(`INC-${inc.number} is already ${inc.status}`);
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
        payload: { reference: `INC-${inc.number}`, from: inc.status },
      });
    });
  }

  close(id: string) {
    return this.mutate(id, async (em, inc, now) => {
      if (inc.status !== 'resolved') throw new InvalidTransition(`INC-${inc.number} is ${inc.status}; only a resolved incident can be closed`);
      await this.incidents.update(em, id, { status: 'closed', closedAt: now });
      await this.domainEvents.emit(em, {
        type: 'incident.closed',
        tenantId: inc.tenantId,
        subjectId: id,
        incidentId: id,
        payload: { reference: `INC-${inc.number}` },
      });
    });
  }

  /**
   * A resolved incident that is not fixed after all: back to investigating. The resolved period is kept as a
   * pause of restoration, so the clock resumes with the time it had left at the resolution.
   */
  reopen(id: string, reason: string) {
    return this.mutate(id, async (em, inc, now) => {
      if (inc.status !== 'resolved') throw new InvalidTransition(`INC-${inc.number} is ${inc.status}; only a resolved incident can be reopened`);
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
        payload: { reference: `INC-${inc.number}`, reason, previouslyResolvedAt: iso(inc.resolvedAt) },
      });
    });
  }

  /** The customer answers the vendor; a waiting_on_customer pause ends and restoration resumes. */
  reply(id: string, body: string) {
    const actor = TenantContext.actor();
    return this.mutate(id, async (em, inc, now) => {
      if (!isActive(inc.status)) throw new InvalidTransition(`INC-${inc.number} is ${inc.status}`);
      const r = redactText(body);
      const replyId = await this.incidents.addCustomerReply(em, { tenantId: inc.tenantId, incidentId: id, body: r.text, author: ref(actor), at: now });
      if (inc.status === 'waiting_on_customer') {
        await this.incidents.update(em, id, { status: 'investigating', slaPauses: nextPauses(inc, 'investigating', now) });
      }
      await this.domainEvents.emit(em, {
        type: 'incident.customer_replied',
        tenantId: inc.tenantId,
        subjectId: replyId,
        incidentId: id,
        payload: { reference: `INC-${inc.number}`, replyId, resumed: inc.status === 'waiting_on_customer', redactions: r.findings },
      });
    });
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
    if (!TRANSITIONS[inc.status].includes(to)) throw new InvalidTransition(`INC-${inc.number} cannot go from ${inc.status} to ${to}`);
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
      for (const clock of Object.values<SlaClock>(this.sla(inc, now).clocks)) {
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
   * The check job: records each clock that is breached now, and warns once for each running clock inside
   * its warning window. Idempotent under redelivery (one row per clock and due instant).
   */
  async checkClocks(incidentId: string): Promise<{ breached: string[]; warned: string[] }> {
    const now = this.clock.now();
    return this.db.tx(async (em) => {
      const inc = await this.incidents.findById(em, incidentId);
      if (!inc) return { breached: [], warned: [] };
      const breached = await this.recordBreaches(em, inc, now);
      const warned: string[] = [];
      const on = { tenantId: inc.tenantId, subjectId: inc.id, incidentId: inc.id, actor: SLA_ACTOR };
      const reference = `INC-${inc.number}`;
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
          reference: `INC-${inc.number}`,
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
    if (isActive(inc.status)) throw new InvalidTransition(`INC-${inc.number} is ${inc.status}; a PIR is published after the resolution`);
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
    if (inc.severity !== 'sev2') throw new InvalidTransition(`INC-${inc.number} is ${inc.severity}; only a Sev 2 PIR can be waived`);
    if (isActive(inc.status)) throw new InvalidTransition(`INC-${inc.number} is ${inc.status}; a PIR is waived after the resolution`);
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
          reference: `INC-${inc.number}`,
          severity: inc.severity,
          firstNoticedAt: new Date(inc.firstNoticedAt),
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
      reference: `INC-${inc.number}`,
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
      sla,
      pir: pirDueOf(sla.clocks.pirDue, inc, now),
    };
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
function fingerprint(input: DeclareIncidentInput): string {
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

function ref(a: Actor): ActorRef {
  return { kind: a.kind, id: a.id, label: a.label };
}

/** waiting_on_customer opens a pause of the restoration clock; leaving it closes the pause. */
function nextPauses(inc: IncidentRecord, to: IncidentStatus, now: Date) {
  const pauses = inc.slaPauses.map((p) => ({ ...p }));
  const open = pauses.find((p) => p.to === null);
  if (to === 'waiting_on_customer' && !open) pauses.push({ from: now.toISOString(), to: null });
  if (to !== 'waiting_on_customer' && open) open.to = now.toISOString();
  return pauses;
}
