import { addBusinessDays, compileCalendar, type CompiledCalendar } from './business-calendar';
import { InvalidSlaInput } from './sla.errors';
import { SLA_POLICY } from './sla-policy';
import type {
  BusinessCalendar,
  ClockHistory,
  ClockKind,
  ClockPause,
  ClockRun,
  ClockTarget,
  ResolvedPeriod,
  Severity,
  SeverityChange,
  SlaBlock,
  SlaClock,
  SlaInput,
  SlaPause,
} from './sla.types';

const MS_PER_MINUTE = 60_000;

// Seed 000, Mode C BYOC: "The data plane runs in your cloud → your team owns runbook".
export const ASSISTING_NOTE =
  'Mode C (BYOC): the data plane runs in your cloud, so your own runbook applies and your team owns this incident. ' +
  'Claresia assists; the clocks below are shown for reference and are not Claresia commitments.';

/** The due instant of a target started at `start`; null for best effort and no target. */
export function targetDueAt(target: ClockTarget, start: Date, cal: BusinessCalendar | CompiledCalendar): Date | null {
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
  severity: Severity;
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
    severity: f.severity,
  };
}

function notApplicable(kind: ClockKind, target: ClockTarget, owned: boolean, severity: Severity): SlaClock {
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
    severity,
  };
}

/**
 * Total pause time inside [from, end], overlaps counted once; `end` is the resolution (or the instant a run
 * is looked at), null while the incident is active. An open pause runs to `end`, else to `now`. Closed
 * pauses are never cut at `now`, so dueAt does not depend on `now` unless a pause is open.
 */
function pausedTime(pauses: SlaPause[], from: Date, end: Date | null, now: Date): { ms: number; open: boolean } {
  const cap = end?.getTime() ?? Number.POSITIVE_INFINITY;
  let open = false;
  const spans: [number, number][] = [];
  for (const p of pauses) {
    const start = Math.max(p.from.getTime(), from.getTime());
    let to = p.to ? p.to.getTime() : (end ?? now).getTime();
    if (p.to === null && !end && p.from.getTime() <= now.getTime()) open = true;
    to = Math.min(to, cap);
    if (to > start) spans.push([start, to]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  let ms = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (const [a, b] of spans) {
    const start = Math.max(a, last);
    if (b > start) ms += b - start;
    last = Math.max(last, b);
  }
  return { ms, open };
}

function assertDate(d: unknown, name: string): void {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new InvalidSlaInput(`${name} is not a valid date`);
}

/** Checks the input and returns its calendar compiled (validated once per distinct calendar, then cached). */
function assertInput(input: SlaInput, now: Date): CompiledCalendar {
  assertDate(now, 'now');
  assertDate(input.declaredAt, 'declaredAt');
  for (const name of ['acknowledgedAt', 'resolvedAt', 'lastStatusUpdateAt', 'pirDeliveredAt'] as const) {
    if (input[name] !== null) assertDate(input[name], name);
  }
  if (input.pirWaivedAt !== undefined && input.pirWaivedAt !== null) assertDate(input.pirWaivedAt, 'pirWaivedAt');
  input.pauses.forEach((p, i) => {
    assertDate(p.from, `pauses[${i}].from`);
    if (p.to !== null) {
      assertDate(p.to, `pauses[${i}].to`);
      if (p.to.getTime() < p.from.getTime()) throw new InvalidSlaInput(`pauses[${i}] ends before it starts`);
    }
  });
  const changes = input.severityChanges ?? [];
  changes.forEach((c, i) => {
    assertDate(c.at, `severityChanges[${i}].at`);
    if (c.at.getTime() < input.declaredAt.getTime()) throw new InvalidSlaInput(`severityChanges[${i}] is before the declaration`);
    if (i > 0 && c.at.getTime() < changes[i - 1].at.getTime()) throw new InvalidSlaInput(`severityChanges[${i}] is out of order`);
    if (i > 0 && c.from !== changes[i - 1].to) throw new InvalidSlaInput(`severityChanges[${i}] starts from ${c.from}, not ${changes[i - 1].to}`);
  });
  if (changes.length > 0 && changes[changes.length - 1].to !== input.severity) {
    throw new InvalidSlaInput(`the last severity change ends at ${changes[changes.length - 1].to}, not at the severity ${input.severity}`);
  }
  const periods = input.resolvedPeriods ?? [];
  periods.forEach((p, i) => {
    assertDate(p.from, `resolvedPeriods[${i}].from`);
    assertDate(p.to, `resolvedPeriods[${i}].to`);
    if (p.to.getTime() < p.from.getTime()) throw new InvalidSlaInput(`resolvedPeriods[${i}] ends before it starts`);
    if (i > 0 && p.from.getTime() < periods[i - 1].to.getTime()) throw new InvalidSlaInput(`resolvedPeriods[${i}] overlaps the one before`);
  });
  if ((input.status === 'resolved' || input.status === 'closed') && input.resolvedAt === null) {
    throw new InvalidSlaInput(`status ${input.status} needs resolvedAt`);
  }
  return compileCalendar(input.calendar);
}

const POLICY_KEY = { initial_response: 'initialResponse', restoration: 'restoration', status_update: 'statusUpdate', pir_due: 'pirDue' } as const;

function sameTarget(a: ClockTarget, b: ClockTarget): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'wall_clock' && b.kind === 'wall_clock') return a.minutes === b.minutes;
  if (a.kind === 'business_days' && b.kind === 'business_days') return a.days === b.days;
  return true;
}

