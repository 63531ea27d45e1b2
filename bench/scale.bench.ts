/**
 * Scale benchmark (issue 17): the portal under many tenants and incidents, each figure beside a baseline measured in
 * the same run, interleaved round by round.
 *
 *   npm run bench                                   (BENCH_FILTER=scale runs only this one)
 *   SCALE_TENANTS=200 SCALE_INCIDENTS=200000 BENCH_FILTER=scale npm run bench      (the issue's configuration)
 *   SCALE_DATABASE_URL=postgres://…/portal_scale_x  (a database bench/seed-scale.ts filled: no seeding, kept)
 *
 * - HTTP (autocannon, keep-alive, a warm-up of each side first, then SCALE_ROUNDS rounds of SCALE_ROUND_SECONDS
 *   alternating portal and raw): the list as a customer of the largest tenant (acme, c=32, ?status=active&limit=25),
 *   as a CSM of 50 tenants and as a support engineer over every tenant; the detail; the declaration (c=16). The
 *   portal runs as its own process (dist/apps/portal-api/src/main.js, PORTAL_ROLE=api), signed in through the
 *   development sign-in (a real session cookie per role); the baseline is bench/scale-raw-server.ts (node:http + pg,
 *   the same SQL and JSON, the SLA block from libs/sla, owner connection with the tenant as a predicate).
 * - RLS cost: the list and detail SQL as portal_app under the policy vs the owner with an explicit predicate, in
 *   the same transaction shape (begin, set_config, query, commit), 8 clients, queries per second; EXPLAIN of each.
 * - Sweep: the portal's own sweep query (incidents with a clock past due and no breach recorded, `sla_due_at`, which
 *   the seeder sets as the portal does; SCALE_SWEEP_SQL replaces it), median of 20 runs, EXPLAIN printed.
 * - Outage burst: SCALE_BURST_DECLARATIONS (default 2,000; the issue's figure is 10,000) declarations over
 *   SCALE_BURST_SECONDS (60) across up to 500 tenants, while up to 200 clients poll the list every 2 s, against the
 *   portal with its relay and workers (PORTAL_ROLE=all): declare p99, list p99, outbox lag (commit → relayed),
 *   each declaration's deliveries exactly once, the portal's RSS over time.
 * - libs/sla: computeSla per incident vs a bare loop over the same data.
 * One table with every figure, its baseline, the ratio and the issue's goal: printed, and written to
 * bench/results/scale.md (figures for run.js in bench/results/scale.json).
 * Env: SCALE_TENANTS (50), SCALE_INCIDENTS (50000), SCALE_LARGEST, SCALE_ROUNDS (3), SCALE_ROUND_SECONDS (10),
 * SCALE_WARMUP_SECONDS (3), SCALE_RLS_SECONDS (5), SCALE_SKIP (comma list of: http, rls, sweep, burst, sla),
 * TEST_DATABASE_URL (server for a new database), REDIS_URL.
 */
