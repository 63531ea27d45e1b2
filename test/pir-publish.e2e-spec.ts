import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { pirHubRecordSchema } from '@portal/contracts';
import { Db } from '../apps/portal-api/src/database/db.service';
import { sql } from '../apps/portal-api/src/database/sql';
import { drainNotifications, HttpReceiver, startHttpReceiver, startSlackFake, startTeamsFake } from './support/notification-receivers';
import { createTenant, createTestApp, signIn, TestApp, tokenFor, validIntake } from './support/test-app';

jest.setTimeout(120_000);

const SLACK_TOKEN = 'xoxb-1234567890-pirpublish00';
const TEAMS_APP = {
  directoryId: '00000000-0000-4000-8000-0000000000d1',
  clientId: '00000000-0000-4000-8000-0000000000c1',
  clientSecret: 'teams-secret-pir-publish',
};
const HUB_SECRET = `whsec_${Buffer.from('the hub signing secret, 32 bytes!').toString('base64')}`;
const MIN = 60_000;

interface Delivery {
  id: string;
  channel: string;
  eventType: string;
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  target: string;
}

/**
 * Publishing a post-incident review, end to end: the PIR module emits `pir.published`, the notifications module
 * (subscribed through the outbox) posts a threaded reply to the incident's Slack and Teams threads, sends the
 * signed `pir.published` webhook, and delivers the Hub output record — signed (Standard Webhooks, verified here),
 * valid against the published schema, retried after a failure — to the tenant's Hub, all on loopback receivers.
 */
