/**
 * Scale seeder (issue 17): N tenants and M incidents with their history, written with COPY into a database migrated by
 * the real migrations. Not the demo seed: the rows are plausible, not a story.
 *
 *   npm run build:api && node dist/bench/seed-scale.js --tenants 200 --incidents 200000
 *   node dist/bench/seed-scale.js --tenants 1000 --incidents 1000000          (~10 M rows)
 *   node dist/bench/seed-scale.js --tenants 10000 --incidents 1000000
 *
 * Flags: --tenants N (default 200), --incidents M (default 200000), --largest L (acme's incidents, default
 * min(50000, M/4)), --csm-tenants K (tenants of the bench CSM, default 50), --database-url URL (an existing, empty
 * database to migrate and fill; default: a new database `portal_scale_<time>` on TEST_DATABASE_URL's server, or on
 * the embedded PostgreSQL with --embedded), --no-vacuum (skip VACUUM ANALYZE after the load).
 * The owner role must be a superuser: the load runs with `session_replication_role = replica`, so the foreign-key
 * triggers are not fired row by row (every key the seeder writes exists; the constraints stay in place).
 *
 * The mix, per incident: severities 5/15/40/40 % (sev1..sev4); ~80 % resolved or closed, the active ones among each
 * tenant's newest quarter; 1-4 status updates; the impacted-user count at the declaration (a second count for 30 %);
 * one governance event per state change; outbox rows (relayed) for what happened in the last 72 h, as the purge
 * leaves them; `bench_sla_clocks`: one row per clock of each active incident (the shape a sweep reads; due
 * instants approximated as calendar hours), 98 % of those past due already breached (state `breached`, with their
 * sla_breaches row), the rest `running` past due: what a sweep must find.
 */
import { randomUUID } from 'crypto';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DEFAULT_CALENDAR } from '@portal/sla';
import { runMigrations } from '../apps/portal-api/src/database/database';

export interface ScaleSeedOptions {
  ownerUrl: string;
  tenants: number;
  incidents: number;
  largest?: number;
  csmTenants?: number;
  vacuum?: boolean;
  now?: Date;
  appPassword?: string;
  log?: (m: string) => void;
}

export interface ScaleSeedResult {
  seconds: number;
  rows: Record<string, number>;
  acme: { id: string; slug: string; incidents: number };
  csmEmail: string;
  supportEmail: string;
  tenantSlugs: string[];
}

export const SCALE_CSM_EMAIL = 'csm@scale-bench.example';
export const SCALE_SUPPORT_EMAIL = 'support@scale-bench.example';
export const SCALE_APP_PASSWORD = process.env.SCALE_APP_PASSWORD ?? 'portal_app_test_pw';

const SERVICES = ['Identity', 'Distribution', 'Hub', 'Telemetry', 'Command Center', 'Onboarding Portal', 'Documentation site'];
const REGIONS = [
  { code: 'eu-south-1', name: 'Milano' },
  { code: 'eu-central-1', name: 'Frankfurt' },
];
const TIMEZONES = ['Europe/Rome', 'America/New_York', 'Asia/Tokyo', 'Europe/London', 'America/Los_Angeles', 'Australia/Sydney', 'Europe/Berlin'];
const TITLES = [
  'SSO sign-in fails for all users',
  'Telemetry ingestion delayed',
  'Hub dashboards time out',
  'Distribution jobs stuck in queue',
  'Command Center shows stale data',
  'Onboarding portal returns 502',
  'Intermittent 401 after token refresh',
  'Exports missing rows since the upgrade',
];
const SYMPTOMS = [
  'Users see an error page after the IdP redirect.',
  'Events arrive 20 minutes late in the dashboards.',
  'Requests time out after 30 seconds; retries sometimes succeed.',
  'The job list shows every job as pending.',
  'Numbers on the overview do not match the raw export.',
];
const ACTIVE: [string, number][] = [
  ['declared', 0.1],
  ['acknowledged', 0.25],
  ['investigating', 0.6],
  ['identified', 0.75],
  ['monitoring', 0.9],
  ['waiting_on_customer', 1],
];
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** mulberry32: a small seeded generator, so two runs of the seeder write the same mix. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** COPY text format: backslash, tab, newline and carriage return are escaped; null is \N. */
const NEEDS_ESCAPE = /[\\\t\n\r]/;
function esc(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
const N = '\\N';
const iso = (ms: number) => new Date(ms).toISOString();
const arrayLiteral = (xs: string[]) => `{${xs.map((x) => (/[\s,{}"\\]/.test(x) ? `"${x.replace(/["\\]/g, '\\$&')}"` : x)).join(',')}}`;