import { spawn, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { Agent, request } from 'http';
import { createServer, type AddressInfo } from 'net';
import { cpus, loadavg, totalmem } from 'os';
import { dirname, join } from 'path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { computeSla, type SlaInput } from '@portal/sla';
import { appRoleUrl } from '../apps/portal-api/src/database/app-role';
import { createScaleDatabase, SCALE_APP_PASSWORD, SCALE_CSM_EMAIL, SCALE_SUPPORT_EMAIL, seedScale } from './seed-scale';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const ROUNDS = env('SCALE_ROUNDS', 3);
const ROUND_S = env('SCALE_ROUND_SECONDS', 10);
const WARMUP_S = env('SCALE_WARMUP_SECONDS', 3);
const RLS_S = env('SCALE_RLS_SECONDS', 5);
const BURST_N = env('SCALE_BURST_DECLARATIONS', 2000);
const BURST_S = env('SCALE_BURST_SECONDS', 60);
const SKIP = new Set((process.env.SCALE_SKIP ?? '').split(',').filter(Boolean));
const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const say = (m: string) => process.stdout.write(`${m}\n`);
const r1 = (n: number) => Math.round(n * 10) / 10;
const r2 = (n: number) => Math.round(n * 100) / 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function repoRoot(): string {
  let d = __dirname;
  for (let i = 0; i < 6; i++) {
    const p = join(d, 'package.json');
    if (existsSync(p) && /"name":\s*"incident-portal"/.test(readFileSync(p, 'utf8'))) return d;
    d = dirname(d);
  }
  return process.cwd();
}
const root = repoRoot();

/** One row of the final table. */
interface Row {
  group: string;
  name: string;
  portal: string;
  raw: string;
  ratio: number | null;
  goal: string;
  met: boolean | null;
  spread?: string;
}
const rows: Row[] = [];
const figures: { name: string; unit: string; value: number; baseline?: number; baselineName?: string; better: 'higher' | 'lower' }[] = [];
const explains: string[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

interface Child {
  proc: ChildProcess;
  base: string;
  stop(): Promise<void>;
}

function startChild(args: string[], childEnv: NodeJS.ProcessEnv, ready: RegExp, port: number | null, what: string): Promise<Child> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 180 s:\n${out.slice(-2000)}`)), 180_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout.off('data', onData);
        proc.stdout.resume();
        const p = port ?? Number(m[1]);
        resolve({
          proc,
          base: `http://127.0.0.1:${p}`,
          stop: () =>
            new Promise<void>((r) => {
              if (proc.exitCode !== null) return r();
              proc.once('exit', () => r());
              proc.kill('SIGTERM');
              setTimeout(() => proc.kill('SIGKILL'), 15_000).unref();
            }),
        });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${out.slice(-2000)}`));
    });
  });
}

async function startPortal(ownerUrl: string, role: 'api' | 'all'): Promise<Child> {
  const port = await freePort();
  return startChild(
    [join(root, 'dist/apps/portal-api/src/main.js')],
    {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: ownerUrl,
      APP_DATABASE_PASSWORD: SCALE_APP_PASSWORD,
      RUN_MIGRATIONS: 'false',
      DEV_LOGIN_ENABLED: 'true',
      RATE_LIMITS_ENABLED: 'false',
      LOG_LEVEL: 'silent',
      REDIS_URL,
      QUEUE_PREFIX: `scale-${randomBytes(4).toString('hex')}`,
      SECRET_KEY: randomBytes(32).toString('base64'),
      WEB_DIST_DIR: '/nonexistent',
      COOKIE_SECURE: 'false',
      PORTAL_ROLE: role,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    },
    /portal ready/,
    port,
    `the portal (PORTAL_ROLE=${role})`,
  );
}

/** A plain HTTP call; JSON in and out. */
function call(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
  agent?: Agent,
): Promise<{ status: number; json: unknown; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${base}${path}`,
      { method, agent, headers: { ...headers, ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = text;
          try {
            json = text ? (JSON.parse(text) as unknown) : null;
          } catch {
            /* not JSON: the text */
          }
          resolve({ status: res.statusCode ?? 0, json, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** A real session through the development sign-in: the cookie header and the CSRF token. */
async function signIn(base: string, body: { email: string; role: string; tenant?: string }): Promise<Record<string, string>> {
  const res = await call(base, 'POST', '/auth/dev/login', {}, body);
  if (res.status !== 200) throw new Error(`sign-in as ${body.role} failed: ${res.status} ${JSON.stringify(res.json)}`);
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = set.map((c) => c.split(';')[0]).join('; ');
  return { cookie, 'x-csrf-token': (res.json as { csrfToken: string }).csrfToken };
}

const intake = (i: number, plane?: 'not_sure') => ({
  title: `Scale bench outage ${i}`,
  severity: (['sev1', 'sev2', 'sev3', 'sev4'] as const)[i % 4],
  services: ['Identity'],
  regions: ['eu-south-1'],
  impactedUsers: 250,
  firstNoticedAt: new Date(Date.now() - 10 * 60_000).toISOString(),
  firstNoticedTimezone: 'Europe/Rome',
  symptoms: 'Users see an error page after the IdP redirect.',
  recentChanges: { kinds: ['idp_migration'] },
  errorCodes: ['AADSTS50011'],
  reproductionConfirmed: true,
  impactedUserExamples: ['mario.rossi@acme.example'],
  ...(plane ? { plane } : {}),
});

interface AcFigures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function cannon(opts: {
  url: string;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
  method?: 'GET' | 'POST';
  body?: () => string;
  paths?: () => string;
}): Promise<AcFigures> {
  const requests: autocannon.Request[] | undefined =
    opts.paths || opts.body
      ? [
          {
            setupRequest: (req: autocannon.Request) => {
              if (opts.paths) req.path = opts.paths();
              if (opts.body) req.body = opts.body();
              return req;
            },
          },
        ]
      : undefined;
  const r = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    headers: { ...opts.headers, ...(opts.body ? { 'content-type': 'application/json' } : {}) },
    method: opts.method ?? 'GET',
    requests,
    timeout: 30,
  });
  // Completed 2xx responses over the run: a per-second average reads 0 when every response takes longer than a second.
  return { rps: r['2xx'] / r.duration, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

/** Warm-up of each side, then rounds alternating which side goes first. */
async function pair(
  name: string,
  goal: { ratio: number; p99?: number },
  portal: (s: number) => Promise<AcFigures>,
  raw: (s: number) => Promise<AcFigures>,
): Promise<void> {
  say(`\n[scale] ${name} — load average ${load()}`);
  await portal(WARMUP_S);
  await raw(WARMUP_S);
  const p: AcFigures[] = [];
  const b: AcFigures[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    if (i % 2 === 0) {
      p.push(await portal(ROUND_S));
      b.push(await raw(ROUND_S));
    } else {
      b.push(await raw(ROUND_S));
      p.push(await portal(ROUND_S));
    }
    say(
      `  round ${i + 1}: portal ${r1(p[i].rps)} req/s p50 ${p[i].p50} p99 ${p[i].p99} ms err ${p[i].errors} | raw ${r1(b[i].rps)} req/s p50 ${b[i].p50} p99 ${b[i].p99} ms err ${b[i].errors} | load ${load()}`,
    );
  }
  const pr = median(p.map((x) => x.rps));
  const br = median(b.map((x) => x.rps));
  const pp99 = median(p.map((x) => x.p99));
  const bp99 = median(b.map((x) => x.p99));
  const ratio = br > 0 ? pr / br : 0;
  const errs = p.reduce((a, x) => a + x.errors, 0) + b.reduce((a, x) => a + x.errors, 0);
  const spread = (xs: AcFigures[]) => `${r1(Math.min(...xs.map((x) => x.rps)))}–${r1(Math.max(...xs.map((x) => x.rps)))}`;
  const met = ratio >= goal.ratio && (goal.p99 === undefined || pp99 < goal.p99);
  rows.push({
    group: 'http',
    name,
    portal: `${r1(pr)} req/s, p50 ${median(p.map((x) => x.p50))} / p99 ${pp99} ms`,
    raw: `${r1(br)} req/s, p50 ${median(b.map((x) => x.p50))} / p99 ${bp99} ms`,
    ratio: r2(ratio),
    goal: `≥ ${goal.ratio}×${goal.p99 ? `, p99 < ${goal.p99} ms` : ''}`,
    met,
    spread: `portal ${spread(p)}, raw ${spread(b)} req/s${errs ? `; ${errs} errors` : ''}`,
  });
  figures.push({ name: `${name}: req/s`, unit: 'req/s', value: r1(pr), baseline: r1(br), baselineName: 'raw node:http + pg', better: 'higher' });
  figures.push({ name: `${name}: p99`, unit: 'ms', value: pp99, baseline: bp99, baselineName: 'raw node:http + pg', better: 'lower' });
}

/** Key paths of a JSON value (arrays by their first element): the shape two servers must agree on. */
function shape(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v)) return v.length ? shape(v[0], `${prefix}[]`) : [`${prefix}[]`];
  if (v && typeof v === 'object')
    return Object.keys(v)
      .sort()
      .flatMap((k) => [`${prefix}.${k}`, ...shape((v as Record<string, unknown>)[k], `${prefix}.${k}`)]);
  return [];
}

async function explain(c: Client, title: string, sqlText: string, params: unknown[], tenantIds?: string[] | 'all'): Promise<void> {
  await c.query('begin');
  try {
    if (tenantIds === 'all') await c.query(`select set_config('app.scope', 'all_tenants', true)`);
    else if (tenantIds) await c.query(`select set_config('app.tenant_ids', $1, true)`, [tenantIds.join(',')]);
    const r = await c.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${sqlText}`, params);
    const text = r.rows.map((x) => x['QUERY PLAN']).join('\n');
    explains.push(`### ${title}\n\n\`\`\`\n${sqlText.replace(/\s+/g, ' ').trim()}\n\n${text}\n\`\`\``);
    say(`\n[scale] EXPLAIN ${title}\n${text}`);
  } finally {
    await c.query('rollback');
  }
}

/** `clients` connections each running `work` in a loop for `seconds`; queries per second. */
async function loop(url: string, clients: number, seconds: number, work: (c: Client, i: number) => Promise<void>): Promise<number> {
  const conns = await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  let n = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    conns.map(async (c, k) => {
      let i = k;
      while (Date.now() < until) {
        await work(c, i);
        i += clients;
        n++;
      }
    }),
  );
  await Promise.all(conns.map((c) => c.end()));
  return n / seconds;
}

// The portal's own list SQL (IncidentsRepository.list): the page first in the keyset order, carrying the tenant
// predicate from the request's context (none for a support engineer, whose scope is every tenant), then its
// tenants; run as portal_app, so the policy applies as well.
const listSql = (predicate: string | null) => `select i.*, t.slug as tenant_slug, t.display_name as tenant_name, t.reference_key as tenant_key
  from (select * from incidents i where ${predicate ? `${predicate} and ` : ''}i.status not in ('resolved','closed')
        order by i.declared_at desc, i.id desc limit 26) i
  join tenants t on t.id = i.tenant_id order by i.declared_at desc, i.id desc`;
const PORTAL_LIST = listSql('i.tenant_id = $1::uuid');
const RAW_LIST = PORTAL_LIST;
const PORTAL_DETAIL = `select i.*, t.slug as tenant_slug, t.display_name as tenant_name from incidents i join tenants t on t.id = i.tenant_id where i.id = $1`;
const RAW_DETAIL = `${PORTAL_DETAIL} and i.tenant_id = $2`;
// The portal's sweep (IncidentsRepository.dueForSweep, served by the partial index incidents_sla_due).
const SWEEP =
  process.env.SCALE_SWEEP_SQL ?? `select id, tenant_id from incidents where sla_due_at is not null and sla_due_at <= now() order by sla_due_at limit 500`;

async function rlsCost(ownerUrl: string, appUrl: string, acmeId: string, ids: string[]): Promise<void> {
  say(`\n[scale] RLS cost — load average ${load()}`);
  const inTx = async (c: Client, tenants: string, text: string, params: unknown[]) => {
    await c.query('begin');
    await c.query(`select set_config('app.tenant_ids', $1, true)`, [tenants]);
    await c.query(text, params);
    await c.query('commit');
  };
  for (const [name, policy, bypass] of [
    ['list SQL, acme (26 rows)', (c: Client) => inTx(c, acmeId, PORTAL_LIST, [acmeId]), (c: Client) => inTx(c, acmeId, RAW_LIST, [acmeId])],
    [
      'detail SQL (incident by id)',
      (c: Client, i: number) => inTx(c, acmeId, PORTAL_DETAIL, [ids[i % ids.length]]),
      (c: Client, i: number) => inTx(c, acmeId, RAW_DETAIL, [ids[i % ids.length], acmeId]),
    ],
  ] as const) {
    await loop(appUrl, 8, 1, policy);
    await loop(ownerUrl, 8, 1, bypass);
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      a.push(await loop(appUrl, 8, RLS_S, policy));
      b.push(await loop(ownerUrl, 8, RLS_S, bypass));
    }
    const ratio = median(a) / median(b);
    say(`  ${name}: portal_app under the policy ${a.map(r1).join(', ')} q/s; owner with the predicate ${b.map(r1).join(', ')} q/s`);
    rows.push({
      group: 'rls',
      name: `RLS cost: ${name}`,
      portal: `${r1(median(a))} tx/s (portal_app, policy)`,
      raw: `${r1(median(b))} tx/s (owner, tenant_id predicate)`,
      ratio: r2(ratio),
      goal: '≥ 0.9×',
      met: ratio >= 0.9,
      spread: `policy ${r1(Math.min(...a))}–${r1(Math.max(...a))}, owner ${r1(Math.min(...b))}–${r1(Math.max(...b))}`,
    });
    figures.push({ name: `RLS ${name}`, unit: 'tx/s', value: r1(median(a)), baseline: r1(median(b)), baselineName: 'owner + predicate', better: 'higher' });
  }
}