/** Everything one evaluation needs, derived once from the input. */
interface Facts {
  input: SlaInput;
  now: Date;
  calendar: CompiledCalendar;
  owned: boolean;
  /** The current resolution; null while active (a resolvedAt left on a reopened incident is ignored). */
  resolvedAt: Date | null;
  changes: SeverityChange[];
  periods: ResolvedPeriod[];
  initialSeverity: Severity;
}

function factsOf(input: SlaInput, now: Date, calendar: CompiledCalendar): Facts {
  const changes = input.severityChanges ?? [];
  return {
    input,
    now,
    calendar,
    owned: !(input.mode === 'C' && input.plane === 'data_plane'),
    resolvedAt: input.status === 'resolved' || input.status === 'closed' ? input.resolvedAt : null,
    changes,
    periods: input.resolvedPeriods ?? [],
    initialSeverity: changes.length > 0 ? changes[0].from : input.severity,
  };
}

const targetOf = (f: Facts, kind: ClockKind, severity: Severity): ClockTarget => SLA_POLICY[severity][f.input.mode][POLICY_KEY[kind]];

function severityAt(f: Facts, at: Date): Severity {
  let severity = f.initialSeverity;
  for (const c of f.changes) if (c.at.getTime() <= at.getTime()) severity = c.to;
  return severity;
}

/** A run of a committed clock: its target, where it started and why. */
interface Run {
  severity: Severity;
  target: ClockTarget;
  startedBy: ClockRun['startedBy'];
  start: Date;
}

/**
 * Initial response and restoration under severity changes. Rule (README, "Severity changes"): a clock
 * change is an event with its own start. At a change that changes the target, a clock that already
 * stopped (met or breached) or is already past due keeps its outcome under the severity in force; a
 * clock still running on time ends there (`superseded`) and a new run with the new target starts at
 * the change instant. Returns the finished runs and the clock now.
 */
function committedClock(
  f: Facts,
  kind: 'initial_response' | 'restoration',
  stop: Date | null,
  pauses: SlaPause[],
): { clock: SlaClock; superseded: ClockRun[] } {
  const superseded: ClockRun[] = [];
  let run: Run = { severity: f.initialSeverity, target: targetOf(f, kind, f.initialSeverity), startedBy: 'declaration', start: f.input.declaredAt };
  for (const change of f.changes) {
    if (stop && stop.getTime() <= change.at.getTime()) break; // stopped: the outcome is decided
    const next = targetOf(f, kind, change.to);
    if (sameTarget(run.target, next)) continue; // same target: nothing about this clock changed
    if (run.target.kind !== 'none') {
      const atChange = measure(f, kind, run, null, pauses, change.at, change.at);
      if (atChange.state === 'breached') break; // already past due: the breach stays, under its own target
      superseded.push(toRun(kind, run, atChange, 'superseded', 'severity_change', change.at));
    }
    run = { severity: change.to, target: next, startedBy: 'severity_change', start: change.at };
  }
  const clock = run.target.kind === 'none' ? notApplicable(kind, run.target, f.owned, run.severity) : measure(f, kind, run, stop, pauses, f.resolvedAt, f.now);
  return { clock, superseded };
}

