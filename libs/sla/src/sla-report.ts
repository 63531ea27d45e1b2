import { DateTime, IANAZone } from 'luxon';
import { InvalidSlaInput } from './sla.errors';
import type { ClockKind, ClockRun, Severity } from './sla.types';

/**
 * The monthly SLA report of one tenant (issue 15, "SLA reports for CSMs and IT admins"): what a CSM or an IT
 * admin reads to see whether the commitments of seed 000 were kept. Pure: the caller gathers the incidents.
 *
 * The population is the incidents declared in the calendar month, in the tenant's time zone.
 * - Attainment: per incident and clock (initial response, restoration) one outcome over every run of that clock.
 *   A run that breached, or a breach recorded by the clock checker, makes the incident's clock `breached` even if a
 *   later severity change started a new run that was met: a breach stays a breach. Otherwise any running or paused
 *   run makes it `running`, otherwise a met run makes it `met`. Runs without a due time (best effort, no target)
 *   and clocks the vendor does not own (Mode C data plane, informational) count in none of the three.
 *   Attainment % = met / (met + breached), one decimal; null when nothing was decided yet.
 * - MTTD: first noticed → declared; MTTA: declared → acknowledged; MTTR: declared → resolved (incidents resolved at
 *   the time of the report). Median and p90 by linear interpolation between closest ranks; null without samples.
 * - PIRs: delivered (published) at or before the PIR due time = on time, after it (or with a recorded PIR breach)
 *   = late, waived without delivery = waived, a PIR clock running without delivery = due (`overdue` of them past due).
 */

export interface SlaReportIncident {
  reference: string;
  /** The severity now (after any change). */
  severity: Severity;
  firstNoticedAt: Date;
  declaredAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  /** Every run of the committed clocks (`clockHistory(...).runs`). */
  runs: ClockRun[];
  /** Clocks with an owned breach recorded by the clock checker (sla_breaches). */
  recordedBreaches: ClockKind[];
  pir: { dueAt: Date | null; deliveredAt: Date | null; waivedAt: Date | null };
}

export interface SlaReportInput {
  /** 'YYYY-MM'. */
  month: string;
  /** IANA zone of the tenant. */
  timezone: string;
  incidents: SlaReportIncident[];
  now: Date;
}

export type IncidentClockOutcome = 'met' | 'breached' | 'running' | 'not_applicable';
export type IncidentPirOutcome = 'on_time' | 'late' | 'waived' | 'due' | 'overdue' | 'not_applicable';

export interface Attainment {
  met: number;
  breached: number;
  running: number;
  /** met / (met + breached) × 100, one decimal; null when no clock was decided. */
  attainmentPct: number | null;
}

export interface DurationFigures {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
}

export interface SlaReportRow {
  reference: string;
  severity: Severity;
  declaredAt: string;
  response: IncidentClockOutcome;
  restoration: IncidentClockOutcome;
  detectMs: number;
  acknowledgeMs: number | null;
  resolveMs: number | null;
  pir: IncidentPirOutcome;
}

export interface SlaReport {
  month: string;
  timezone: string;
  /** The month's bounds as instants: [from, to). */
  from: string;
  to: string;
  incidentCount: number;
  bySeverity: Record<Severity, number>;
  attainment: { response: Attainment; restoration: Attainment };
  mttd: DurationFigures;
  mtta: DurationFigures;
  mttr: DurationFigures;
  pirs: { onTime: number; late: number; waived: number; due: number; overdue: number };
  incidents: SlaReportRow[];
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The instants a calendar month starts and ends at in `timezone`: [from, to). */
export function monthWindow(month: string, timezone: string): { from: Date; to: Date } {
  const m = MONTH.exec(month);
  if (!m) throw new InvalidSlaInput(`month must be YYYY-MM, got "${month}"`);
  if (!IANAZone.isValidZone(timezone)) throw new InvalidSlaInput(`unknown time zone "${timezone}"`);
  const start = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: 1 }, { zone: timezone });
  return { from: start.toJSDate(), to: start.plus({ months: 1 }).toJSDate() };
}

/** The p-th quantile (0..1) of sorted values, interpolating linearly between closest ranks. */
export function quantile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return Math.round(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo));
}

function figures(values: number[]): DurationFigures {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, medianMs: quantile(sorted, 0.5), p90Ms: quantile(sorted, 0.9) };
}

export function clockOutcome(inc: SlaReportIncident, clock: 'initial_response' | 'restoration'): IncidentClockOutcome {
  const runs = inc.runs.filter((r) => r.clock === clock && r.owned && r.dueAt !== null);
  if (inc.recordedBreaches.includes(clock) || runs.some((r) => r.outcome === 'breached')) return 'breached';
  if (runs.some((r) => r.outcome === 'running' || r.outcome === 'paused')) return 'running';
  if (runs.some((r) => r.outcome === 'met')) return 'met';
  return 'not_applicable';
}

