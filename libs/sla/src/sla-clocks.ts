import { addBusinessDays, validateCalendar } from './business-calendar';
import { InvalidBusinessCalendar, InvalidSlaInput } from './sla.errors';
import { SLA_POLICY } from './sla-policy';
import type { BusinessCalendar, ClockKind, ClockTarget, SlaBlock, SlaClock, SlaInput, SlaPause } from './sla.types';

const MS_PER_MINUTE = 60_000;

// Seed 000, Mode C BYOC: "The data plane runs in your cloud → your team owns runbook".
export const ASSISTING_NOTE =
  'Mode C (BYOC): the data plane runs in your cloud, so your own runbook applies and your team owns this incident. ' +
  'Claresia assists; the clocks below are shown for reference and are not Claresia commitments.';

/** The due instant of a target started at `start`; null for best effort and no target. */
export function targetDueAt(target: ClockTarget, start: Date, cal: BusinessCalendar): Date | null {
  switch (target.kind) {
    // Wall-clock targets run 24x7 in real elapsed time, whatever the DST changes in between.
    case 'wall_clock':
      return new Date(start.getTime() + target.minutes * MS_PER_MINUTE);
    case 'business_days':
      return addBusinessDays(start, target.days, cal);
    case 'best_effort':
    case 'none':
      return null;
  }
}

