import { Client } from 'pg';
import { createScaleDatabase, SCALE_CSM_EMAIL, seedScale, type ScaleSeedResult } from '../bench/seed-scale';
import { createTestApp, signIn, TestApp } from './support/test-app';

/**
 * The scale seeder (bench/seed-scale.ts, issue 17) writes rows the portal reads as its own: the list and the detail
 * through the real app, row-level security and roles included. Its own database: the seeder names a tenant `acme`.
 */
describe('scale seeder', () => {
  const now = new Date('2026-11-23T10:00:00Z');
  let ownerUrl: string;
  let seeded: ScaleSeedResult;
  let t: TestApp;

  beforeAll(async () => {
    ownerUrl = await createScaleDatabase(process.env.PORTAL_TEST_SERVER_URL!, `portal_scale_test_${Date.now().toString(36)}_${process.pid}`);
    seeded = await seedScale({ ownerUrl, tenants: 4, incidents: 400, largest: 200, csmTenants: 2, now, log: () => undefined });
    t = await createTestApp({ env: { DATABASE_URL: ownerUrl }, now: now.toISOString() });
  });

  afterAll(async () => {
    await t?.close();
    const admin = new Client({ connectionString: process.env.PORTAL_TEST_SERVER_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${new URL(ownerUrl).pathname.slice(1)} with (force)`);
    await admin.end();
  });

  it('writes the incidents asked for, the largest tenant first, with their history', async () => {
    expect(seeded.rows.incidents).toBe(400);
    expect(seeded.acme.incidents).toBe(200);
    const c = new Client({ connectionString: ownerUrl });
    await c.connect();
    try {
      const perTenant = (
        await c.query<{ slug: string; n: string; seq: number }>(
          `select t.slug, count(i.id) as n, max(tc.incident_seq) as seq from tenants t
           join incidents i on i.tenant_id = t.id join tenant_counters tc on tc.tenant_id = t.id group by t.slug order by t.slug`,
        )
      ).rows;
      expect(perTenant.map((r) => r.slug)).toEqual(['acme', 't00001', 't00002', 't00003']);
      expect(perTenant.reduce((a, r) => a + Number(r.n), 0)).toBe(400);
      for (const r of perTenant) expect(r.seq).toBe(Number(r.n)); // the next declaration gets the next number
      const [{ resolved }] = (await c.query<{ resolved: string }>(`select avg((status in ('resolved','closed'))::int) as resolved from incidents`)).rows;
      expect(Number(resolved)).toBeGreaterThan(0.7);
      const [{ orphans }] = (
        await c.query<{ orphans: string }>(
          `select (select count(*) from status_updates s where not exists (select 1 from incidents i where i.id = s.incident_id and i.tenant_id = s.tenant_id))
                + (select count(*) from governance_events g where g.incident_id is not null and not exists (select 1 from incidents i where i.id = g.incident_id and i.tenant_id = g.tenant_id)) as orphans`,
        )
      ).rows;
      expect(Number(orphans)).toBe(0);
    } finally {
      await c.end();
    }
  });

  it('lists and shows the seeded incidents to a customer of acme, only acme', async () => {
    const { agent } = await signIn(t, { role: 'customer_admin', email: 'admin@acme.example', tenant: 'acme' });
    const list = await agent.get('/api/v1/incidents?status=active&limit=25').expect(200);
    const items = list.body.items as { id: string; tenant: { slug: string }; status: string; sla: { clocks: object } }[];
    expect(items.length).toBeGreaterThan(0);
    for (const i of items) {
      expect(i.tenant.slug).toBe('acme');
      expect(['resolved', 'closed']).not.toContain(i.status);
      expect(Object.keys(i.sla.clocks)).toEqual(['initialResponse', 'restoration', 'statusUpdate', 'pirDue']);
    }
    const closed = await agent.get('/api/v1/incidents?status=closed&limit=1').expect(200);
    const detail = await agent.get(`/api/v1/incidents/${closed.body.items[0].id}`).expect(200);
    expect(detail.body.statusUpdates.map((u: { state: string }) => u.state)).toContain('resolved');
    expect(detail.body.impactedUserHistory.length).toBeGreaterThan(0);
    expect(detail.body.closedAt).not.toBeNull();
  });

  it("gives the bench CSM the tenants assigned to them, and nobody else's", async () => {
    const { agent } = await signIn(t, { role: 'csm', email: SCALE_CSM_EMAIL });
    const list = await agent.get('/api/v1/incidents?limit=100').expect(200);
    const slugs = new Set((list.body.items as { tenant: { slug: string } }[]).map((i) => i.tenant.slug));
    expect([...slugs].every((s) => s === 'acme' || s === 't00001')).toBe(true);
  });
});