async function hotQueryPlans(ownerUrl: string, appUrl: string, acmeId: string, csmIds: string[], allIds: string[], detailId: string): Promise<void> {
  const app = new Client({ connectionString: appUrl });
  const owner = new Client({ connectionString: ownerUrl });
  await app.connect();
  await owner.connect();
  try {
    await explain(app, 'list, customer of acme (portal_app: policy + tenant predicate)', PORTAL_LIST, [acmeId], [acmeId]);
    await explain(owner, 'list, acme (owner, tenant_id predicate: the raw baseline)', RAW_LIST, [acmeId]);
    await explain(
      app,
      `list, CSM of ${csmIds.length} tenants (portal_app: policy + tenant predicate)`,
      listSql('i.tenant_id = any($1::uuid[])'),
      [csmIds],
      csmIds,
    );
    await explain(app, `list, support engineer over ${allIds.length} tenants (portal_app, all-tenants scope)`, listSql(null), [], 'all');
    await explain(app, 'detail: the incident (portal_app)', PORTAL_DETAIL, [detailId], [acmeId]);
    await explain(
      app,
      'detail: status updates (portal_app)',
      `select * from status_updates where incident_id = $1 order by created_at, id`,
      [detailId],
      [acmeId],
    );
    await explain(
      app,
      'detail: impacted-user history (portal_app)',
      `select count, recorded_at, recorded_by from impacted_user_counts where incident_id = $1 order by recorded_at, id`,
      [detailId],
      [acmeId],
    );
    await explain(
      app,
      'detail: breaches (portal_app)',
      `select clock, due_at, detected_at, severity, owned from sla_breaches where incident_id = $1 order by detected_at, due_at, clock`,
      [detailId],
      [acmeId],
    );
    await explain(owner, 'session look-up (every request)', `select * from sessions where id_hash = $1 and ended_at is null and expires_at > now()`, ['x']);
  } finally {
    await app.end();
    await owner.end();
  }
}

