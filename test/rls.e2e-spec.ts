import { DataSource, type EntityManager } from 'typeorm';
import { Client } from 'pg';
import { inAllTenantsTransaction, inScopedTransaction, inTenantTransaction } from '@portal/tenancy';
import { appRoleUrl } from '../apps/portal-api/src/database/app-role';
import { createTenant, createTestApp, TestApp, tokenFor, validIntake } from './support/test-app';

/** Tenant isolation is PostgreSQL's job, not only the WHERE clause's. */
describe('row-level security', () => {
  let t: TestApp;
  let ds: DataSource;
  let tenantA: string;
  let tenantB: string;
  let incidentA: string;
  let incidentB: string;

  beforeAll(async () => {
    t = await createTestApp();
    const a = await createTenant(t.app);
    const b = await createTenant(t.app);
    tenantA = a.id;
    tenantB = b.id;
    incidentA = (
      await t.http
        .post('/api/v1/incidents')
        .set('Authorization', `Bearer ${await tokenFor(t.app, a.id)}`)
        .send(validIntake())
        .expect(201)
    ).body.id;
    incidentB = (
      await t.http
        .post('/api/v1/incidents')
        .set('Authorization', `Bearer ${await tokenFor(t.app, b.id)}`)
        .send(validIntake())
        .expect(201)
    ).body.id;
    // A pool of ONE connection: tenant A's transaction, then tenant B's, on the same connection.
    ds = new DataSource({ type: 'postgres', url: appRoleUrl(t.config.database.url!, 'portal_app', 'portal_app_test_pw'), extra: { max: 1 } });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await t.close();
  });

  it("returns only the current tenant's rows when the query forgets tenant_id", async () => {
    const rows = await inTenantTransaction(ds, [tenantA], (em) => em.query('select id, tenant_id from incidents'));
    expect(rows.map((r: any) => r.id)).toContain(incidentA);
    expect(rows.map((r: any) => r.id)).not.toContain(incidentB);
    expect(new Set(rows.map((r: any) => r.tenant_id))).toEqual(new Set([tenantA]));
  });

  it("finds nothing when asking for another tenant's row by id", async () => {
    const rows = await inTenantTransaction(ds, [tenantA], (em) => em.query('select * from incidents where id = $1', [incidentB]));
    expect(rows).toEqual([]);
  });

  it('does not leak the tenant to the next transaction on the same pooled connection', async () => {
    await inTenantTransaction(ds, [tenantA], (em) => em.query('select 1'));
    const rowsB = await inTenantTransaction(ds, [tenantB], (em) => em.query('select id from incidents'));
    expect(rowsB.map((r: any) => r.id)).toEqual([incidentB]);
    const setting = await ds.query(`select current_setting('app.tenant_ids', true) as v`);
    expect(setting[0].v ?? '').toBe('');
  });

  it('sees nothing at all without a tenant context (fails closed)', async () => {
    expect(await ds.query('select * from incidents')).toEqual([]);
    expect(await ds.query('select * from governance_events')).toEqual([]);
    expect(await ds.query('select * from api_tokens')).toEqual([]);
  });

  it('refuses to write a row into another tenant', async () => {
    await expect(
      inTenantTransaction(ds, [tenantA], (em) => em.query(`update incidents set tenant_id = $1 where id = $2`, [tenantB, incidentA])),
    ).rejects.toThrow(/row-level security/);
    await expect(
      inTenantTransaction(ds, [tenantA], (em) =>
        em.query(
          `insert into status_updates (tenant_id, incident_id, state, body, author_id, author_label, created_at) values ($1,$2,'investigating','x','a','a',now())`,
          [tenantB, incidentB],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('keeps the audit trail append-only for the app role', async () => {
    await expect(inTenantTransaction(ds, [tenantA], (em) => em.query(`update governance_events set action = 'x'`))).rejects.toThrow(
      /permission denied|append-only/,
    );
    await expect(inTenantTransaction(ds, [tenantA], (em) => em.query(`delete from governance_events`))).rejects.toThrow(/permission denied|append-only/);
  });

  it('connects as a role that is neither superuser, BYPASSRLS, nor the owner of any table', async () => {
    const [role] = await ds.query(`select rolsuper, rolbypassrls from pg_roles where rolname = current_user`);
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
    const owned = await ds.query(`select tablename from pg_tables where schemaname = 'public' and tableowner = current_user`);
    expect(owned).toEqual([]);
  });

  it('forces row-level security on every tenant-owned table', async () => {
    const owner = new Client({ connectionString: t.config.database.url! });
    await owner.connect();
    const { rows } = await owner.query(`
      select c.relname, c.relrowsecurity, c.relforcerowsecurity from pg_class c
      join information_schema.columns col on col.table_name = c.relname and col.column_name = 'tenant_id' and col.table_schema = 'public'
      where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace`);
    await owner.end();
    const unprotected = rows.filter((r) => !(r.relrowsecurity && r.relforcerowsecurity)).map((r) => r.relname);
    expect(unprotected).toEqual([]);
  });

  it('sees and writes every tenant in the all-tenants scope (support engineers), without a list of tenant ids', async () => {
    const rows = await inAllTenantsTransaction(ds, (em) => em.query('select id from incidents where id = any($1::uuid[])', [[incidentA, incidentB]]));
    expect(rows.map((r: any) => r.id).sort()).toEqual([incidentA, incidentB].sort());
    // The scope is transaction-local: the next transaction on the same pooled connection sees nothing.
    expect(await inTenantTransaction(ds, [], (em) => em.query('select id from incidents'))).toEqual([]);
    // Vendor-side tables stay behind the directory scope; the outbox relay stays behind the system scope.
    await inAllTenantsTransaction(ds, async (em) => {
      expect(await em.query('select 1 from staff')).toEqual([]);
      expect(await em.query('select 1 from outbox')).toEqual([]);
    });
  });

  it('grants nothing of tenant data to the other scopes (system, directory, status)', async () => {
    for (const scope of ['system', 'directory', 'status'] as const) {
      expect(await inScopedTransaction(ds, scope, (em) => em.query('select id from incidents'))).toEqual([]);
    }
  });

  it('lets every policy that admits a tenant list also admit the all-tenants scope, and nothing else', async () => {
    const owner = new Client({ connectionString: t.config.database.url! });
    await owner.connect();
    const { rows } = await owner.query(`select tablename, policyname, qual, with_check from pg_policies where schemaname = 'public'`);
    await owner.end();
    const lists = rows.filter((r) => `${r.qual ?? ''} ${r.with_check ?? ''}`.includes('app_tenant_ids()'));
    expect(lists.length).toBeGreaterThan(20);
    const missing = lists
      .filter((r) => [r.qual, r.with_check].some((e: string | null) => e !== null && e.includes('app_tenant_ids()') && !e.includes("'all_tenants'")))
      .map((r) => `${r.tablename}.${r.policyname}`);
    expect(missing).toEqual([]);
    const elsewhere = rows.filter((r) => `${r.qual ?? ''} ${r.with_check ?? ''}`.includes('all_tenants') && !lists.includes(r));
    expect(elsewhere.map((r) => r.policyname)).toEqual([]);
  });

  it('keeps vendor-side tables (sessions, staff, CSM assignments) out of reach without the directory scope', async () => {
    // No context, and a tenant's context: nothing of them is visible, and a CSM cannot be made a support engineer.
    for (const run of [
      <T>(w: (em: EntityManager) => Promise<T>) => ds.transaction(w),
      <T>(w: (em: EntityManager) => Promise<T>) => inTenantTransaction(ds, [tenantA], w),
    ]) {
      expect(await run((em) => em.query('select * from staff'))).toEqual([]);
      expect(await run((em) => em.query('select * from csm_assignments'))).toEqual([]);
      expect(await run((em) => em.query(`update staff set role = 'support_engineer' returning id`))).toEqual([[], 0]);
      await expect(run((em) => em.query(`insert into csm_assignments (staff_id, tenant_id) values (gen_random_uuid(), $1)`, [tenantA]))).rejects.toThrow(
        /row-level security/,
      );
      await expect(run((em) => em.query(`insert into staff (email, name, role) values ('x@evil.example', 'x', 'support_engineer')`))).rejects.toThrow(
        /row-level security/,
      );
    }
    const sessions = await inTenantTransaction(ds, [tenantA], (em) => em.query('select tenant_id from sessions'));
    expect(sessions.every((r: { tenant_id: string }) => r.tenant_id === tenantA)).toBe(true);
    // The directory scope (sign-in) still works.
    const directory = await inScopedTransaction(ds, 'directory', (em) => em.query('select count(*)::int as n from staff'));
    expect(directory[0].n).toBeGreaterThanOrEqual(0);
  });

  it("refuses a child row that names another tenant's incident, even inside that other tenant's scope", async () => {
    // tenant_id B with incident A: the composite key (incident_id, tenant_id) does not exist.
    await expect(
      inTenantTransaction(ds, [tenantA, tenantB], (em) =>
        em.query(
          `insert into status_updates (tenant_id, incident_id, state, body, author_id, author_label, created_at) values ($1,$2,'investigating','x','a','a',now())`,
          [tenantB, incidentA],
        ),
      ),
    ).rejects.toThrow(/foreign key/);
    await expect(
      inTenantTransaction(ds, [tenantA, tenantB], (em) =>
        em.query(
          `insert into governance_events (tenant_id, actor_kind, actor_id, actor_label, action, subject_type, incident_id) values ($1,'user','x','x','incident.closed','incident',$2)`,
          [tenantB, incidentA],
        ),
      ),
    ).rejects.toThrow(/foreign key/);
  });
});