/** One run measured at `now`, with pauses counted from its start up to `end` (the resolution or the instant looked at). */
function measure(f: Facts, kind: ClockKind, run: Run, stop: Date | null, pauses: SlaPause[], end: Date | null, now: Date): SlaClock {
  const base = targetDueAt(run.target, run.start, f.calendar);
  if (kind !== 'restoration') {
    return settle({ kind, target: run.target, severity: run.severity, owned: f.owned, startedAt: run.start, dueAt: base, stoppedAt: stop }, now);
  }
  // Restoration: pause time pushes the due instant back by its length, so the time used before a pause
  // is kept and an open pause freezes what remains.
  const paused = pausedTime(pauses, run.start, end, now);
  return settle(
    {
      kind,
      target: run.target,
      severity: run.severity,
      owned: f.owned,
      startedAt: run.start,
      dueAt: base ? new Date(base.getTime() + paused.ms) : null,
      stoppedAt: stop,
      pausedMs: paused.ms,
      // A best-effort clock has nothing to freeze; it stays 'running' until resolution.
      paused: paused.open && base !== null,
    },
    now,
  );
}

function toRun(kind: ClockRun['clock'], run: Run, c: SlaClock, outcome: ClockRun['outcome'], endedBy: ClockRun['endedBy'], endedAt: Date | null): ClockRun {
  return {
    clock: kind,
    severity: run.severity,
    target: { ...run.target },
    startedBy: run.startedBy,
    startedAt: run.start.toISOString(),
    dueAt: c.dueAt,
    endedBy,
    endedAt: iso(endedAt),
    outcome,
    overdueMs: c.overdueMs,
    pausedMs: c.pausedMs,
    owned: c.owned,
    informational: outcome === 'breached' && !c.owned,
  };
}

/** The current run of a started clock as a history entry. */
function currentRun(clock: SlaClock, startedBy: ClockRun['startedBy']): ClockRun | null {
  if (clock.state === 'not_applicable' || clock.startedAt === null || clock.kind === 'status_update') return null;
  const run: Run = { severity: clock.severity, target: clock.target, startedBy, start: new Date(clock.startedAt) };
  return toRun(clock.kind, run, clock, clock.state, clock.stoppedAt ? 'stop' : null, clock.stoppedAt ? new Date(clock.stoppedAt) : null);
}

interface Evaluation {
  block: SlaBlock;
  /** Only when asked for: the list computes blocks for every row and never reads the history. */
  history: ClockHistory | null;
}