describe('publishing a post-incident review', () => {
  let t: TestApp;
  let slack: Awaited<ReturnType<typeof startSlackFake>>;
  let teams: Awaited<ReturnType<typeof startTeamsFake>>;
  let hooks: HttpReceiver;
  let hub: HttpReceiver;
  let hubAnswer = 503;
  let support: Awaited<ReturnType<typeof signIn>>;

  beforeAll(async () => {
    slack = await startSlackFake(SLACK_TOKEN);
    teams = await startTeamsFake(TEAMS_APP);
    hooks = await startHttpReceiver(() => ({ status: 204 }));
    hub = await startHttpReceiver(() => ({ status: hubAnswer, body: hubAnswer === 200 ? '{"stored":true}' : '{"error":"busy"}' }));
    t = await createTestApp({
      now: '2026-11-24T09:00:00Z',
      env: {
        SLACK_API_URL: slack.apiUrl,
        TEAMS_AUTHORITY_HOST: teams.authorityHost,
        GRAPH_BASE_URL: teams.graphBaseUrl,
        PUBLIC_URL: 'https://portal.test',
        NOTIFY_TIMEOUT_MS: '2000',
        EVIDENCE_DIR: mkdtempSync(join(tmpdir(), 'pir-publish-evidence-')),
        SESSION_IDLE_MINUTES: '1440',
        SESSION_ABSOLUTE_HOURS: '240',
      },
    });
    support = await signIn(t, { role: 'support_engineer' });
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([slack.close(), teams.close(), hooks.close(), hub.close()]);
  });

  const sup = (path: string, body?: object) => support.agent.post(path).set('x-csrf-token', support.csrf).send(body);
  const supPut = (path: string, body: object) => support.agent.put(path).set('x-csrf-token', support.csrf).send(body);
  const deliveries = async (admin: string, incidentId: string) =>
    (await t.http.get(`/api/v1/incidents/${incidentId}/notifications`).set('Authorization', admin).expect(200)).body.deliveries as Delivery[];

  it('posts to the incident threads, sends the signed pir.published webhook and delivers the Hub record (retried)', async () => {
    const tenant = await createTenant(t.app, { mode: 'B' });
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    await t.http.put('/api/v1/integrations/slack').set('Authorization', admin).send({ botToken: SLACK_TOKEN, channelId: 'C0PIRPUBLISH' }).expect(200);
    await t.http
      .put('/api/v1/integrations/teams')
      .set('Authorization', admin)
      .send({ ...TEAMS_APP, teamId: '00000000-0000-4000-8000-0000000000e1', channelId: '19:pirpublish@thread.tacv2' })
      .expect(200);
    const endpoint = (
      await t.http
        .post('/api/v1/webhook-endpoints')
        .set('Authorization', admin)
        .send({ url: `${hooks.url}/pir`, events: ['pir.published'] })
        .expect(201)
    ).body as { id: string; secret: string };

    // The Hub: URL and secret in the tenant's settings; the secret is write-only and sealed at rest.
    const bad = await t.http
      .put('/api/v1/integrations/hub')
      .set('Authorization', admin)
      .send({ url: `${hub.url}/records`, secret: 'plain' })
      .expect(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field)).toEqual(['secret']);
    const connected = await t.http
      .put('/api/v1/integrations/hub')
      .set('Authorization', admin)
      .send({ url: `${hub.url}/records`, secret: HUB_SECRET })
      .expect(200);
    expect(connected.body).toEqual({ connected: true, url: `${hub.url}/records`, secretHint: `…${HUB_SECRET.slice(-4)}`, updatedAt: expect.any(String) });
    const [stored] = await t.app
      .get(Db)
      .forTenants([tenant.id], (em) => sql<Record<string, string>>(em, `select * from notification_connections where kind = 'hub'`));
    expect(stored.secret_ciphertext).toMatch(/^v1\./);
    expect(JSON.stringify(stored)).not.toContain(HUB_SECRET);
    expect(JSON.stringify(stored)).not.toContain(HUB_SECRET.slice(6));

    // A Sev 1 with its threads, resolved; then its review, published.
    const inc = (
      await t.http
        .post('/api/v1/incidents')
        .set('Authorization', admin)
        .send(validIntake({ title: 'PIR publish test' }))
        .expect(201)
    ).body as {
      id: string;
      reference: string;
    };
    await drainNotifications(t);
    t.clock.advance(4 * MIN);
    await sup(`/api/v1/incidents/${inc.id}/acknowledge`).expect(200);
    t.clock.advance(30 * MIN);
    await sup(`/api/v1/incidents/${inc.id}/resolve`, { summary: 'Rotated the certificate chain.' }).expect(200);
    await drainNotifications(t);
    const slackParent = slack.calls.find((c) => c.method === 'chat.postMessage' && c.threadTs === null && c.text.includes(inc.reference))!;
    const teamsParent = teams.calls.find((c) => c.kind === 'message' && c.content.includes(inc.reference))!;
    expect(slackParent).toBeDefined();
    expect(teamsParent).toBeDefined();
    const hooksBefore = hooks.requests.length;

    const pirPath = `/api/v1/incidents/${inc.id}/pir`;
    const draft = (await sup(pirPath).expect(201)).body;
    await supPut(pirPath, {
      version: draft.version,
      sections: { summary: 'An expired intermediate certificate broke sign-in in the EU for 34 minutes.', root_cause: 'A partial chain renewal.' },
      actionItems: [{ action: 'Monitor every certificate in the chain', owner: 'SRE team', priority: 'high', dueDate: '2026-12-07' }],
    }).expect(200);
    await sup(`${pirPath}/transitions`, { to: 'in_review' }).expect(200);
    t.clock.advance(60 * MIN);
    const published = (await sup(`${pirPath}/transitions`, { to: 'published' }).expect(200)).body;
    await drainNotifications(t);

    const pdfLink = `https://portal.test/api/v1/incidents/${inc.id}/pir.pdf`;
    // Slack: a reply in the incident's thread with the summary and the PDF link.
    const slackReply = slack.calls.find((c) => c.threadTs === slackParent.ts && c.text.startsWith('Post-incident review published'))!;
    expect(slackReply).toMatchObject({ method: 'chat.postMessage', channel: 'C0PIRPUBLISH' });
    expect(slackReply.text).toContain('An expired intermediate certificate broke sign-in in the EU for 34 minutes.');
    expect(slackReply.text).toContain(`PDF: ${pdfLink}`);
    // Teams: a reply to the incident's channel message.
    const teamsReply = teams.calls.find((c) => c.kind === 'reply' && c.parentId === teamsParent.id && c.content.includes('Post-incident review published'))!;
    expect(teamsReply).toBeDefined();
    expect(teamsReply.content).toContain(pdfLink);

    // The tenant's webhook: `pir.published`, signed, verified with the endpoint's secret.
    const hookCalls = hooks.requests.slice(hooksBefore).filter((r) => r.path === '/pir');
    expect(hookCalls).toHaveLength(1);
    const hookBody = new Webhook(endpoint.secret).verify(hookCalls[0].body, {
      'webhook-id': String(hookCalls[0].headers['webhook-id']),
      'webhook-timestamp': String(hookCalls[0].headers['webhook-timestamp']),
      'webhook-signature': String(hookCalls[0].headers['webhook-signature']),
    }) as { type: string; data: { incident: { id: string }; details: { version: number; summary: string; links: { pdf: string } } } };
    expect(hookBody.type).toBe('pir.published');
    expect(hookBody.data.incident.id).toBe(inc.id);
    expect(hookBody.data.details).toMatchObject({ version: published.version, links: { pdf: pdfLink } });
    expect(hookBody.data.details.summary).toContain('expired intermediate certificate');

    // The Hub answered 503: the delivery waits for its next attempt (backoff), shown with the PIR's deliveries.
    expect(hub.requests).toHaveLength(1);
    let hubDelivery = (await deliveries(admin, inc.id)).find((d) => d.channel === 'hub')!;
    expect(hubDelivery).toMatchObject({ eventType: 'pir.published', status: 'retrying', attempts: 1, target: `${hub.url}/records` });
    expect(hubDelivery.lastError).toBe('the endpoint answered 503');
    expect(Date.parse(hubDelivery.nextAttemptAt!)).toBeGreaterThan(t.clock.now().getTime());

    // The customer admin retries from the PIR page; the Hub takes it now.
    hubAnswer = 200;
    const retried = await t.http.post(`/api/v1/notification-deliveries/${hubDelivery.id}/retry`).set('Authorization', admin).expect(200);
    expect(retried.body.status).toBe('retrying');
    await drainNotifications(t);
    hubDelivery = (await deliveries(admin, inc.id)).find((d) => d.channel === 'hub')!;
    expect(hubDelivery).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(hub.requests).toHaveLength(2);

    // Both attempts carried the same message id (a receiver drops duplicates), signed with the Hub's secret.
    const [first, second] = hub.requests;
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    const verified = new Webhook(HUB_SECRET).verify(second.body, {
      'webhook-id': String(second.headers['webhook-id']),
      'webhook-timestamp': String(second.headers['webhook-timestamp']),
      'webhook-signature': String(second.headers['webhook-signature']),
    }) as { type: string; data: unknown };
    expect(() => new Webhook(endpoint.secret).verify(second.body, second.headers as Record<string, string>)).toThrow();
    expect(verified.type).toBe('hub.output_record');
    const record = pirHubRecordSchema.parse(verified.data);
    expect(record).toMatchObject({
      kind: 'gatespic.incident-postmortem',
      incident: { id: inc.id, reference: inc.reference, severity: 'sev1' },
      review: { id: published.id, version: published.version },
      links: { pdf: pdfLink },
    });
    expect(record.sections.find((s) => s.key === 'root_cause')!.markdown).toBe('A partial chain renewal.');
    expect(record.actionItems.map((a) => a.owner)).toEqual(['SRE team']);
    expect(record.slaOutcomes.map((o) => o.clock)).toEqual(expect.arrayContaining(['Initial response (Sev1)', 'Post-incident review (Sev1)']));
    // Stored: the review carries the same record.
    expect((await t.http.get(pirPath).set('Authorization', admin).expect(200)).body.hubRecord).toEqual(record);

    // Audited: publication, the Hub connection; a redelivered event adds nothing.
    const actions = (await support.agent.get(`/api/v1/incidents/${inc.id}/events`).expect(200)).body.items.map((e: { action: string }) => e.action);
    expect(actions).toContain('pir.published');
    await drainNotifications(t);
    expect(hub.requests).toHaveLength(2);
  });

  it('sends nothing to a Hub of another tenant, and disconnecting stops the deliveries', async () => {
    const a = await createTenant(t.app, { mode: 'B' });
    const b = await createTenant(t.app, { mode: 'B' });
    const adminA = `Bearer ${await tokenFor(t.app, a.id)}`;
    const adminB = `Bearer ${await tokenFor(t.app, b.id)}`;
    await t.http
      .put('/api/v1/integrations/hub')
      .set('Authorization', adminB)
      .send({ url: `${hub.url}/tenant-b`, secret: HUB_SECRET })
      .expect(200);
    await t.http
      .put('/api/v1/integrations/hub')
      .set('Authorization', adminA)
      .send({ url: `${hub.url}/tenant-a`, secret: HUB_SECRET })
      .expect(200);
    await t.http.delete('/api/v1/integrations/hub').set('Authorization', adminA).expect(204);
    await t.http.delete('/api/v1/integrations/hub').set('Authorization', adminA).expect(404);
    expect((await t.http.get('/api/v1/integrations/hub').set('Authorization', adminA).expect(200)).body).toMatchObject({ connected: false, url: null });

    const inc = (
      await t.http
        .post('/api/v1/incidents')
        .set('Authorization', adminA)
        .send(validIntake({ severity: 'sev2' }))
        .expect(201)
    ).body;
    await sup(`/api/v1/incidents/${inc.id}/resolve`, { summary: 'Fixed.' }).expect(200);
    const pirPath = `/api/v1/incidents/${inc.id}/pir`;
    await sup(pirPath).expect(201);
    await sup(`${pirPath}/transitions`, { to: 'in_review' }).expect(200);
    await sup(`${pirPath}/transitions`, { to: 'published' }).expect(200);
    const before = hub.requests.length;
    await drainNotifications(t);
    expect(hub.requests.length).toBe(before);
    expect((await deliveries(adminA, inc.id)).filter((d) => d.channel === 'hub')).toEqual([]);
  });
  it('lists the reviews due and overdue, with the state on each list item and a filter', async () => {
    const tenant = await createTenant(t.app, { mode: 'B' });
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const list = async (q: string) =>
      (await t.http.get(`/api/v1/incidents?${q}`).set('Authorization', admin).expect(200)).body.items as {
        id: string;
        pir: { state: string; dueAt: string | null; businessDaysLeft: number | null };
      }[];
    const inc = (
      await t.http
        .post('/api/v1/incidents')
        .set('Authorization', admin)
        .send(validIntake({ title: 'PIR due test' }))
        .expect(201)
    ).body;
    expect((await list('status=active')).find((i) => i.id === inc.id)!.pir).toEqual({ state: 'none', dueAt: null, businessDaysLeft: null });
    expect(await list('pir=owed')).toEqual([]);

    // Resolved in business hours: the Sev 1 review is due five business days later (the tenant's calendar).
    await sup(`/api/v1/incidents/${inc.id}/resolve`, { summary: 'Fixed.' }).expect(200);
    const detail = (await t.http.get(`/api/v1/incidents/${inc.id}`).set('Authorization', admin).expect(200)).body;
    const due = (await list('pir=owed')).map((i) => i.pir);
    expect(due).toEqual([{ state: 'due', dueAt: detail.sla.clocks.pirDue.dueAt, businessDaysLeft: 5 }]);
    expect((await list('pir=due')).map((i) => i.id)).toEqual([inc.id]);
    expect(await list('pir=overdue')).toEqual([]);
    const bad = await t.http.get('/api/v1/incidents?pir=late').set('Authorization', admin).expect(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field)).toEqual(['pir']);

    // Past its due time: overdue.
    t.clock.advance(8 * 24 * 60 * MIN);
    expect((await list('pir=overdue')).map((i) => i.pir)).toEqual([{ state: 'overdue', dueAt: detail.sla.clocks.pirDue.dueAt, businessDaysLeft: 0 }]);
    expect(await list('pir=due')).toEqual([]);

    // Published (late): delivered, no longer owed; the filter keeps paging past it.
    const pirPath = `/api/v1/incidents/${inc.id}/pir`;
    support = await signIn(t, { role: 'support_engineer' }); // eight idle days ended the session
    await sup(pirPath).expect(201);
    await sup(`${pirPath}/transitions`, { to: 'in_review' }).expect(200);
    await sup(`${pirPath}/transitions`, { to: 'published' }).expect(200);
    expect(await list('pir=owed')).toEqual([]);
    expect((await list('status=resolved')).find((i) => i.id === inc.id)!.pir.state).toBe('delivered');
  });
});
