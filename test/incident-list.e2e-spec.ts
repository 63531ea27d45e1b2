import { createTenant, createTestApp, signIn, TestApp, tokenFor, validIntake } from './support/test-app';
import type { Tenant } from '../apps/portal-api/src/tenants/tenant.types';

const MIN = 60_000;

/** Issue 18: tenant-qualified references, the vendor's question to the customer, search, CSV export, the cadence. */
describe('incident list, references and questions (issue 18)', () => {
  let t: TestApp;
  let acme: Tenant;
  let acmeTwin: Tenant;
  let other: Tenant;
  let adminAcme: string;
  let adminTwin: string;
  let adminOther: string;
  let viewerAcme: string;

  beforeAll(async () => {
    t = await createTestApp({ now: '2026-11-23T10:00:00Z', env: { SESSION_IDLE_MINUTES: '480' } });
    const suffix = Math.random().toString(36).slice(2, 6);
    // Two slugs with the same first six letters and digits: their keys must still differ.
    acme = await createTenant(t.app, { mode: 'B', slug: `zq${suffix}-one` });
    acmeTwin = await createTenant(t.app, { mode: 'B', slug: `zq${suffix}-two` });
    other = await createTenant(t.app, { mode: 'A' });
    adminAcme = `Bearer ${await tokenFor(t.app, acme.id)}`;
    adminTwin = `Bearer ${await tokenFor(t.app, acmeTwin.id)}`;
    adminOther = `Bearer ${await tokenFor(t.app, other.id)}`;
    viewerAcme = `Bearer ${await tokenFor(t.app, acme.id, 'customer_viewer')}`;
  });
  afterAll(() => t.close());

  const declare = (auth: string, over: Record<string, unknown> = {}) =>
    t.http.post('/api/v1/incidents').set('Authorization', auth).send(validIntake(over)).expect(201);
  const list = (auth: string, query: Record<string, string>) => t.http.get('/api/v1/incidents').query(query).set('Authorization', auth);

  describe('tenant-qualified references', () => {
    it('prefixes every reference with a short key derived from the slug, unique per tenant', async () => {
      const a = (await declare(adminAcme)).body;
      const b = (await declare(adminTwin)).body;
      const keyA = a.reference.split('-')[0];
      const keyB = b.reference.split('-')[0];
      expect(a.reference).toMatch(/^ZQ[A-Z0-9]{4}-\d+$/);
      expect(b.reference).toMatch(/^ZQ[A-Z0-9]{4}\d-\d+$/);
      expect(keyB.startsWith(keyA)).toBe(true);
      expect(keyA).not.toBe(keyB);
      // Both tenants' first incident is number 1: the references differ, so a vendor view is never ambiguous.
      expect(a.number).toBe(1);
      expect(b.number).toBe(1);
      expect(a.reference).not.toBe(b.reference);
    });

    it('uses the qualified reference in the audit trail and in error messages', async () => {
      const inc = (await declare(adminAcme)).body;
      const events = await t.http.get(`/api/v1/incidents/${inc.id}/events`).set('Authorization', adminAcme).expect(200);
      expect(events.body.items.find((e: any) => e.action === 'incident.declared').details.reference).toBe(inc.reference);
      const support = await signIn(t, { role: 'support_engineer' });
      await support.agent.post(`/api/v1/incidents/${inc.id}/resolve`).set('x-csrf-token', support.csrf).send({ summary: 'Fixed.' }).expect(200);
      await support.agent.post(`/api/v1/incidents/${inc.id}/close`).set('x-csrf-token', support.csrf).expect(200);
      const refused = await t.http.post(`/api/v1/incidents/${inc.id}/replies`).set('Authorization', adminAcme).send({ body: 'again' }).expect(409);
      expect(refused.body.message).toContain(inc.reference);
    });
  });

  describe('search', () => {
    it('finds incidents by words of the title, symptoms and error codes (prefixes too), within the caller tenant only', async () => {
      const hub = (await declare(adminAcme, { title: 'Hub writes failing in Milano', symptoms: 'Saving a record spins forever.', errorCodes: ['HUB-5031'] }))
        .body;
      await declare(adminOther, { title: 'Hub writes failing in Milano', errorCodes: ['HUB-5031'] });
      for (const q of ['hub writ', 'MILANO', 'spins forever', 'HUB-5031', '5031']) {
        const res = await list(adminAcme, { q, status: 'active' }).expect(200);
        expect({ q, refs: res.body.items.map((i: any) => i.reference) }).toEqual({ q, refs: [hub.reference] });
      }
      expect((await list(adminAcme, { q: 'nothing-like-this' }).expect(200)).body.items).toEqual([]);
      // Punctuation alone is no search term: it matches nothing rather than failing.
      expect((await list(adminAcme, { q: "'&|!:*()" }).expect(200)).body.items).toEqual([]);
    });

    it('finds an incident by its qualified reference, and by the old INC-n and a bare number', async () => {
      const inc = (await declare(adminTwin, { title: 'Telemetry pipeline behind' })).body;
      for (const q of [inc.reference, inc.reference.toLowerCase(), `INC-${inc.number}`, String(inc.number)]) {
        const res = await list(adminTwin, { q }).expect(200);
        expect(res.body.items.map((i: any) => i.id)).toContain(inc.id);
        expect(res.body.items.every((i: any) => i.number === inc.number || /telemetry/i.test(i.title))).toBe(true);
      }
      // Another tenant's key finds nothing here.
      const otherKey = (await declare(adminOther)).body.reference.split('-')[0];
      expect((await list(adminTwin, { q: `${otherKey}-${inc.number}` }).expect(200)).body.items).toEqual([]);
    });

    it('refuses a search longer than 200 characters, naming the field', async () => {
      const res = await list(adminAcme, { q: 'x'.repeat(201) }).expect(400);
      expect(res.body.fields).toEqual([expect.objectContaining({ field: 'q' })]);
    });
  });

  describe('CSV export', () => {
    it('streams the list with its filters as CSV, with formula-safe cells', async () => {
      const evil = (await declare(adminOther, { title: '=HYPERLINK("http://evil.example","open me")', severity: 'sev2', errorCodes: ['+CMD|calc'] })).body;
      await declare(adminOther, { title: 'Dashboard slow in one tab', severity: 'sev3' });
      const res = await t.http.get('/api/v1/incidents/export.csv').query({ severity: 'sev2' }).set('Authorization', adminOther).expect(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="incidents-\d{4}-\d{2}-\d{2}\.csv"$/);
      const lines = res.text.split('\r\n').filter(Boolean);
      expect(lines[0]).toBe(
        'Reference,Tenant,Title,Severity,Status,Acknowledged,Acknowledged at,Owner,Services,Regions,Impacted users,First noticed at,Declared at,Initial response,Initial response due,Restoration,Restoration due,Next status update due,Resolved at,Error codes',
      );
      expect(lines).toHaveLength(2);
      expect(lines[1].startsWith(`${evil.reference},Tenant ${other.slug},"'=HYPERLINK(""http://evil.example"",""open me"")",Sev 2,declared,no,,`)).toBe(true);
      expect(lines[1].endsWith(",'+CMD|calc")).toBe(true);
    });

    it('exports only what the caller may see, and answers a bad filter with 400 naming it', async () => {
      const res = await t.http.get('/api/v1/incidents/export.csv').query({}).set('Authorization', viewerAcme).expect(200);
      expect(res.text).not.toContain(`Tenant ${other.slug}`);
      expect(res.text).toContain(`Tenant ${acme.slug}`);
      const bad = await t.http.get('/api/v1/incidents/export.csv').query({ severity: 'sev9' }).set('Authorization', viewerAcme).expect(400);
      expect(bad.body.fields[0].field).toBe('severity');
      await t.http.get('/api/v1/incidents/export.csv').query({ cursor: 'x' }).set('Authorization', viewerAcme).expect(400);
    });

    it('shows acknowledgement and owner in the export, for a support engineer across tenants', async () => {
      const inc = (await declare(adminTwin, { title: 'Ack me' })).body;
      const support = await signIn(t, { role: 'support_engineer', email: 'owner.person@claresia.example' });
      await support.agent.post(`/api/v1/incidents/${inc.id}/acknowledge`).set('x-csrf-token', support.csrf).expect(200);
      const res = await support.agent.get('/api/v1/incidents/export.csv').query({ tenant: acmeTwin.slug, q: 'ack me' }).expect(200);
      const row = res.text.split('\r\n')[1];
      expect(row).toContain(`${inc.reference},Tenant ${acmeTwin.slug},Ack me,Sev 1,acknowledged,yes,2026-11-23T`);
      expect(row).toContain('owner.person@claresia.example');
    });
  });

  describe("the vendor's question to the customer", () => {
    it('needs a question to wait on the customer', async () => {
      const inc = (await declare(adminAcme)).body;
      const support = await signIn(t, { role: 'support_engineer' });
      const res = await support.agent
        .patch(`/api/v1/incidents/${inc.id}`)
        .set('x-csrf-token', support.csrf)
        .send({ status: 'waiting_on_customer' })
        .expect(400);
      expect(res.body.fields).toEqual([expect.objectContaining({ field: 'reason', message: expect.stringContaining('what you need from them') })]);
    });

    it('shows the question to the customer; the reply answers it in place and resumes restoration', async () => {
      const inc = (await declare(adminAcme, { severity: 'sev2' })).body;
      const support = await signIn(t, { role: 'support_engineer' });
      t.clock.advance(10 * MIN);
      const asked = await support.agent
        .patch(`/api/v1/incidents/${inc.id}`)
        .set('x-csrf-token', support.csrf)
        .send({ status: 'waiting_on_customer', reason: 'Please attach a HAR of a failed sign-in (token sk_live_abcdefghijklmnopqrstuvwx).' })
        .expect(200);
      expect(asked.body.sla.clocks.restoration.state).toBe('paused');
      const seen = await t.http.get(`/api/v1/incidents/${inc.id}`).set('Authorization', viewerAcme).expect(200);
      expect(seen.body.customerQuestions).toEqual([
        expect.objectContaining({ state: 'open', askedAt: '2026-11-23T10:10:00.000Z', askedBy: expect.any(String), closedAt: null }),
      ]);
      const question = seen.body.customerQuestions[0];
      expect(question.body).toContain('Please attach a HAR of a failed sign-in');
      expect(question.body).not.toContain('sk_live_abcdefghijklmnopqrstuvwx');

      t.clock.advance(30 * MIN);
      const answered = await t.http
        .post(`/api/v1/incidents/${inc.id}/replies`)
        .set('Authorization', adminAcme)
        .send({ body: 'HAR attached.', questionId: question.id })
        .expect(201);
      expect(answered.body.status).toBe('investigating');
      expect(answered.body.sla.clocks.restoration.state).toBe('running');
      // 24 h target, 10 min used before the pause: the 30 min waiting on the customer do not count.
      expect(answered.body.sla.clocks.restoration.remainingMs).toBe(24 * 60 * MIN - 10 * MIN);
      expect(answered.body.customerQuestions[0]).toMatchObject({ state: 'answered', closedAt: '2026-11-23T10:40:00.000Z' });
      expect(answered.body.customerReplies).toEqual([expect.objectContaining({ body: 'HAR attached.', questionId: question.id })]);
      const events = await t.http.get(`/api/v1/incidents/${inc.id}/events`).set('Authorization', adminAcme).expect(200);
      expect(events.body.items.find((e: any) => e.action === 'incident.customer_replied').details).toMatchObject({ questionId: question.id, resumed: true });
      expect(events.body.items.find((e: any) => e.action === 'incident.status_changed').details).toMatchObject({ questionId: question.id });

      // A follow-up names the earlier question; a reply without a question while none is open answers nothing.
      t.clock.advance(MIN);
      await t.http
        .post(`/api/v1/incidents/${inc.id}/replies`)
        .set('Authorization', adminAcme)
        .send({ body: 'One more HAR.', questionId: question.id })
        .expect(201);
      t.clock.advance(MIN);
      const plain = await t.http.post(`/api/v1/incidents/${inc.id}/replies`).set('Authorization', adminAcme).send({ body: 'Still failing.' }).expect(201);
      expect(plain.body.customerReplies.map((r: any) => r.questionId)).toEqual([question.id, question.id, null]);
    });

    it('answers the open question without naming it, and withdraws it when the engineer moves on', async () => {
      const inc = (await declare(adminAcme)).body;
      const support = await signIn(t, { role: 'support_engineer' });
      const ask = (reason: string) =>
        support.agent.patch(`/api/v1/incidents/${inc.id}`).set('x-csrf-token', support.csrf).send({ status: 'waiting_on_customer', reason }).expect(200);
      await ask('Which IdP do you use?');
      const replied = await t.http.post(`/api/v1/incidents/${inc.id}/replies`).set('Authorization', adminAcme).send({ body: 'Entra ID.' }).expect(201);
      expect(replied.body.customerQuestions.map((q: any) => q.state)).toEqual(['answered']);
      expect(replied.body.customerReplies[0].questionId).toBe(replied.body.customerQuestions[0].id);
      t.clock.advance(MIN);

      await ask('When did it start?');
      const moved = await support.agent
        .post(`/api/v1/incidents/${inc.id}/status-updates`)
        .set('x-csrf-token', support.csrf)
        .send({ state: 'identified', body: 'Found it in the logs.' })
        .expect(201);
      expect(moved.body.customerQuestions.map((q: any) => q.state)).toEqual(['answered', 'withdrawn']);
    });

    it("refuses a question id that is not this incident's, naming questionId, and another tenant's incident is a 404", async () => {
      const mine = (await declare(adminAcme)).body;
      const theirs = (await declare(adminOther)).body;
      const support = await signIn(t, { role: 'support_engineer' });
      const asked = await support.agent
        .patch(`/api/v1/incidents/${theirs.id}`)
        .set('x-csrf-token', support.csrf)
        .send({ status: 'waiting_on_customer', reason: 'Send logs.' })
        .expect(200);
      const theirQuestion = asked.body.customerQuestions[0].id;
      const res = await t.http
        .post(`/api/v1/incidents/${mine.id}/replies`)
        .set('Authorization', adminAcme)
        .send({ body: 'x', questionId: theirQuestion })
        .expect(400);
      expect(res.body.fields).toEqual([expect.objectContaining({ field: 'questionId' })]);
      await t.http.post(`/api/v1/incidents/${theirs.id}/replies`).set('Authorization', adminAcme).send({ body: 'x' }).expect(404);
      const detail = await t.http.get(`/api/v1/incidents/${mine.id}`).set('Authorization', adminAcme).expect(200);
      expect(detail.body.customerReplies).toEqual([]);
      await t.http.post(`/api/v1/incidents/${mine.id}/replies`).set('Authorization', adminAcme).send({ body: 'x', questionId: 'nope' }).expect(400);
    });
  });

  describe('status-update cadence', () => {
    it('runs for Sev 1 and Sev 2 only', async () => {
      const sev2 = (await declare(adminAcme, { severity: 'sev2' })).body;
      const sev3 = (await declare(adminAcme, { severity: 'sev3' })).body;
      const sev4 = (await declare(adminAcme, { severity: 'sev4' })).body;
      expect(sev2.sla.clocks.statusUpdate).toMatchObject({ state: 'running', target: { minutes: 30 } });
      for (const inc of [sev3, sev4]) expect(inc.sla.clocks.statusUpdate).toMatchObject({ state: 'not_applicable', target: { kind: 'none' }, dueAt: null });
    });
  });
});
