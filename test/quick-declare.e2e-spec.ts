import { createTenant, createTestApp, TestApp, tokenFor, validIntake } from './support/test-app';
import type { Tenant } from '../apps/portal-api/src/tenants/tenant.types';

// Issue 18: a Sev 1/Sev 2 declared in twenty seconds on a phone; the rest of the intake is still required, and the
// incident says what is missing until it is given. Sev 3/4 keep the full form; the full form keeps its validation.
describe('quick declaration', () => {
  let t: TestApp;
  let modeA: Tenant;
  let modeC: Tenant;
  let other: Tenant;
  let adminA: string;
  let adminC: string;
  let viewerA: string;
  let adminOther: string;

  beforeAll(async () => {
    t = await createTestApp({ now: '2026-11-23T10:00:00Z' });
    modeA = await createTenant(t.app, { mode: 'A' });
    modeC = await createTenant(t.app, { mode: 'C' });
    other = await createTenant(t.app, { mode: 'A' });
    adminA = `Bearer ${await tokenFor(t.app, modeA.id)}`;
    adminC = `Bearer ${await tokenFor(t.app, modeC.id)}`;
    viewerA = `Bearer ${await tokenFor(t.app, modeA.id, 'customer_viewer')}`;
    adminOther = `Bearer ${await tokenFor(t.app, other.id)}`;
  });
  afterAll(() => t.close());

  const quick = (auth: string, body: Record<string, unknown>, key?: string) => {
    const req = t.http.post('/api/v1/incidents/quick').set('Authorization', auth);
    return (key ? req.set('Idempotency-Key', key) : req).send(body);
  };
  const QUICK = { title: 'Sign-in down for everyone', severity: 'sev1', services: ['Identity'], regions: ['eu-south-1'] };

  it('declares a Sev 1 with five fields, running the same clocks, and lists the intake still missing', async () => {
    const res = await quick(adminA, QUICK).expect(201);
    expect(res.body).toMatchObject({ status: 'declared', severity: 'sev1', intake: 'quick', impactedUsers: null, symptoms: null, firstNoticedAt: null });
    expect(res.body.missingIntakeFields).toEqual(['symptoms', 'impactedUsers', 'firstNoticedAt', 'recentChanges', 'reproductionConfirmed']);
    expect(res.body.sla.clocks.initialResponse.state).toBe('running');
    expect(res.body.sla.clocks.initialResponse.dueAt).toBe('2026-11-23T10:30:00.000Z');
    const events = await t.http.get(`/api/v1/incidents/${res.body.id}/events`).set('Authorization', adminA).expect(200);
    expect(events.body.items.find((e: { action: string }) => e.action === 'incident.declared').details).toMatchObject({ quick: true });
  });

  it('refuses a quick Sev 3 or Sev 4 and names the field; the full form is unchanged', async () => {
    for (const severity of ['sev3', 'sev4']) {
      const res = await quick(adminA, { ...QUICK, severity }).expect(400);
      expect(res.body.fields).toEqual([expect.objectContaining({ field: 'severity', message: expect.stringMatching(/Sev 1 and Sev 2/) })]);
    }
    // the full declaration still requires its intake
    const full = await t.http.post('/api/v1/incidents').set('Authorization', adminA).send(QUICK).expect(400);
    expect(full.body.fields.map((f: { field: string }) => f.field)).toEqual(
      expect.arrayContaining(['impactedUsers', 'firstNoticedAt', 'firstNoticedTimezone', 'symptoms', 'recentChanges', 'reproductionConfirmed']),
    );
    const declared = await t.http
      .post('/api/v1/incidents')
      .set('Authorization', adminA)
      .send(validIntake({ severity: 'sev3' }))
      .expect(201);
    expect(declared.body).toMatchObject({ intake: 'full', missingIntakeFields: [] });
  });

  it('asks Mode C for the plane, refuses unknown regions and extra fields, and only admins declare', async () => {
    const noPlane = await quick(adminC, QUICK).expect(400);
    expect(noPlane.body.fields).toEqual([expect.objectContaining({ field: 'plane' })]);
    await quick(adminC, { ...QUICK, plane: 'control_plane' }).expect(201);
    const region = await quick(adminA, { ...QUICK, regions: ['us-east-1'] }).expect(400);
    expect(region.body.fields[0].field).toBe('regions.0');
    const extra = await quick(adminA, { ...QUICK, impactedUsers: 3 }).expect(400);
    expect(JSON.stringify(extra.body.fields)).toMatch(/impactedUsers/);
    await quick(viewerA, QUICK).expect(403);
  });

  it('replays a retried quick declaration with the same Idempotency-Key, and refuses the key for another body', async () => {
    const first = await quick(adminA, { ...QUICK, title: 'Retried quick' }, 'quick-retry-0001').expect(201);
    const again = await quick(adminA, { ...QUICK, title: 'Retried quick' }, 'quick-retry-0001').expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    await quick(adminA, { ...QUICK, title: 'Something else' }, 'quick-retry-0001').expect(422);
    // the full form's body with the same key is another request
    await t.http.post('/api/v1/incidents').set('Authorization', adminA).set('Idempotency-Key', 'quick-retry-0001').send(validIntake()).expect(422);
  });

  it('takes the missing intake later, in parts, until nothing is missing; given fields are refused, secrets redacted', async () => {
    const { body: inc } = await quick(adminA, QUICK).expect(201);
    const put = (auth: string, body: Record<string, unknown>) => t.http.put(`/api/v1/incidents/${inc.id}/intake`).set('Authorization', auth).send(body);

    const part = await put(adminA, {
      symptoms: 'Error page after the IdP redirect; token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB pasted',
      impactedUsers: 300,
    }).expect(200);
    expect(part.body.missingIntakeFields).toEqual(['firstNoticedAt', 'recentChanges', 'reproductionConfirmed']);
    expect(part.body.impactedUsers).toBe(300);
    expect(part.body.symptoms).not.toContain('ghp_0123456789');
    expect(part.body.impactedUserHistory.map((h: { count: number }) => h.count)).toEqual([300]);

    const again = await put(adminA, { symptoms: 'changed my mind' }).expect(400);
    expect(again.body.fields).toEqual([{ field: 'symptoms', message: 'is already recorded for this incident' }]);
    const future = await put(adminA, { firstNoticedAt: '2026-11-23T12:00:00+01:00', firstNoticedTimezone: 'Europe/Rome', reproductionConfirmed: true }).expect(
      400,
    );
    expect(future.body.fields).toEqual([{ field: 'firstNoticedAt', message: 'cannot be in the future' }]);
    const lonely = await put(adminA, { firstNoticedAt: '2026-11-23T09:30:00+01:00' }).expect(400);
    expect(lonely.body.fields[0].field).toBe('firstNoticedTimezone');
    await put(adminA, {}).expect(400);
    await put(viewerA, { reproductionConfirmed: true }).expect(403);
    await put(adminOther, { reproductionConfirmed: true }).expect(404);

    const done = await put(adminA, {
      firstNoticedAt: '2026-11-23T09:30:00+01:00',
      firstNoticedTimezone: 'Europe/Rome',
      recentChanges: { kinds: ['idp_migration'] },
      reproductionConfirmed: true,
    }).expect(200);
    expect(done.body.missingIntakeFields).toEqual([]);
    expect(done.body).toMatchObject({ firstNoticedAt: '2026-11-23T08:30:00.000Z', reproductionConfirmed: true, recentChanges: { kinds: ['idp_migration'] } });
    const events = await t.http.get(`/api/v1/incidents/${inc.id}/events`).set('Authorization', adminA).expect(200);
    const completed = events.body.items.filter((e: { action: string }) => e.action === 'incident.intake_completed');
    expect(completed.map((e: { details: { missing: string[] } }) => e.details.missing)).toEqual(
      expect.arrayContaining([['firstNoticedAt', 'recentChanges', 'reproductionConfirmed'], []]),
    );
    expect(JSON.stringify(completed)).not.toContain('ghp_0123456789');
  });
});
