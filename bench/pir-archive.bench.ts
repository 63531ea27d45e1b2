/**
 * The PIR archive (issue 15): search p95 over PIR_ARCHIVE_BENCH_PIRS published reviews (default 10,000) in one tenant,
 * through the API (`GET /api/v1/pirs?q=…`, a customer admin's token: auth, row-level security, the repository's
 * full-text query with ts_headline), and the query's EXPLAIN showing the GIN index (`pirs_search`) used. Goal: p95
 * under 100 ms. The baseline is the same search with the GIN index dropped (a sequential scan), in the same run.
 *
 *   npm run bench            (or: npm run build:api && node dist/bench/pir-archive.bench.js)
 *
 * Env: PIR_ARCHIVE_BENCH_PIRS (default 10000), PIR_ARCHIVE_BENCH_QUERIES (searches per phase, default 200),
 * TEST_DATABASE_URL (PostgreSQL server; a fresh database is created and dropped), REDIS_URL.
 * Seeding: one incident and its review are made through the services; the other reviews are copies (one incident
 * each) whose sections are drawn from a vocabulary of incident words, so matches are spread like real text.
 * Results go to bench/results/pir-archive.json as `figures`, each with its baseline.
 */
import { randomBytes } from 'crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import type { AddressInfo } from 'net';
import { dirname, join, resolve } from 'path';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { DEFAULT_CALENDAR } from '@portal/sla';
import { TenantContext, type Actor } from '@portal/tenancy';
import { PortalAppModule } from '../apps/portal-api/src/app.module';
import { configureApp } from '../apps/portal-api/src/app.setup';
import { Accounts } from '../apps/portal-api/src/auth/accounts.service';
import { ApiTokensService } from '../apps/portal-api/src/auth/api-tokens.service';
import { loadConfig } from '../apps/portal-api/src/config/portal-config';
import { appRoleUrl } from '../apps/portal-api/src/database/app-role';
import { runMigrations } from '../apps/portal-api/src/database/database';
import { IncidentsService } from '../apps/portal-api/src/incidents/incidents.service';
import { PirService } from '../apps/portal-api/src/pir/pir.service';
import { TenantOnboardingService } from '../apps/portal-api/src/tenants/tenant-onboarding.service';
import { DEFAULT_REGIONS } from '../apps/portal-api/src/tenants/tenant.types';

const PIRS = Number(process.env.PIR_ARCHIVE_BENCH_PIRS ?? 10_000);
const QUERIES = Number(process.env.PIR_ARCHIVE_BENCH_QUERIES ?? 200);
const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** What people search for: single words (common and rare), phrases, and filtered searches. */
const SEARCHES = [
  'certificate',
  'expired intermediate',
  'dns',
  'database failover',
  'rate limit',
  '"connection pool"',
  'kubernetes node',
  'sso -saml',
  'timeout latency',
  'rollback deploy',
];
const FILTERED = ['severity=sev1', 'service=Identity', 'from=2026-01-01&to=2026-06-30'];

const WORDS = (
  'certificate expired intermediate chain renewal ingress load balancer dns resolver zone record ttl database failover replica ' +
  'primary lag connection pool exhausted timeout latency spike rate limit throttling kubernetes node eviction memory pressure ' +
  'deploy rollback canary feature flag configuration drift sso saml oidc entra identity provider token signing key rotation ' +
  'queue backlog worker crash disk full storage quota network partition packet loss firewall rule cache invalidation stampede ' +
  'monitoring alert missed on-call escalation runbook customer impact sign-in error page region outage partial degraded recovery'
).split(' ');

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const r1 = (n: number) => Math.round(n * 10) / 10;

function repoRoot(): string {
  let d = __dirname;
  for (let i = 0; i < 6; i++) {
    const p = join(d, 'package.json');
    if (existsSync(p) && /"name":\s*"incident-portal"/.test(readFileSync(p, 'utf8'))) return d;
    d = dirname(d);
  }
  return process.cwd();
}

