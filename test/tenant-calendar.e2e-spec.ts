import { createTenant, createTestApp, TestApp, tokenFor, validIntake } from './support/test-app';

/** Business-day clocks follow the tenant's own calendar, time zone and holidays. */
describe('tenant business calendar', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Friday 27 November 2026, 18:30 in New York (EST, UTC-5): after business hours.
    t = await createTestApp({ now: '2026-11-27T23:30:00Z' });
  });
  afterAll(() => t.close());

  it("starts counting a sev3 declared on Friday evening at Monday's opening, and skips a holiday the admin adds", async () => {
    const tenant = await createTenant(t.app, { mode: 'B', timezone: 'America/New_York' });
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const before = await t.http
      .post('/api/v1/incidents')
      .set('Authorization', admin)
      .send(validIntake({ severity: 'sev3' }))
      .expect(201);
    // Monday 30 Nov 09:00 EST + one 8-hour business day = Monday 17:00 EST = 22:00Z.
    expect(before.body.sla.clocks.initialResponse.dueAt).toBe('2026-11-30T22:00:00.000Z');

    const cal = await t.http
      .put('/api/v1/tenant/calendar')
      .set('Authorization', admin)
      .send({ workingDays: [1, 2, 3, 4, 5], dayStart: '09:00', dayEnd: '17:00', holidays: ['2026-11-30'] })
      .expect(200);
    expect(cal.body.calendar).toMatchObject({ timezone: 'America/New_York', holidays: ['2026-11-30'] });
    const after = await t.http.get(`/api/v1/incidents/${before.body.id}`).set('Authorization', admin).expect(200);
    expect(after.body.sla.clocks.initialResponse.dueAt).toBe('2026-11-30T22:00:00.000Z'); // keeps its declaration's calendar
    const next = await t.http
      .post('/api/v1/incidents')
      .set('Authorization', admin)
      .send(validIntake({ severity: 'sev3' }))
      .expect(201);
    expect(next.body.sla.clocks.initialResponse.dueAt).toBe('2026-12-01T22:00:00.000Z'); // declared after the edit: skips the holiday
  });

  it('refuses a calendar that makes no sense, naming the field', async () => {
    const tenant = await createTenant(t.app);
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const res = await t.http
      .put('/api/v1/tenant/calendar')
      .set('Authorization', admin)
      .send({ workingDays: [0, 8], dayStart: '18:00', dayEnd: '09:00', holidays: ['2026-02-30x'] })
      .expect(400);
    expect(res.body.fields.map((f: any) => f.field).sort()).toEqual(['dayEnd', 'holidays.0', 'workingDays.0', 'workingDays.1']);
    const viewer = `Bearer ${await tokenFor(t.app, tenant.id, 'customer_viewer')}`;
    await t.http
      .put('/api/v1/tenant/calendar')
      .set('Authorization', viewer)
      .send({ workingDays: [1], dayStart: '09:00', dayEnd: '17:00', holidays: [] })
      .expect(403);
  });
});