async function sweep(ownerUrl: string): Promise<void> {
  const c = new Client({ connectionString: ownerUrl });
  await c.connect();
  try {
    const running = Number((await c.query<{ n: string }>(`select count(*) as n from incidents where sla_due_at is not null`)).rows[0].n);
    await explain(c, 'sweep: running clocks past due without a breach', SWEEP, []);
    const times: number[] = [];
    let found = 0;
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      found = (await c.query(SWEEP)).rowCount ?? 0;
      times.push(performance.now() - t0);
    }
    const ms = median(times);
    rows.push({
      group: 'sweep',
      name: `sweep: clocks past due without a breach (${running.toLocaleString('en')} incidents with a running clock, ${found} found)`,
      portal: `${r2(ms)} ms median, ${r2(Math.max(...times))} ms max (20 runs)`,
      raw: '—',
      ratio: null,
      goal: '< 50 ms',
      met: ms < 50,
    });
    figures.push({ name: 'sweep query, median', unit: 'ms', value: r2(ms), better: 'lower' });
  } finally {
    await c.end();
  }
}

/** The incident columns the SLA block reads. */
interface SlaRow {
  service_mode: SlaInput['mode'];
  severity: SlaInput['severity'];
  plane: SlaInput['plane'];
  status: SlaInput['status'];
  declared_at: Date;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
  sla_pauses: { from: string; to: string | null }[];
  last_status_update_at: Date | null;
  pir_delivered_at: Date | null;
  calendar: SlaInput['calendar'];
}

