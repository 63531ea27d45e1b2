import { Accounts } from '../apps/portal-api/src/auth/accounts.service';
import type { Tenant } from '../apps/portal-api/src/tenants/tenant.types';
import { createTenant, createTestApp, signIn, TestApp, tokenFor, validIntake } from './support/test-app';

const MIN = 60_000;

/**
 * SLA reports through the API on a real PostgreSQL: a month of incidents driven by the ManualClock gives known
 * figures (attainment with a breach before a severity change, MTTD/MTTA/MTTR, PIRs on time/waived/overdue);
 * tenant users read their own tenant, CSMs their assigned tenants, support engineers any; CSV export.
 */
describe('SLA reports', () => {
  let t: TestApp;
  let acme: Tenant;
  let other: Tenant;
  let admin: string;
  let viewer: string;
  let support: Awaited<ReturnType<typeof signIn>>;
  let csm: Awaited<ReturnType<typeof signIn>>;
  const refs: Record<string, string> = {};

  const sup = {
    post: (p: string, body?: object) => support.agent.post(p).set('x-csrf-token', support.csrf).send(body),
    patch: (p: string, body: object) => support.agent.patch(p).set('x-csrf-token', support.csrf).send(body),
  };
  const csmEmail = `csm-${Date.now()}@vendor.example`;
  const at = (iso: string) => t.clock.set(iso);

  async function declare(key: string, severity: string, firstNoticedAt: string) {
    const inc = (await t.http.post('/api/v1/incidents').set('Authorization', admin).send(validIntake({ severity, firstNoticedAt })).expect(201)).body;
    refs[key] = inc.reference;
    return inc.id as string;
  }

  beforeAll(async () => {
    t = await createTestApp({ now: '2026-11-02T08:00:00Z', env: { SESSION_IDLE_MINUTES: '1440', SESSION_ABSOLUTE_HOURS: '2400' } });
    acme = await createTenant(t.app, { mode: 'B', timezone: 'Europe/Rome' });
    other = await createTenant(t.app, { mode: 'B' });
    admin = `Bearer ${await tokenFor(t.app, acme.id)}`;
    viewer = `Bearer ${await tokenFor(t.app, acme.id, 'customer_viewer')}`;
    support = await signIn(t, { role: 'support_engineer' });
    await signIn(t, { role: 'csm', email: csmEmail });
    await t.app.get(Accounts).assignCsm(csmEmail, acme.slug, true);
    csm = await signIn(t, { role: 'csm', email: csmEmail });

    // A: Sev 1, noticed 10 min before, acknowledged after 5 min, resolved after 60; its PIR published on time.
    const a = await declare('A', 'sev1', '2026-11-02T07:50:00Z');
    at('2026-11-02T08:05:00Z');
    await sup.post(`/api/v1/incidents/${a}/acknowledge`).expect(200);
    at('2026-11-02T09:00:00Z');
    await sup.post(`/api/v1/incidents/${a}/resolve`, { summary: 'Rolled back.' }).expect(200);

    // B: Sev 2, noticed 30 min before; the 1 h response target passes, then it is raised to Sev 1 and acknowledged
    // 5 min later (the Sev 1 run is met, the Sev 2 breach stays); resolved after 180 min; PIR never delivered.
    const b = await declare('B', 'sev2', '2026-11-02T08:30:00Z');
    at('2026-11-02T10:10:00Z');
    await sup.patch(`/api/v1/incidents/${b}`, { severity: 'sev1', reason: 'every EU user affected' }).expect(200);
    at('2026-11-02T10:15:00Z');
    await sup.post(`/api/v1/incidents/${b}/acknowledge`).expect(200);
    at('2026-11-02T12:00:00Z');
    await sup.post(`/api/v1/incidents/${b}/resolve`, { summary: 'Fixed the ingress.' }).expect(200);

    // C: Sev 2, noticed 20 min before, acknowledged after 30, resolved after 120; PIR waived.
    const c = await declare('C', 'sev2', '2026-11-02T11:40:00Z');
    at('2026-11-02T12:30:00Z');
    await sup.post(`/api/v1/incidents/${c}/acknowledge`).expect(200);
    at('2026-11-02T14:00:00Z');
    await sup.post(`/api/v1/incidents/${c}/resolve`, { summary: 'Config restored.' }).expect(200);
    await sup.post(`/api/v1/incidents/${c}/pir/transitions`, { to: 'waived', reason: 'Fully explained in the updates.' }).expect(200);
    await sup.post(`/api/v1/incidents/${a}/pir`).expect(201);
    await sup.post(`/api/v1/incidents/${a}/pir/transitions`, { to: 'in_review' }).expect(200);
    await sup.post(`/api/v1/incidents/${a}/pir/transitions`, { to: 'published' }).expect(200);

    // D: Sev 3, noticed 5 min before, never acknowledged (its 1 business day response target passes).
    at('2026-11-02T15:00:00Z');
    await declare('D', 'sev3', '2026-11-02T14:55:00Z');
    // E: 23:30Z on 30 November is 00:30 on 1 December in Rome: December's.
    at('2026-11-30T23:30:00Z');
    await declare('E', 'sev3', '2026-11-30T23:20:00Z');
    // Another tenant's incident never shows.
    await t.http
      .post('/api/v1/incidents')
      .set('Authorization', `Bearer ${await tokenFor(t.app, other.id)}`)
      .send(validIntake({ firstNoticedAt: '2026-11-30T23:00:00Z' }))
      .expect(201);
  });
  afterAll(() => t.close());

  // The clock moved four weeks on: sessions signed in at the start are idle-expired.
  async function freshStaff() {
    support = await signIn(t, { role: 'support_engineer' });
    csm = await signIn(t, { role: 'csm', email: csmEmail });
  }

  it('gives November’s figures in the tenant’s zone', async () => {
    const r = (await t.http.get('/api/v1/reports/sla').query({ month: '2026-11' }).set('Authorization', viewer).expect(200)).body;
    expect(r).toMatchObject({
      tenant: { id: acme.id, slug: acme.slug },
      month: '2026-11',
      timezone: 'Europe/Rome',
      from: '2026-10-31T23:00:00.000Z',
      to: '2026-11-30T23:00:00.000Z',
      incidentCount: 4,
      bySeverity: { sev1: 2, sev2: 1, sev3: 1, sev4: 0 },
      attainment: {
        response: { met: 2, breached: 2, running: 0, attainmentPct: 50 },
        restoration: { met: 3, breached: 0, running: 0, attainmentPct: 100 },
      },
      mttd: { count: 4, medianMs: 15 * MIN, p90Ms: 27 * MIN },
      mtta: { count: 3, medianMs: 30 * MIN, p90Ms: 66 * MIN },
      mttr: { count: 3, medianMs: 120 * MIN, p90Ms: 168 * MIN },
      pirs: { onTime: 1, late: 0, waived: 1, due: 1, overdue: 1 },
    });
    expect(
      r.incidents.map((i: { reference: string; severity: string; response: string; restoration: string; pir: string }) => [
        i.reference,
        i.severity,
        i.response,
        i.restoration,
        i.pir,
      ]),
    ).toEqual([
      [refs.A, 'sev1', 'met', 'met', 'on_time'],
      [refs.B, 'sev1', 'breached', 'met', 'overdue'],
      [refs.C, 'sev2', 'met', 'met', 'waived'],
      [refs.D, 'sev3', 'breached', 'not_applicable', 'not_applicable'],
    ]);
    const dec = (await t.http.get('/api/v1/reports/sla').query({ month: '2026-12' }).set('Authorization', admin).expect(200)).body;
    expect(dec.incidents.map((i: { reference: string }) => i.reference)).toEqual([refs.E]);
  });

  it('lets CSMs read their tenants and support engineers any tenant; another tenant answers 404', async () => {
    await freshStaff();
    const mine = (await t.http.get('/api/v1/reports/sla').query({ month: '2026-11' }).set('Authorization', admin).expect(200)).body;
    const bySupport = (await support.agent.get('/api/v1/reports/sla').query({ month: '2026-11', tenantId: acme.id }).expect(200)).body;
    const byCsm = (await csm.agent.get('/api/v1/reports/sla').query({ month: '2026-11', tenantId: acme.id }).expect(200)).body;
    expect(bySupport).toEqual(mine);
    expect(byCsm).toEqual(mine);
    expect((await support.agent.get('/api/v1/reports/sla').query({ month: '2026-12', tenantId: other.id }).expect(200)).body.incidentCount).toBe(1);
    await csm.agent.get('/api/v1/reports/sla').query({ month: '2026-11', tenantId: other.id }).expect(404);
    await t.http.get('/api/v1/reports/sla').query({ month: '2026-11', tenantId: other.id }).set('Authorization', admin).expect(404);
    await t.http.get('/api/v1/reports/sla.csv').query({ month: '2026-11', tenantId: other.id }).set('Authorization', viewer).expect(404);
    const needsTenant = await support.agent.get('/api/v1/reports/sla').query({ month: '2026-11' }).expect(400);
    expect(needsTenant.body.fields).toEqual([{ field: 'tenantId', message: 'is required for vendor staff' }]);
  });

  it('refuses a bad month naming the field', async () => {
    for (const month of ['2026-13', '2026-1', 'november', '', '0000-01', '9999-12', '2026-11-01']) {
      const res = await t.http.get('/api/v1/reports/sla').query({ month }).set('Authorization', admin).expect(400);
      expect(res.body.fields.map((f: { field: string }) => f.field)).toEqual(['month']);
    }
    const missing = await t.http.get('/api/v1/reports/sla.csv').set('Authorization', admin).expect(400);
    expect(missing.body.fields.map((f: { field: string }) => f.field)).toEqual(['month']);
    await t.http.get('/api/v1/reports/sla').query({ month: '2026-11', tenantId: 'not-a-uuid' }).set('Authorization', admin).expect(400);
  });

  it('exports the report as CSV with a download name', async () => {
    const res = await t.http.get('/api/v1/reports/sla.csv').query({ month: '2026-11' }).set('Authorization', viewer).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="sla-report-${acme.slug}-2026-11.csv"`);
    const lines = res.text.split('\r\n');
    expect(lines[0]).toBe('tenant,month,section,metric,value');
    expect(lines).toContain(`${acme.displayName},2026-11,response SLA,attainment %,50`);
    expect(lines).toContain(`${acme.displayName},2026-11,mtta,p90 minutes,66`);
    expect(lines).toContain(`${refs.B},sev1,2026-11-02T09:00:00.000Z,breached,met,30,75,180,overdue`);
  });
});