/** One COPY stream, fed in chunks of about 512 KiB; `flush` waits when PostgreSQL is behind. */
class CopyWriter {
  rows = 0;
  private buf: string[] = [];
  private size = 0;
  private readonly stream: ReturnType<typeof copyFrom>;
  private readonly done: Promise<void>;

  constructor(
    readonly client: Client,
    readonly table: string,
    columns: string[],
  ) {
    this.stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
    this.done = new Promise<void>((resolve, reject) => {
      this.stream.on('finish', () => resolve());
      this.stream.on('error', reject);
    });
    this.done.catch(() => undefined);
  }

  row(fields: (string | number | boolean)[]): void {
    const line = fields.join('\t') + '\n';
    this.buf.push(line);
    this.size += line.length;
    this.rows++;
  }

  get full(): boolean {
    return this.size >= 512 * 1024;
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.buf.join('');
    this.buf = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await new Promise<void>((r) => this.stream.once('drain', () => r()));
  }

  async end(): Promise<void> {
    await this.flush();
    this.stream.end();
    await this.done;
  }
}

async function loader(ownerUrl: string): Promise<Client> {
  const c = new Client({ connectionString: ownerUrl });
  await c.connect();
  // Foreign keys are enforced by triggers; replica mode skips them during the bulk load (every key written exists).
  await c.query(`set session_replication_role = replica; set synchronous_commit = off`);
  return c;
}

/** How many incidents each tenant gets: acme the largest, the others a long tail (weight 1/(i+10)), at least one each. */
function incidentCounts(tenants: number, incidents: number, largest: number): number[] {
  if (tenants === 1) return [incidents];
  const rest = incidents - largest;
  const weights = Array.from({ length: tenants - 1 }, (_, i) => 1 / (i + 11));
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.max(1, Math.floor((rest * w) / sum)));
  let left = rest - counts.reduce((a, b) => a + b, 0);
  for (let i = counts.length - 1; left > 0; i = i === 0 ? counts.length - 1 : i - 1, left--) counts[i]++;
  for (let i = 0; left < 0 && i < counts.length; i++) {
    const take = Math.min(counts[i] - 1, -left);
    counts[i] -= take;
    left += take;
  }
  return [largest, ...counts];
}

