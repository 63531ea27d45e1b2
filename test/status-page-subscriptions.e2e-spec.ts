import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import type { StaffPublicIncidentView } from '@portal/contracts';
import { StatusPageService } from '../apps/portal-api/src/status-page/status-page.service';
import { Caller, sessionCaller } from './support/route-cases';
import { drainStatusJobs, ownerQuery } from './support/status-page';
import { createTestApp, TestApp } from './support/test-app';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback HTTP receiver; `failNext` answers 500 that many times first. */
async function receiver(): Promise<{ url: string; calls: Received[]; failNext: number; close(): Promise<void> }> {
  const state = { calls: [] as Received[], failNext: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (state.failNext > 0) {
        state.failNext--;
        res.writeHead(500).end('down');
        return;
      }
      state.calls.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return Object.assign(state, { url, close: () => new Promise<void>((r) => server.close(() => r())) });
}

/** Subscriptions without an account: email with double opt-in and one-click unsubscribe, Slack, signed webhooks. */
describe('status page subscriptions', () => {
  let t: TestApp;
  let staff: Caller;
  let smtp: SMTPServer;
  const mails: { rcpt: string[]; mail: ParsedMail }[] = [];
  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, cb) {
        simpleParser(stream)
          .then((mail) => mails.push({ rcpt: session.envelope.rcptTo.map((r) => r.address), mail }))
          .then(() => cb(), cb);
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const port = (smtp.server.address() as AddressInfo).port;
    t = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}`, PUBLIC_URL: 'https://status.portal.test' } });
    staff = await sessionCaller(t, 'support_engineer');
  });
  afterAll(async () => {
    await t.close();
    await new Promise<void>((r) => smtp.close(() => r()));
  });

  const mailsTo = (address: string) => mails.filter((m) => m.rcpt.includes(address));
  const postIncident = async (title: string, service: string, region = 'eu-south-1') =>
    (
      await t.http
        .post('/api/v1/status-page/incidents')
        .set(staff.changeHeaders)
        .send({ title, body: `${title}: investigating.`, impact: 'degraded', components: [{ service, region }] })
        .expect(201)
    ).body as StaffPublicIncidentView;
  const update = (id: string, status: string, body: string) =>
    t.http.post(`/api/v1/status-page/incidents/${id}/updates`).set(staff.changeHeaders).send({ status, body }).expect(201);

  it('email: confirmation first and nothing else until confirmed; then updates with RFC 8058 headers; one click unsubscribes', async () => {
    const address = 'ops-lead@customer.test';
    const created = await t.http
      .post('/api/v1/status/subscriptions')
      .send({ channel: 'email', email: address, services: ['Hub'] })
      .expect(202);
    expect(created.body).toEqual({ channel: 'email', state: 'pending_confirmation' });

    // An update before confirmation reaches nobody at this address.
    const early = await postIncident('Hub sync delayed', 'Hub');
    await drainStatusJobs(t);
    expect(mailsTo(address)).toHaveLength(1);
    const confirmation = mailsTo(address)[0].mail;
    expect(confirmation.subject).toBe('[Status] Confirm your subscription');
    const link = /https:\/\/status\.portal\.test\/status\/confirm\?token=(\S+)/.exec(confirmation.text ?? '')!;
    expect(link).not.toBeNull();
    const token = decodeURIComponent(link[1]);

    await t.http
      .post('/api/v1/status/subscriptions/confirm')
      .send({ token: token.slice(0, -2) + 'xx' })
      .expect(404);
    const confirmed = await t.http.post('/api/v1/status/subscriptions/confirm').send({ token }).expect(200);
    expect(confirmed.body).toEqual({ channel: 'email', services: ['Hub'], regions: [] });
    // Single use.
    await t.http.post('/api/v1/status/subscriptions/confirm').send({ token }).expect(404);

    // Now the next Hub update arrives; an Identity incident does not (filtered by service).
    await update(early.id, 'identified', 'A queue is backed up; draining it.');
    await postIncident('Sign-in errors', 'Identity');
    await drainStatusJobs(t);
    const updates = mailsTo(address).slice(1);
    expect(updates).toHaveLength(1);
    const mail = updates[0].mail;
    expect(mail.subject).toBe('[Status] Hub sync delayed — identified');
    expect(mail.text).toContain('A queue is backed up; draining it.');
    expect(mail.text).toContain('Affected: Hub (eu-south-1)');
    const unsubscribeHeader = mail.headerLines.find((h) => h.key === 'list-unsubscribe')!.line;
    expect(mail.headerLines.map((h) => h.line)).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const oneClick = /<(https:\/\/status\.portal\.test\/api\/v1\/status\/subscriptions\/unsubscribe\?token=[^>]+)>/.exec(unsubscribeHeader)![1];
    expect(mail.text).toContain('https://status.portal.test/status/unsubscribe?token=');

    // RFC 8058: the mail client POSTs List-Unsubscribe=One-Click to that URL.
    const path = new URL(oneClick);
    await t.http
      .post(path.pathname + path.search)
      .type('form')
      .send('List-Unsubscribe=One-Click')
      .expect(200, { unsubscribed: true });
    await t.http
      .post(path.pathname + path.search)
      .type('form')
      .send('List-Unsubscribe=One-Click')
      .expect(200);
    await update(early.id, 'resolved', 'Caught up.');
    await drainStatusJobs(t);
    expect(mailsTo(address)).toHaveLength(2);

    const events = await ownerQuery<{ action: string; actor_kind: string }>(
      `select action, actor_kind from governance_events where action like 'status_page.subscription_%' and details->>'channel' = 'email' order by id`,
    );
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['status_page.subscription_created', 'status_page.subscription_confirmed', 'status_page.subscription_removed']),
    );
    expect(new Set(events.map((e) => e.actor_kind))).toEqual(new Set(['public']));
  });

  it('an unconfirmed address gets nothing but its confirmation, and the answer never tells whether it was known', async () => {
    const address = 'never-confirms@customer.test';
    const a = await t.http.post('/api/v1/status/subscriptions').send({ channel: 'email', email: address }).expect(202);
    const b = await t.http.post('/api/v1/status/subscriptions').send({ channel: 'email', email: address.toUpperCase() }).expect(202);
    expect(b.body).toEqual(a.body);
    await postIncident('Telemetry gaps', 'Telemetry');
    await drainStatusJobs(t);
    expect(mailsTo(address).map((m) => m.mail.subject)).toEqual(['[Status] Confirm your subscription', '[Status] Confirm your subscription']);
  });

  it('Slack incoming webhook and a Standard Webhooks receiver get each update once, verified; a 500 is retried', async () => {
    const slack = await receiver();
    const hook = await receiver();
    try {
      const s = await t.http
        .post('/api/v1/status/subscriptions')
        .send({ channel: 'slack', url: slack.url, regions: ['eu-central-1'] })
        .expect(202);
      expect(s.body).toMatchObject({ channel: 'slack', state: 'active' });
      expect(JSON.stringify(s.body)).not.toContain(slack.url);
      await t.http.post('/api/v1/status/subscriptions').send({ channel: 'slack', url: slack.url }).expect(409);
      const w = await t.http
        .post('/api/v1/status/subscriptions')
        .send({ channel: 'webhook', url: hook.url, services: ['Distribution'] })
        .expect(202);
      const secret = w.body.signingSecret as string;
      expect(secret).toMatch(/^whsec_/);

      hook.failNext = 2;
      const inc = await postIncident('Distribution downloads slow', 'Distribution', 'eu-central-1');
      await drainStatusJobs(t, { promoteDelayed: true });

      expect(slack.calls).toHaveLength(1);
      expect(JSON.parse(slack.calls[0].body).text).toContain('*Distribution downloads slow — investigating*');

      expect(hook.calls).toHaveLength(1);
      const call = hook.calls[0];
      const verified = new Webhook(secret).verify(call.body, call.headers as Record<string, string>) as {
        type: string;
        data: { post: { id: string }; update: { body: string } };
      };
      expect(verified.type).toBe('status.update_posted');
      expect(verified.data.post.id).toBe(inc.id);
      expect(verified.data.update.body).toBe('Distribution downloads slow: investigating.');
      expect(() => new Webhook(`whsec_${Buffer.alloc(24, 7).toString('base64')}`).verify(call.body, call.headers as Record<string, string>)).toThrow();

      // At least once, deduplicated per (update, subscriber): fanning the same update out again sends nothing.
      const updateId = inc.updates[0].id;
      expect(await t.app.get(StatusPageService).fanOut(updateId)).toBe(0);
      await drainStatusJobs(t);
      expect(hook.calls).toHaveLength(1);
      expect(slack.calls).toHaveLength(1);
      const [delivery] = await ownerQuery<{ attempts: number; delivered_at: Date | null; last_error: string | null }>(
        `select d.attempts, d.delivered_at, d.last_error from status_deliveries d where d.update_id = $1 and d.attempts > 1`,
        [updateId],
      );
      expect(delivery).toMatchObject({ attempts: 3, last_error: null });
      expect(delivery.delivered_at).not.toBeNull();

      // Unsubscribe with the token the API returned.
      await t.http.post('/api/v1/status/subscriptions/unsubscribe').query({ token: w.body.unsubscribeToken }).send({}).expect(200);
      await update(inc.id, 'resolved', 'Back to normal.');
      await drainStatusJobs(t);
      expect(hook.calls).toHaveLength(1);
      expect(slack.calls).toHaveLength(2);
    } finally {
      await slack.close();
      await hook.close();
    }
  });

  it('stores Slack and webhook URLs and signing secrets sealed, never in clear', async () => {
    const rows = await ownerQuery<{ row: string }>(`select row_to_json(s)::text as row from status_subscribers s where channel in ('slack', 'webhook')`);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.row).not.toContain('127.0.0.1');
      expect(r.row).not.toContain('whsec_');
    }
  });

  it('refuses bad input naming the field, and a URL the egress rules refuse', async () => {
    const bad = await t.http
      .post('/api/v1/status/subscriptions')
      .send({ channel: 'email', email: 'nope', services: ['Mainframe'] })
      .expect(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['email', 'services.0']);
    const creds = await t.http.post('/api/v1/status/subscriptions').send({ channel: 'webhook', url: 'https://user:pw@hooks.example/x' }).expect(400);
    expect(creds.body.fields).toEqual([{ field: 'url', message: 'must not contain credentials' }]);
    await t.http.post('/api/v1/status/subscriptions').send({ channel: 'sms', to: '+39' }).expect(400);
  });
});

describe('status page subscriptions under rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMITS_ENABLED: 'true' } });
  });
  afterAll(() => t.close());

  it('an address can be subscribed three times a day at most, whoever asks: no mail bombing of a third party', async () => {
    const body = { channel: 'email', email: 'victim@third-party.test' };
    for (let i = 0; i < 3; i++) await t.http.post('/api/v1/status/subscriptions').set('X-Forwarded-For', `198.51.100.${i}`).send(body).expect(202);
    const refused = await t.http.post('/api/v1/status/subscriptions').send(body).expect(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.body.message).toContain('subscription requests for this address');
  });

  it('one address can create ten subscriptions an hour', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await t.http
        .post('/api/v1/status/subscriptions')
        .set('X-Forwarded-For', '203.0.113.7')
        .send({ channel: 'email', email: `person-${i}@ratelimit.test` });
      expect(res.status).not.toBe(429);
    }
    await t.http
      .post('/api/v1/status/subscriptions')
      .set('X-Forwarded-For', '203.0.113.7')
      .send({ channel: 'email', email: 'one-more@ratelimit.test' })
      .expect(429);
    // Another address is not affected.
    await t.http
      .post('/api/v1/status/subscriptions')
      .set('X-Forwarded-For', '203.0.113.8')
      .send({ channel: 'email', email: 'one-more@ratelimit.test' })
      .expect(202);
  });
});
