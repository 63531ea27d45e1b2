/**
 * What a support engineer's request costs the database before and after the all-tenants scope (issue 17): before,
 * the session row was written, every tenant id looked up, sent as `app.tenant_ids` and parsed by every policy; after,
 * the session is read (written at most once a minute) and the transaction sets `app.scope = 'all_tenants'`.
 * A small schema of its own (the portal's two policy functions, tenants, sessions, one incident per tenant), at
 * 200, 1,000 and 10,000 tenants; mean wall time per request over 100 requests (20 at 10,000).
 *
 *   npm run build:api && node dist/bench/staff-scope.js      (TEST_DATABASE_URL: a fresh database is made and dropped)
 */
import { Client } from 'pg';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function main(): Promise<void> {
  const server = new Client({ connectionString: SERVER_URL });
  await server.connect();
  const db = `scope_${Date.now().toString(36)}`;
  await server.query(`create database ${db}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${db}`;
  const c = new Client({ connectionString: url.toString() });
  await c.connect();

  await c.query(`
    create function app_tenant_ids() returns uuid[] language sql stable as $$ select coalesce(string_to_array(nullif(current_setting('app.tenant_ids', true), ''), ',')::uuid[], '{}'::uuid[]) $$;
    create function app_scope() returns text language sql stable as $$ select coalesce(nullif(current_setting('app.scope', true), ''), 'none') $$;
    create table tenants (id uuid primary key default gen_random_uuid());
    create table sessions (id_hash text primary key, last_seen_at timestamptz);
    insert into sessions values ('s', now());
    create table incidents (id uuid primary key default gen_random_uuid(), tenant_id uuid not null, declared_at timestamptz not null);
    create index on incidents (tenant_id, declared_at desc);`);
  const out: string[] = [];
  for (const n of [200, 1000, 10000]) {
    await c.query('truncate tenants, incidents');
    await c.query(`insert into tenants select gen_random_uuid() from generate_series(1, $1)`, [n]);
    await c.query(`insert into incidents (tenant_id, declared_at) select id, now() from tenants`);
    const N = n >= 10000 ? 20 : 100;
    const time = async (fn: () => Promise<void>) => {
      for (let i = 0; i < 5; i++) await fn();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < N; i++) await fn();
      return Number(process.hrtime.bigint() - t0) / 1e6 / N;
    };
    const before = await time(async () => {
      await c.query('begin');
      await c.query(`select set_config('app.scope', 'directory', true)`);
      await c.query(`update sessions set last_seen_at = now() where id_hash = 's'`);
      const ids = (await c.query<{ id: string }>('select id from tenants')).rows.map((r) => r.id);
      await c.query('commit');
      await c.query('begin');
      await c.query(`select set_config('app.tenant_ids', $1, true)`, [ids.join(',')]);
      await c.query(`select id from incidents where tenant_id = any ((select app_tenant_ids())::uuid[]) order by declared_at desc limit 25`);
      await c.query('commit');
    });
    const after = await time(async () => {
      await c.query('begin');
      await c.query(`select set_config('app.scope', 'directory', true)`);
      await c.query(`select id_hash from sessions where id_hash = 's'`);
      await c.query('commit');
      await c.query('begin');
      await c.query(`select set_config('app.scope', 'all_tenants', true)`);
      await c.query(
        `select id from incidents where tenant_id = any ((select app_tenant_ids())::uuid[]) or (select app_scope()) = 'all_tenants' order by declared_at desc limit 25`,
      );
      await c.query('commit');
    });
    out.push(
      `${n} tenants: list-of-ids ${before.toFixed(2)} ms per request (session write + id look-up + set_config + list), all-tenants scope ${after.toFixed(2)} ms`,
    );
  }
  await c.end();
  await server.query(`drop database ${db} with (force)`);
  await server.end();
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
