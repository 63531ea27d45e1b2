/**
 * libs/sla micro-benchmark (issue 17, benchmark 7): `computeSla` per incident against a bare loop over the same data.
 *
 *   npm run bench            (or: npm run build:api && node dist/bench/sla-compute.bench.js)
 *
 * Env: SLA_BENCH_INCIDENTS (default 5,000), SLA_BENCH_ROUNDS (default 5; the median round is reported).
 * The data is shaped as the incident list reads it: every row carries its own calendar object (each row's jsonb is
 * parsed into a fresh object, as `pg` does), over 50 tenant calendars with their public holidays, a mix of
 * severities, service modes and statuses (~80 % resolved), some paused, some reopened, some with severity changes.
 * The bare loop reads the same fields and builds a block of the same shape without any SLA rule, so the figure is
 * what the rules cost beyond walking the rows. Times are CPU time of the process (user + system), so a busy machine
 * does not count the time the benchmark waited for a core. Goal: under 20 µs per incident. Results: bench/results/sla-compute.json.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { computeSla, type BusinessCalendar, type IncidentStatus, type ServiceMode, type Severity, type SlaInput } from '../libs/sla/src';

const INCIDENTS = Number(process.env.SLA_BENCH_INCIDENTS ?? 5000);
const ROUNDS = Number(process.env.SLA_BENCH_ROUNDS ?? 5);
const GOAL_US = 20;

const ZONES = ['Europe/Rome', 'America/New_York', 'Asia/Tokyo', 'Europe/London', 'Australia/Sydney', 'America/Sao_Paulo', 'Asia/Kolkata'];
const SEVERITIES: Severity[] = ['sev1', 'sev2', 'sev3', 'sev3', 'sev4', 'sev4'];
const MODES: ServiceMode[] = ['A', 'B', 'C'];
const ACTIVE: IncidentStatus[] = ['declared', 'acknowledged', 'investigating', 'identified', 'monitoring', 'waiting_on_customer'];

/** A small deterministic generator, so every run measures the same rows. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function repoRoot(): string {
  let d = __dirname;
  for (let i = 0; i < 6; i++) {
    const p = join(d, 'package.json');
    if (existsSync(p) && /"name":\s*"incident-portal"/.test(readFileSync(p, 'utf8'))) return d;
    d = dirname(d);
  }
  return process.cwd();
}

function tenantCalendar(i: number): BusinessCalendar {
  const holidays: string[] = [];
  for (let m = 1; m <= 12; m++) holidays.push(`2026-${String(m).padStart(2, '0')}-${String(1 + ((i + m) % 27)).padStart(2, '0')}`);
  return { timezone: ZONES[i % ZONES.length], workingDays: [1, 2, 3, 4, 5], dayStart: i % 2 ? '09:00' : '08:30', dayEnd: '17:30', holidays };
}

function dataset(n: number, now: Date): SlaInput[] {
  const r = rng(17);
  const calendars = Array.from({ length: 50 }, (_, i) => JSON.stringify(tenantCalendar(i)));
  const rows: SlaInput[] = [];
  for (let i = 0; i < n; i++) {
    const declaredAt = new Date(now.getTime() - Math.floor(r() * 90 * 24 * 3600_000));
    const severity = SEVERITIES[Math.floor(r() * SEVERITIES.length)];
    const resolved = r() < 0.8;
    const status: IncidentStatus = resolved ? (r() < 0.5 ? 'resolved' : 'closed') : ACTIVE[Math.floor(r() * ACTIVE.length)];
    const span = now.getTime() - declaredAt.getTime();
    const acknowledgedAt = r() < 0.9 ? new Date(declaredAt.getTime() + Math.floor(r() * Math.min(span, 3600_000))) : null;
    const resolvedAt = resolved ? new Date(declaredAt.getTime() + Math.floor(span * (0.2 + r() * 0.7))) : null;
    const pauses =
      status === 'waiting_on_customer'
        ? [{ from: new Date(now.getTime() - 600_000), to: null }]
        : r() < 0.2
          ? [{ from: new Date(declaredAt.getTime() + 60_000), to: new Date(declaredAt.getTime() + 1_800_000) }]
          : [];
    const reopened = resolved && r() < 0.05;
    const changed = r() < 0.1 && severity !== 'sev1';
    rows.push({
      mode: MODES[Math.floor(r() * MODES.length)],
      severity,
      plane: r() < 0.5 ? 'data_plane' : 'control_plane',
      status,
      declaredAt,
      acknowledgedAt,
      resolvedAt,
      pauses,
      lastStatusUpdateAt: r() < 0.7 ? new Date(declaredAt.getTime() + 900_000) : null,
      pirDeliveredAt: resolvedAt && r() < 0.5 ? new Date(resolvedAt.getTime() + 86_400_000) : null,
      // Each row's calendar is its own object, as the database driver hands back a parsed jsonb per row.
      calendar: JSON.parse(calendars[i % calendars.length]) as BusinessCalendar,
      severityChanges: changed ? [{ at: new Date(declaredAt.getTime() + 120_000), from: 'sev1', to: severity }] : [],
      resolvedPeriods: reopened ? [{ from: new Date(declaredAt.getTime() + 3600_000), to: new Date(declaredAt.getTime() + 7200_000) }] : [],
    });
  }
  return rows;
}

/** The same rows walked and turned into a block of the same shape, with no SLA rule. */
function bare(input: SlaInput, now: Date) {
  const clock = (kind: string, start: Date | null) => ({
    kind,
    target: { kind: 'wall_clock', minutes: 60, label: '1 hour' },
    startedAt: start ? start.toISOString() : null,
    dueAt: start ? new Date(start.getTime() + 3600_000).toISOString() : null,
    state: 'running',
    stoppedAt: null,
    remainingMs: start ? Math.max(0, start.getTime() + 3600_000 - now.getTime()) : null,
    overdueMs: null,
    pausedMs: input.pauses.length,
    owned: input.mode !== 'C',
    severity: input.severity,
  });
  return {
    ownership: 'owned',
    ownershipNote: null,
    channels: [input.calendar.timezone],
    clocks: {
      initialResponse: clock('initial_response', input.declaredAt),
      restoration: clock('restoration', input.declaredAt),
      statusUpdate: clock('status_update', input.lastStatusUpdateAt),
      pirDue: clock('pir_due', input.resolvedAt),
    },
    computedAt: now.toISOString(),
  };
}

