import type { ParsedMail } from 'mailparser';
import * as nodeIcal from 'node-ical';
import { Accounts } from '../apps/portal-api/src/auth/accounts.service';
import { Db } from '../apps/portal-api/src/database/db.service';
import { sql } from '../apps/portal-api/src/database/sql';
import type { Tenant } from '../apps/portal-api/src/tenants/tenant.types';
import { drainNotifications, promoteDelayed, startSmtpCatcher } from './support/notification-receivers';
import { createTenant, createTestApp, signIn, TestApp, tokenFor, validIntake } from './support/test-app';

type Session = Awaited<ReturnType<typeof signIn>>;
type Smtp = Awaited<ReturnType<typeof startSmtpCatcher>>;

/** The invite as a calendar client sees it: the text/calendar part's method and the parsed .ics. */
function inviteOf(mail: ParsedMail) {
  const parts = mail.attachments.map((a) => ({ type: a.contentType, filename: a.filename, headers: a.headers, text: a.content.toString('utf8') }));
  const calendarPart = parts.find((p) => p.type === 'text/calendar');
  const icsFile = parts.find((p) => p.filename?.endsWith('.ics'));
  if (!calendarPart || !icsFile) throw new Error(`no invite in "${mail.subject}": ${parts.map((p) => `${p.type} ${p.filename}`).join(', ')}`);
  const contentType = calendarPart.headers.get('content-type') as { value: string; params: Record<string, string> };
  const parsed = nodeIcal.sync.parseICS(icsFile.text);
  const event = Object.values(parsed).find((c) => c?.type === 'VEVENT') as nodeIcal.VEvent;
  const addr = (v: unknown) =>
    JSON.stringify(v)
      .match(/mailto:([^"]+)/i)?.[1]
      ?.toLowerCase();
  return {
    partMethod: contentType.params.method,
    sameCalendar: calendarPart.text === icsFile.text,
    method: /^METHOD:(\w+)/m.exec(icsFile.text)?.[1],
    uid: event.uid,
    sequence: Number(event.sequence),
    start: event.start.toISOString(),
    end: event.end?.toISOString(),
    status: event.status,
    organizer: addr(event.organizer),
    attendees: ([] as unknown[])
      .concat(event.attendee ?? [])
      .map(addr)
      .sort(),
    dtstartUtc: /^DTSTART:\d{8}T\d{6}Z$/m.test(icsFile.text),
  };
}

/**
 * CSM walkthroughs through the API on a real PostgreSQL, Redis and SMTP server: slots from the CSM's working hours in
 * their zone, a booking mails both sides an iCalendar invite (parsed with node-ical), reschedule and cancel update the
 * same event (UID) with a higher SEQUENCE, the database refuses a second booking of the CSM's time under concurrent
 * requests, bad input is a 400 naming the field, another tenant's review a 404, and an SMTP outage loses no invite.
 */
describe('CSM walkthroughs', () => {
  let t: TestApp;
  let smtp: Smtp;
  let acme: Tenant;
  let other: Tenant;
  let support: Session;
  let csm: Session;
  let admin: Session;
  let viewerToken: string;
  let adminToken: string;
  let otherAdminToken: string;
  const csmEmail = `csm-${Date.now()}@vendor.example`;

  beforeAll(async () => {
    smtp = await startSmtpCatcher();
    // Tuesday 24 November 2026, 09:00 UTC (= London).
    t = await createTestApp({ now: '2026-11-24T09:00:00Z', env: { SMTP_URL: smtp.url, SESSION_IDLE_MINUTES: '1440', SESSION_ABSOLUTE_HOURS: '240' } });
    acme = await createTenant(t.app);
    other = await createTenant(t.app);
    support = await signIn(t, { role: 'support_engineer' });
    await signIn(t, { role: 'csm', email: csmEmail });
    await t.app.get(Accounts).assignCsm(csmEmail, acme.slug, true);
    await t.app.get(Accounts).assignCsm(csmEmail, other.slug, true);
    csm = await signIn(t, { role: 'csm', email: csmEmail });
    admin = await signIn(t, { role: 'customer_admin', tenant: acme.slug, email: `ada-${Date.now()}@acme.example` });
    adminToken = `Bearer ${await tokenFor(t.app, acme.id)}`;
    viewerToken = `Bearer ${await tokenFor(t.app, acme.id, 'customer_viewer')}`;
    otherAdminToken = `Bearer ${await tokenFor(t.app, other.id)}`;
    await csm.agent
      .put('/api/v1/me/working-hours')
      .set('x-csrf-token', csm.csrf)
      .send({ timeZone: 'Europe/London', workingDays: [1, 2, 3, 4, 5], dayStart: '09:00', dayEnd: '17:00' })
      .expect(200);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const as = (s: Session) => ({
    get: (p: string) => s.agent.get(p),
    post: (p: string, body?: object) => s.agent.post(p).set('x-csrf-token', s.csrf).send(body),
    patch: (p: string, body: object) => s.agent.patch(p).set('x-csrf-token', s.csrf).send(body),
    put: (p: string, body: object) => s.agent.put(p).set('x-csrf-token', s.csrf).send(body),
    del: (p: string) => s.agent.delete(p).set('x-csrf-token', s.csrf),
  });
  const path = (id: string, rest = '') => `/api/v1/incidents/${id}/walkthrough${rest}`;

  /** A resolved incident of the token's tenant whose review is published (or left at `stage`). */
  async function reviewed(token: string, stage: 'draft' | 'published' = 'published'): Promise<string> {
    const inc = (await t.http.post('/api/v1/incidents').set('Authorization', token).send(validIntake()).expect(201)).body as { id: string };
    const sup = as(support);
    await sup.post(`/api/v1/incidents/${inc.id}/resolve`, { summary: 'Rotated the certificate chain.' }).expect(200);
    await sup.post(`/api/v1/incidents/${inc.id}/pir`).expect(201);
    if (stage === 'published') {
      await sup.post(`/api/v1/incidents/${inc.id}/pir/transitions`, { to: 'in_review' }).expect(200);
      await sup.post(`/api/v1/incidents/${inc.id}/pir/transitions`, { to: 'published' }).expect(200);
    }
    return inc.id;
  }

  /** Invitations (mails with a calendar part) received since the n-th mail: the incident's own notifications are not. */
  const mailsSince = (n: number) => smtp.messages.slice(n).filter((m) => m.mail.attachments.some((a) => a.contentType === 'text/calendar'));

  it('books a slot of the CSM’s working hours, mails both sides the invite, reschedules and cancels the same event', async () => {
    const id = await reviewed(adminToken);
    // The declaration's and resolution's own mails to the tenant's contacts arrive first.
    await drainNotifications(t);
    const before = smtp.messages.length;

    // Nothing booked yet; everyone who reads the review sees that, only admins and the CSM may book.
    expect((await t.http.get(path(id)).set('Authorization', viewerToken).expect(200)).body).toEqual({ walkthrough: null, canBook: false });
    expect((await as(admin).get(path(id)).expect(200)).body.canBook).toBe(true);
    await t.http.get(path(id, '/slots')).set('Authorization', viewerToken).expect(403);

    const offer = (await as(admin).get(path(id, '/slots')).expect(200)).body;
    expect(offer.csm).toEqual({ name: csmEmail.split('@')[0], email: csmEmail, timeZone: 'Europe/London' });
    expect(offer.days).toBe(10);
    // Tuesday 09:00 now: 09:30 is the first free slot; every slot is 30 minutes on the half-hour grid, Mon–Fri 09–17 London.
    expect(offer.slots[0]).toEqual({ startsAt: '2026-11-24T09:30:00.000Z', endsAt: '2026-11-24T10:00:00.000Z' });
    expect(offer.slots).toHaveLength(15 + 9 * 16);
    for (const s of offer.slots as { startsAt: string }[]) {
      const d = new Date(s.startsAt);
      expect([1, 2, 3, 4, 5]).toContain(d.getUTCDay());
      expect(d.getUTCHours()).toBeGreaterThanOrEqual(9);
      expect(d.getUTCHours()).toBeLessThan(17);
    }

    const startsAt = '2026-11-25T14:00:00.000Z';
    const booked = (await as(admin).post(path(id), { startsAt }).expect(201)).body;
    expect(booked).toMatchObject({
      status: 'booked',
      startsAt,
      endsAt: '2026-11-25T14:30:00.000Z',
      sequence: 0,
      csm: { email: csmEmail, timeZone: 'Europe/London' },
      attendee: { email: admin.principal.email },
    });
    const seen = (await t.http.get(path(id)).set('Authorization', viewerToken).expect(200)).body;
    expect(seen.walkthrough).toMatchObject({ id: booked.id, startsAt, uid: booked.uid });
    const after = (await as(admin).get(path(id, '/slots')).expect(200)).body.slots as { startsAt: string }[];
    expect(after.map((s) => s.startsAt)).not.toContain(startsAt);
    expect(after).toHaveLength(offer.slots.length - 1);

    await drainNotifications(t);
    const invites = mailsSince(before);
    expect(invites.map((m) => m.rcpt[0]).sort()).toEqual([admin.principal.email, csmEmail].sort());
    for (const m of invites) {
      const inv = inviteOf(m.mail);
      expect(inv).toMatchObject({
        partMethod: 'REQUEST',
        sameCalendar: true,
        method: 'REQUEST',
        uid: booked.uid,
        sequence: 0,
        start: startsAt,
        end: '2026-11-25T14:30:00.000Z',
        organizer: csmEmail,
        attendees: [admin.principal.email, csmEmail].sort(),
        dtstartUtc: true,
      });
      expect(m.mail.subject).toMatch(/^Invitation: PIR walkthrough: [A-Z][A-Z0-9]*-\d+ .* Wed 25 Nov 14:00 Europe\/London$/);
      expect(m.mail.text).toContain('Wednesday 25 November 2026, 14:00 (Europe/London)');
    }

    // Reschedule: the same UID, SEQUENCE 1, the new time; the old slot is free again.
    const moved = (await as(csm).patch(path(id), { startsAt: '2026-11-26T10:30:00Z' }).expect(200)).body;
    expect(moved).toMatchObject({ id: booked.id, uid: booked.uid, sequence: 1, startsAt: '2026-11-26T10:30:00.000Z' });
    expect(((await as(admin).get(path(id, '/slots')).expect(200)).body.slots as { startsAt: string }[]).map((s) => s.startsAt)).toContain(startsAt);
    const n1 = smtp.messages.length;
    await drainNotifications(t);
    const updates = mailsSince(n1);
    expect(updates).toHaveLength(2);
    for (const m of updates) {
      expect(inviteOf(m.mail)).toMatchObject({ partMethod: 'REQUEST', method: 'REQUEST', uid: booked.uid, sequence: 1, start: '2026-11-26T10:30:00.000Z' });
      expect(m.mail.subject).toMatch(/^Updated invitation:/);
    }

    // Cancel: METHOD:CANCEL, SEQUENCE 2, the same UID; the review shows no booking.
    const cancelled = (await as(admin).del(path(id)).expect(200)).body;
    expect(cancelled).toMatchObject({ status: 'cancelled', sequence: 2, uid: booked.uid });
    expect((await as(admin).get(path(id)).expect(200)).body.walkthrough).toBeNull();
    const n2 = smtp.messages.length;
    await drainNotifications(t);
    const cancels = mailsSince(n2);
    expect(cancels.map((m) => m.rcpt[0]).sort()).toEqual([admin.principal.email, csmEmail].sort());
    for (const m of cancels) {
      expect(inviteOf(m.mail)).toMatchObject({ partMethod: 'CANCEL', method: 'CANCEL', uid: booked.uid, sequence: 2, status: 'CANCELLED' });
      expect(m.mail.subject).toMatch(/^Cancelled:/);
    }
    await as(admin).del(path(id)).expect(404);

    // Every step is in the incident's audit trail.
    const events = (await as(support).get(`/api/v1/incidents/${id}/events`).expect(200)).body.items as { action: string; details: Record<string, unknown> }[];
    const actions = events.map((e) => e.action).filter((a) => a.startsWith('walkthrough.'));
    expect(actions.filter((a) => a !== 'walkthrough.invite_sent')).toEqual(['walkthrough.booked', 'walkthrough.rescheduled', 'walkthrough.cancelled']);
    expect(actions.filter((a) => a === 'walkthrough.invite_sent')).toHaveLength(6);
  });

  it('lets one of several concurrent requests for the same CSM slot win, across reviews and tenants (409 for the rest)', async () => {
    const ids = [await reviewed(adminToken), await reviewed(adminToken), await reviewed(adminToken), await reviewed(otherAdminToken)];
    const startsAt = '2026-11-27T11:00:00Z';
    const tokens = [adminToken, adminToken, adminToken, otherAdminToken];
    const attendee = [admin.principal.email, admin.principal.email, admin.principal.email, undefined];
    await t.app.get(Accounts).upsertUser({ tenantId: other.id, email: 'olga@other.example', name: 'Olga', role: 'customer_admin' });
    attendee[3] = 'olga@other.example';
    const results = await Promise.all(ids.map((id, n) => t.http.post(path(id)).set('Authorization', tokens[n]).send({ startsAt, attendeeEmail: attendee[n] })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.body).toMatchObject({ error: 'conflict', fields: [{ field: 'startsAt', message: 'is no longer free' }] });
      expect(r.body.message).toMatch(/just booked by someone else; pick another slot/);
    }
    // The other tenant's slots leave the taken time out, and say nothing of who took it.
    const winner = results.findIndex((r) => r.status === 201);
    const loser = ids.findIndex((_, n) => n !== winner && tokens[n] === otherAdminToken);
    if (loser >= 0) {
      const offer = await t.http.get(path(ids[loser], '/slots')).set('Authorization', otherAdminToken).expect(200);
      expect((offer.body.slots as { startsAt: string }[]).map((s) => s.startsAt)).not.toContain('2026-11-27T11:00:00.000Z');
      expect(JSON.stringify(offer.body)).not.toContain(acme.id);
    }

    // Two requests for one review at once: one booking per review.
    const one = await reviewed(adminToken);
    const pair = await Promise.all(
      ['2026-11-30T09:00:00Z', '2026-11-30T09:30:00Z'].map((s) =>
        t.http.post(path(one)).set('Authorization', adminToken).send({ startsAt: s, attendeeEmail: admin.principal.email }),
      ),
    );
    expect(pair.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(pair.find((r) => r.status === 409)!.body.message).toMatch(/already booked/);
    await drainNotifications(t);
  });

  it('refuses bad input with a 400 naming the field, another tenant’s review with a 404', async () => {
    const id = await reviewed(adminToken);
    const book = (body: object) => as(admin).post(path(id), body);
    const field = async (body: object, name: string, message: RegExp) => {
      const r = await book(body).expect(400);
      expect(r.body.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field: name, message: expect.stringMatching(message) })]));
    };
    await field({ startsAt: '2026-11-23T10:00:00Z' }, 'startsAt', /is in the past/);
    await field({ startsAt: '2026-11-25T18:00:00Z' }, 'startsAt', /outside the CSM's working hours \(Mon–Fri 09:00–17:00 Europe\/London\)/);
    await field({ startsAt: '2026-11-28T10:00:00Z' }, 'startsAt', /outside the CSM's working hours/);
    await field({ startsAt: '2026-11-25T10:15:00Z' }, 'startsAt', /30-minute boundary/);
    await field({ startsAt: '2026-11-25T10:00:10Z' }, 'startsAt', /30-minute boundary/);
    await field({ startsAt: '2027-02-01T10:00:00Z' }, 'startsAt', /more than 10 business days ahead/);
    await field({ startsAt: 'tomorrow at ten' }, 'startsAt', /ISO 8601/);
    await field({}, 'startsAt', /.+/);
    await field({ startsAt: '2026-11-25T10:00:00Z', attendeeEmail: 'nobody@elsewhere.example' }, 'attendeeEmail', /is not a user of/);
    await field({ startsAt: '2026-11-25T10:00:00Z', attendeeEmail: 'not an email' }, 'attendeeEmail', /email/);
    await field({ startsAt: '2026-11-25T10:00:00Z', extra: 1 }, 'extra', /.+/);
    // An API token has no person behind it: it names the customer to invite.
    const noAttendee = await t.http.post(path(id)).set('Authorization', adminToken).send({ startsAt: '2026-11-25T10:00:00Z' }).expect(400);
    expect(noAttendee.body.fields).toEqual([{ field: 'attendeeEmail', message: 'is required: name the customer user to invite' }]);
    const days = await as(admin).get(path(id, '/slots?days=0')).expect(400);
    expect(days.body.fields[0].field).toBe('days');

    // Nothing was written by any of those.
    expect((await as(admin).get(path(id)).expect(200)).body.walkthrough).toBeNull();

    // Another tenant's review: 404 on every route; a random id too.
    for (const [method, p] of [
      ['get', path(id)],
      ['get', path(id, '/slots')],
      ['post', path(id)],
      ['patch', path(id)],
      ['delete', path(id)],
    ] as const) {
      const r = await t.http[method](p)
        .set('Authorization', otherAdminToken)
        .send(method === 'get' || method === 'delete' ? undefined : { startsAt: '2026-11-25T10:00:00Z' });
      expect([method, p, r.status]).toEqual([method, p, 404]);
    }
    await t.http.get(path('00000000-0000-4000-8000-000000000000')).set('Authorization', adminToken).expect(404);
    await t.http.get('/api/v1/incidents/not-a-uuid/walkthrough').set('Authorization', adminToken).expect(404);

    // Viewers and support engineers read, they do not book; an unpublished review has no walkthrough yet.
    await t.http.post(path(id)).set('Authorization', viewerToken).send({ startsAt: '2026-11-25T10:00:00Z' }).expect(403);
    await as(support).post(path(id), { startsAt: '2026-11-25T10:00:00Z', attendeeEmail: admin.principal.email }).expect(403);
    const draft = await reviewed(adminToken, 'draft');
    const early = await as(csm).post(path(draft), { startsAt: '2026-11-25T10:00:00Z', attendeeEmail: admin.principal.email }).expect(409);
    expect(early.body.message).toMatch(/once the post-incident review is published/);
    await as(admin).get(path(draft)).expect(404);

    // Reschedule and cancel need a booking; a reschedule to the same time is refused.
    await as(admin).patch(path(id), { startsAt: '2026-11-25T10:00:00Z' }).expect(404);
    await book({ startsAt: '2026-11-25T10:00:00Z' }).expect(201);
    await book({ startsAt: '2026-11-25T11:00:00Z' }).expect(409);
    const same = await as(admin).patch(path(id), { startsAt: '2026-11-25T10:00:00Z' }).expect(400);
    expect(same.body.fields).toEqual([{ field: 'startsAt', message: 'is already the time of the walkthrough' }]);
    const outside = await as(admin).patch(path(id), { startsAt: '2026-11-25T07:00:00Z' }).expect(400);
    expect(outside.body.fields[0]).toMatchObject({ field: 'startsAt', message: expect.stringMatching(/outside/) });
    await as(admin).del(path(id)).expect(200);
    await drainNotifications(t);
  });

  it('keeps each CSM’s working hours, editable by that CSM only, validated field by field', async () => {
    const second = await signIn(t, { role: 'csm', email: `csm2-${Date.now()}@vendor.example` });
    const mine = (await as(second).get('/api/v1/me/working-hours').expect(200)).body;
    expect(mine).toEqual({ timeZone: 'UTC', workingDays: [1, 2, 3, 4, 5], dayStart: '09:00', dayEnd: '17:00', customised: false, updatedAt: null });
    const bad = async (body: object, name: string) => {
      const r = await as(second).put('/api/v1/me/working-hours', body).expect(400);
      expect(r.body.fields.map((f: { field: string }) => f.field)).toContain(name);
    };
    const ok = { timeZone: 'America/New_York', workingDays: [2, 4], dayStart: '10:00', dayEnd: '14:30' };
    await bad({ ...ok, timeZone: 'Mars/Olympus' }, 'timeZone');
    await bad({ ...ok, dayEnd: '09:00' }, 'dayEnd');
    await bad({ ...ok, dayStart: '10:15' }, 'dayStart');
    await bad({ ...ok, workingDays: [] }, 'workingDays');
    await bad({ ...ok, workingDays: [8] }, 'workingDays.0');
    const saved = (await as(second).put('/api/v1/me/working-hours', ok).expect(200)).body;
    expect(saved).toMatchObject({ ...ok, customised: true });
    // The first CSM's hours are untouched; tenant users and support engineers have none to edit.
    expect((await as(csm).get('/api/v1/me/working-hours').expect(200)).body.timeZone).toBe('Europe/London');
    await as(admin).get('/api/v1/me/working-hours').expect(403);
    await as(support).put('/api/v1/me/working-hours', ok).expect(403);
  });

  it('keeps bookings behind the tenant wall (forced RLS with USING and WITH CHECK, composite foreign keys)', async () => {
    const id = await reviewed(adminToken);
    const booked = (await as(admin).post(path(id), { startsAt: '2026-12-01T13:00:00Z' }).expect(201)).body;
    const db = t.app.get(Db);
    const seen = (tenants: string[]) => db.forTenants(tenants, (em) => sql<{ id: string }>(em, 'select id from walkthroughs where id = $1', [booked.id]));
    expect(await seen([acme.id])).toHaveLength(1);
    expect(await seen([other.id])).toHaveLength(0);
    expect(await seen([])).toHaveLength(0);
    // Another tenant cannot move the row, nor insert one naming this tenant's incident (WITH CHECK, then the composite key).
    const moved = await db.forTenants([other.id], (em) => sql(em, `update walkthroughs set starts_at = starts_at where id = $1 returning id`, [booked.id]));
    expect(moved).toHaveLength(0);
    const row = (await db.forTenants([acme.id], (em) => sql(em, 'select * from walkthroughs where id = $1', [booked.id])))[0];
    const insertAs = (tenant: string) =>
      db.forTenants([tenant], (em) =>
        sql(
          em,
          `insert into walkthroughs (tenant_id, incident_id, pir_id, csm_staff_id, csm_name, csm_email, csm_time_zone, attendee_name, attendee_email,
             starts_at, ends_at, status, uid, booked_by, booked_at, updated_by, updated_at)
           values ($1, $2, $3, $4, 'x', 'x@x', 'UTC', 'y', 'y@y', '2026-12-02T13:00:00Z', '2026-12-02T13:30:00Z', 'booked', gen_random_uuid()::text, '{}', now(), '{}', now())`,
          [other.id, row.incident_id, row.pir_id, row.csm_staff_id],
        ),
      );
    await expect(insertAs(acme.id)).rejects.toThrow(/row-level security/);
    await expect(insertAs(other.id)).rejects.toThrow(/foreign key/);
    await as(admin).del(path(id)).expect(200);
    await drainNotifications(t);
  });

  it('loses no invite while SMTP is down: the job retries until the server is back', async () => {
    const id = await reviewed(adminToken);
    const port = smtp.port;
    await smtp.close();
    await as(admin).post(path(id), { startsAt: '2026-11-30T15:00:00Z' }).expect(201);
    await drainNotifications(t);
    // Both attempts failed (connection refused) and wait as delayed retries.
    smtp = await startSmtpCatcher(port);
    expect(await promoteDelayed(t)).toBeGreaterThanOrEqual(2);
    await drainNotifications(t);
    const arrived = smtp.messages.map((m) => inviteOf(m.mail));
    expect(arrived.map((a) => a.start)).toEqual(['2026-11-30T15:00:00.000Z', '2026-11-30T15:00:00.000Z']);
  });
});