async function main(): Promise<void> {
  const dbName = `portal_bench_pir_${Date.now().toString(36)}_${process.pid}`;
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const u = new URL(SERVER_URL);
  u.pathname = `/${dbName}`;
  const ownerUrl = u.toString();
  const owner = new Client({ connectionString: ownerUrl });
  let app: Awaited<ReturnType<typeof NestFactory.create>> | null = null;
  try {
    await runMigrations(ownerUrl, 'portal_app', 'portal_app_bench_pw');
    await owner.connect();
    const config = loadConfig({
      NODE_ENV: 'development',
      DATABASE_URL: ownerUrl,
      APP_DATABASE_PASSWORD: 'portal_app_bench_pw',
      LOG_LEVEL: 'silent',
      REDIS_URL,
      QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
      SECRET_KEY: randomBytes(32).toString('base64'),
      WEB_DIST_DIR: '/nonexistent',
      RATE_LIMITS_ENABLED: 'false',
      PORTAL_ROLE: 'api',
      PUBLIC_URL: 'https://portal.bench',
    });
    app = await NestFactory.create(
      PortalAppModule.forRoot({ config, appDatabaseUrl: appRoleUrl(config.database.url!, config.database.appRole, config.database.appPassword) }),
      { logger: false },
    );
    configureApp(app, config);
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${((app.getHttpServer() as import('http').Server).address() as AddressInfo).port}`;

    // One tenant; one incident and its published review made through the services (the template of the copies).
    const tenant = await app.get(TenantOnboardingService).provision({
      slug: `bench-${randomBytes(3).toString('hex')}`,
      displayName: 'Bench archive',
      serviceMode: 'B',
      timezone: 'Europe/Rome',
      calendar: DEFAULT_CALENDAR('Europe/Rome'),
      regions: DEFAULT_REGIONS,
      contacts: [],
      country: null,
    });
    const { token } = await app.get(ApiTokensService).create(tenant.id, { name: 'bench', role: 'customer_admin' }, 'bench');
    const staff = await app.get(Accounts).upsertStaff({ email: 'bench-support@vendor.example', name: 'Bench Support', role: 'support_engineer' });
    const support: Actor = { kind: 'staff', id: staff.id, label: 'Bench Support', role: 'support_engineer', homeTenantId: null };
    const customer: Actor = { kind: 'api_token', id: 'bench', label: 'bench', role: 'customer_admin', homeTenantId: tenant.id };
    const incidents = app.get(IncidentsService);
    const pirs = app.get(PirService);
    const inc = await TenantContext.runAs(customer, [tenant.id], () =>
      incidents.declare({
        title: 'Bench incident',
        severity: 'sev1',
        services: ['Identity'],
        regions: ['eu-south-1'],
        impactedUsers: 100,
        firstNoticedAt: '2026-11-23T09:45:00+01:00',
        firstNoticedTimezone: 'Europe/Rome',
        symptoms: 'Users see an error page after the IdP redirect.',
        recentChanges: { kinds: ['idp_migration'] },
        errorCodes: [],
        reproductionConfirmed: true,
        impactedUserExamples: [],
      }),
    );
    await TenantContext.runAs(support, [tenant.id], async () => {
      await incidents.resolve(inc.id, { summary: 'Fixed.' });
      const draft = await pirs.create(inc.id);
      await pirs.update(inc.id, { version: draft.version, sections: { root_cause: 'An expired intermediate certificate.' } });
      await pirs.transition(inc.id, { to: 'in_review' });
      await pirs.transition(inc.id, { to: 'published' });
    });

    // The copies: one incident each (numbers after the template's), sections drawn from the vocabulary, published
    // across the last 700 days. As the database owner (migrations role), in one statement per table.
    const t0 = performance.now();
    const columns = async (table: string) =>
      (
        await owner.query<{ column_name: string }>(
          `select column_name from information_schema.columns where table_name = $1 and table_schema = 'public' and is_generated = 'NEVER' order by ordinal_position`,
          [table],
        )
      ).rows.map((r) => r.column_name);
    const incCols = await columns('incidents');
    const incExpr: Record<string, string> = {
      id: 'gen_random_uuid()',
      number: 'i.number + g',
      title: `'Bench incident ' || g`,
      severity: `(array['sev1','sev2'])[1 + g % 2]`,
      services: `case when g % 3 = 0 then array['Identity'] else array['Agent console'] end`,
    };
    await owner.query(
      `insert into incidents (${incCols.join(', ')}) select ${incCols.map((c) => incExpr[c] ?? `i.${c}`).join(', ')}
       from incidents i cross join generate_series(1, $2::int) g where i.id = $1`,
      [inc.id, PIRS - 1],
    );
    const pirCols = await columns('pirs');
    const words = `array[${WORDS.map((w) => `'${w}'`).join(',')}]`;
    // Real reviews have a large vocabulary: most words are drawn from 20,000 filler terms (a skewed distribution, a few
    // common), one in thirty from the incident vocabulary. A correlated subquery (it names g): each copy draws its own.
    const text = (n: number) =>
      `(select string_agg(case when random() < 0.033 then (${words})[1 + floor(random() * ${WORDS.length})::int]` +
      ` else 'term' || floor(power(random(), 3) * 20000)::int end, ' ') from generate_series(1, ${n} + g * 0))`;
    const pirExpr: Record<string, string> = {
      id: 'gen_random_uuid()',
      incident_id: 'c.id',
      sections: `jsonb_build_object('summary', ${text(60)}, 'timeline', '', 'root_cause', ${text(120)}, 'impact', ${text(40)},
        'remediation', ${text(60)}, 'lessons', ${text(40)}, 'went_well', ${text(20)}, 'could_improve', ${text(20)})`,
      action_items: `jsonb_build_array(jsonb_build_object('id', gen_random_uuid(), 'action', ${text(8)}, 'owner', 'SRE team', 'priority', 'high', 'dueDate', null, 'status', 'open'))`,
      published_at: `now() - (g % 700) * interval '1 day'`,
      pdf_storage_key: 'null',
      hub_record: 'null',
    };
    await owner.query(
      `insert into pirs (${pirCols.join(', ')}) select ${pirCols.map((c) => pirExpr[c] ?? `p.${c}`).join(', ')}
       from pirs p join incidents i on i.id = p.incident_id
       cross join generate_series(1, $2::int) g
       join incidents c on c.tenant_id = i.tenant_id and c.number = i.number + g
       where p.incident_id = $1`,
      [inc.id, PIRS - 1],
    );
    await owner.query('analyze incidents; analyze pirs');
    const seedS = (performance.now() - t0) / 1000;
    const published = Number(
      (await owner.query<{ n: string }>(`select count(*) as n from pirs where status = 'published' and tenant_id = $1`, [tenant.id])).rows[0].n,
    );

    const urls = [...SEARCHES.map((q) => `q=${encodeURIComponent(q)}`), ...FILTERED.map((f, i) => `q=${encodeURIComponent(SEARCHES[i])}&${f}`)];
    const run = async (): Promise<number[]> => {
      const times: number[] = [];
      for (let i = 0; i < 10; i++) await fetch(`${base}/api/v1/pirs?${urls[i % urls.length]}`, { headers: { authorization: `Bearer ${token}` } }); // warm-up
      for (let i = 0; i < QUERIES; i++) {
        const s = performance.now();
        const res = await fetch(`${base}/api/v1/pirs?${urls[i % urls.length]}`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await res.json()) as { items: unknown[] };
        times.push(performance.now() - s);
        if (res.status !== 200 || !Array.isArray(body.items)) throw new Error(`search answered ${res.status}`);
      }
      return times;
    };
    const explain = () => TenantContext.runAs(customer, [tenant.id], () => pirs.explainSearch({ q: 'expired intermediate' }, true));

    const indexed = await run();
    const plan = await explain();
    const gin = /pirs_search/.test(plan);
    // Baseline: the same searches without the GIN index (a sequential scan over every review's tsvector).
    await owner.query('drop index pirs_search');
    const seqScan = await run();
    await owner.query('create index pirs_search on pirs using gin (search)');

    const figures = [
      {
        name: 'archive search p95 (API)',
        unit: 'ms',
        value: r1(pct(indexed, 95)),
        baseline: r1(pct(seqScan, 95)),
        baselineName: 'without the GIN index',
        better: 'lower',
      },
      {
        name: 'archive search median (API)',
        unit: 'ms',
        value: r1(pct(indexed, 50)),
        baseline: r1(pct(seqScan, 50)),
        baselineName: 'without the GIN index',
        better: 'lower',
      },
    ];
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      pirs: published,
      queries: QUERIES,
      seedSeconds: r1(seedS),
      ginIndexUsed: gin,
      figures,
      plan,
    };
    process.stdout.write(
      `\n${published} published reviews in one tenant (seeded in ${r1(seedS)} s); ${QUERIES} searches through the API\n` +
        `${figures.map((f) => `${f.name.padEnd(30)} ${String(f.value).padStart(8)} ${f.unit}  (${f.baselineName}: ${f.baseline} ${f.unit})`).join('\n')}\n` +
        `goal p95 < 100 ms: ${pct(indexed, 95) < 100 ? 'met' : 'NOT met'}; GIN index pirs_search in the plan: ${gin ? 'yes' : 'NO'}\n` +
        `EXPLAIN (ANALYZE) of q='expired intermediate':\n${plan}\n`,
    );
    const outDir = resolve(repoRoot(), 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'pir-archive.json'), `${JSON.stringify(report, null, 2)}\n`);
    if (!gin) process.exitCode = 1;
  } finally {
    await app?.close().catch(() => undefined);
    await owner.end().catch(() => undefined);
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
