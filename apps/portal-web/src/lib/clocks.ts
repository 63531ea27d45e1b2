import type { ClockKind, ClockRun, SlaClock } from '@portal/sla';
import type { Incident } from '../api/types';
import { SEVERITY_SHORT } from './labels';
import { formatDuration, formatTime } from './time';

export type ClockTone = 'running' | 'warning' | 'breached' | 'met' | 'paused' | 'inactive';
/** Who reads the text: the customer ("waiting on you") or Claresia staff ("waiting on the customer"). */
export type Audience = 'customer' | 'vendor';

export interface ClockReading {
  tone: ClockTone;
  /** The big figure: "12 min 04 s", "met", "best effort". */
  value: string;
  /** The small line under it: "left", "overdue", "paused", "in 4 min". */
  caption: string;
  /** A sentence for screen readers and tooltips. */
  description: string;
}

export const CLOCK_LABELS: Record<ClockKind, string> = {
  initial_response: 'Initial response',
  restoration: 'Restoration',
  status_update: 'Next status update',
  pir_due: 'Post-incident review',
};

// Amber when less than a fifth of the clock is left.
const WARNING_SHARE = 0.2;

/**
 * What a clock shows at `now`, computed from the server's figures at `computedAt` and the moment
 * the browser received them, so it counts every second without refetching and without trusting
 * the browser's wall clock to agree with the server's.
 */
export function readClock(clock: SlaClock, receivedAt: number, now: number, audience: Audience = 'customer'): ClockReading {
  const label = CLOCK_LABELS[clock.kind];
  const elapsed = Math.max(0, now - receivedAt);
  const target = clock.target.label;

  if (clock.state === 'not_applicable') {
    const value = clock.kind === 'pir_due' && clock.target.kind !== 'none' ? 'after resolution' : clock.target.kind === 'none' ? 'no target' : 'not running';
    return { tone: 'inactive', value, caption: clock.target.kind === 'none' ? target : 'not applicable now', description: `${label}: ${value}` };
  }
  if (clock.state === 'met') {
    const took = clock.stoppedAt && clock.startedAt ? Date.parse(clock.stoppedAt) - Date.parse(clock.startedAt) : null;
    const caption = took !== null ? `in ${formatDuration(took)} (target ${target})` : `target ${target}`;
    return { tone: 'met', value: 'met', caption, description: `${label}: met ${caption}` };
  }
  if (clock.dueAt === null) {
    // Best effort: running, but without a due instant (Mode A restoration).
    return { tone: 'inactive', value: 'best effort', caption: 'no committed time', description: `${label}: best effort, no committed time` };
  }
  if (clock.state === 'paused') {
    const value = formatDuration(clock.remainingMs ?? 0);
    return audience === 'vendor'
      ? {
          tone: 'paused',
          value,
          caption: 'paused: waiting on the customer',
          description: `${label}: paused with ${value} left while you wait on the customer's answer`,
        }
      : { tone: 'paused', value, caption: 'paused: waiting on you', description: `${label}: paused with ${value} left while Claresia waits on your answer` };
  }
  if (clock.state === 'breached') {
    const stopped = clock.stoppedAt !== null;
    const overdue = (clock.overdueMs ?? 0) + (stopped ? 0 : elapsed);
    if (!clock.owned) return informational(label, overdue, target, audience);
    const value = formatDuration(overdue);
    const caption = stopped ? 'late (breached)' : 'overdue (breached)';
    return { tone: 'breached', value, caption, description: `${label}: breached, ${value} ${stopped ? 'late' : 'overdue'} (target ${target})` };
  }
  // running
  const remaining = (clock.remainingMs ?? 0) - elapsed;
  if (remaining <= 0) {
    if (!clock.owned) return informational(label, -remaining, target, audience);
    const value = formatDuration(-remaining);
    return { tone: 'breached', value, caption: 'overdue (breached)', description: `${label}: breached, ${value} overdue (target ${target})` };
  }
  const total = clock.startedAt ? Date.parse(clock.dueAt) - Date.parse(clock.startedAt) - clock.pausedMs : 0;
  const warning = total > 0 && remaining < total * WARNING_SHARE;
  const value = formatDuration(remaining);
  return { tone: warning ? 'warning' : 'running', value, caption: `left of ${target}`, description: `${label}: ${value} left of ${target}` };
}

/** Past due on a clock the vendor does not own (Mode C data plane): for reference, not a Claresia breach. */
function informational(label: string, overdue: number, target: string, audience: Audience): ClockReading {
  const value = formatDuration(overdue);
  return {
    tone: 'inactive',
    value,
    caption: 'past the reference time (informational)',
    description: `${label}: ${value} past the reference time of ${target}. Informational: ${OWNS_CLOCK[audience]}, it is not a Claresia breach.`,
  };
}