export async function seedScale(o: ScaleSeedOptions): Promise<ScaleSeedResult> {
  const log = o.log ?? ((m: string) => process.stdout.write(`[seed-scale] ${m}\n`));
  const started = Date.now();
  const now = (o.now ?? new Date()).getTime();
  const largest = Math.min(o.incidents, o.largest ?? Math.min(50_000, Math.floor(o.incidents / 4)));
  const csmTenants = Math.min(o.tenants, o.csmTenants ?? 50);
  if (o.tenants < 1 || o.incidents < o.tenants) throw new Error('need at least one tenant and one incident per tenant');
  const rnd = prng(17);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

  log(`migrating ${new URL(o.ownerUrl).pathname.slice(1)}`);
  await runMigrations(o.ownerUrl, 'portal_app', o.appPassword ?? SCALE_APP_PASSWORD);
  const admin = await loader(o.ownerUrl);
  await admin.query(`
    create table if not exists bench_sla_clocks (
      tenant_id uuid not null, incident_id uuid not null, clock text not null, state text not null, due_at timestamptz not null
    );
    create index if not exists bench_sla_clocks_running on bench_sla_clocks (due_at) where state = 'running';
    grant select on bench_sla_clocks to portal_app;`);

  // Tenants, their counters, one customer admin each, the bench staff.
  const counts = incidentCounts(o.tenants, o.incidents, largest);
  const tenants = counts.map((count, i) => {
    const slug = i === 0 ? 'acme' : `t${String(i).padStart(5, '0')}`;
    const tz = i === 0 ? 'Europe/Rome' : TIMEZONES[i % TIMEZONES.length];
    const mode = i === 0 ? 'B' : (['A', 'B', 'B', 'C', 'A'] as const)[i % 5];
    return { id: randomUUID(), slug, tz, mode, count, calendar: JSON.stringify(DEFAULT_CALENDAR(tz)), adminId: randomUUID() };
  });
  const supportId = randomUUID();
  const csmId = randomUUID();
  {
    // reference_key written here: the load runs with triggers off (session_replication_role = replica), so the insert
    // trigger that derives it from the slug does not fire. The slugs (acme, t00001…) are already valid, unique keys.
    const w = new CopyWriter(admin, 'tenants', [
      'id',
      'slug',
      'reference_key',
      'display_name',
      'service_mode',
      'timezone',
      'calendar',
      'regions',
      'contacts',
      'created_at',
    ]);
    const regions = esc(JSON.stringify(REGIONS));
    for (const t of tenants)
      w.row([
        t.id,
        t.slug,
        t.slug.toUpperCase(),
        t.slug === 'acme' ? 'Acme Corp' : `Tenant ${t.slug}`,
        t.mode,
        t.tz,
        esc(t.calendar),
        regions,
        '[]',
        iso(now - 800 * 24 * HOUR),
      ]);
    await w.end();
    const c = new CopyWriter(admin, 'tenant_counters', ['tenant_id', 'incident_seq']);
    for (const t of tenants) c.row([t.id, t.count]);
    await c.end();
    const u = new CopyWriter(admin, 'users', ['id', 'tenant_id', 'email', 'name', 'role', 'created_at']);
    for (const t of tenants) u.row([t.adminId, t.id, `admin@${t.slug}.example`, `Admin ${t.slug}`, 'customer_admin', iso(now - 800 * 24 * HOUR)]);
    await u.end();
    await admin.query(`insert into staff (id, email, name, role) values ($1, $2, 'Scale Support', 'support_engineer'), ($3, $4, 'Scale CSM', 'csm')`, [
      supportId,
      SCALE_SUPPORT_EMAIL,
      csmId,
      SCALE_CSM_EMAIL,
    ]);
    await admin.query(`insert into csm_assignments (staff_id, tenant_id) select $1, unnest($2::uuid[])`, [
      csmId,
      tenants.slice(0, csmTenants).map((t) => t.id),
    ]);
  }
  log(`${o.tenants} tenants (acme ${largest} incidents, the smallest ${counts[counts.length - 1]}); writing ${o.incidents} incidents`);

  // Secondary indexes (those backing no constraint) are built once after the load rather than row by row during it.
  const bulkTables = ['incidents', 'status_updates', 'impacted_user_counts', 'governance_events', 'outbox', 'sla_breaches', 'bench_sla_clocks'];
  const { rows: secondary } = await admin.query<{ name: string; def: string }>(
    `select ic.relname as name, pg_get_indexdef(i.indexrelid) as def
     from pg_index i join pg_class c on c.oid = i.indrelid join pg_class ic on ic.oid = i.indexrelid
     where c.relname = any($1) and c.relnamespace = 'public'::regnamespace
       and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)`,
    [bulkTables],
  );
  for (const ix of secondary) await admin.query(`drop index ${ix.name}`);

  // Every child table is its own COPY on its own connection, fed as the incidents are generated.
  const open = async (table: string, columns: string[]) => new CopyWriter(await loader(o.ownerUrl), table, columns);
  const incidents = await open('incidents', [
    'id',
    'tenant_id',
    'number',
    'title',
    'severity',
    'status',
    'services',
    'regions',
    'impacted_users',
    'first_noticed_at',
    'first_noticed_tz',
    'symptoms',
    'recent_changes',
    'error_codes',
    'reproduction_confirmed',
    'impacted_user_examples',
    'plane',
    'service_mode',
    'declared_at',
    'declared_by',
    'acknowledged_at',
    'acknowledged_by',
    'resolved_at',
    'resolution_summary',
    'closed_at',
    'last_status_update_at',
    'sla_pauses',
    'pir_delivered_at',
    'intake_redactions',
    'version',
    'calendar',
    'sla_due_at',
  ]);
  const updates = await open('status_updates', ['id', 'tenant_id', 'incident_id', 'state', 'body', 'author_id', 'author_label', 'created_at']);
  const impacted = await open('impacted_user_counts', ['id', 'tenant_id', 'incident_id', 'count', 'recorded_at', 'recorded_by']);
  const governance = await open('governance_events', [
    'id',
    'tenant_id',
    'occurred_at',
    'actor_kind',
    'actor_id',
    'actor_label',
    'action',
    'subject_type',
    'subject_id',
    'incident_id',
    'details',
  ]);
  const outbox = await open('outbox', ['tenant_id', 'topic', 'workload', 'payload', 'dedup_key', 'created_at', 'available_at', 'relayed_at', 'attempts']);
  const breaches = await open('sla_breaches', ['id', 'tenant_id', 'incident_id', 'clock', 'due_at', 'detected_at', 'owned', 'severity']);
  const clocks = await open('bench_sla_clocks', ['tenant_id', 'incident_id', 'clock', 'state', 'due_at']);
  const writers = [incidents, updates, impacted, governance, outbox, breaches, clocks];

  const serviceSets = SERVICES.map((s, i) => [arrayLiteral([s]), arrayLiteral([s, SERVICES[(i + 2) % SERVICES.length]])]).flat();
  const regionSets = [arrayLiteral(['eu-south-1']), arrayLiteral(['eu-central-1']), arrayLiteral(['eu-south-1', 'eu-central-1'])];
  const supportRef = esc(JSON.stringify({ kind: 'staff', id: supportId, label: 'Scale Support <support@scale-bench.example>' }));
  const supportLabel = 'Scale Support';
  const outboxSince = now - 72 * HOUR;
  const span = 730 * 24 * HOUR;
  let eventId = 0;

  for (const t of tenants) {
    const declaredBy = esc(JSON.stringify({ kind: 'user', id: t.adminId, label: `Admin ${t.slug} <admin@${t.slug}.example>` }));
    const adminLabel = `Admin ${t.slug}`;
    const calendar = esc(t.calendar);
    for (let n = 1; n <= t.count; n++) {
      const id = randomUUID();
      // Oldest first over two years; each tenant's newest quarter holds its active incidents.
      const age = 1 - n / t.count;
      const declaredAt = Math.round(now - age * span - rnd() * 6 * HOUR - 10 * MINUTE);
      const r = rnd();
      const severity = r < 0.05 ? 'sev1' : r < 0.2 ? 'sev2' : r < 0.6 ? 'sev3' : 'sev4';
      let status: string;
      if (age < 0.25 && rnd() < 0.8) {
        const s = rnd();
        status = ACTIVE.find(([, upTo]) => s < upTo)![0];
      } else status = rnd() < 0.75 ? 'closed' : 'resolved';
      const active = status !== 'resolved' && status !== 'closed';
      const ackAt = status === 'declared' ? null : Math.min(now - MINUTE, declaredAt + Math.round((1 + rnd() * 29) * MINUTE));
      const resolvedAt = active ? null : Math.min(now - MINUTE, declaredAt + Math.round((0.5 + rnd() * 47) * HOUR));
      const closedAt = status === 'closed' && resolvedAt !== null ? Math.min(now, resolvedAt + 48 * HOUR) : null;
      const reference = `INC-${n}`;

      // Status updates: investigating first, then identified/monitoring, then resolved for a resolved incident.
      const states: string[] = [];
      if (ackAt !== null) {
        states.push('investigating');
        if (status !== 'investigating' && status !== 'acknowledged') states.push(rnd() < 0.5 ? 'identified' : 'monitoring');
        if (rnd() < 0.3) states.push('monitoring');
        if (!active) states.push('resolved');
      }
      const last = resolvedAt ?? Math.min(now - MINUTE, (ackAt ?? declaredAt) + states.length * 20 * MINUTE);
      const stepMs = states.length > 1 ? (last - (ackAt ?? declaredAt)) / states.length : 5 * MINUTE;
      let lastUpdateAt: number | null = null;
      const impactedUsers = Math.floor(rnd() * 5000);
      const mode = t.mode;
      const plane = mode === 'C' ? pick(['data_plane', 'control_plane', 'not_sure']) : N;
      const pirDelivered = (severity === 'sev1' || severity === 'sev2') && closedAt !== null ? iso(Math.min(now, resolvedAt! + 72 * HOUR)) : N;
      const pauses = status === 'waiting_on_customer' ? `[{"from":"${iso(last)}","to":null}]` : '[]';

      const events: [number, string, string, string, string, string, Record<string, unknown>][] = [];
      events.push([declaredAt, 'user', t.adminId, adminLabel, 'incident.declared', 'incident', { reference, severity, redactions: [] }]);
      if (ackAt !== null) events.push([ackAt, 'staff', supportId, supportLabel, 'incident.acknowledged', 'incident', { reference }]);

      states.forEach((state, k) => {
        const at = Math.round(state === 'resolved' ? resolvedAt! : Math.min(now - MINUTE, (ackAt ?? declaredAt) + (k + 0.5) * stepMs));
        lastUpdateAt = at;
        const updateId = randomUUID();
        updates.row([updateId, t.id, id, state, `${state === 'resolved' ? 'Resolved' : 'Update'}: ${pick(SYMPTOMS)}`, supportId, supportLabel, iso(at)]);
        events.push([at, 'staff', supportId, supportLabel, 'incident.status_updated', 'status_update', { reference, state, statusUpdateId: updateId }]);
      });
      if (closedAt !== null) events.push([closedAt, 'staff', supportId, supportLabel, 'incident.closed', 'incident', { reference }]);

      let slaDue: number | null = null;
      // The running clocks of an active incident; those already past due were (almost always) caught and recorded.
      if (active) {
        const running: [string, number][] = [];
        if (ackAt === null) running.push(['initial_response', declaredAt + (severity === 'sev1' ? 15 * MINUTE : severity === 'sev2' ? HOUR : 24 * HOUR)]);
        if ((severity === 'sev1' || severity === 'sev2') && mode !== 'A' && status !== 'waiting_on_customer')
          running.push(['restoration', declaredAt + (severity === 'sev1' ? 4 : 24) * HOUR]);
        if (severity === 'sev1' || severity === 'sev2') running.push(['status_update', (lastUpdateAt ?? declaredAt) + 30 * MINUTE]);
        for (const [clock, due] of running) {
          const caught = due < now && rnd() < 0.98;
          clocks.row([t.id, id, clock, caught ? 'breached' : 'running', iso(due)]);
          if (caught) breaches.row([randomUUID(), t.id, id, clock, iso(due), iso(due + 2000), 't', severity]);
          // incidents.sla_due_at, as the portal keeps it: the earliest clock that can still breach unrecorded.
          else slaDue = slaDue === null ? due : Math.min(slaDue, due);
        }
      }

      incidents.row([
        id,
        t.id,
        n,
        pick(TITLES),
        severity,
        status,
        pick(serviceSets),
        pick(regionSets),
        impactedUsers,
        iso(declaredAt - Math.round(rnd() * 60 * MINUTE)),
        t.tz,
        pick(SYMPTOMS),
        '{"kinds":["other"]}',
        rnd() < 0.5 ? '{}' : '{E500}',
        rnd() < 0.6 ? 't' : 'f',
        '{}',
        plane,
        mode,
        iso(declaredAt),
        declaredBy,
        ackAt === null ? N : iso(ackAt),
        ackAt === null ? N : supportRef,
        resolvedAt === null ? N : iso(resolvedAt),
        resolvedAt === null ? N : 'Fixed by rolling back the change.',
        closedAt === null ? N : iso(closedAt),
        lastUpdateAt === null ? N : iso(lastUpdateAt),
        pauses,
        pirDelivered,
        '[]',
        1 + states.length + (ackAt !== null ? 1 : 0),
        calendar,
        slaDue === null ? N : iso(slaDue),
      ]);
      impacted.row([randomUUID(), t.id, id, impactedUsers, iso(declaredAt), adminLabel]);
      if (rnd() < 0.3)
        impacted.row([randomUUID(), t.id, id, impactedUsers + Math.floor(rnd() * 500), iso(Math.min(now, declaredAt + 30 * MINUTE)), adminLabel]);

      for (const [at, kind, actorId, label, action, subjectType, details] of events) {
        eventId++;
        governance.row([eventId, t.id, iso(at), kind, actorId, label, action, subjectType, id, id, esc(JSON.stringify(details))]);
        if (at >= outboxSince && action !== 'incident.closed') {
          for (const [subscriber, workload] of [
            ['sla-clocks', 'clocks'],
            ['notifications', 'notifications'],
          ]) {
            const envelope = { type: action, eventId: String(eventId), tenantId: t.id, occurredAt: iso(at), subjectId: id, incidentId: id, payload: details };
            outbox.row([t.id, `deliver:${subscriber}`, workload, esc(JSON.stringify(envelope)), `${subscriber}:${eventId}`, iso(at), iso(at), iso(at + 50), 1]);
          }
        }
      }

      if (writers.some((w) => w.full)) for (const w of writers) await w.flush();
    }
  }
  for (const w of writers) await w.end();
  await admin.query(`select setval('governance_events_id_seq', $1)`, [Math.max(1, eventId)]);
  for (const w of writers) await w.client.end();
  const rows: Record<string, number> = { tenants: tenants.length, users: tenants.length };
  for (const w of writers) rows[w.table] = w.rows;
  // The dropped indexes again, two builds at a time.
  const builders = await Promise.all([loader(o.ownerUrl), loader(o.ownerUrl)]);
  const queue = [...secondary];
  await Promise.all(
    builders.map(async (c) => {
      await c.query(`set maintenance_work_mem = '256MB'`);
      for (let ix = queue.shift(); ix; ix = queue.shift()) await c.query(ix.def);
      await c.end();
    }),
  );
  const copied = (Date.now() - started) / 1000;
  const total = Object.values(rows).reduce((a, b) => a + b, 0);
  log(`copied ${total.toLocaleString('en')} rows and rebuilt ${secondary.length} indexes in ${copied.toFixed(1)} s: ${JSON.stringify(rows)}`);
  if (o.vacuum !== false) {
    await admin.query(
      `vacuum (analyze) tenants, incidents, status_updates, impacted_user_counts, sla_breaches, bench_sla_clocks, outbox, users, staff, csm_assignments`,
    );
    await admin.query(`analyze governance_events`);
  } else await admin.query('analyze');
  await admin.end();
  const seconds = (Date.now() - started) / 1000;
  log(`done in ${seconds.toFixed(1)} s (${(seconds - copied).toFixed(1)} s of vacuum/analyze)`);
  return {
    seconds,
    rows,
    acme: { id: tenants[0].id, slug: 'acme', incidents: largest },
    csmEmail: SCALE_CSM_EMAIL,
    supportEmail: SCALE_SUPPORT_EMAIL,
    tenantSlugs: tenants.map((t) => t.slug),
  };
}

