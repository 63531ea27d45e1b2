import { ownerQuery } from './evidence-helpers';
import { drainNotifications, HttpReceiver, promoteDelayed, startHttpReceiver, startSmtpCatcher } from './support/notification-receivers';
import { createTenant, createTestApp, signIn, TestApp, tokenFor, validIntake } from './support/test-app';

jest.setTimeout(120_000);

const MIN = 60_000;
const DEPLOYMENT_KEY = 'DEPL0YMENTKEY000000000000000000AA';
const DEPLOYMENT_LADDER = [{ severity: 'sev1', condition: 'unacknowledged', afterMinutes: 5, target: 'Backup on-call' }];

/**
 * Vendor settings → Escalation and paging: support engineers change the ladder and the PagerDuty routing key in the
 * portal; the deployment's configuration is the default until then and again after a reset.
 */
describe('notifications: the vendor’s escalation and paging settings', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpCatcher>>;
  let pagerDuty: HttpReceiver;
  let support: Awaited<ReturnType<typeof signIn>>;
  const SETTINGS = '/api/v1/vendor/notification-settings';

  beforeAll(async () => {
    smtp = await startSmtpCatcher();
    pagerDuty = await startHttpReceiver(() => ({ status: 202, body: '{"status":"success"}' }));
    t = await createTestApp({
      env: {
        SMTP_URL: smtp.url,
        PAGERDUTY_EVENTS_URL: `${pagerDuty.url}/v2/enqueue`,
        PAGERDUTY_ROUTING_KEY: DEPLOYMENT_KEY,
        ESCALATION_POLICY: JSON.stringify(DEPLOYMENT_LADDER),
        SESSION_IDLE_MINUTES: '100000',
      },
    });
    support = await signIn(t, { role: 'support_engineer', email: 'lee.engineer@vendor.test' });
  });
  afterAll(async () => {
    // The settings are the deployment's, and the test database is shared by the suites: leave the defaults.
    await support.agent.delete(SETTINGS).set('x-csrf-token', support.csrf);
    await t.close();
    await Promise.all([smtp.close(), pagerDuty.close()]);
  });

  const put = (body: unknown) =>
    support.agent
      .put(SETTINGS)
      .set('x-csrf-token', support.csrf)
      .send(body as object);
  async function declareSev1() {
    const tenant = await createTenant(t.app, { mode: 'B' });
    const admin = { Authorization: `Bearer ${await tokenFor(t.app, tenant.id)}` };
    const inc = (
      await t.http
        .post('/api/v1/incidents')
        .set(admin)
        .send(validIntake({ severity: 'sev1' }))
        .expect(201)
    ).body;
    await drainNotifications(t);
    return { tenant, admin, inc };
  }
  const paged = (incidentId: string) =>
    pagerDuty.requests
      .map((r) => JSON.parse(r.body) as { routing_key: string; dedup_key: string; event_action: string })
      .filter((b) => b.dedup_key === `incident-portal:${incidentId}`);

  it('shows the deployment’s defaults until changed, with the routing key as a hint only', async () => {
    await support.agent.delete(SETTINGS).set('x-csrf-token', support.csrf).expect(200);
    const view = (await support.agent.get(SETTINGS).expect(200)).body;
    expect(view).toMatchObject({ source: 'deployment', escalation: DEPLOYMENT_LADDER, pagerDutyKeyHint: '…00AA', updatedAt: null });
    expect(JSON.stringify(view)).not.toContain(DEPLOYMENT_KEY);
  });

  it('is the vendor’s: a customer admin cannot read or change it', async () => {
    const tenant = await createTenant(t.app, { mode: 'B' });
    const admin = { Authorization: `Bearer ${await tokenFor(t.app, tenant.id)}` };
    await t.http.get(SETTINGS).set(admin).expect(403);
    await t.http.put(SETTINGS).set(admin).send({ escalation: [], pagerDutySeverities: [] }).expect(403);
  });

  it('refuses a bad ladder or key with the field named, and changes nothing', async () => {
    const before = (await support.agent.get(SETTINGS).expect(200)).body;
    const bad = [
      [{ escalation: [{ severity: 'sev1', condition: 'unacknowledged', afterMinutes: 0, target: 'X' }], pagerDutySeverities: [] }, 'escalation.0.afterMinutes'],
      [{ escalation: [{ severity: 'sev9', condition: 'open', afterMinutes: 5, target: 'X' }], pagerDutySeverities: [] }, 'escalation.0.severity'],
      [{ escalation: [], pagerDutySeverities: ['sev1', 'sev1'] }, 'pagerDutySeverities'],
      [{ escalation: [], pagerDutySeverities: [], pagerDutyRoutingKey: 'has spaces in it' }, 'pagerDutyRoutingKey'],
      [{ escalation: [], pagerDutySeverities: [], extra: true }, 'extra'],
    ] as const;
    for (const [body, field] of bad) {
      const res = await put(body).expect(400);
      expect(JSON.stringify(res.body.fields ?? res.body)).toContain(field);
    }
    expect((await support.agent.get(SETTINGS).expect(200)).body).toEqual(before);
  });

  it('a changed ladder and routing key apply to the next incident; the key is sealed at rest; each change is audited', async () => {
    const key = 'NEWR0UTINGKEY1111111111111111BB';
    const ladder = [{ severity: 'sev1', condition: 'unacknowledged', afterMinutes: 2, target: 'Duty manager', email: 'duty@vendor.test' }];
    const view = (await put({ escalation: ladder, pagerDutySeverities: ['sev1'], pagerDutyRoutingKey: key }).expect(200)).body;
    expect(view).toMatchObject({
      source: 'settings',
      escalation: ladder,
      pagerDutySeverities: ['sev1'],
      pagerDutyKeyHint: '…11BB',
      updatedBy: expect.any(String),
    });
    const [row] = await ownerQuery<{ c: string; h: string }>('select pagerduty_key_ciphertext as c, pagerduty_key_hint as h from vendor_notification_settings');
    expect(row.c).not.toContain(key);
    expect(row.h).toBe('11BB');
    const [audit] = await ownerQuery<{ payload: Record<string, unknown> }>(
      `select details as payload from governance_events where action = 'notification.vendor_settings_changed' order by id desc limit 1`,
    );
    expect(audit.payload).toMatchObject({ escalationSteps: 1, pagerDutyKey: 'set' });

    const { admin, inc } = await declareSev1();
    expect(paged(inc.id)).toEqual([expect.objectContaining({ routing_key: key, event_action: 'trigger' })]);
    t.clock.advance(2 * MIN);
    for (let i = 0; i < 3; i++) {
      await promoteDelayed(t);
      await drainNotifications(t);
    }
    const events = (await t.http.get(`/api/v1/incidents/${inc.id}/events`).set(admin).expect(200)).body.items as {
      action: string;
      details: Record<string, unknown>;
    }[];
    expect(events.filter((e) => e.action === 'incident.escalated').map((e) => e.details.target)).toEqual(['Duty manager']);
    expect(smtp.messages.some((m) => m.rcpt.includes('duty@vendor.test') && m.mail.subject?.includes(inc.reference))).toBe(true);
  });

  it('keeps the stored key when a change leaves it out; removing it stops paging', async () => {
    await put({ escalation: [], pagerDutySeverities: ['sev1', 'sev2'] }).expect(200);
    expect((await support.agent.get(SETTINGS).expect(200)).body.pagerDutyKeyHint).toBe('…11BB');
    await put({ escalation: [], pagerDutySeverities: ['sev1', 'sev2'], pagerDutyRoutingKey: null }).expect(200);
    expect((await support.agent.get(SETTINGS).expect(200)).body.pagerDutyKeyHint).toBeNull();
    const { inc } = await declareSev1();
    expect(paged(inc.id)).toEqual([]);
  });

  it('a reset returns to the deployment’s configuration', async () => {
    const view = (await support.agent.delete(SETTINGS).set('x-csrf-token', support.csrf).expect(200)).body;
    expect(view).toMatchObject({ source: 'deployment', escalation: DEPLOYMENT_LADDER, pagerDutyKeyHint: '…00AA' });
    const { inc } = await declareSev1();
    expect(paged(inc.id)).toEqual([expect.objectContaining({ routing_key: DEPLOYMENT_KEY })]);
  });
});