/** Mode C data plane: who owns the runbook, in the reader's words. */
export const OWNS_CLOCK: Record<Audience, string> = {
  customer: 'your team owns this clock',
  vendor: "the customer's team owns this clock",
};

const RUN_START: Record<ClockRun['startedBy'], string> = {
  declaration: 'at the declaration',
  severity_change: 'at the severity change',
  resolution: 'at the resolution',
};

/** One run of a clock in the clock history, in words: "Initial response, Sev 1: 15 minutes" and what became of it. */
export function describeRun(run: ClockRun, audience: Audience = 'customer'): { title: string; detail: string } {
  const title = `${CLOCK_LABELS[run.clock]}, ${SEVERITY_SHORT[run.severity]}: ${run.target.label}`;
  const due = run.dueAt ? `due ${formatTime(run.dueAt)}` : 'no committed time';
  const start = `Started ${RUN_START[run.startedBy]}`;
  let outcome: string;
  switch (run.outcome) {
    case 'running':
      outcome = 'running';
      break;
    case 'paused':
      outcome = 'paused';
      break;
    case 'met':
      outcome = `met at ${formatTime(run.endedAt)}`;
      break;
    case 'breached': {
      const by = formatDuration(run.overdueMs ?? 0);
      const late = run.endedAt ? `${by} late` : `${by} overdue so far`;
      outcome = run.informational ? `past the reference time, ${late} (informational: ${OWNS_CLOCK[audience]})` : `breached, ${late}`;
      break;
    }
    case 'superseded':
      outcome =
        run.endedBy === 'reopen'
          ? `ended at ${formatTime(run.endedAt)} by the reopen, before it was due`
          : `replaced at ${formatTime(run.endedAt)} by the severity change, before it was due`;
      break;
  }
  return { title, detail: `${start}, ${due}: ${outcome}.` };
}

/**
 * The clocks in the order of what the customer was promised (issue 18, item 7): the initial response first, then
 * restoration, then the status-update cadence. A row shows the first one that is counting, so a 30-minute update
 * clock never hides an unanswered Sev 1 or a restoration target.
 */
const PROMISE_ORDER = ['initialResponse', 'restoration', 'statusUpdate'] as const;

const counting = (c: SlaClock) => Boolean(c.dueAt) && !c.stoppedAt && (c.state === 'running' || c.state === 'breached');
/** Time left at receipt (negative when overdue). A clock the vendor does not own is not its emergency. */
const left = (c: SlaClock) => (c.state === 'breached' ? -(c.overdueMs ?? 0) : (c.remainingMs ?? 0));

/** The clock a list row shows: the first counting clock in promise order; else what explains the row. */
export function headlineClock(incident: Incident): SlaClock {
  const { clocks } = incident.sla;
  const active = incident.status !== 'resolved' && incident.status !== 'closed';
  if (active) {
    for (const key of PROMISE_ORDER) if (counting(clocks[key])) return clocks[key];
    return clocks.restoration.state === 'paused' ? clocks.restoration : clocks.initialResponse;
  }
  if (counting(clocks.pirDue)) return clocks.pirDue;
  return clocks.pirDue.state !== 'not_applicable' ? clocks.pirDue : clocks.restoration;
}

/**
 * Sort key of "most urgent clock": [tier, milliseconds left]. Tier 0: a promise already broken (an owned breach
 * of the headline clock); 1: a response or restoration promise counting down; 2: only the update cadence or a
 * review counting; 3: nothing counting (paused, best effort, done). Within a tier, least time left first.
 */
export function urgency(incident: Incident): [number, number] {
  const c = headlineClock(incident);
  if (!counting(c)) return [3, Number.POSITIVE_INFINITY];
  const ms = left(c);
  if (c.owned && (c.state === 'breached' || ms <= 0)) return [0, ms];
  if (!c.owned) return [2, ms];
  return [c.kind === 'initial_response' || c.kind === 'restoration' ? 1 : 2, ms];
}

/** The sort key as one number (tier first, then time left), for data attributes and tests. */
export function urgencyScore(incident: Incident): number {
  const [tier, ms] = urgency(incident);
  return tier === 3 ? Number.POSITIVE_INFINITY : tier * 1e12 + Math.max(-5e11, Math.min(5e11, ms));
}

export function byUrgency(a: Incident, b: Incident): number {
  const [ta, ua] = urgency(a);
  const [tb, ub] = urgency(b);
  if (ta !== tb) return ta - tb;
  if (ua !== ub) return ua < ub ? -1 : 1;
  const activeA = a.status !== 'resolved' && a.status !== 'closed';
  const activeB = b.status !== 'resolved' && b.status !== 'closed';
  if (activeA !== activeB) return activeA ? -1 : 1;
  if (a.severity !== b.severity) return a.severity < b.severity ? -1 : 1;
  return Date.parse(b.declaredAt) - Date.parse(a.declaredAt);
}
