import { Db } from '../apps/portal-api/src/database/db.service';
import { sql } from '../apps/portal-api/src/database/sql';
import { drainNotifications, startTeamsFake } from './support/notification-receivers';
import { createTenant, createTestApp, signIn, TestApp, tokenFor, validIntake } from './support/test-app';

jest.setTimeout(120_000);

const MIN = 60_000;
const APP = {
  directoryId: '4a1b2c3d-0000-4000-8000-00000000d1d1',
  clientId: '5b2c3d4e-0000-4000-8000-00000000c1c1',
  clientSecret: 'Tq8~secret-value-from-entra-abcd',
};
const TEAM = '6c3d4e5f-0000-4000-8000-000000007e7e';
const CHANNEL = '19:incidents0123456789@thread.tacv2';

/**
 * Microsoft Teams, threaded (issue 14 part C), against a loopback Entra token endpoint and Microsoft Graph: the
 * token is obtained by client credentials through msal-node, every Graph call carries it, the declaration is a
 * channel message and every later event a reply to it.
 */
describe('notifications: Microsoft Teams threads through Graph', () => {
  let t: TestApp;
  let teams: Awaited<ReturnType<typeof startTeamsFake>>;
  let support: Awaited<ReturnType<typeof signIn>>;
  const tenantIds: string[] = [];

  beforeAll(async () => {
    teams = await startTeamsFake(APP);
    t = await createTestApp({
      env: { TEAMS_AUTHORITY_HOST: teams.authorityHost, GRAPH_BASE_URL: teams.graphBaseUrl, PUBLIC_URL: 'https://portal.test', NOTIFY_TIMEOUT_MS: '2000' },
    });
    support = await signIn(t, { role: 'support_engineer' });
  });
  afterAll(async () => {
    await t.close();
    await teams.close();
  });

  async function tenantWithAdmin(mode: 'A' | 'B' | 'C' = 'B') {
    const tenant = await createTenant(t.app, { mode });
    tenantIds.push(tenant.id);
    return { tenant, admin: { Authorization: `Bearer ${await tokenFor(t.app, tenant.id)}` } };
  }
  const connect = (admin: Record<string, string>, overrides: Partial<typeof APP> = {}) =>
    t.http
      .put('/api/v1/integrations/teams')
      .set(admin)
      .send({ ...APP, ...overrides, teamId: TEAM, channelId: CHANNEL });
  const deliveries = async (admin: Record<string, string>, incidentId: string) =>
    (await t.http.get(`/api/v1/incidents/${incidentId}/notifications`).set(admin).expect(200)).body.deliveries as {
      id: string;
      channel: string;
      eventType: string;
      status: string;
      attempts: number;
      lastError: string | null;
      target: string;
    }[];
  const asSupport = (method: 'post' | 'patch', path: string, body: object = {}) => support.agent[method](path).set('x-csrf-token', support.csrf).send(body);

  it('an incident life: one channel message and a reply to it per later event, each Graph call with the client-credentials token', async () => {
    const { tenant, admin } = await tenantWithAdmin('B');
    const conn = await connect(admin).expect(200);
    expect(conn.body).toEqual({
      connected: true,
      directoryId: APP.directoryId,
      clientId: APP.clientId,
      teamId: TEAM,
      channelId: CHANNEL,
      secretHint: '…abcd',
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(conn.body)).not.toContain(APP.clientSecret);
    expect(JSON.stringify((await t.http.get('/api/v1/integrations/teams').set(admin).expect(200)).body)).not.toContain(APP.clientSecret);

    // "send test message": a channel message, through a token from the loopback Entra endpoint
    expect((await t.http.post('/api/v1/integrations/teams/test').set(admin).expect(200)).body).toEqual({ ok: true, error: null });
    const test = teams.calls.at(-1)!;
    expect(test).toMatchObject({ kind: 'message', teamId: TEAM, channelId: CHANNEL, contentType: 'html' });
    expect(test.content).toContain(`Test message from the incident portal for ${tenant.displayName}`);

    const inc = (
      await t.http
        .post('/api/v1/incidents')
        .set(admin)
        .send(validIntake({ title: 'Sign-in <broken> for everyone' }))
        .expect(201)
    ).body;
    await drainNotifications(t);
    // every tenant's first incident is INC-1: this one's parent is the one linking to it
    const parents = () => teams.calls.filter((c) => c.kind === 'message' && c.content.includes(inc.id));
    expect(parents()).toHaveLength(1);
    expect(parents()[0].content).toContain('Sev1');
    // the title is HTML-escaped in the message body
    expect(parents()[0].content).toContain('Sign-in &lt;broken&gt; for everyone');
    expect(parents()[0].content).toContain(`href="https://portal.test/incidents/${inc.id}"`);

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

    const parentId = parents()[0].id;
    const replies = teams.calls.filter((c) => c.kind === 'reply' && c.parentId === parentId);
    expect(replies).toHaveLength(4);
    expect(replies.every((r) => r.teamId === TEAM && r.channelId === CHANNEL)).toBe(true);
    expect(replies.map((r) => r.content.match(/^<p><b>(.*?)<\/b>/)?.[1])).toEqual([
      expect.stringMatching(/^Acknowledged by .* after 4 min$/),
      'Status update: identified',
      'Severity changed from Sev1 to Sev2',
      expect.stringMatching(/^Resolved by /),
    ]);
    expect(replies[1].content).toContain(`${inc.reference} · Sev1 · identified`);
    expect(replies[3].content).toContain(`${inc.reference} · Sev2 · resolved`);
    expect(parents()).toHaveLength(1);
    // no reply to anything but this incident's parent, no Graph call without a valid token
    expect(teams.calls.filter((c) => c.kind === 'reply' && c.parentId !== parentId)).toHaveLength(0);
    expect(teams.refusedGraphCalls).toEqual([]);
    // msal's token cache: one client-credentials request served the test message and the whole thread
    expect(teams.tokens).toHaveLength(1);
    const tokenRequests = teams.requests.filter((r) => r.path.includes('/oauth2/v2.0/token'));
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0].path.split('?')[0]).toBe(`/${APP.directoryId}/oauth2/v2.0/token`);

    const view = await deliveries(admin, inc.id);
    const viaTeams = view.filter((d) => d.channel === 'teams');
    expect(viaTeams.map((d) => d.eventType)).toEqual([
      'incident.declared',
      'incident.acknowledged',
      'incident.status_updated',
      'incident.severity_changed',
      'incident.resolved',
    ]);
    expect(viaTeams.every((d) => d.status === 'delivered' && d.target === CHANNEL)).toBe(true);
    // a redelivered event changes nothing: same idempotency keys
    await drainNotifications(t);
    expect((await deliveries(admin, inc.id)).filter((d) => d.channel === 'teams')).toHaveLength(5);

    // every change of the connection is a governance event, without the secret
    const events = await t.app
      .get(Db)
      .forTenants([tenant.id], (em) =>
        sql<{ action: string; details: unknown }>(em, `select action, details from governance_events where action like 'notification.teams_%' order by id`),
      );
    expect(events.map((e) => e.action)).toEqual(['notification.teams_connected']);
    expect(JSON.stringify(events)).not.toContain(APP.clientSecret);
  });

  it('a wrong client secret fails the delivery at once (no retry) and says why; "send test message" reports it; reconnecting fixes it', async () => {
    const { admin } = await tenantWithAdmin('B');
    await connect(admin, { clientSecret: 'wrong-secret-0000' }).expect(200);
    expect((await t.http.post('/api/v1/integrations/teams/test').set(admin).expect(200)).body).toEqual({
      ok: false,
      error: 'the token request failed: invalid_client',
    });
    const before = teams.calls.length;
    const inc = (
      await t.http
        .post('/api/v1/incidents')
        .set(admin)
        .send(validIntake({ severity: 'sev2' }))
        .expect(201)
    ).body;
    await drainNotifications(t);
    const [d] = (await deliveries(admin, inc.id)).filter((x) => x.channel === 'teams');
    expect(d).toMatchObject({ status: 'failed', attempts: 1, lastError: 'the token request failed: invalid_client' });
    expect(teams.calls.length).toBe(before);

    await connect(admin).expect(200);
    expect((await t.http.post('/api/v1/integrations/teams/test').set(admin).expect(200)).body).toEqual({ ok: true, error: null });
    await t.http.post(`/api/v1/notification-deliveries/${d.id}/retry`).set(admin).expect(200);
    await drainNotifications(t);
    expect((await deliveries(admin, inc.id)).find((x) => x.id === d.id)?.status).toBe('delivered');
    expect(teams.calls.filter((c) => c.kind === 'message' && c.content.includes(inc.id))).toHaveLength(1);

    await t.http.delete('/api/v1/integrations/teams').set(admin).expect(204);
    expect((await t.http.get('/api/v1/integrations/teams').set(admin).expect(200)).body).toEqual({
      connected: false,
      directoryId: null,
      clientId: null,
      teamId: null,
      channelId: null,
      secretHint: null,
      updatedAt: null,
    });
    await t.http.delete('/api/v1/integrations/teams').set(admin).expect(404);
    await t.http.post('/api/v1/integrations/teams/test').set(admin).expect(404);
  });

  it('keeps the client secret sealed at rest', async () => {
    const rows = await t.app
      .get(Db)
      .forTenants(tenantIds, (em) =>
        sql<{ secret_ciphertext: string; settings: unknown }>(em, `select secret_ciphertext, settings from notification_connections where kind = 'teams'`),
      );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.secret_ciphertext).toMatch(/^v1\./);
      expect(r.secret_ciphertext).not.toContain('secret');
      expect(JSON.stringify(r.settings)).not.toContain('secret');
    }
  });

  it('refuses bad input with the field and reason', async () => {
    const { admin } = await tenantWithAdmin('A');
    const bad = await t.http
      .put('/api/v1/integrations/teams')
      .set(admin)
      .send({ directoryId: 'contoso', clientId: APP.clientId, clientSecret: 'x', teamId: TEAM, channelId: 'general' })
      .expect(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['channelId', 'clientSecret', 'directoryId']);
    await t.http
      .put('/api/v1/integrations/teams')
      .set(admin)
      .send({ ...APP, teamId: TEAM, channelId: CHANNEL, extra: 1 })
      .expect(400);
    expect((await t.http.get('/api/v1/integrations/teams').set(admin).expect(200)).body.connected).toBe(false);
  });
});