export function pirOutcome(inc: SlaReportIncident, now: Date): IncidentPirOutcome {
  const { dueAt, deliveredAt, waivedAt } = inc.pir;
  if (deliveredAt) {
    if (!dueAt) return 'not_applicable';
    return inc.recordedBreaches.includes('pir_due') || deliveredAt.getTime() > dueAt.getTime() ? 'late' : 'on_time';
  }
  if (waivedAt) return 'waived';
  if (!dueAt) return 'not_applicable';
  return now.getTime() > dueAt.getTime() ? 'overdue' : 'due';
}

function attainment(outcomes: IncidentClockOutcome[]): Attainment {
  const met = outcomes.filter((o) => o === 'met').length;
  const breached = outcomes.filter((o) => o === 'breached').length;
  const running = outcomes.filter((o) => o === 'running').length;
  const decided = met + breached;
  return { met, breached, running, attainmentPct: decided ? Math.round((met / decided) * 1000) / 10 : null };
}

export function slaReport(input: SlaReportInput): SlaReport {
  const { from, to } = monthWindow(input.month, input.timezone);
  const incidents = input.incidents
    .filter((i) => i.declaredAt.getTime() >= from.getTime() && i.declaredAt.getTime() < to.getTime())
    .sort((a, b) => a.declaredAt.getTime() - b.declaredAt.getTime() || a.reference.localeCompare(b.reference));
  const rows: SlaReportRow[] = incidents.map((i) => ({
    reference: i.reference,
    severity: i.severity,
    declaredAt: i.declaredAt.toISOString(),
    response: clockOutcome(i, 'initial_response'),
    restoration: clockOutcome(i, 'restoration'),
    detectMs: Math.max(0, i.declaredAt.getTime() - i.firstNoticedAt.getTime()),
    acknowledgeMs: i.acknowledgedAt ? i.acknowledgedAt.getTime() - i.declaredAt.getTime() : null,
    resolveMs: i.resolvedAt ? i.resolvedAt.getTime() - i.declaredAt.getTime() : null,
    pir: pirOutcome(i, input.now),
  }));
  const bySeverity: Record<Severity, number> = { sev1: 0, sev2: 0, sev3: 0, sev4: 0 };
  for (const r of rows) bySeverity[r.severity] += 1;
  const count = (o: IncidentPirOutcome) => rows.filter((r) => r.pir === o).length;
  return {
    month: input.month,
    timezone: input.timezone,
    from: from.toISOString(),
    to: to.toISOString(),
    incidentCount: rows.length,
    bySeverity,
    attainment: { response: attainment(rows.map((r) => r.response)), restoration: attainment(rows.map((r) => r.restoration)) },
    mttd: figures(rows.map((r) => r.detectMs)),
    mtta: figures(rows.flatMap((r) => (r.acknowledgeMs === null ? [] : [r.acknowledgeMs]))),
    mttr: figures(rows.flatMap((r) => (r.resolveMs === null ? [] : [r.resolveMs]))),
    pirs: { onTime: count('on_time'), late: count('late'), waived: count('waived'), due: count('due') + count('overdue'), overdue: count('overdue') },
    incidents: rows,
  };
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading formula sign is neutralised. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The report as CSV: one row per figure (section, metric, value), then one row per incident. CRLF line ends. */
export function slaReportCsv(report: SlaReport, tenantName: string): string {
  const lines: (string | number | null)[][] = [['tenant', 'month', 'section', 'metric', 'value']];
  const add = (section: string, metric: string, value: string | number | null) => lines.push([tenantName, report.month, section, metric, value]);
  add('incidents', 'total', report.incidentCount);
  for (const [sev, n] of Object.entries(report.bySeverity)) add('incidents', sev, n);
  for (const [clock, a] of Object.entries(report.attainment)) {
    add(`${clock} SLA`, 'met', a.met);
    add(`${clock} SLA`, 'breached', a.breached);
    add(`${clock} SLA`, 'running', a.running);
    add(`${clock} SLA`, 'attainment %', a.attainmentPct);
  }
  for (const key of ['mttd', 'mtta', 'mttr'] as const) {
    const f = report[key];
    add(key, 'count', f.count);
    add(key, 'median minutes', f.medianMs === null ? null : Math.round(f.medianMs / 6000) / 10);
    add(key, 'p90 minutes', f.p90Ms === null ? null : Math.round(f.p90Ms / 6000) / 10);
  }
  add('PIRs', 'on time', report.pirs.onTime);
  add('PIRs', 'late', report.pirs.late);
  add('PIRs', 'waived', report.pirs.waived);
  add('PIRs', 'due', report.pirs.due);
  add('PIRs', 'overdue', report.pirs.overdue);
  const out = lines.map((l) => l.map(csvField).join(','));
  out.push('');
  out.push(['reference', 'severity', 'declared at', 'response', 'restoration', 'detect minutes', 'acknowledge minutes', 'resolve minutes', 'pir'].join(','));
  const minutes = (ms: number | null) => (ms === null ? null : Math.round(ms / 6000) / 10);
  for (const r of report.incidents) {
    out.push(
      [r.reference, r.severity, r.declaredAt, r.response, r.restoration, minutes(r.detectMs), minutes(r.acknowledgeMs), minutes(r.resolveMs), r.pir]
        .map(csvField)
        .join(','),
    );
  }
  return out.join('\r\n') + '\r\n';
}
