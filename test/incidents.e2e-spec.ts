import { createTenant, createTestApp, signIn, TestApp, tokenFor, validIntake } from './support/test-app';
import type { Tenant } from '../apps/portal-api/src/tenants/tenant.types';

const MIN = 60_000;

describe('incidents API', () => {
  let t: TestApp;
  let modeC: Tenant;
  let modeA: Tenant;
  let other: Tenant;
  let adminC: string;
  let viewerC: string;
  let adminA: string;
  let adminOther: string;

  beforeAll(async () => {
    t = await createTestApp({ now: '2026-11-23T10:00:00Z', env: { SESSION_IDLE_MINUTES: '480' } });
    modeC = await createTenant(t.app, { mode: 'C', timezone: 'America/New_York' });
    modeA = await createTenant(t.app, { mode: 'A' });
    other = await createTenant(t.app, { mode: 'B' });
    adminC = `Bearer ${await tokenFor(t.app, modeC.id)}`;
    viewerC = `Bearer ${await tokenFor(t.app, modeC.id, 'customer_viewer')}`;
    adminA = `Bearer ${await tokenFor(t.app, modeA.id)}`;
    adminOther = `Bearer ${await tokenFor(t.app, other.id)}`;
  });
  afterAll(() => t.close());

  const declare = (auth: string, body: Record<string, unknown>) => t.http.post('/api/v1/incidents').set('Authorization', auth).send(body);

  describe('declare', () => {
    it('declares a sev1 for a Mode C tenant with a 15-minute response and a 4-hour restoration clock', async () => {
      const res = await declare(adminC, validIntake({ plane: 'control_plane' })).expect(201);
      expect(res.body.reference).toMatch(/^[A-Z][A-Z0-9]{0,11}-\d+$/);
      expect(res.body.status).toBe('declared');
      const { initialResponse, restoration, statusUpdate } = res.body.sla.clocks;
      expect(initialResponse.target).toMatchObject({ kind: 'wall_clock', minutes: 15 });
      expect(initialResponse.dueAt).toBe('2026-11-23T10:15:00.000Z');
      expect(initialResponse.state).toBe('running');
      expect(initialResponse.remainingMs).toBe(15 * MIN);
      expect(restoration.target).toMatchObject({ kind: 'wall_clock', minutes: 240 });
      expect(restoration.dueAt).toBe('2026-11-23T14:00:00.000Z');
      expect(statusUpdate.dueAt).toBe('2026-11-23T10:30:00.000Z');
      expect(res.body.sla.channels).toEqual(expect.arrayContaining(['slack_teams_connect', 'email', 'phone_hotline']));
      expect(res.body.firstNoticedTimezone).toBe('Europe/Rome');
      expect(res.body.firstNoticedAt).toBe('2026-11-23T08:45:00.000Z');
    });

    it('returns the first incident when a declaration is retried with the same Idempotency-Key', async () => {
      const key = `retry-${Date.now()}`;
      const first = await declare(adminA, validIntake()).set('Idempotency-Key', key).expect(201);
      const again = await declare(adminA, validIntake()).set('Idempotency-Key', key).expect(200);
      expect(again.body.id).toBe(first.body.id);
      expect(again.headers['idempotent-replayed']).toBe('true');
      const bad = await declare(adminA, validIntake()).set('Idempotency-Key', 'x').expect(400);
      expect(bad.body.fields[0].field).toBe('Idempotency-Key');
      // The same key in another tenant is another incident.
      const otherTenant = await declare(adminOther, validIntake()).set('Idempotency-Key', key).expect(201);
      expect(otherTenant.body.id).not.toBe(first.body.id);
    });

    it('numbers incidents per tenant', async () => {
      const first = await declare(adminA, validIntake()).expect(201);
      const second = await declare(adminA, validIntake()).expect(201);
      expect(second.body.number).toBe(first.body.number + 1);
    });

    it('says a Mode A sev1 restoration is best effort instead of inventing a number', async () => {
      const res = await declare(adminA, validIntake()).expect(201);
      expect(res.body.sla.clocks.initialResponse.target).toMatchObject({ minutes: 30 });
      expect(res.body.sla.clocks.restoration.target.kind).toBe('best_effort');
      expect(res.body.sla.clocks.restoration.dueAt).toBeNull();
    });

    it('shows the vendor as assisting on a Mode C data-plane incident', async () => {
      const res = await declare(adminC, validIntake({ plane: 'data_plane' })).expect(201);
      expect(res.body.sla.ownership).toBe('assisting');
      expect(res.body.sla.clocks.initialResponse.owned).toBe(false);
    });

    it('answers 400 with each field and why', async () => {
      const res = await declare(adminC, { ...validIntake({ severity: 'sev9', impactedUsers: -1, regions: [] }), surprise: 1 }).expect(400);
      expect(res.body.error).toBe('validation_failed');
      const fields = res.body.fields.map((f: any) => f.field);
      expect(fields).toEqual(expect.arrayContaining(['severity', 'impactedUsers', 'regions', 'surprise']));
      expect(res.body.fields.find((f: any) => f.field === 'surprise').message).toBe('is not a known field');
    });

    it('requires the plane for Mode C and refuses it for other modes', async () => {
      const c = await declare(adminC, validIntake()).expect(400);
      expect(c.body.fields).toEqual([{ field: 'plane', message: expect.stringContaining('required for Mode C') }]);
      const a = await declare(adminA, validIntake({ plane: 'data_plane' })).expect(400);
      expect(a.body.fields[0].field).toBe('plane');
    });

    it('refuses a region the tenant does not have, a bad timezone and a missing required field', async () => {
      const body = validIntake({ regions: ['us-east-1'], firstNoticedTimezone: 'Mars/Olympus' }) as Record<string, unknown>;
      delete body.symptoms;
      const res = await declare(adminA, body).expect(400);
      expect(res.body.fields.map((f: any) => f.field).sort()).toEqual(['firstNoticedTimezone', 'symptoms']);
      const r2 = await declare(adminA, validIntake({ regions: ['us-east-1'] })).expect(400);
      expect(r2.body.fields[0]).toMatchObject({ field: 'regions.0' });
    });

    it('answers 400 for a body that is not JSON, without a stack trace', async () => {
      const res = await t.http.post('/api/v1/incidents').set('Authorization', adminA).set('Content-Type', 'application/json').send('{"title": ').expect(400);
      expect(res.body.error).toBe('bad_request');
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js/);
    });

    it('answers 413 for an oversized body and 400 for a body that is not an object', async () => {
      const huge = await declare(adminA, validIntake({ symptoms: 'x'.repeat(1_200_000) })).expect(413);
      expect(huge.body.error).toBe('payload_too_large');
      const arr = await t.http.post('/api/v1/incidents').set('Authorization', adminA).send([1, 2]).expect(400);
      expect(arr.body.fields[0].field).toBe('body');
      const long = await declare(adminA, validIntake({ symptoms: 'y'.repeat(8001) })).expect(400);
      expect(long.body.fields).toEqual([{ field: 'symptoms', message: 'must be at most 8000 characters' }]);
    });

    it('redacts a secret pasted into the symptoms and says so', async () => {
      const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlX2NhbmFyeV92YWx1ZQ';
      const res = await declare(adminA, validIntake({ symptoms: `Users fail with header Authorization: Bearer ${jwt}` })).expect(201);
      expect(res.body.symptoms).not.toContain(jwt);
      expect(res.body.intakeRedactions.length).toBeGreaterThan(0);
    });

    it('refuses declaring for viewers and vendor staff', async () => {
      await declare(viewerC, validIntake({ plane: 'control_plane' })).expect(403);
      const support = await signIn(t, { role: 'support_engineer' });
      await support.agent.post('/api/v1/incidents').set('x-csrf-token', support.csrf).send(validIntake()).expect(403);
    });

    it('refuses without credentials and with a bad token', async () => {
      await t.http.post('/api/v1/incidents').send(validIntake()).expect(401);
      await t.http.get('/api/v1/incidents').set('Authorization', 'Bearer pt_nope').expect(401);
      await t.http.get('/api/v1/incidents').set('Authorization', 'Basic abc').expect(401);
    });
  });

  describe('list and read', () => {
    it("lists with filters and cursor pagination, only the caller's tenant", async () => {
      const tenant = await createTenant(t.app, { mode: 'B' });
      const auth = `Bearer ${await tokenFor(t.app, tenant.id)}`;
      for (let i = 0; i < 5; i++) {
        t.clock.advance(MIN);
        await declare(auth, validIntake({ severity: i % 2 ? 'sev2' : 'sev3', services: i === 4 ? ['Hub'] : ['Identity'] })).expect(201);
      }
      const page1 = await t.http.get('/api/v1/incidents?limit=2').set('Authorization', auth).expect(200);
      expect(page1.body.items).toHaveLength(2);
      expect(page1.body.nextCursor).toBeTruthy();
      const page2 = await t.http.get(`/api/v1/incidents?limit=2&cursor=${page1.body.nextCursor}`).set('Authorization', auth).expect(200);
      const page3 = await t.http.get(`/api/v1/incidents?limit=2&cursor=${page2.body.nextCursor}`).set('Authorization', auth).expect(200);
      const all = [...page1.body.items, ...page2.body.items, ...page3.body.items];
      expect(all.map((i: any) => i.number)).toEqual([5, 4, 3, 2, 1]);
      expect(page3.body.nextCursor).toBeNull();
      expect(new Set(all.map((i: any) => i.tenant.id))).toEqual(new Set([tenant.id]));
      const sev2 = await t.http.get('/api/v1/incidents?severity=sev2').set('Authorization', auth).expect(200);
      expect(sev2.body.items.map((i: any) => i.number).sort()).toEqual([2, 4]);
      const hub = await t.http.get('/api/v1/incidents?service=Hub').set('Authorization', auth).expect(200);
      expect(hub.body.items.map((i: any) => i.number)).toEqual([5]);
      const region = await t.http.get('/api/v1/incidents?region=eu-central-1').set('Authorization', auth).expect(200);
      expect(region.body.items).toEqual([]);
      const active = await t.http.get('/api/v1/incidents?status=active').set('Authorization', auth).expect(200);
      expect(active.body.items).toHaveLength(5);
    });

    it('answers 400 for unknown filters and a forged cursor', async () => {
      const r1 = await t.http.get('/api/v1/incidents?severity=sev7').set('Authorization', adminA).expect(400);
      expect(r1.body.fields[0].field).toBe('severity');
      const r2 = await t.http.get('/api/v1/incidents?cursor=bm9wZQ').set('Authorization', adminA).expect(400);
      expect(r2.body.fields[0].field).toBe('cursor');
      const r3 = await t.http.get('/api/v1/incidents?colour=red').set('Authorization', adminA).expect(400);
      expect(r3.body.fields[0].field).toBe('colour');
    });

    it("answers 404, never 403 and never data, for another tenant's incident on every route", async () => {
      const mine = await declare(adminOther, validIntake()).expect(201);
      const id = mine.body.id;
      await t.http.get(`/api/v1/incidents/${id}`).set('Authorization', adminA).expect(404);
      await t.http.get(`/api/v1/incidents/${id}/events`).set('Authorization', adminA).expect(404);
      await t.http.patch(`/api/v1/incidents/${id}`).set('Authorization', adminA).send({ impactedUsers: 1 }).expect(404);
      await t.http.post(`/api/v1/incidents/${id}/replies`).set('Authorization', adminA).send({ body: 'x' }).expect(404);
      await t.http.post(`/api/v1/incidents/${id}/close`).set('Authorization', adminA).expect(404);
      await t.http.post(`/api/v1/incidents/${id}/reopen`).set('Authorization', adminA).send({ reason: 'x' }).expect(404);
      const list = await t.http.get('/api/v1/incidents').set('Authorization', adminA).expect(200);
      expect(list.body.items.map((i: any) => i.id)).not.toContain(id);
      await t.http.get('/api/v1/incidents/not-a-uuid').set('Authorization', adminA).expect(404);
      // A CSM not assigned to the tenant sees nothing of it either.
      const csm = await signIn(t, { role: 'csm' });
      await csm.agent.get(`/api/v1/incidents/${id}`).expect(404);
      const after = await t.http.get(`/api/v1/incidents/${id}`).set('Authorization', adminOther).expect(200);
      expect(after.body.impactedUsers).toBe(250);
    });
  });

  describe('life cycle and clocks', () => {
    it('acknowledges (support engineers only), stops the response clock, posts updates, resolves with PIR due', async () => {
      const inc = (await declare(adminC, validIntake({ plane: 'control_plane' })).expect(201)).body;
      const support = await signIn(t, { role: 'support_engineer' });
      await t.http.post(`/api/v1/incidents/${inc.id}/acknowledge`).set('Authorization', adminC).expect(403);
      t.clock.advance(10 * MIN);
      const acked = await support.agent.post(`/api/v1/incidents/${inc.id}/acknowledge`).set('x-csrf-token', support.csrf).expect(200);
      expect(acked.body.status).toBe('acknowledged');
      expect(acked.body.sla.clocks.initialResponse.state).toBe('met');
      await support.agent.post(`/api/v1/incidents/${inc.id}/acknowledge`).set('x-csrf-token', support.csrf).expect(409);
      // A cookie session without the CSRF header cannot change anything.
      await support.agent.post(`/api/v1/incidents/${inc.id}/status-updates`).send({ state: 'identified', body: 'x' }).expect(403);
      t.clock.advance(5 * MIN);
      const upd = await support.agent
        .post(`/api/v1/incidents/${inc.id}/status-updates`)
        .set('x-csrf-token', support.csrf)
        .send({ state: 'identified', body: 'Cause identified.' })
        .expect(201);
      expect(upd.body.status).toBe('identified');
      expect(upd.body.statusUpdates).toHaveLength(1);
      expect(upd.body.sla.clocks.statusUpdate.dueAt).toBe(new Date(t.clock.now().getTime() + 30 * MIN).toISOString());
      const bad = await support.agent
        .post(`/api/v1/incidents/${inc.id}/status-updates`)
        .set('x-csrf-token', support.csrf)
        .send({ state: 'panicking', body: '' })
        .expect(400);
      expect(bad.body.fields.map((f: any) => f.field).sort()).toEqual(['body', 'state']);
      t.clock.advance(60 * MIN);
      const resolved = await support.agent
        .post(`/api/v1/incidents/${inc.id}/resolve`)
        .set('x-csrf-token', support.csrf)
        .send({ summary: 'Restored.' })
        .expect(200);
      expect(resolved.body.status).toBe('resolved');
      expect(resolved.body.sla.clocks.restoration.state).toBe('met');
      expect(resolved.body.sla.clocks.pirDue.state).toBe('running');
      expect(resolved.body.sla.clocks.pirDue.dueAt).not.toBeNull();
      await support.agent.post(`/api/v1/incidents/${inc.id}/resolve`).set('x-csrf-token', support.csrf).send({ summary: 'again' }).expect(409);
      // Not fixed after all: the customer reopens, restoration counts again from the declaration.
      await t.http.post(`/api/v1/incidents/${inc.id}/reopen`).set('Authorization', adminC).send({}).expect(400);
      await t.http.post(`/api/v1/incidents/${inc.id}/reopen`).set('Authorization', viewerC).send({ reason: 'x' }).expect(403);
      const reopened = await t.http
        .post(`/api/v1/incidents/${inc.id}/reopen`)
        .set('Authorization', adminC)
        .send({ reason: 'Errors are back for EU users.' })
        .expect(200);
      expect(reopened.body.status).toBe('investigating');
      expect(reopened.body.resolvedAt).toBeNull();
      expect(reopened.body.sla.clocks.restoration.state).toBe('running');
      expect(reopened.body.sla.clocks.pirDue.state).toBe('not_applicable');
      await t.http.post(`/api/v1/incidents/${inc.id}/reopen`).set('Authorization', adminC).send({ reason: 'again' }).expect(409);
      await support.agent.post(`/api/v1/incidents/${inc.id}/resolve`).set('x-csrf-token', support.csrf).send({ summary: 'Restored, for real.' }).expect(200);
      await t.http.patch(`/api/v1/incidents/${inc.id}`).set('Authorization', adminC).send({ severity: 'sev2', reason: 'Only EU users now.' }).expect(409);
      await t.http.post(`/api/v1/incidents/${inc.id}/close`).set('Authorization', adminC).expect(200);
      const events = await t.http.get(`/api/v1/incidents/${inc.id}/events`).set('Authorization', viewerC).expect(200);
      expect(events.body.items.map((e: any) => e.action)).toEqual([
        'incident.declared',
        'incident.acknowledged',
        'incident.status_updated',
        'incident.resolved',
        'incident.reopened',
        'incident.resolved',
        'incident.closed',
      ]);
      expect(events.body.items[1].actor.kind).toBe('staff');
    });

    it('shows a breached response clock when nobody acknowledged in time', async () => {
      const inc = (await declare(adminC, validIntake({ plane: 'control_plane' })).expect(201)).body;
      t.clock.advance(20 * MIN);
      const res = await t.http.get(`/api/v1/incidents/${inc.id}`).set('Authorization', adminC).expect(200);
      expect(res.body.sla.clocks.initialResponse.state).toBe('breached');
      expect(res.body.sla.clocks.initialResponse.overdueMs).toBe(5 * MIN);
    });

    it('starts the running clocks again at a severity change, with the new targets, and keeps the impacted-user history', async () => {
      const inc = (await declare(adminC, validIntake({ plane: 'control_plane' })).expect(201)).body;
      t.clock.advance(5 * MIN);
      const changedAt = t.clock.now().getTime();
      const res = await t.http
        .patch(`/api/v1/incidents/${inc.id}`)
        .set('Authorization', adminC)
        .send({ severity: 'sev2', impactedUsers: 400, reason: 'Only one connector is down.' })
        .expect(200);
      // A clock change is an event with its own start: sev2's 1 h and 24 h count from the change.
      expect(res.body.sla.clocks.initialResponse).toMatchObject({ severity: 'sev2', startedAt: new Date(changedAt).toISOString() });
      expect(res.body.sla.clocks.initialResponse.dueAt).toBe(new Date(changedAt + 60 * MIN).toISOString());
      expect(res.body.sla.clocks.restoration.dueAt).toBe(new Date(changedAt + 24 * 60 * MIN).toISOString());
      expect(res.body.impactedUserHistory.map((h: any) => h.count)).toEqual([250, 400]);
      await t.http.patch(`/api/v1/incidents/${inc.id}`).set('Authorization', viewerC).send({ impactedUsers: 1 }).expect(403);
      const empty = await t.http.patch(`/api/v1/incidents/${inc.id}`).set('Authorization', adminC).send({}).expect(400);
      expect(empty.body.error).toBe('validation_failed');
      await t.http.patch(`/api/v1/incidents/${inc.id}`).set('Authorization', adminC).send({ status: 'monitoring' }).expect(403);
    });

    it('pauses restoration while waiting on the customer and resumes it, keeping the time used', async () => {
      const inc = (await declare(adminC, validIntake({ plane: 'control_plane' })).expect(201)).body;
      const support = await signIn(t, { role: 'support_engineer' });
      t.clock.advance(60 * MIN);
      const paused = await support.agent
        .patch(`/api/v1/incidents/${inc.id}`)
        .set('x-csrf-token', support.csrf)
        .send({ status: 'waiting_on_customer', reason: 'Please send a HAR of a failed sign-in.' })
        .expect(200);
      expect(paused.body.sla.clocks.restoration.state).toBe('paused');
      expect(paused.body.sla.clocks.restoration.remainingMs).toBe(180 * MIN);
      t.clock.advance(120 * MIN);
      const still = await t.http.get(`/api/v1/incidents/${inc.id}`).set('Authorization', adminC).expect(200);
      expect(still.body.sla.clocks.restoration.remainingMs).toBe(180 * MIN);
      const resumed = await t.http
        .post(`/api/v1/incidents/${inc.id}/replies`)
        .set('Authorization', adminC)
        .send({ body: 'Here is the HAR you asked for.' })
        .expect(201);
      expect(resumed.body.status).toBe('investigating');
      expect(resumed.body.sla.clocks.restoration.state).toBe('running');
      expect(resumed.body.sla.clocks.restoration.remainingMs).toBe(180 * MIN);
      expect(resumed.body.sla.clocks.restoration.dueAt).toBe(new Date(Date.parse(inc.declaredAt) + (240 + 120) * MIN).toISOString());
      expect(resumed.body.customerReplies).toHaveLength(1);
    });
  });

  describe('vendor view', () => {
    it('lets a support engineer see every tenant and a CSM only assigned tenants', async () => {
      const inc = (await declare(adminOther, validIntake()).expect(201)).body;
      const support = await signIn(t, { role: 'support_engineer' });
      // Other suites share the database: ask per tenant rather than hoping both land on one page.
      for (const tenant of [other, modeA]) {
        const list = await support.agent.get(`/api/v1/incidents?tenant=${tenant.slug}&limit=100`).expect(200);
        expect(list.body.items.length).toBeGreaterThan(0);
        expect(new Set(list.body.items.map((i: any) => i.tenant.id))).toEqual(new Set([tenant.id]));
      }
      await support.agent.get(`/api/v1/incidents/${inc.id}`).expect(200);
      const csm = await signIn(t, { role: 'csm' });
      const csmList = await csm.agent.get('/api/v1/incidents').expect(200);
      expect(csmList.body.items).toEqual([]);
      await csm.agent.post(`/api/v1/incidents/${inc.id}/acknowledge`).set('x-csrf-token', csm.csrf).expect(403);
    });
  });
});