/** A new, empty database on the server at `serverUrl`; its owner URL. */
export async function createScaleDatabase(serverUrl: string, name = `portal_scale_${Date.now().toString(36)}`): Promise<string> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function cli(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const num = (name: string, dflt?: number) => {
    const v = flag(name);
    if (v === undefined) return dflt;
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);
    return n;
  };
  let ownerUrl = flag('database-url');
  let stopEmbedded: (() => Promise<void>) | null = null;
  if (!ownerUrl) {
    let serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    if (args.includes('--embedded')) {
      const { startEmbeddedPostgres } = await import('../apps/portal-api/src/database/embedded-postgres');
      const pg = await startEmbeddedPostgres({
        dir: flag('embedded-dir') ?? './.data/pg-scale',
        port: num('embedded-port', 54349)!,
        notice: (m) => process.stdout.write(`${m}\n`),
      });
      serverUrl = pg.url;
      stopEmbedded = () => pg.stop();
    }
    ownerUrl = await createScaleDatabase(serverUrl);
  }
  try {
    const r = await seedScale({
      ownerUrl,
      tenants: num('tenants', 200)!,
      incidents: num('incidents', 200_000)!,
      largest: num('largest'),
      csmTenants: num('csm-tenants'),
      vacuum: !args.includes('--no-vacuum'),
    });
    process.stdout.write(`[seed-scale] SCALE_DATABASE_URL=${ownerUrl}\n`);
    process.stdout.write(`[seed-scale] ${JSON.stringify({ seconds: r.seconds, rows: r.rows })}\n`);
  } finally {
    if (stopEmbedded) await stopEmbedded();
  }
}

if (require.main === module) {
  cli().catch((err: unknown) => {
    process.stderr.write(`[seed-scale] ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