async function slaMicro(ownerUrl: string, acmeId: string): Promise<void> {
  const c = new Client({ connectionString: ownerUrl });
  await c.connect();
  const { rows: incs } = await c.query<SlaRow>(`select * from incidents where tenant_id = $1 order by declared_at desc limit 5000`, [acmeId]);
  await c.end();
  const inputs: SlaInput[] = incs.map((r) => ({
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
    pirWaivedAt: null,
    calendar: r.calendar,
    severityChanges: [],
    resolvedPeriods: [],
  }));
  const now = new Date();
  const timeIt = (f: () => void) => {
    const t: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      f();
      t.push(((performance.now() - t0) * 1000) / inputs.length);
    }
    return median(t);
  };
  let sink = 0;
  const sla = timeIt(() => {
    for (const i of inputs) sink += computeSla(i, now).clocks.restoration.dueAt ? 1 : 0;
  });
  const bare = timeIt(() => {
    for (const i of inputs) sink += i.declaredAt.getTime() + (i.resolvedAt?.getTime() ?? 0) + i.calendar.workingDays.length + i.pauses.length;
  });
  if (sink === -1) say('');
  rows.push({
    group: 'sla',
    name: `libs/sla computeSla, per incident (${inputs.length} acme incidents)`,
    portal: `${r2(sla)} µs`,
    raw: `${r2(bare)} µs (bare loop over the same fields)`,
    ratio: null,
    goal: '< 20 µs',
    met: sla < 20,
  });
  figures.push({ name: 'computeSla per incident', unit: 'µs', value: r2(sla), baseline: r2(bare), baselineName: 'bare loop', better: 'lower' });
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

