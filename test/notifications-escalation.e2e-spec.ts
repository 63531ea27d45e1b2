import { drainNotifications, promoteDelayed, startSmtpCatcher } from './support/notification-receivers';
import { createTenant, createTestApp, signIn, TestApp, tokenFor, validIntake } from './support/test-app';

jest.setTimeout(120_000);

const MIN = 60_000;
const LADDER = [
  { severity: 'sev1', condition: 'unacknowledged', afterMinutes: 5, target: 'Backup on-call', email: 'backup@vendor.test' },
  { severity: 'sev1', condition: 'unacknowledged', afterMinutes: 10, target: 'Engineering Manager', email: 'em@vendor.test' },
  { severity: 'sev1', condition: 'open', afterMinutes: 30, target: 'VP Engineering', email: 'vp@vendor.test' },
  { severity: 'sev2', condition: 'unacknowledged', afterMinutes: 15, target: 'Backup on-call' },
];

/**
 * The escalation ladder (seed 003, 5.1), the status-update reminder and the quick declaration's intake chase (issue 18),
 * as delayed jobs driven by the ManualClock.
 */
describe('notifications: escalation ladder and status-update reminders', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpCatcher>>;
  let support: Awaited<ReturnType<typeof signIn>>;

  beforeAll(async () => {
    smtp = await startSmtpCatcher();
    // The clock moves hours in this suite: the engineer's session must outlive it.
    t = await createTestApp({ env: { SMTP_URL: smtp.url, ESCALATION_POLICY: JSON.stringify(LADDER), SESSION_IDLE_MINUTES: '100000' } });
    support = await signIn(t, { role: 'support_engineer', email: 'sam.engineer@vendor.test' });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  async function declare(severity = 'sev1') {
    const tenant = await createTenant(t.app, { mode: 'B' });
    const admin = { Authorization: `Bearer ${await tokenFor(t.app, tenant.id)}` };
    const inc = (await t.http.post('/api/v1/incidents').set(admin).send(validIntake({ severity })).expect(201)).body;
    await drainNotifications(t);
    return { tenant, admin, inc };
  }
  /** Moves the clock and runs every delayed job that is due (a job that is not due yet schedules itself again). */
  async function advance(ms: number) {
    t.clock.advance(ms);
    for (let i = 0; i < 3; i++) {
      await promoteDelayed(t);
      await drainNotifications(t);
    }
  }
  const events = async (admin: Record<string, string>, incidentId: string) =>
    (await t.http.get(`/api/v1/incidents/${incidentId}/events`).set(admin).expect(200)).body.items as { action: string; details: Record<string, any> }[];
  const escalations = async (admin: Record<string, string>, incidentId: string) =>
    (await events(admin, incidentId)).filter((e) => e.action === 'incident.escalated').map((e) => e.details.target as string);

  it('an unacknowledged Sev1 climbs the ladder at 5, 10 and 30 minutes, each step once, each a governance event and an email', async () => {
    const { tenant, admin, inc } = await declare();
    await advance(4 * MIN);
    expect(await escalations(admin, inc.id)).toEqual([]);
    await advance(1 * MIN);
    expect(await escalations(admin, inc.id)).toEqual(['Backup on-call']);
    await advance(5 * MIN);
    expect(await escalations(admin, inc.id)).toEqual(['Backup on-call', 'Engineering Manager']);
    await advance(20 * MIN);
    expect(await escalations(admin, inc.id)).toEqual(['Backup on-call', 'Engineering Manager', 'VP Engineering']);
    await advance(30 * MIN);
    expect(await escalations(admin, inc.id)).toHaveLength(3);
    const mails = smtp.messages.filter((m) => m.mail.subject?.startsWith(`[${tenant.displayName}] ${inc.reference} `) && m.mail.subject?.includes('Escalated'));
    expect(mails.map((m) => m.rcpt[0])).toEqual(['backup@vendor.test', 'em@vendor.test', 'vp@vendor.test']);
    expect(mails[0].mail.subject).toContain('Escalated to Backup on-call: Sev1 unacknowledged for 5 min');
    // internal deliveries are the vendor's: listed to staff, not to the customer
    const customerView = (await t.http.get(`/api/v1/incidents/${inc.id}/notifications`).set(admin).expect(200)).body.deliveries;
    expect(customerView.filter((d: { eventType: string }) => d.eventType === 'incident.escalated')).toEqual([]);
    const staffView = (await support.agent.get(`/api/v1/incidents/${inc.id}/notifications`).expect(200)).body.deliveries;
    expect(staffView.filter((d: { eventType: string; status: string }) => d.eventType === 'incident.escalated' && d.status === 'delivered')).toHaveLength(3);
  });

  it('acknowledgement stops the unacknowledged steps; the "open" step still fires while unresolved', async () => {
    const { admin, inc } = await declare();
    await advance(6 * MIN);
    await support.agent.post(`/api/v1/incidents/${inc.id}/acknowledge`).set('x-csrf-token', support.csrf).expect(200);
    await drainNotifications(t);
    await advance(10 * MIN);
    expect(await escalations(admin, inc.id)).toEqual(['Backup on-call']);
    await advance(15 * MIN);
    expect(await escalations(admin, inc.id)).toEqual(['Backup on-call', 'VP Engineering']);
  });

  it('a resolved Sev1 and an acknowledged Sev2 do not escalate; an unacknowledged Sev2 does at 15 minutes', async () => {
    const resolved = await declare();
    await support.agent.post(`/api/v1/incidents/${resolved.inc.id}/resolve`).set('x-csrf-token', support.csrf).send({ summary: 'Fixed fast.' }).expect(200);
    const sev2 = await declare('sev2');
    const acked = await declare('sev2');
    await support.agent.post(`/api/v1/incidents/${acked.inc.id}/acknowledge`).set('x-csrf-token', support.csrf).expect(200);
    await drainNotifications(t);
    await advance(31 * MIN);
    expect(await escalations(resolved.admin, resolved.inc.id)).toEqual([]);
    expect(await escalations(acked.admin, acked.inc.id)).toEqual([]);
    const sev2Events = (await events(sev2.admin, sev2.inc.id)).filter((e) => e.action === 'incident.escalated');
    expect(sev2Events.map((e) => e.details)).toEqual([
      { reference: sev2.inc.reference, severity: 'sev2', step: 4, condition: 'unacknowledged', afterMinutes: 15, target: 'Backup on-call' },
    ]);
  });

  it('reminds the engineer 5 minutes before a status update is due with none posted, once; a posted update moves the reminder', async () => {
    const { tenant, admin, inc } = await declare('sev2');
    await support.agent.post(`/api/v1/incidents/${inc.id}/acknowledge`).set('x-csrf-token', support.csrf).expect(200);
    await drainNotifications(t);
    const view = (await t.http.get(`/api/v1/incidents/${inc.id}`).set(admin).expect(200)).body;
    const due = Date.parse(view.sla.clocks.statusUpdate.dueAt);
    const reminders = async () => (await events(admin, inc.id)).filter((e) => e.action === 'incident.status_update_reminder');
    await advance(due - 6 * MIN - t.clock.now().getTime());
    expect(await reminders()).toHaveLength(0);
    await advance(1 * MIN);
    expect((await reminders()).map((r) => r.details)).toEqual([
      { reference: inc.reference, dueAt: new Date(due).toISOString(), engineer: expect.stringContaining('sam.engineer@vendor.test'), emailed: true },
    ]);
    await advance(1 * MIN);
    expect(await reminders()).toHaveLength(1);
    const mail = smtp.messages.filter(
      (m) => m.rcpt.includes('sam.engineer@vendor.test') && m.mail.subject?.startsWith(`[${tenant.displayName}] ${inc.reference} `),
    );
    expect(mail).toHaveLength(1);
    expect(mail[0].mail.subject).toContain('Reminder: a status update is due');

    // An update posted in time: the next reminder is for the next due instant, and only then.
    await support.agent
      .post(`/api/v1/incidents/${inc.id}/status-updates`)
      .set('x-csrf-token', support.csrf)
      .send({ state: 'investigating', body: 'Still on it.' })
      .expect(201);
    await drainNotifications(t);
    await advance(20 * MIN);
    expect(await reminders()).toHaveLength(1);
    await advance(6 * MIN);
    expect(await reminders()).toHaveLength(2);
  });

  it("chases a quick declaration's missing intake once, half-way to the response target; not when it came in time", async () => {
    const quick = async () => {
      const tenant = await createTenant(t.app, { mode: 'B' });
      const admin = { Authorization: `Bearer ${await tokenFor(t.app, tenant.id)}` };
      await t.http
        .put('/api/v1/tenant/contacts')
        .set(admin)
        .send({ contacts: [{ name: 'Ops', email: `ops@${tenant.slug}.test` }] })
        .expect(200);
      const inc = (
        await t.http
          .post('/api/v1/incidents/quick')
          .set(admin)
          .send({ title: 'Everything is down', severity: 'sev1', services: ['Identity'], regions: ['eu-south-1'] })
          .expect(201)
      ).body;
      await drainNotifications(t);
      return { tenant, admin, inc };
    };
    const chased = async (admin: Record<string, string>, id: string) => (await events(admin, id)).filter((e) => e.action === 'incident.intake_chased');

    const { tenant, admin, inc } = await quick();
    const declaredAt = Date.parse(inc.declaredAt);
    const half = (Date.parse(inc.sla.clocks.initialResponse.dueAt) - declaredAt) / 2;
    await advance(declaredAt + half - MIN - t.clock.now().getTime());
    expect(await chased(admin, inc.id)).toHaveLength(0);
    await advance(MIN);
    expect((await chased(admin, inc.id)).map((e) => e.details)).toEqual([
      {
        reference: inc.reference,
        missing: ['symptoms', 'impactedUsers', 'firstNoticedAt', 'recentChanges', 'reproductionConfirmed'],
        responseDueAt: inc.sla.clocks.initialResponse.dueAt,
        emailed: [`ops@${tenant.slug}.test`],
      },
    ]);
    const mail = smtp.messages.filter((m) => m.rcpt.includes(`ops@${tenant.slug}.test`) && m.mail.subject?.includes('Details still needed'));
    expect(mail).toHaveLength(1);
    expect(mail[0].mail.text).toContain('Still missing: symptoms, impactedUsers, firstNoticedAt, recentChanges, reproductionConfirmed');
    await advance(10 * MIN);
    expect(await chased(admin, inc.id)).toHaveLength(1);

    // The fields came before the instant: nothing is chased.
    const second = await quick();
    await t.http
      .put(`/api/v1/incidents/${second.inc.id}/intake`)
      .set(second.admin)
      .send({
        symptoms: 'Error page after the IdP redirect.',
        impactedUsers: 40,
        firstNoticedAt: new Date(t.clock.now().getTime() - 5 * MIN).toISOString(),
        firstNoticedTimezone: 'Europe/Rome',
        recentChanges: { kinds: ['idp_migration'] },
        reproductionConfirmed: true,
      })
      .expect(200);
    await advance(half + MIN);
    expect(await chased(second.admin, second.inc.id)).toHaveLength(0);
  });
});
