import { randomBytes } from 'node:crypto';
import { createTenant, createTestApp, TestApp, tokenFor, validIntake } from './support/test-app';

/** Rate limits as shipped (Redis-backed, shared by replicas), scaled down so a test can spend them. */
describe('rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A fresh key prefix per run (QUEUE_PREFIX) keeps counters of earlier runs out; the factor shrinks every budget.
    t = await createTestApp({ env: { RATE_LIMITS_ENABLED: 'true', RATE_LIMIT_FACTOR: '0.1' } });
  });
  afterAll(() => t.close());

  it('refuses an address that keeps sending bad API tokens with 429 and Retry-After, even with a good token then', async () => {
    const tenant = await createTenant(t.app);
    const good = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const ip = '203.0.113.7';
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.http
        .get('/api/v1/incidents')
        .set('X-Forwarded-For', ip)
        .set('Authorization', `Bearer pt_${tenant.id.replace(/-/g, '')}_${randomBytes(12).toString('hex')}`);
      statuses.push(res.status);
    }
    // 20 × 0.1 = 2 failures allowed, then the address waits.
    expect(statuses).toEqual([401, 401, 429, 429]);
    const refused = await t.http.get('/api/v1/incidents').set('X-Forwarded-For', ip).set('Authorization', good);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ error: 'too_many_requests', correlationId: expect.any(String) });
    // Another address is not affected.
    await t.http.get('/api/v1/incidents').set('X-Forwarded-For', '203.0.113.8').set('Authorization', good).expect(200);
  });

  it('counts bad session cookies as failed authentications too', async () => {
    const ip = '203.0.113.9';
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (
          await t.http
            .get('/api/v1/me')
            .set('X-Forwarded-For', ip)
            .set('Cookie', `portal_session=${randomBytes(16).toString('hex')}`)
        ).status,
      );
    expect(statuses).toEqual([401, 401, 429, 429]);
  });

  it('limits development sign-ins per address', async () => {
    const tenant = await createTenant(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (
          await t.http
            .post('/auth/dev/login')
            .set('X-Forwarded-For', '203.0.113.10')
            .send({ email: `u${i}@x.example`, role: 'customer_admin', tenant: tenant.slug })
        ).status,
      );
    }
    // 30 × 0.1 = 3 sign-ins a minute.
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('limits declarations per tenant, whatever the address', async () => {
    const tenant = await createTenant(t.app);
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await t.http.post('/api/v1/incidents').set('X-Forwarded-For', `198.51.100.${i}`).set('Authorization', admin).send(validIntake())).status);
    // 60 × 0.1 = 6 a minute for this tenant; another tenant still declares.
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 429, 429]);
    const other = await createTenant(t.app);
    await t.http
      .post('/api/v1/incidents')
      .set('Authorization', `Bearer ${await tokenFor(t.app, other.id)}`)
      .send(validIntake())
      .expect(201);
  });

  it('limits CSV exports per account, whatever the address, with 429 naming the limit', async () => {
    const tenant = await createTenant(t.app);
    const first = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const statuses: number[] = [];
    let refused: { status: number; body: { error: string; message: string }; headers: Record<string, string> } | null = null;
    for (let i = 0; i < 4; i++) {
      const res = await t.http
        .get('/api/v1/incidents/export.csv')
        .set('X-Forwarded-For', `198.51.100.${40 + i}`)
        .set('Authorization', first);
      statuses.push(res.status);
      if (res.status === 429) refused = res;
    }
    // 20 × 0.1 = 2 exports a minute for this account; the SLA report's CSV counts against the same budget.
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(refused!.body.error).toBe('too_many_requests');
    expect(refused!.body.message).toMatch(/exports for your account/);
    expect(Number(refused!.headers['retry-after'])).toBeGreaterThan(0);
    await t.http.get('/api/v1/reports/sla.csv').set('Authorization', first).expect(429);
    // Another account of the same tenant still exports.
    await t.http
      .get('/api/v1/incidents/export.csv')
      .set('Authorization', `Bearer ${await tokenFor(t.app, tenant.id)}`)
      .expect(200);
  });
});