async function burst(ownerUrl: string): Promise<void> {
  const owner = new Client({ connectionString: ownerUrl });
  await owner.connect();
  // The declare bench's rows stay out of the relay's way: only the burst's rows are measured.
  await owner.query(`update outbox set relayed_at = now() where relayed_at is null`);
  const { rows: tenants } = await owner.query<{ slug: string; service_mode: string }>(`select slug, service_mode from tenants order by slug limit 500`);
  const portal = await startPortal(ownerUrl, 'all');
  const pid = portal.proc.pid!;
  say(`\n[scale] outage burst: ${BURST_N} declarations over ${BURST_S} s across ${tenants.length} tenants — load average ${load()}`);
  try {
    // One customer admin session per tenant, eight sign-ins at a time.
    const sessions: Record<string, string>[] = new Array<Record<string, string>>(tenants.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < tenants.length) {
          const k = next++;
          sessions[k] = await signIn(portal.base, { email: `admin@${tenants[k].slug}.example`, role: 'customer_admin', tenant: tenants[k].slug });
        }
      }),
    );
    const pollers = sessions.slice(0, 200);
    const declareAgent = new Agent({ keepAlive: true, maxSockets: 64 });
    const pollAgent = new Agent({ keepAlive: true, maxSockets: pollers.length });
    const startedAt = new Date(Date.now() - 1000);
    const rss: [number, number][] = [[0, rssOf(pid)]];
    const t0 = Date.now();
    const rssTimer = setInterval(() => rss.push([Math.round((Date.now() - t0) / 1000), rssOf(pid)]), 5000);
    const declareMs: number[] = [];
    const listMs: number[] = [];
    let declareErrors = 0;
    let listErrors = 0;
    let stopPolling = false;
    const polling = pollers.map(async (h, k) => {
      await sleep((k * 2000) / pollers.length);
      while (!stopPolling) {
        const s = performance.now();
        const next = Date.now() + 2000;
        const r = await call(portal.base, 'GET', '/api/v1/incidents?status=active&limit=25', h, undefined, pollAgent).catch(() => ({ status: 0 }));
        listMs.push(performance.now() - s);
        if (r.status !== 200) listErrors++;
        await sleep(Math.max(0, next - Date.now()));
      }
    });
    const pending: Promise<void>[] = [];
    const interval = (BURST_S * 1000) / BURST_N;
    for (let i = 0; i < BURST_N; i++) {
      const at = t0 + i * interval;
      const wait = at - Date.now();
      if (wait > 1) await sleep(wait);
      const h = sessions[i % sessions.length];
      const s = performance.now();
      pending.push(
        call(portal.base, 'POST', '/api/v1/incidents', h, intake(i, tenants[i % tenants.length].service_mode === 'C' ? 'not_sure' : undefined), declareAgent)
          .then((r) => {
            declareMs.push(performance.now() - s);
            if (r.status !== 201) declareErrors++;
          })
          .catch(() => {
            declareErrors++;
          }),
      );
    }
    // Declarations still unanswered two minutes after the window are counted as such, not waited for.
    let answered = 0;
    for (const p of pending) void p.then(() => answered++);
    await Promise.race([Promise.all(pending), sleep(120_000)]);
    const unanswered = BURST_N - answered;
    const declaredIn = (Date.now() - t0) / 1000;
    stopPolling = true;
    declareAgent.destroy();
    await Promise.all(polling);
    pollAgent.destroy();
    // The relay drains what is left; then the lag of every row the burst wrote.
    const until = Date.now() + 180_000;
    let left = 1;
    while (left > 0 && Date.now() < until) {
      left = Number(
        (await owner.query<{ n: string }>(`select count(*) as n from outbox where relayed_at is null and created_at >= $1`, [startedAt])).rows[0].n,
      );
      if (left > 0) await sleep(1000);
    }
    clearInterval(rssTimer);
    rss.push([Math.round((Date.now() - t0) / 1000), rssOf(pid)]);

    const lag = await owner.query<{ ms: number }>(
      `select extract(epoch from (relayed_at - created_at)) * 1000 as ms from outbox where created_at >= $1 and relayed_at is not null`,
      [startedAt],
    );
    const lags = lag.rows.map((r) => Number(r.ms));
    const declared = Number(
      (await owner.query<{ n: string }>(`select count(*) as n from incidents where declared_at >= $1 and title like 'Scale bench outage %'`, [startedAt]))
        .rows[0].n,
    );
    const deliveries = Number(
      (
        await owner.query<{ n: string }>(
          `select count(*) as n from outbox where created_at >= $1 and topic like 'deliver:%' and payload->>'type' = 'incident.declared'`,
          [startedAt],
        )
      ).rows[0].n,
    );
    const dupes = Number(
      (
        await owner.query<{ n: string }>(
          `select count(*) as n from (select dedup_key from outbox where created_at >= $1 and topic like 'deliver:%' group by dedup_key having count(*) > 1) d`,
          [startedAt],
        )
      ).rows[0].n,
    );
    const rssLine = rss.map(([s, mb]) => `${s}s ${mb}`).join(', ');
    // The table shows about a dozen samples; the log line above has them all.
    const every = Math.max(1, Math.ceil(rss.length / 12));
    const rssBrief = rss
      .filter((_, k) => k % every === 0 || k === rss.length - 1)
      .map(([s, mb]) => `${s}s ${mb}`)
      .join(', ');
    say(
      `  declared ${declared} in ${r1(declaredIn)} s (${declareErrors} errors, ${unanswered} unanswered after the window + 120 s); list polls ${listMs.length} (${listErrors} errors); outbox rows ${lags.length}, ${left} not relayed`,
    );
    say(`  RSS MiB over time: ${rssLine}`);
    const rssValues = rss.map(([, mb]) => mb).filter(Number.isFinite);
    const rssGrowth = rssValues.length ? rssValues[rssValues.length - 1] - rssValues[0] : NaN;
    const label = `outage burst (${BURST_N} declarations / ${BURST_S} s, ${tenants.length} tenants, ${pollers.length} pollers every 2 s)`;
    rows.push(
      {
        group: 'burst',
        name: `${label}: declare`,
        portal: `p50 ${r1(pct(declareMs, 50))} / p99 ${r1(pct(declareMs, 99))} ms; ${r1(declared / declaredIn)} declarations/s achieved`,
        raw: '—',
        ratio: null,
        goal: `${r1(BURST_N / BURST_S)}/s offered, all answered, no errors`,
        met: declareErrors === 0 && unanswered === 0 && declared === BURST_N,
        spread: `${declareErrors} errors, ${unanswered} unanswered 120 s after the window`,
      },
      {
        group: 'burst',
        name: `${label}: list while declaring`,
        portal: `p50 ${r1(pct(listMs, 50))} / p99 ${r1(pct(listMs, 99))} ms over ${listMs.length} polls`,
        raw: '—',
        ratio: null,
        goal: 'no errors',
        met: listErrors === 0,
        spread: `${listErrors} errors`,
      },
      {
        group: 'burst',
        name: `${label}: outbox lag (row written → relayed)`,
        portal: `p50 ${r1(pct(lags, 50))} / p99 ${r1(pct(lags, 99))} / max ${r1(Math.max(...lags, 0))} ms; ${left} rows not relayed`,
        raw: '—',
        ratio: null,
        goal: 'every row relayed',
        met: left === 0,
      },
      {
        group: 'burst',
        name: `${label}: deliveries exactly once`,
        portal: `${deliveries} incident.declared deliveries for ${declared} declarations (2 subscribers), ${dupes} event deliveries written twice (jobs a worker schedules, such as reminders, are deduplicated by their BullMQ job id)`,
        raw: '—',
        ratio: null,
        goal: '2 per declaration, 0 duplicates',
        met: deliveries === declared * 2 && dupes === 0,
      },
      {
        group: 'burst',
        name: `${label}: portal RSS`,
        portal: `${rssValues[0]} → max ${Math.max(...rssValues)} → ${rssValues[rssValues.length - 1]} MiB (${rssGrowth >= 0 ? '+' : ''}${rssGrowth})`,
        raw: '—',
        ratio: null,
        goal: 'flat',
        met: null,
        spread: rssBrief,
      },
    );
    figures.push(
      { name: 'burst declare p99', unit: 'ms', value: r1(pct(declareMs, 99)), better: 'lower' },
      { name: 'burst list p99', unit: 'ms', value: r1(pct(listMs, 99)), better: 'lower' },
      { name: 'burst outbox lag p99', unit: 'ms', value: r1(pct(lags, 99)), better: 'lower' },
      { name: 'burst portal RSS growth', unit: 'MiB', value: rssGrowth, better: 'lower' },
    );
  } finally {
    await portal.stop();
    await owner.end();
  }
}

