import { createHash } from 'node:crypto';
import request from 'supertest';
import { PrincipalCache } from '../apps/portal-api/src/auth/principal-cache';
import { ownerQuery } from './evidence-helpers';
import { createTenant, createTestApp, TestApp, tokenFor, validIntake } from './support/test-app';

/**
 * Issue 17: a resolved session is kept a few seconds per process, and whatever ends it or changes its reach is seen
 * at once: sign-out in this process, and any writer (another process, an operator's SQL) through the database's
 * notification on commit.
 */
describe('session cache (PrincipalCache)', () => {
  let t: TestApp;
  let cache: PrincipalCache;
  const hashOf = (agentCookie: string) => createHash('sha256').update(agentCookie).digest('hex');
  const sessionCookie = (res: { headers: Record<string, unknown> }) => {
    const set = ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []);
    return decodeURIComponent(
      set
        .find((c) => c.startsWith('portal_session='))!
        .split(';')[0]
        .slice('portal_session='.length),
    );
  };
  /** Waits (event loop turns, bounded) for the listener to have dropped an entry: the notification arrives on commit. */
  const evicted = async (hash: string) => {
    for (let i = 0; i < 500 && cache.get(hash, t.clock.now().getTime()); i++) await new Promise((r) => setImmediate(r));
    return cache.get(hash, t.clock.now().getTime()) === null;
  };
  /** The development sign-in, keeping the session's id hash (what the cache is keyed by). */
  const signInWithCookie = async (body: { role: string; email?: string; tenant?: string }) => {
    const agent = request.agent(t.app.getHttpServer());
    const login = await agent
      .post('/auth/dev/login')
      .send({
        email: body.email ?? `${body.role}-${Math.random().toString(36).slice(2, 8)}@example.com`,
        role: body.role,
        ...(body.tenant ? { tenant: body.tenant } : {}),
      })
      .expect(200);
    return { agent, csrf: login.body.csrfToken as string, principal: login.body.principal as { id: string }, hash: hashOf(sessionCookie(login)) };
  };

  beforeAll(async () => {
    t = await createTestApp();
    cache = t.app.get(PrincipalCache);
    for (let i = 0; i < 500 && !cache.active; i++) await new Promise((r) => setTimeout(r, 10));
  });
  afterAll(() => t.close());

  it('keeps a resolved session and forgets it at sign-out', async () => {
    const tenant = await createTenant(t.app);
    const s = await signInWithCookie({ role: 'customer_admin', tenant: tenant.slug });
    expect(cache.active).toBe(true);
    await s.agent.get('/api/v1/me').expect(200);
    expect(cache.get(s.hash, t.clock.now().getTime())?.actor.role).toBe('customer_admin');
    await s.agent.post('/auth/logout').set('x-csrf-token', s.csrf).expect(200);
    expect(cache.get(s.hash, t.clock.now().getTime())).toBeNull();
    await s.agent.get('/api/v1/me').expect(401);
  });

  it('forgets a session ended by another writer when its change commits', async () => {
    const tenant = await createTenant(t.app);
    const s = await signInWithCookie({ role: 'customer_admin', tenant: tenant.slug });
    await s.agent.get('/api/v1/me').expect(200);
    expect(cache.get(s.hash, t.clock.now().getTime())).not.toBeNull();
    await ownerQuery('update sessions set ended_at = now() where id_hash = $1', [s.hash]);
    expect(await evicted(s.hash)).toBe(true);
    await s.agent.get('/api/v1/me').expect(401);
  });

  it("sees a CSM's new tenant as soon as the assignment commits", async () => {
    const tenant = await createTenant(t.app);
    const token = await tokenFor(t.app, tenant.id);
    const inc = await t.http.post('/api/v1/incidents').set('Authorization', `Bearer ${token}`).send(validIntake()).expect(201);
    const csm = await signInWithCookie({ role: 'csm', email: `csm-cache-${tenant.slug}@claresia.example` });
    await csm.agent.get(`/api/v1/incidents/${inc.body.id}`).expect(404);
    expect(cache.get(csm.hash, t.clock.now().getTime())?.tenantIds).toEqual([]);
    await ownerQuery('insert into csm_assignments (staff_id, tenant_id) values ($1, $2)', [csm.principal.id, tenant.id]);
    expect(await evicted(csm.hash)).toBe(true);
    await csm.agent.get(`/api/v1/incidents/${inc.body.id}`).expect(200);
    await ownerQuery('delete from csm_assignments where staff_id = $1 and tenant_id = $2', [csm.principal.id, tenant.id]);
    expect(await evicted(csm.hash)).toBe(true);
    await csm.agent.get(`/api/v1/incidents/${inc.body.id}`).expect(404);
  });

  it('never keeps an entry past the idle time-out', async () => {
    const tenant = await createTenant(t.app);
    const s = await signInWithCookie({ role: 'customer_viewer', tenant: tenant.slug });
    await s.agent.get('/api/v1/me').expect(200);
    t.clock.advance(61 * 60_000);
    await s.agent.get('/api/v1/me').expect(401);
  });

  it('keeps nothing while its invalidation connection is down, and resumes when it is back', async () => {
    const tenant = await createTenant(t.app);
    const s = await signInWithCookie({ role: 'customer_admin', tenant: tenant.slug });
    await s.agent.get('/api/v1/me').expect(200);
    await ownerQuery(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'portal-principal-cache'`);
    for (let i = 0; i < 500 && cache.active; i++) await new Promise((r) => setTimeout(r, 5));
    expect(cache.active).toBe(false);
    expect(cache.get(s.hash, t.clock.now().getTime())).toBeNull();
    // Still served, read from the database each time; an ended session is refused at once.
    await s.agent.get('/api/v1/me').expect(200);
    expect(cache.get(s.hash, t.clock.now().getTime())).toBeNull();
    for (let i = 0; i < 1000 && !cache.active; i++) await new Promise((r) => setTimeout(r, 10));
    expect(cache.active).toBe(true);
    await s.agent.get('/api/v1/me').expect(200);
    expect(cache.get(s.hash, t.clock.now().getTime())).not.toBeNull();
  });
});
