import type { ClockKind, ClockRun, SlaClock } from '@portal/sla';
import type { Incident } from '../api/types';
import { SEVERITY_SHORT } from './labels';
import { formatDuration, formatTime } from './time';

export type ClockTone = 'running' | 'warning' | 'breached' | 'met' | 'paused' | 'inactive';

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
export function readClock(clock: SlaClock, receivedAt: number, now: number): ClockReading {
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
    return { tone: 'paused', value, caption: 'paused: waiting on you', description: `${label}: paused with ${value} left while Claresia waits on your answer` };
  }
  if (clock.state === 'breached') {
    const stopped = clock.stoppedAt !== null;
    const overdue = (clock.overdueMs ?? 0) + (stopped ? 0 : elapsed);
    if (!clock.owned) return informational(label, overdue, target);
    const value = formatDuration(overdue);
    const caption = stopped ? 'late (breached)' : 'overdue (breached)';
    return { tone: 'breached', value, caption, description: `${label}: breached, ${value} ${stopped ? 'late' : 'overdue'} (target ${target})` };
  }
  // running
  const remaining = (clock.remainingMs ?? 0) - elapsed;
  if (remaining <= 0) {
    if (!clock.owned) return informational(label, -remaining, target);
    const value = formatDuration(-remaining);
    return { tone: 'breached', value, caption: 'overdue (breached)', description: `${label}: breached, ${value} overdue (target ${target})` };
  }
  const total = clock.startedAt ? Date.parse(clock.dueAt) - Date.parse(clock.startedAt) - clock.pausedMs : 0;
  const warning = total > 0 && remaining < total * WARNING_SHARE;
  const value = formatDuration(remaining);
  return { tone: warning ? 'warning' : 'running', value, caption: `left of ${target}`, description: `${label}: ${value} left of ${target}` };
}

/** Past due on a clock the vendor does not own (Mode C data plane): for reference, not a Claresia breach. */
function informational(label: string, overdue: number, target: string): ClockReading {
  const value = formatDuration(overdue);
  return {
    tone: 'inactive',
    value,
    caption: 'past the reference time (informational)',
    description: `${label}: ${value} past the reference time of ${target}. Informational: your team owns this clock, it is not a Claresia breach.`,
  };
}

const RUN_START: Record<ClockRun['startedBy'], string> = {
  declaration: 'at the declaration',
  severity_change: 'at the severity change',
  resolution: 'at the resolution',
};

/** One run of a clock in the clock history, in words: "Initial response, Sev 1: 15 minutes" and what became of it. */
export function describeRun(run: ClockRun): { title: string; detail: string } {
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
      outcome = run.informational ? `past the reference time, ${late} (informational: your team owns this clock)` : `breached, ${late}`;
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

/** Milliseconds left on the most urgent running clock at receipt (negative when overdue); Infinity without one. */
export function urgency(incident: Incident): number {
  if (incident.status === 'resolved' || incident.status === 'closed') return Number.POSITIVE_INFINITY;
  let best = Number.POSITIVE_INFINITY;
  for (const clock of Object.values(incident.sla.clocks) as SlaClock[]) {
    if (!clock.dueAt || clock.stoppedAt) continue;
    if (clock.state === 'running') best = Math.min(best, clock.remainingMs ?? 0);
    else if (clock.state === 'breached') best = Math.min(best, -(clock.overdueMs ?? 0));
  }
  return best;
}

export function byUrgency(a: Incident, b: Incident): number {
  const ua = urgency(a);
  const ub = urgency(b);
  if (ua !== ub) return ua < ub ? -1 : 1;
  const activeA = a.status !== 'resolved' && a.status !== 'closed';
  const activeB = b.status !== 'resolved' && b.status !== 'closed';
  if (activeA !== activeB) return activeA ? -1 : 1;
  if (a.severity !== b.severity) return a.severity < b.severity ? -1 : 1;
  return Date.parse(b.declaredAt) - Date.parse(a.declaredAt);
}

/** The clock a list row shows: the running clock closest to due, else initial response. */
export function headlineClock(incident: Incident): SlaClock {
  const { clocks } = incident.sla;
  const active = (Object.values(clocks) as SlaClock[]).filter((c) => c.dueAt && !c.stoppedAt && (c.state === 'running' || c.state === 'breached'));
  if (active.length === 0) {
    if (incident.status === 'resolved' || incident.status === 'closed') return clocks.pirDue.state !== 'not_applicable' ? clocks.pirDue : clocks.restoration;
    return clocks.restoration.state === 'paused' ? clocks.restoration : clocks.initialResponse;
  }
  const left = (c: SlaClock) => (c.state === 'breached' ? -(c.overdueMs ?? 0) : (c.remainingMs ?? 0));
  return active.reduce((a, b) => (left(b) < left(a) ? b : a));
}