function table(meta: string): string {
  const head = ['figure', 'portal', 'baseline (same run)', 'ratio', 'goal', 'met', 'spread over rounds'];
  const lines = rows.map((r) => [
    r.name,
    r.portal,
    r.raw,
    r.ratio === null ? '' : `${r.ratio}×`,
    r.goal,
    r.met === null ? '—' : r.met ? 'yes' : '**no**',
    r.spread ?? '',
  ]);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [meta, '', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...lines.map((l) => `| ${l.map(esc).join(' | ')} |`)].join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  let ownerUrl = process.env.SCALE_DATABASE_URL;
  const seeded = !ownerUrl;
  let seedNote = '';
  if (!ownerUrl) {
    ownerUrl = await createScaleDatabase(SERVER_URL);
    const r = await seedScale({
      ownerUrl,
      tenants: env('SCALE_TENANTS', 50),
      incidents: env('SCALE_INCIDENTS', 50_000),
      largest: process.env.SCALE_LARGEST ? Number(process.env.SCALE_LARGEST) : undefined,
    });
    const total = Object.values(r.rows).reduce((a, b) => a + b, 0);
    seedNote = `seeded ${total.toLocaleString('en')} rows in ${r1(r.seconds)} s`;
  }
  const appUrl = appRoleUrl(ownerUrl, 'portal_app', SCALE_APP_PASSWORD);
  const owner = new Client({ connectionString: ownerUrl });
  await owner.connect();
  const counts = (
    await owner.query<{ tenants: string; incidents: string; acme: string; acme_incidents: string; csm: string }>(
      `select (select count(*) from tenants) as tenants, (select count(*) from incidents) as incidents,
      (select id from tenants where slug = 'acme') as acme, (select count(*) from incidents i join tenants t on t.id = i.tenant_id where t.slug = 'acme') as acme_incidents,
      (select id from staff where email = $1) as csm`,
      [SCALE_CSM_EMAIL],
    )
  ).rows[0];
  const acmeId = counts.acme;
  const csmId = counts.csm;
  const allIds = (await owner.query<{ id: string }>(`select id from tenants`)).rows.map((r) => r.id);
  const csmIds = (await owner.query<{ tenant_id: string }>(`select tenant_id from csm_assignments where staff_id = $1`, [csmId])).rows.map((r) => r.tenant_id);
  const detailIds = (await owner.query<{ id: string }>(`select id from incidents where tenant_id = $1 order by random() limit 1000`, [acmeId])).rows.map(
    (r) => r.id,
  );
  await owner.end();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
  const meta =
    `Scale bench, ${new Date().toISOString()}: ${Number(counts.tenants)} tenants, ${Number(counts.incidents).toLocaleString('en')} incidents ` +
    `(acme ${Number(counts.acme_incidents).toLocaleString('en')}); ${machine}; load average at start ${load()}; ` +
    `${ROUNDS} rounds of ${ROUND_S} s after a ${WARMUP_S} s warm-up per side${seedNote ? `; ${seedNote}` : ''}.`;
  say(`[scale] ${meta}`);

  if (!SKIP.has('http')) {
    const portal = await startPortal(ownerUrl, 'api');
    const rawPort = await freePort();
    const raw = await startChild(
      [join(root, 'dist/bench/scale-raw-server.js')],
      { PATH: process.env.PATH, RAW_DATABASE_URL: ownerUrl, RAW_PORT: String(rawPort), RAW_POOL_SIZE: '10' },
      /READY (\d+)/,
      null,
      'the raw server',
    );
    try {
      const customer = await signIn(portal.base, { email: 'admin@acme.example', role: 'customer_admin', tenant: 'acme' });
      const csm = await signIn(portal.base, { email: SCALE_CSM_EMAIL, role: 'csm' });
      const support = await signIn(portal.base, { email: SCALE_SUPPORT_EMAIL, role: 'support_engineer' });
      const rawAcme = { 'x-bench-scope': `tenant:${acmeId}` };
      const rawCsm = { 'x-bench-scope': `csm:${csmId}` };
      const rawAll = { 'x-bench-scope': 'all' };
      const LIST = '/api/v1/incidents?status=active&limit=25';

      // The portal reads the seeded rows, and both servers answer the same JSON.
      type Page = { items: { id: string; reference: string; status: string }[] };
      type Detail = { reference: string; statusUpdates: unknown[] };
      const pl = (await call(portal.base, 'GET', LIST, customer)) as { status: number; json: Page };
      const rl = (await call(raw.base, 'GET', LIST, rawAcme)) as { status: number; json: Page };
      const pd = (await call(portal.base, 'GET', `/api/v1/incidents/${detailIds[0]}`, customer)) as { status: number; json: Detail };
      const rd = (await call(raw.base, 'GET', `/api/v1/incidents/${detailIds[0]}`, rawAcme)) as { status: number; json: Detail };
      if (pl.status !== 200 || pd.status !== 200) throw new Error(`the portal did not read the seeded rows: list ${pl.status}, detail ${pd.status}`);
      const sameIds = JSON.stringify(pl.json.items.map((i) => i.id)) === JSON.stringify(rl.json.items.map((i) => i.id));
      const listShape = JSON.stringify(shape(pl.json)) === JSON.stringify(shape(rl.json));
      const detailShape = JSON.stringify(shape(pd.json)) === JSON.stringify(shape(rd.json));
      say(
        `[scale] portal list: ${pl.json.items.length} items (first ${pl.json.items[0]?.reference}, ${pl.json.items[0]?.status}); detail ${pd.json.reference} with ${pd.json.statusUpdates.length} status updates`,
      );
      say(`[scale] same JSON as the raw server: list ids ${sameIds}, list shape ${listShape}, detail shape ${detailShape}`);
      if (!listShape || !detailShape) {
        const a = new Set(shape(pd.json));
        const b = new Set(shape(rd.json));
        say(`  only portal: ${[...a].filter((k) => !b.has(k)).join(', ')}; only raw: ${[...b].filter((k) => !a.has(k)).join(', ')}`);
      }

      let d = 0;
      const nextDetail = () => `/api/v1/incidents/${detailIds[d++ % detailIds.length]}`;
      let k = 0;
      const nextBody = () => JSON.stringify(intake(k++));
      await pair(
        `list, customer of acme, c=32 (${LIST.split('?')[1]})`,
        { ratio: 0.5, p99: 50 },
        (s) => cannon({ url: `${portal.base}${LIST}`, connections: 32, seconds: s, headers: customer }),
        (s) => cannon({ url: `${raw.base}${LIST}`, connections: 32, seconds: s, headers: rawAcme }),
      );
      await pair(
        `list, CSM of ${csmIds.length} tenants, c=32`,
        { ratio: 0.3 },
        (s) => cannon({ url: `${portal.base}${LIST}`, connections: 32, seconds: s, headers: csm }),
        (s) => cannon({ url: `${raw.base}${LIST}`, connections: 32, seconds: s, headers: rawCsm }),
      );
      await pair(
        `list, support engineer over ${allIds.length} tenants, c=32`,
        { ratio: 0.3 },
        (s) => cannon({ url: `${portal.base}${LIST}`, connections: 32, seconds: s, headers: support }),
        (s) => cannon({ url: `${raw.base}${LIST}`, connections: 32, seconds: s, headers: rawAll }),
      );
      await pair(
        'detail, customer of acme, c=32',
        { ratio: 0.6 },
        (s) => cannon({ url: portal.base, connections: 32, seconds: s, headers: customer, paths: nextDetail }),
        (s) => cannon({ url: raw.base, connections: 32, seconds: s, headers: rawAcme, paths: nextDetail }),
      );
      await pair(
        'declare, customer admin of acme, c=16',
        { ratio: 0.5, p99: 100 },
        (s) => cannon({ url: `${portal.base}/api/v1/incidents`, connections: 16, seconds: s, headers: customer, method: 'POST', body: nextBody }),
        (s) => cannon({ url: `${raw.base}/api/v1/incidents`, connections: 16, seconds: s, headers: rawAcme, method: 'POST', body: nextBody }),
      );
    } finally {
      await portal.stop();
      await raw.stop();
    }
  }
  if (!SKIP.has('rls')) {
    await rlsCost(ownerUrl, appUrl, acmeId, detailIds);
    await hotQueryPlans(ownerUrl, appUrl, acmeId, csmIds, allIds, detailIds[0]);
  }
  if (!SKIP.has('sweep')) await sweep(ownerUrl);
  if (!SKIP.has('sla')) await slaMicro(ownerUrl, acmeId);
  if (!SKIP.has('burst')) await burst(ownerUrl);

  const out = table(meta);
  say(`\n${out}\n`);
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'scale.md'),
    `# Scale bench (issue 17)\n\nWritten by \`npm run bench\` (bench/scale.bench.ts). Ratios are portal ÷ baseline of the same run (higher is better for req/s).\n\n${out}\n\n## Plans of the hot queries\n\n${explains.join('\n\n')}\n`,
  );
  writeFileSync(
    join(dir, 'scale.json'),
    JSON.stringify(
      { date: new Date().toISOString(), node: process.versions.node, meta, rows, figures, seconds: Math.round((Date.now() - started) / 1000) },
      null,
      2,
    ),
  );
  if (seeded && !process.env.SCALE_KEEP) {
    const admin = new Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${new URL(ownerUrl).pathname.slice(1)} with (force)`);
    await admin.end();
  } else say(`[scale] database kept: SCALE_DATABASE_URL=${ownerUrl}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[scale] ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
