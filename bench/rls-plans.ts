/**
 * Query plans of the hot incident queries under row-level security (issue 17): the customer list of a tenant with
 * many incidents, the vendor-wide list of a support engineer, page 1,000 of the list, and the breach sweep.
 * Prints EXPLAIN (ANALYZE, BUFFERS) for each, run as the portal's app role (RLS forced), before and after the
 * migrations of issue 17, so a plan change shows side by side.
 *
 *   npm run build:api && node dist/bench/rls-plans.js
 *
 * Env: TEST_DATABASE_URL (PostgreSQL server; a fresh database is created and dropped), PLANS_INCIDENTS (rows in the
 * big tenant, default 50,000), PLANS_TENANTS (other tenants, default 200, 100 incidents each).
 */
import { randomUUID } from 'crypto';
import { Client } from 'pg';
import { MIGRATIONS, ownerDataSource } from '../apps/portal-api/src/database/database';
import { appRoleUrl, ensureAppRole } from '../apps/portal-api/src/database/app-role';
import { setMigrationAppRole } from '../apps/portal-api/src/database/migration-support';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BIG = Number(process.env.PLANS_INCIDENTS ?? 50_000);
const OTHERS = Number(process.env.PLANS_TENANTS ?? 200);
const ISSUE_17_FIRST = 1763900000016;
const APP_ROLE = 'portal_app';
const APP_PW = 'portal_plans_pw';

const say = (m: string) => process.stdout.write(`${m}\n`);

async function migrate(ownerUrl: string, upTo: (ts: number) => boolean): Promise<void> {
  setMigrationAppRole(APP_ROLE);
  const ds = ownerDataSource(ownerUrl);
  ds.setOptions({ migrations: MIGRATIONS.filter((m) => upTo(Number(/(\d{13})$/.exec(m.name)![1]))) });
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}

async function seed(owner: Client): Promise<string> {
  // The database owner is a superuser here, so the seed is not subject to the policies.
  const cal = JSON.stringify({ timezone: 'Europe/Rome', workingDays: [1, 2, 3, 4, 5], dayStart: '09:00', dayEnd: '17:00', holidays: [] });
  const acme = randomUUID();
  await owner.query(
    `insert into tenants (id, slug, display_name, service_mode, timezone, calendar)
     select case when g = 0 then $1::uuid else gen_random_uuid() end, 't' || g, 'Tenant ' || g, 'A', 'Europe/Rome', $2::jsonb
     from generate_series(0, $3::int) g`,
    [acme, cal, OTHERS],
  );
  const insert = `
    insert into incidents (tenant_id, number, title, severity, status, services, regions, impacted_users, first_noticed_at,
      first_noticed_tz, symptoms, recent_changes, reproduction_confirmed, service_mode, declared_at, declared_by, calendar, resolved_at)
    select t.id, n, 'Incident ' || n, (array['sev1','sev2','sev3','sev4'])[1 + n % 4],
      case when n % 5 = 0 then 'investigating' else 'resolved' end, '{api}', '{eu-west}', 1,
      now() - (n || ' minutes')::interval, 'Europe/Rome', 'symptoms', '{"kinds":[]}', false, 'A',
      now() - (n || ' minutes')::interval, '{"kind":"user","id":"u","label":"U"}', $2::jsonb,
      case when n % 5 = 0 then null else now() - (n || ' minutes')::interval + interval '1 hour' end
    from tenants t, generate_series(1, $1::int) n`;
  await owner.query(`${insert} where t.id = $3`, [BIG, cal, acme]);
  await owner.query(`${insert} where t.id <> $3`, [100, cal, acme]);
  await owner.query('analyze');
  return acme;
}

const LIST = (tenantPredicate: string) => `
  select i.*, t.slug as tenant_slug, t.display_name as tenant_name
  from incidents i join tenants t on t.id = i.tenant_id
  where ${tenantPredicate}i.status not in ('resolved','closed') order by i.declared_at desc, i.id desc limit 25`;