/** CPU time (user + system) of this process per row: on a shared machine, time spent descheduled is not counted. */
function timeRound(rows: SlaInput[], now: Date, fn: (i: SlaInput, now: Date) => unknown): number {
  let sink = 0;
  const t0 = process.cpuUsage();
  for (const row of rows) if (fn(row, now)) sink++;
  const used = process.cpuUsage(t0);
  if (sink !== rows.length) throw new Error('a computation returned nothing');
  return (used.user + used.system) / rows.length;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r2 = (n: number) => Math.round(n * 100) / 100;

function main(): void {
  const now = new Date('2026-11-26T14:00:00Z');
  const rows = dataset(INCIDENTS, now);
  // Warm-up: both paths compiled by the JIT before timing.
  timeRound(rows.slice(0, 500), now, computeSla);
  timeRound(rows.slice(0, 500), now, bare);
  const sla: number[] = [];
  const base: number[] = [];
  // Interleaved rounds, so load on the machine falls on both alike.
  for (let i = 0; i < ROUNDS; i++) {
    sla.push(timeRound(rows, now, computeSla));
    base.push(timeRound(rows, now, bare));
  }
  const rss = process.memoryUsage().rss / 2 ** 20;
  const usPer = r2(median(sla));
  const basePer = r2(median(base));
  const active = rows.filter((r) => r.status !== 'resolved' && r.status !== 'closed').length;
  process.stdout.write(
    `computeSla: ${usPer} µs per incident (rounds ${sla.map(r2).join(', ')}); bare loop: ${basePer} µs (rounds ${base.map(r2).join(', ')}); ` +
      `${INCIDENTS} incidents (${active} active), ${ROUNDS} rounds; RSS ${rss.toFixed(0)} MiB; goal < ${GOAL_US} µs: ${usPer < GOAL_US ? 'met' : 'NOT met'}\n`,
  );
  const out = join(repoRoot(), 'bench', 'results', 'sla-compute.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.versions.node,
        incidents: INCIDENTS,
        runs: ROUNDS,
        active,
        goalUs: GOAL_US,
        rssMB: Math.round(rss),
        figures: [
          { name: 'computeSla per incident', unit: 'µs', value: usPer, baseline: basePer, baselineName: 'bare loop over the same rows', better: 'lower' },
          { name: 'computeSla per incident vs goal', unit: 'µs', value: usPer, baseline: GOAL_US, baselineName: 'goal', better: 'lower' },
        ],
      },
      null,
      2,
    ) + '\n',
  );
}

main();