interface ClockFacts {
  kind: ClockKind;
  target: ClockTarget;
  owned: boolean;
  startedAt: Date;
  dueAt: Date | null;
  stoppedAt: Date | null;
  pausedMs?: number;
  paused?: boolean;
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

/** State and remaining/overdue of a started clock; a stopped clock is measured at its stop, else at now. */
function settle(f: ClockFacts, now: Date): SlaClock {
  const at = (f.stoppedAt ?? now).getTime();
  const due = f.dueAt?.getTime() ?? null;
  const late = due !== null && at > due;
  const state = f.stoppedAt ? (late ? 'breached' : 'met') : late ? 'breached' : f.paused ? 'paused' : 'running';
  return {
    kind: f.kind,
    target: { ...f.target },
    startedAt: iso(f.startedAt),
    dueAt: iso(f.dueAt),
    state,
    stoppedAt: iso(f.stoppedAt),
    remainingMs: due === null ? null : Math.max(0, due - at),
    overdueMs: late ? at - due : null,
    pausedMs: f.pausedMs ?? 0,
    owned: f.owned,
  };
}

function notApplicable(kind: ClockKind, target: ClockTarget, owned: boolean): SlaClock {
  return {
    kind,
    target: { ...target },
    startedAt: null,
    dueAt: null,
    state: 'not_applicable',
    stoppedAt: null,
    remainingMs: null,
    overdueMs: null,
    pausedMs: 0,
    owned,
  };
}

/**
 * Total waiting_on_customer time inside [declaredAt, end], overlaps counted once. An open pause runs
 * to `now` (or to the resolution). Closed pauses are never cut at `now`, so dueAt does not depend on
 * `now` unless a pause is open.
 */
function pausedTime(pauses: SlaPause[], declaredAt: Date, resolvedAt: Date | null, now: Date): { ms: number; open: boolean } {
  const cap = resolvedAt?.getTime() ?? Number.POSITIVE_INFINITY;
  let open = false;
  const spans: [number, number][] = [];
  for (const p of pauses) {
    const from = Math.max(p.from.getTime(), declaredAt.getTime());
    let to = p.to ? p.to.getTime() : (resolvedAt ?? now).getTime();
    if (p.to === null && !resolvedAt && p.from.getTime() <= now.getTime()) open = true;
    to = Math.min(to, cap);
    if (to > from) spans.push([from, to]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  let ms = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [from, to] of spans) {
    const start = Math.max(from, end);
    if (to > start) ms += to - start;
    end = Math.max(end, to);
  }
  return { ms, open };
}

function assertDate(d: unknown, name: string): void {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new InvalidSlaInput(`${name} is not a valid date`);
}

function assertInput(input: SlaInput, now: Date): void {
  assertDate(now, 'now');
  assertDate(input.declaredAt, 'declaredAt');
  for (const name of ['acknowledgedAt', 'resolvedAt', 'lastStatusUpdateAt', 'pirDeliveredAt'] as const) {
    if (input[name] !== null) assertDate(input[name], name);
  }
  input.pauses.forEach((p, i) => {
    assertDate(p.from, `pauses[${i}].from`);
    if (p.to !== null) {
      assertDate(p.to, `pauses[${i}].to`);
      if (p.to.getTime() < p.from.getTime()) throw new InvalidSlaInput(`pauses[${i}] ends before it starts`);
    }
  });
  if ((input.status === 'resolved' || input.status === 'closed') && input.resolvedAt === null) {
    throw new InvalidSlaInput(`status ${input.status} needs resolvedAt`);
  }
  const problems = validateCalendar(input.calendar);
  if (problems.length > 0) throw new InvalidBusinessCalendar(problems);
}

/**
 * The four SLA clocks of one incident at `now`. Everything counts from declaredAt with the current
 * severity, so a severity change is just a recomputation. Status decides whether the incident is
 * resolved; a resolvedAt left on a reopened (active) incident is ignored.
 */
export function computeSla(input: SlaInput, now: Date): SlaBlock {
  assertInput(input, now);
  const policy = SLA_POLICY[input.severity][input.mode];
  const assisting = input.mode === 'C' && input.plane === 'data_plane';
  const owned = !assisting;
  const resolvedAt = input.status === 'resolved' || input.status === 'closed' ? input.resolvedAt : null;
  const { declaredAt, calendar } = input;

  // Initial response stops at the human acknowledgement; a resolution without one stops it too,
  // so a closed incident never waits for an acknowledgement forever.
  const initialResponse = settle(
    {
      kind: 'initial_response',
      target: policy.initialResponse,
      owned,
      startedAt: declaredAt,
      dueAt: targetDueAt(policy.initialResponse, declaredAt, calendar),
      stoppedAt: input.acknowledgedAt ?? resolvedAt,
    },
    now,
  );

  // Restoration: waiting_on_customer time pushes the due instant back by its length, so the time
  // already used before a pause is kept and an open pause freezes what remains.
  let restoration: SlaClock;
  if (policy.restoration.kind === 'none') {
    restoration = notApplicable('restoration', policy.restoration, owned);
  } else {
    const paused = pausedTime(input.pauses, declaredAt, resolvedAt, now);
    const base = targetDueAt(policy.restoration, declaredAt, calendar);
    restoration = settle(
      {
        kind: 'restoration',
        target: policy.restoration,
        owned,
        startedAt: declaredAt,
        dueAt: base ? new Date(base.getTime() + paused.ms) : null,
        stoppedAt: resolvedAt,
        pausedMs: paused.ms,
        // A best-effort clock has nothing to freeze; it stays 'running' until resolution.
        paused: paused.open && base !== null,
      },
      now,
    );
  }

  // Status updates: every 30 minutes from the latest update (or the declaration) while active.
  let statusUpdate: SlaClock;
  if (resolvedAt || policy.statusUpdate.kind === 'none') {
    statusUpdate = notApplicable('status_update', policy.statusUpdate, owned);
  } else {
    const last = input.lastStatusUpdateAt && input.lastStatusUpdateAt > declaredAt ? input.lastStatusUpdateAt : declaredAt;
    statusUpdate = settle(
      { kind: 'status_update', target: policy.statusUpdate, owned, startedAt: last, dueAt: targetDueAt(policy.statusUpdate, last, calendar), stoppedAt: null },
      now,
    );
  }

  let pirDue: SlaClock;
  if (policy.pirDue.kind === 'none' || !resolvedAt) {
    pirDue = notApplicable('pir_due', policy.pirDue, owned);
  } else {
    pirDue = settle(
      {
        kind: 'pir_due',
        target: policy.pirDue,
        owned,
        startedAt: resolvedAt,
        dueAt: targetDueAt(policy.pirDue, resolvedAt, calendar),
        stoppedAt: input.pirDeliveredAt,
      },
      now,
    );
  }

  return {
    ownership: assisting ? 'assisting' : 'owned',
    ownershipNote: assisting ? ASSISTING_NOTE : null,
    channels: [...policy.channels],
    clocks: { initialResponse, restoration, statusUpdate, pirDue },
    computedAt: now.toISOString(),
  };
}