async function explain(app: Client, title: string, setup: string[], query: string, params: unknown[] = []): Promise<void> {
  await app.query('begin');
  try {
    for (const s of setup) await app.query(s);
    const r = await app.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers, costs off) ${query}`, params);
    say(`\n-- ${title}`);
    for (const row of r.rows) say(`   ${row['QUERY PLAN']}`);
  } finally {
    await app.query('rollback');
  }
}

async function plans(appUrl: string, acme: string, label: string, after: boolean): Promise<void> {
  const app = new Client({ connectionString: appUrl });
  await app.connect();
  try {
    const asAcme = [`select set_config('app.tenant_ids', '${acme}', true)`];
    // A support engineer's transaction after issue 17: the all-tenants scope instead of every tenant id.
    const asStaff = [`select set_config('app.scope', 'all_tenants', true)`];
    say(`\n==== ${label} ====`);
    await explain(app, `customer list, status=active, ${BIG} incidents in the tenant, the policy alone`, asAcme, LIST(''));
    await explain(app, 'customer list, with the tenant predicate from the context', asAcme, LIST('i.tenant_id = $1 and '), [acme]);
    // Page 1,000 of the customer list (all statuses): the keyset cursor of row 25,000.
    const deep = await app.query('begin').then(async () => {
      for (const q of asAcme) await app.query(q);
      const r = await app.query<{ declared_at: Date; id: string }>(
        `select declared_at, id from incidents where tenant_id = $1 order by declared_at desc, id desc offset 24999 limit 1`,
        [acme],
      );
      await app.query('rollback');
      return r.rows[0];
    });
    await explain(
      app,
      'customer list, page 1,000 (keyset cursor)',
      asAcme,
      `select i.*, t.slug as tenant_slug, t.display_name as tenant_name from incidents i join tenants t on t.id = i.tenant_id
       where i.tenant_id = $1 and (i.declared_at, i.id) < ($2::timestamptz, $3::uuid) order by i.declared_at desc, i.id desc limit 26`,
      [acme, deep.declared_at, deep.id],
    );
    if (after) {
      await explain(app, 'support engineer list, newest active across all tenants, tenants joined first (the old shape)', asStaff, LIST(''));
      await explain(
        app,
        'support engineer list, newest active across all tenants, the page of incidents first (the list query now)',
        asStaff,
        `select i.*, t.slug as tenant_slug, t.display_name as tenant_name
         from (select * from incidents i where i.status not in ('resolved','closed') order by i.declared_at desc, i.id desc limit 25) i
         join tenants t on t.id = i.tenant_id order by i.declared_at desc, i.id desc`,
      );
      await explain(
        app,
        'support engineer list, all statuses, page 1,000 (keyset cursor)',
        asStaff,
        `select i.*, t.slug as tenant_slug, t.display_name as tenant_name
         from (select * from incidents i where (i.declared_at, i.id) < ($1::timestamptz, $2::uuid) order by i.declared_at desc, i.id desc limit 26) i
         join tenants t on t.id = i.tenant_id order by i.declared_at desc, i.id desc`,
        [deep.declared_at, deep.id],
      );
      await explain(
        app,
        'breach sweep: clocks past due with no breach recorded',
        asStaff,
        `select id, tenant_id from incidents where sla_due_at is not null and sla_due_at <= now() order by sla_due_at limit 500`,
      );
      const [one] = (await app.query('begin').then(async () => {
        await app.query(asAcme[0]);
        const r = await app.query<{ id: string }>(`select id from incidents where tenant_id = $1 limit 1`, [acme]);
        await app.query('rollback');
        return r.rows;
      })) as { id: string }[];
      await explain(app, 'detail: status updates of one incident', asAcme, `select * from status_updates where incident_id = $1 order by created_at, id`, [
        one.id,
      ]);
    }
  } finally {
    await app.end();
  }
}

async function main(): Promise<void> {
  const dbName = `plans_${Date.now().toString(36)}`;
  const server = new Client({ connectionString: SERVER_URL });
  await server.connect();
  await server.query(`create database ${dbName}`);
  const ownerUrl = new URL(SERVER_URL);
  ownerUrl.pathname = `/${dbName}`;
  try {
    await ensureAppRole(ownerUrl.toString(), APP_ROLE, APP_PW);
    await migrate(ownerUrl.toString(), (ts) => ts < ISSUE_17_FIRST);
    const owner = new Client({ connectionString: ownerUrl.toString() });
    await owner.connect();
    const t0 = Date.now();
    const acme = await seed(owner);
    say(`seeded ${BIG} incidents in one tenant and ${OTHERS * 100} over ${OTHERS} others in ${Date.now() - t0} ms`);
    const appUrl = appRoleUrl(ownerUrl.toString(), APP_ROLE, APP_PW);
    await plans(appUrl, acme, 'before: migrations up to issue 17', false);
    await migrate(ownerUrl.toString(), () => true);
    // The sweep's column as the portal keeps it: most incidents have nothing left to breach.
    await owner.query(`update incidents set sla_due_at = case when status = 'investigating' then now() + interval '10 minutes' end`);
    // Vacuum as autovacuum would: the backfill and this update leave dead entries in the sweep's partial index.
    await owner.query('vacuum analyze incidents');
    await plans(appUrl, acme, 'after: issue 17 migrations', true);
    await owner.end();
  } finally {
    await server.query(`drop database if exists ${dbName} with (force)`);
    await server.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