function evaluate(input: SlaInput, now: Date, withHistory: boolean): Evaluation {
  const calendar = assertInput(input, now);
  const f = factsOf(input, now, calendar);
  const { declaredAt } = input;
  const policy = SLA_POLICY[input.severity][input.mode];
  const { owned, resolvedAt, periods } = f;

  // Initial response stops at the human acknowledgement or at the first resolution, whichever comes
  // first, so a closed incident never waits for an acknowledgement forever and a reopen cannot undo it.
  const firstResolution = periods[0]?.from ?? resolvedAt;
  const stops = [input.acknowledgedAt, firstResolution].filter((d): d is Date => d !== null);
  const responseStop = stops.length ? new Date(Math.min(...stops.map((d) => d.getTime()))) : null;
  const response = committedClock(f, 'initial_response', responseStop, []);

  // Restoration: waiting on the customer and the resolved periods of a reopened incident are pauses.
  const restorationPauses: SlaPause[] = [...input.pauses, ...periods.map((p) => ({ from: p.from, to: p.to }))];
  const restoration = committedClock(f, 'restoration', resolvedAt, restorationPauses);

  // Status updates (sev1/sev2): every 30 minutes from the latest update, the declaration, the last reopen or the
  // escalation from sev3/sev4, while active.
  let statusUpdate: SlaClock;
  if (resolvedAt || policy.statusUpdate.kind === 'none') {
    statusUpdate = notApplicable('status_update', policy.statusUpdate, owned, input.severity);
  } else {
    // A change from a severity without a cadence (sev3/sev4) starts one: the first update is due 30 minutes after it.
    const cadenceStart = [...(input.severityChanges ?? [])].reverse().find((c) => SLA_POLICY[c.from][input.mode].statusUpdate.kind === 'none')?.at ?? null;
    const candidates = [declaredAt, input.lastStatusUpdateAt, periods[periods.length - 1]?.to ?? null, cadenceStart].filter((d): d is Date => d !== null);
    const last = new Date(Math.max(...candidates.map((d) => d.getTime())));
    statusUpdate = settle(
      {
        kind: 'status_update',
        target: policy.statusUpdate,
        severity: input.severity,
        owned,
        startedAt: last,
        dueAt: targetDueAt(policy.statusUpdate, last, calendar),
        stoppedAt: null,
      },
      now,
    );
  }

  // PIR: from the resolution, under the severity in force then; a reopen ends that run.
  const pirRuns: ClockRun[] = [];
  for (const p of withHistory ? periods : []) {
    const severity = severityAt(f, p.from);
    const target = targetOf(f, 'pir_due', severity);
    if (target.kind === 'none') continue;
    const delivered = input.pirDeliveredAt && input.pirDeliveredAt >= p.from && input.pirDeliveredAt <= p.to ? input.pirDeliveredAt : null;
    const run: Run = { severity, target, startedBy: 'resolution', start: p.from };
    const c = measure(f, 'pir_due', run, delivered ?? p.to, [], null, now);
    // A stopped clock is met or breached; a reopen before the due instant leaves the run without an outcome.
    const outcome = c.state === 'breached' ? 'breached' : delivered ? 'met' : 'superseded';
    pirRuns.push(toRun('pir_due', run, c, outcome, delivered ? 'stop' : 'reopen', delivered ?? p.to));
  }
  let pirDue: SlaClock;
  const pirDelivered = !!(resolvedAt && input.pirDeliveredAt && input.pirDeliveredAt >= resolvedAt);
  if (policy.pirDue.kind === 'none' || !resolvedAt) {
    pirDue = notApplicable('pir_due', policy.pirDue, owned, input.severity);
  } else if (input.pirWaivedAt && input.pirWaivedAt >= resolvedAt && !pirDelivered) {
    // Waived: no outcome (a breach recorded before the waiver stays recorded as a breach row).
    pirDue = { ...notApplicable('pir_due', policy.pirDue, owned, input.severity), stoppedAt: input.pirWaivedAt.toISOString() };
  } else {
    pirDue = measure(
      f,
      'pir_due',
      { severity: input.severity, target: policy.pirDue, startedBy: 'resolution', start: resolvedAt },
      input.pirDeliveredAt && input.pirDeliveredAt >= resolvedAt ? input.pirDeliveredAt : null,
      [],
      null,
      now,
    );
  }

  const block: SlaBlock = {
    ownership: owned ? 'owned' : 'assisting',
    ownershipNote: owned ? null : ASSISTING_NOTE,
    channels: [...policy.channels],
    clocks: { initialResponse: response.clock, restoration: restoration.clock, statusUpdate, pirDue },
    computedAt: now.toISOString(),
  };
  if (!withHistory) return { block, history: null };

  const current = [
    currentRun(response.clock, startOf(f, response.clock)),
    currentRun(restoration.clock, startOf(f, restoration.clock)),
    currentRun(pirDue, 'resolution'),
  ];
  const order: Record<ClockRun['clock'], number> = { initial_response: 0, restoration: 1, pir_due: 2 };
  const runs: ClockRun[] = [...response.superseded, ...restoration.superseded, ...pirRuns, ...current.filter((r): r is ClockRun => r !== null)].sort(
    (a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || order[a.clock] - order[b.clock],
  );
  const pauses: ClockPause[] = [
    ...input.pauses.map((p) => ({ reason: 'waiting_on_customer' as const, from: p.from.toISOString(), to: iso(p.to) })),
    ...periods.map((p) => ({ reason: 'resolved' as const, from: p.from.toISOString(), to: p.to.toISOString() })),
  ].sort((a, b) => Date.parse(a.from) - Date.parse(b.from));

  return { block, history: { runs, pauses } };
}

/** Why a committed clock's current run started: the declaration, unless it started at a severity change. */
function startOf(f: Facts, clock: SlaClock): ClockRun['startedBy'] {
  if (clock.startedAt === null || Date.parse(clock.startedAt) === f.input.declaredAt.getTime()) return 'declaration';
  return 'severity_change';
}

/**
 * The four SLA clocks of one incident at `now`. A severity change starts a new run of each clock it
 * changes (stopped and past-due clocks keep their outcome); the resolved period of a reopened incident
 * is a pause of restoration; the calendar is the one passed in (the incident's, from its declaration).
 */
export function computeSla(input: SlaInput, now: Date): SlaBlock {
  return evaluate(input, now, false).block;
}

/** Every run of the initial response, restoration and PIR clocks, and the restoration pauses, oldest first. */
export function clockHistory(input: SlaInput, now: Date): ClockHistory {
  return evaluate(input, now, true).history!;
}
