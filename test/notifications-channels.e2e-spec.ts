import { Webhook } from 'standardwebhooks';
import { WEBHOOK_EVENT_TYPES } from '@portal/contracts';
import { Db } from '../apps/portal-api/src/database/db.service';
import { sql } from '../apps/portal-api/src/database/sql';
import { drainNotifications, HttpReceiver, promoteDelayed, startHttpReceiver, startSlackFake, startSmtpCatcher } from './support/notification-receivers';
import { createTenant, createTestApp, signIn, TestApp, tokenFor, validIntake } from './support/test-app';

jest.setTimeout(120_000);

const SLACK_TOKEN = 'xoxb-1234567890-abcdefghijkl';
const MIN = 60_000;

/**
 * Incident communications end to end, every channel against a real loopback receiver: Slack's Web API (threaded),
 * a real SMTP server, PagerDuty's Events API v2 and signed webhooks verified with the standardwebhooks library.
 */
describe('notifications: channels against real receivers', () => {
  let t: TestApp;
  let slack: Awaited<ReturnType<typeof startSlackFake>>;
  let smtp: Awaited<ReturnType<typeof startSmtpCatcher>>;
  let pagerDuty: HttpReceiver;
  /** How many of PagerDuty's next answers are 500s. */
  let pagerDutyFailures = 0;
  let support: Awaited<ReturnType<typeof signIn>>;

  beforeAll(async () => {
    slack = await startSlackFake(SLACK_TOKEN);
    smtp = await startSmtpCatcher();
    pagerDuty = await startHttpReceiver(() =>
      pagerDutyFailures-- > 0
        ? { status: 500, body: 'PagerDuty is having a moment' }
        : { status: 202, body: JSON.stringify({ status: 'success', message: 'Event processed' }) },
    );
    t = await createTestApp({
      env: {
        SLACK_API_URL: slack.apiUrl,
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Incident Portal <incidents@portal.test>',
        PAGERDUTY_EVENTS_URL: `${pagerDuty.url}/v2/enqueue`,
        PAGERDUTY_ROUTING_KEY: 'R0UTINGKEY0000000000000000000000',
        HOTLINE_NUMBER: '+39 02 0000 1111',
        PUBLIC_URL: 'https://portal.test',
        NOTIFY_TIMEOUT_MS: '500',
        WEBHOOK_DISABLE_AFTER_FAILURES: '3',
        NOTIFY_MAX_ATTEMPTS: '5',
      },
    });
    support = await signIn(t, { role: 'support_engineer' });
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([slack.close(), smtp.close(), pagerDuty.close()]);
  });

  const tenantIds: string[] = [];
  async function tenantWithAdmin(mode: 'A' | 'B' | 'C' = 'B') {
    const tenant = await createTenant(t.app, { mode });
    tenantIds.push(tenant.id);
    const admin = { Authorization: `Bearer ${await tokenFor(t.app, tenant.id)}` };
    return { tenant, admin };
  }
  const setContacts = async (admin: Record<string, string>, emails: string[]) =>
    t.http
      .put('/api/v1/tenant/contacts')
      .set(admin)
      .send({ contacts: emails.map((email, i) => ({ name: `Contact ${i + 1}`, email })) })
      .expect(200);
  const deliveries = async (admin: Record<string, string>, incidentId: string) =>
    (await t.http.get(`/api/v1/incidents/${incidentId}/notifications`).set(admin).expect(200)).body as {
      hotline: string | null;
      deliveries: {
        id: string;
        channel: string;
        eventType: string;
        status: string;
        attempts: number;
        lastError: string | null;
        target: string;
        latencyMs: number | null;
      }[];
    };
  const asSupport = (method: 'post' | 'patch', path: string, body: object = {}) => support.agent[method](path).set('x-csrf-token', support.csrf).send(body);

  it('a Sev1 life cycle: one Slack parent and a threaded reply per update, the contacts emailed, PagerDuty triggered, acknowledged and resolved', async () => {
    const { tenant, admin } = await tenantWithAdmin('B');
    await setContacts(admin, ['ops@customer.test', 'cio@customer.test']);
    const conn = await t.http.put('/api/v1/integrations/slack').set(admin).send({ botToken: SLACK_TOKEN, channelId: 'C0INCIDENTS' }).expect(200);
    expect(conn.body).toEqual({ connected: true, channelId: 'C0INCIDENTS', tokenHint: '…ijkl', updatedAt: expect.any(String) });
    expect(JSON.stringify(conn.body)).not.toContain(SLACK_TOKEN);

    const inc = (
      await t.http
        .post('/api/v1/incidents')
        .set(admin)
        .send(validIntake({ title: 'Sign-in broken for everyone' }))
        .expect(201)
    ).body;
    await drainNotifications(t);

    const mine = () => slack.calls.filter((c) => c.channel === 'C0INCIDENTS' && (c.text.includes(inc.reference) || c.threadTs !== null));
    const parents = () => slack.calls.filter((c) => c.method === 'chat.postMessage' && c.threadTs === null && c.text.includes(inc.reference));
    expect(parents()).toHaveLength(1);
    expect(parents()[0].text).toContain('Sev1');
    expect(parents()[0].blocks).toContain('+39 02 0000 1111');

    expect((await deliveries(admin, inc.id)).hotline).toBe('+39 02 0000 1111');
    const mails = smtp.messages.filter((m) => m.mail.subject?.startsWith(`[${tenant.displayName}] ${inc.reference} `));
    expect(mails).toHaveLength(1);
    expect(mails[0].rcpt.sort()).toEqual(['cio@customer.test', 'ops@customer.test']);
    expect(mails[0].mail.subject).toBe(`[${tenant.displayName}] ${inc.reference} Sev1: Sev1 declared by API token "test customer_admin"`);
    expect(mails[0].mail.text).toContain('Phone hotline: +39 02 0000 1111');
    expect(mails[0].mail.text).toContain(`https://portal.test/incidents/${inc.id}`);
    expect(mails[0].mail.text).toMatch(/Initial response: running, due .*\(Europe\/Rome|CET|GMT\+1/);
    expect(mails[0].mail.html).toContain('<h1 style="font-size:20px">');
    expect(mails[0].mail.html).toContain('Sign-in broken for everyone');

    // Acknowledge, post an update, lower the severity, resolve: each a threaded reply and an edit of the parent.
    t.clock.advance(4 * MIN);
    await asSupport('post', `/api/v1/incidents/${inc.id}/acknowledge`).expect(200);
    await drainNotifications(t);
    t.clock.advance(MIN);
    await asSupport('post', `/api/v1/incidents/${inc.id}/status-updates`, { state: 'identified', body: 'A certificate expired.' }).expect(201);
    await drainNotifications(t);
    t.clock.advance(MIN);
    await asSupport('patch', `/api/v1/incidents/${inc.id}`, { severity: 'sev2', reason: 'Only some users are affected' }).expect(200);
    await drainNotifications(t);
    t.clock.advance(MIN);
    await asSupport('post', `/api/v1/incidents/${inc.id}/resolve`, { summary: 'Certificate renewed.' }).expect(200);
    await drainNotifications(t);

    const parentTs = parents()[0].ts;
    const replies = mine().filter((c) => c.method === 'chat.postMessage' && c.threadTs !== null);
    expect(replies.map((r) => r.threadTs)).toEqual([parentTs, parentTs, parentTs, parentTs]);
    expect(replies.map((r) => r.text.split('\n')[0])).toEqual([
      expect.stringMatching(/^Acknowledged by .* after 4 min$/),
      'Status update: identified',
      'Severity changed from Sev1 to Sev2',
      expect.stringMatching(/^Resolved by /),
    ]);
    expect(replies[2].text).toContain('New targets: initial response');
    expect(parents()).toHaveLength(1);
    const edits = slack.calls.filter((c) => c.method === 'chat.update' && c.ts === parentTs);
    expect(edits).toHaveLength(4);
    expect(edits[3].text).toBe(`${inc.reference} · Sev2 · resolved — Sign-in broken for everyone`);

    // PagerDuty: trigger, acknowledge, resolve with one stable dedup key.
    const pd = pagerDuty.requests.map((r) => JSON.parse(r.body) as Record<string, any>).filter((b) => b.dedup_key === `incident-portal:${inc.id}`);
    expect(pd.map((b) => b.event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
    expect(pd[0]).toMatchObject({ routing_key: 'R0UTINGKEY0000000000000000000000', payload: { severity: 'critical', source: tenant.slug } });

    // The incident page: which channels were told, and when.
    const view = await deliveries(admin, inc.id);
    // now a Sev2: no hotline any more
    expect(view.hotline).toBeNull();
    expect(view.deliveries.every((d) => d.status === 'delivered')).toBe(true);
    expect(view.deliveries.filter((d) => d.channel === 'slack')).toHaveLength(5);
    expect(view.deliveries.filter((d) => d.channel === 'pagerduty')).toHaveLength(3);
    // email: declaration, severity change (the contacts heard of the Sev1), resolution
    expect(view.deliveries.filter((d) => d.channel === 'email').map((d) => d.eventType)).toEqual([
      'incident.declared',
      'incident.severity_changed',
      'incident.resolved',
    ]);
    // a redelivered event changes nothing: same idempotency keys
    const before = view.deliveries.length;
    await drainNotifications(t);
    expect((await deliveries(admin, inc.id)).deliveries).toHaveLength(before);
  });

  it('PagerDuty gets the acknowledge only after the trigger it follows, even while the trigger is being retried', async () => {
    const { admin } = await tenantWithAdmin('B');
    pagerDutyFailures = 1;
    const inc = (
      await t.http
        .post('/api/v1/incidents')
        .set(admin)
        .send(validIntake({ title: 'Paging order' }))
        .expect(201)
    ).body;
    await drainNotifications(t);
    const pd = () =>
      pagerDuty.requests
        .map((r) => JSON.parse(r.body) as { event_action: string; dedup_key: string })
        .filter((b) => b.dedup_key === `incident-portal:${inc.id}`);
    const page = async () => (await deliveries(admin, inc.id)).deliveries.filter((d) => d.channel === 'pagerduty');
    expect(pd().map((b) => b.event_action)).toEqual(['trigger']);
    expect(await page()).toEqual([expect.objectContaining({ status: 'retrying', attempts: 1 })]);

    await asSupport('post', `/api/v1/incidents/${inc.id}/acknowledge`).expect(200);
    await drainNotifications(t);
    // The acknowledge waits (no attempt counted) while its trigger is still to be delivered.
    expect(pd().map((b) => b.event_action)).toEqual(['trigger']);
    expect((await page()).map((d) => [d.eventType, d.status, d.attempts]).sort()).toEqual([
      ['incident.acknowledged', 'retrying', 0],
      ['incident.declared', 'retrying', 1],
    ]);

    for (let i = 0; i < 4 && (await page()).some((d) => d.status !== 'delivered'); i++) {
      t.clock.advance(10 * MIN);
      await promoteDelayed(t);
      await drainNotifications(t);
    }
    expect(pd().map((b) => b.event_action)).toEqual(['trigger', 'trigger', 'acknowledge']);
    expect((await page()).map((d) => [d.eventType, d.status, d.attempts]).sort()).toEqual([
      ['incident.acknowledged', 'delivered', 1],
      ['incident.declared', 'delivered', 2],
    ]);
  });

  it('signs webhooks per Standard Webhooks; the receiver verifies them with the same library; events filter per endpoint', async () => {
    const { admin } = await tenantWithAdmin('A');
    const receiver = await startHttpReceiver(() => ({ status: 204 }));
    try {
      const all = (
        await t.http
          .post('/api/v1/webhook-endpoints')
          .set(admin)
          .send({ url: `${receiver.url}/all`, description: 'everything' })
          .expect(201)
      ).body;
      const onlyResolved = (
        await t.http
          .post('/api/v1/webhook-endpoints')
          .set(admin)
          .send({ url: `${receiver.url}/resolved`, events: ['incident.resolved'] })
          .expect(201)
      ).body;
      expect(all.secret).toMatch(/^whsec_/);
      expect(all.events).toHaveLength(WEBHOOK_EVENT_TYPES.length);
      const listed = (await t.http.get('/api/v1/webhook-endpoints').set(admin).expect(200)).body.items;
      expect(listed).toHaveLength(2);
      expect(JSON.stringify(listed)).not.toContain(all.secret);

      const inc = (
        await t.http
          .post('/api/v1/incidents')
          .set(admin)
          .send(validIntake({ severity: 'sev2' }))
          .expect(201)
      ).body;
      await drainNotifications(t);
      await asSupport('post', `/api/v1/incidents/${inc.id}/status-updates`, { state: 'investigating', body: 'Looking.' }).expect(201);
      await asSupport('post', `/api/v1/incidents/${inc.id}/resolve`, { summary: 'Done.' }).expect(200);
      await drainNotifications(t);

      const verify = (secret: string, r: (typeof receiver.requests)[number]) =>
        new Webhook(secret).verify(r.body, {
          'webhook-id': String(r.headers['webhook-id']),
          'webhook-timestamp': String(r.headers['webhook-timestamp']),
          'webhook-signature': String(r.headers['webhook-signature']),
        }) as { type: string; data: { incident: { id: string; reference: string } } };
      const toAll = receiver.requests.filter((r) => r.path === '/all').map((r) => verify(all.secret, r));
      // Webhooks promise at-least-once, not order (Standard Webhooks: receivers order by the payload's timestamp);
      // the update's and the resolution's attempts run at once on the queue's workers.
      expect(toAll.map((p) => p.type).sort()).toEqual(['incident.declared', 'incident.resolved', 'incident.updated']);
      expect(toAll.find((p) => p.type === 'incident.declared')!.data.incident).toMatchObject({ id: inc.id, reference: inc.reference });
      const toResolved = receiver.requests.filter((r) => r.path === '/resolved');
      expect(toResolved.map((r) => verify(onlyResolved.secret, r).type)).toEqual(['incident.resolved']);
      // another endpoint's secret does not verify
      expect(() => verify(all.secret, toResolved[0])).toThrow();

      const log = (await t.http.get(`/api/v1/webhook-endpoints/${all.id}/deliveries`).set(admin).expect(200)).body.items;
      expect(log).toHaveLength(3);
      expect(log[0]).toMatchObject({ status: 'delivered', attempts: 1, responseStatus: 204, target: `${receiver.url}/all` });
      expect(log[0].latencyMs).toEqual(expect.any(Number));

      // "Send test event" goes through the same queue, signature and log.
      const test = (await t.http.post(`/api/v1/webhook-endpoints/${all.id}/test`).set(admin).expect(201)).body;
      expect(test).toMatchObject({ eventType: 'webhook.test', status: 'pending' });
      await drainNotifications(t);
      const last = receiver.requests[receiver.requests.length - 1];
      expect(verify(all.secret, last).type).toBe('webhook.test');
      const governance = (await t.http.get('/api/v1/governance-events').set(admin).query({ limit: '100' }).expect(200)).body.items.map(
        (e: { action: string }) => e.action,
      );
      expect(governance).toEqual(expect.arrayContaining(['webhook.endpoint_created']));
    } finally {
      await receiver.close();
    }
  });

  it('a receiver answering 500 then recovering gets each event exactly once after dedup by webhook-id', async () => {
    const { admin } = await tenantWithAdmin('A');
    const receiver = await startHttpReceiver((_r, n) => (n <= 2 ? { status: 500, body: 'upstream down' } : { status: 200 }));
    try {
      await t.http
        .post('/api/v1/webhook-endpoints')
        .set(admin)
        .send({ url: receiver.url, events: ['incident.declared'] })
        .expect(201);
      const inc = (
        await t.http
          .post('/api/v1/incidents')
          .set(admin)
          .send(validIntake({ severity: 'sev3' }))
          .expect(201)
      ).body;
      await drainNotifications(t);
      let [d] = (await deliveries(admin, inc.id)).deliveries.filter((x) => x.channel === 'webhook');
      expect(d).toMatchObject({ status: 'retrying', attempts: 1, lastError: 'the endpoint answered 500' });
      for (let i = 0; i < 3 && d.status !== 'delivered'; i++) {
        t.clock.advance(30 * MIN);
        await promoteDelayed(t);
        await drainNotifications(t);
        [d] = (await deliveries(admin, inc.id)).deliveries.filter((x) => x.channel === 'webhook');
      }
      expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastError: null });
      expect(receiver.requests).toHaveLength(3);
      const ids = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
      expect(ids.size).toBe(1);
      expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it('a receiver that never answers holds a worker no longer than the delivery timeout', async () => {
    const { admin } = await tenantWithAdmin('A');
    const receiver = await startHttpReceiver(() => null);
    try {
      await t.http.post('/api/v1/webhook-endpoints').set(admin).send({ url: receiver.url }).expect(201);
      const inc = (
        await t.http
          .post('/api/v1/incidents')
          .set(admin)
          .send(validIntake({ severity: 'sev4' }))
          .expect(201)
      ).body;
      const started = Date.now();
      await drainNotifications(t);
      const elapsed = Date.now() - started;
      const [d] = (await deliveries(admin, inc.id)).deliveries.filter((x) => x.channel === 'webhook');
      expect(receiver.requests).toHaveLength(1);
      expect(d.status).toBe('retrying');
      expect(d.lastError).toMatch(/no complete answer from .* within 500 ms/);
      expect(elapsed).toBeLessThan(5_000);
    } finally {
      await receiver.close();
    }
  });

  it("a failing endpoint backs off as a whole: its other deliveries wait without taking a worker; another tenant's Sev1 goes at once", async () => {
    const slow = await tenantWithAdmin('A');
    const receiver = await startHttpReceiver(() => null);
    const healthy = await startHttpReceiver(() => ({ status: 200 }));
    try {
      const ep = (await t.http.post('/api/v1/webhook-endpoints').set(slow.admin).send({ url: receiver.url }).expect(201)).body;
      await t.http
        .post('/api/v1/incidents')
        .set(slow.admin)
        .send(validIntake({ severity: 'sev4' }))
        .expect(201);
      await drainNotifications(t);
      expect(receiver.requests).toHaveLength(1);
      // The endpoint now backs off: five more events reach no worker and no receiver, and count no attempt.
      for (let i = 0; i < 5; i++)
        await t.http
          .post('/api/v1/incidents')
          .set(slow.admin)
          .send(validIntake({ severity: 'sev4' }))
          .expect(201);
      const other = await tenantWithAdmin('B');
      await t.http.post('/api/v1/webhook-endpoints').set(other.admin).send({ url: healthy.url }).expect(201);
      const started = Date.now();
      const sev1 = (await t.http.post('/api/v1/incidents').set(other.admin).send(validIntake()).expect(201)).body;
      await drainNotifications(t);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(receiver.requests).toHaveLength(1);
      expect(healthy.requests).toHaveLength(1);
      expect((await deliveries(other.admin, sev1.id)).deliveries.find((d) => d.channel === 'webhook')?.status).toBe('delivered');
      const log = (await t.http.get(`/api/v1/webhook-endpoints/${ep.id}/deliveries`).set(slow.admin).expect(200)).body.items as {
        status: string;
        attempts: number;
      }[];
      expect(log).toHaveLength(6);
      expect(log.filter((l) => l.attempts === 0 && l.status === 'retrying')).toHaveLength(5);
    } finally {
      await Promise.all([receiver.close(), healthy.close()]);
    }
  });

  it('disables an endpoint after a run of failures and tells its owners; enabling it and retrying delivers', async () => {
    const { admin } = await tenantWithAdmin('A');
    await setContacts(admin, ['owner@customer.test']);
    let up = false;
    const receiver = await startHttpReceiver(() => (up ? { status: 200 } : { status: 503 }));
    try {
      const ep = (
        await t.http
          .post('/api/v1/webhook-endpoints')
          .set(admin)
          .send({ url: receiver.url, events: ['incident.declared'] })
          .expect(201)
      ).body;
      const inc = (
        await t.http
          .post('/api/v1/incidents')
          .set(admin)
          .send(validIntake({ severity: 'sev2' }))
          .expect(201)
      ).body;
      await drainNotifications(t);
      for (let i = 0; i < 3; i++) {
        t.clock.advance(60 * MIN);
        await promoteDelayed(t);
        await drainNotifications(t);
      }
      const endpoint = (await t.http.get('/api/v1/webhook-endpoints').set(admin).expect(200)).body.items[0];
      expect(endpoint).toMatchObject({ id: ep.id, enabled: false, consecutiveFailures: 3 });
      expect(endpoint.disabledReason).toMatch(/after 3 failed deliveries in a row/);
      expect(receiver.requests).toHaveLength(3);
      const [d] = (await deliveries(admin, inc.id)).deliveries.filter((x) => x.channel === 'webhook');
      expect(d.status).toBe('failed');
      const told = smtp.messages.filter((m) => m.rcpt.includes('owner@customer.test') && m.mail.subject?.includes('webhook endpoint was disabled'));
      expect(told).toHaveLength(1);
      const actions = (await t.http.get('/api/v1/governance-events').set(admin).query({ limit: '100' }).expect(200)).body.items.map(
        (e: { action: string }) => e.action,
      );
      expect(actions).toEqual(expect.arrayContaining(['webhook.endpoint_disabled', 'notification.delivery_failed']));

      await t.http.post(`/api/v1/notification-deliveries/${d.id}/retry`).set(admin).expect(409);
      up = true;
      await t.http.patch(`/api/v1/webhook-endpoints/${ep.id}`).set(admin).send({ enabled: true }).expect(200);
      const retried = (await t.http.post(`/api/v1/notification-deliveries/${d.id}/retry`).set(admin).expect(200)).body;
      expect(retried.status).toBe('retrying');
      await drainNotifications(t);
      const [after] = (await deliveries(admin, inc.id)).deliveries.filter((x) => x.channel === 'webhook');
      expect(after).toMatchObject({ status: 'delivered', attempts: 4 });
      await t.http.post(`/api/v1/notification-deliveries/${d.id}/retry`).set(admin).expect(409);
    } finally {
      await receiver.close();
    }
  });

  it('a revoked Slack token fails the delivery at once (no retry) and says why; "send test message" reports it', async () => {
    const { admin } = await tenantWithAdmin('B');
    await t.http.put('/api/v1/integrations/slack').set(admin).send({ botToken: 'xoxb-revoked-000000', channelId: 'C0REVOKED' }).expect(200);
    expect((await t.http.post('/api/v1/integrations/slack/test').set(admin).expect(200)).body).toEqual({
      ok: false,
      error: 'Slack refused the call: invalid_auth',
    });
    const inc = (
      await t.http
        .post('/api/v1/incidents')
        .set(admin)
        .send(validIntake({ severity: 'sev2' }))
        .expect(201)
    ).body;
    await drainNotifications(t);
    const [d] = (await deliveries(admin, inc.id)).deliveries.filter((x) => x.channel === 'slack');
    expect(d).toMatchObject({ status: 'failed', attempts: 1, lastError: 'Slack refused the call: invalid_auth' });

    await t.http.put('/api/v1/integrations/slack').set(admin).send({ botToken: SLACK_TOKEN, channelId: 'C0REVOKED' }).expect(200);
    expect((await t.http.post('/api/v1/integrations/slack/test').set(admin).expect(200)).body).toEqual({ ok: true, error: null });
    await t.http.post(`/api/v1/notification-deliveries/${d.id}/retry`).set(admin).expect(200);
    await drainNotifications(t);
    expect((await deliveries(admin, inc.id)).deliveries.find((x) => x.id === d.id)?.status).toBe('delivered');
    await t.http.delete('/api/v1/integrations/slack').set(admin).expect(204);
    expect((await t.http.get('/api/v1/integrations/slack').set(admin).expect(200)).body.connected).toBe(false);
    await t.http.delete('/api/v1/integrations/slack').set(admin).expect(404);
  });

  it('keeps the Slack token and webhook secrets sealed at rest', async () => {
    const rows = await t.app
      .get(Db)
      .forTenants(tenantIds, (em) =>
        sql<{ secret_ciphertext: string }>(
          em,
          `select secret_ciphertext from notification_connections union all select secret_ciphertext from webhook_endpoints`,
        ),
      );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.secret_ciphertext).toMatch(/^v1\./);
      expect(r.secret_ciphertext).not.toContain('xoxb');
      expect(r.secret_ciphertext).not.toContain('whsec');
    }
  });

  it('refuses bad input with the field and reason, and a webhook URL the egress policy forbids', async () => {
    const { admin } = await tenantWithAdmin('A');
    const bad = await t.http.put('/api/v1/integrations/slack').set(admin).send({ botToken: 'nope', channelId: 'general' }).expect(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['botToken', 'channelId']);
    const creds = await t.http.post('/api/v1/webhook-endpoints').set(admin).send({ url: 'http://user:pw@127.0.0.1:9/x' }).expect(400);
    expect(creds.body.fields[0].field).toBe('url');
    await t.http.post('/api/v1/webhook-endpoints').set(admin).send({ url: 'ftp://example.test/x' }).expect(400);
    await t.http
      .post('/api/v1/webhook-endpoints')
      .set(admin)
      .send({ url: 'https://example.test', events: ['incident.exploded'] })
      .expect(400);
    await t.http.patch('/api/v1/webhook-endpoints/00000000-0000-4000-8000-000000000000').set(admin).send({ enabled: true }).expect(404);
  });
});
