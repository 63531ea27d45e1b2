import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { createTenant, createTestApp, signIn, TestApp, tokenFor, validIntake } from './support/test-app';

/** Inputs that used to reach a 500: each answers with the portal's error shape and a 4xx, and writes nothing. */
describe('hardening: bad input never gives a 500', () => {
  let t: TestApp;
  let admin: string;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp();
    const tenant = await createTenant(t.app);
    admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    // Encoded bodies go over a real socket with fetch: supertest re-encodes a Buffer body.
    const server = (t.app.getHttpServer() as Server).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  async function post(body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${base}/api/v1/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: new Uint8Array(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const json = Buffer.from(JSON.stringify(validIntake()));
  const truncated = (b: Buffer) => b.subarray(0, Math.max(1, b.length - 7));

  it.each([
    ['gzip', Buffer.from('not gzip at all')],
    ['gzip', truncated(gzipSync(json))],
    ['deflate', Buffer.from('not deflate')],
    ['br', Buffer.from([0xff, 0xff, 0xff, 0xff])],
  ])('answers 400 naming the body when Content-Encoding %s does not decompress', async (encoding, bytes) => {
    for (const auth of [admin, null]) {
      const res = await post(bytes, { 'content-encoding': encoding, ...(auth ? { authorization: auth } : {}) });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'bad_request', fields: [{ field: 'body', message: `is not valid ${encoding} data` }] });
      expect(res.body.correlationId).toEqual(expect.any(String));
    }
  });

  it('accepts a well-formed compressed body', async () => {
    for (const [encoding, zip] of [
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
    ] as const) {
      const res = await post(zip(Buffer.from(JSON.stringify(validIntake({ title: `compressed ${encoding}` })))), {
        'content-encoding': encoding,
        authorization: admin,
      });
      expect([encoding, res.status]).toEqual([encoding, 201]);
    }
  });

  it('answers 415 unsupported_media_type naming the encoding it does not know', async () => {
    const res = await t.http
      .post('/api/v1/incidents')
      .set('Authorization', admin)
      .set('content-type', 'application/json')
      .set('content-encoding', 'zstd')
      .send(json);
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ error: 'unsupported_media_type', fields: [{ field: 'content-encoding' }] });
    expect(res.body.message as string).toContain('zstd');
  });

  it('answers 413 naming the limit for an oversized JSON body', async () => {
    const res = await t.http
      .post('/api/v1/incidents')
      .set('Authorization', admin)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ ...validIntake(), symptoms: 'x'.repeat(2 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: 'payload_too_large' });
    expect(res.body.message).toContain('1 MiB');
  });

  it('refuses a compressed multipart upload with 415 naming the header, and stores nothing', async () => {
    const inc = (
      await t.http
        .post('/api/v1/incidents')
        .set('Authorization', admin)
        .send(validIntake({ title: 'upload target' }))
        .expect(201)
    ).body;
    const res = await t.http
      .post(`/api/v1/incidents/${inc.id}/attachments`)
      .set('Authorization', admin)
      .set('Content-Encoding', 'gzip')
      .field('kind', 'har')
      .attach('file', Buffer.from('{"log":{"entries":[]}}'), { filename: 'x.har', contentType: 'application/octet-stream' });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ error: 'unsupported_media_type', fields: [{ field: 'content-encoding' }] });
    expect((await t.http.get(`/api/v1/incidents/${inc.id}/attachments`).set('Authorization', admin).expect(200)).body.items).toEqual([]);
  });

  it.each([
    ['36 characters that are not a uuid', { declaredAt: '2026-11-23T10:00:00.000Z', id: 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz' }],
    ['36 dashes', { declaredAt: '2026-11-23T10:00:00.000Z', id: '-'.repeat(36) }],
    ['a date PostgreSQL refuses', { declaredAt: '275760-09-13T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' }],
    ['a date with a silly offset', { declaredAt: '2026-11-23T10:00:00+99:99', id: '00000000-0000-4000-8000-000000000000' }],
    ['a number for a date', { declaredAt: 1e20, id: '00000000-0000-4000-8000-000000000000' }],
  ])('answers 400 naming the cursor for a tampered cursor: %s', async (_name, cursor) => {
    const res = await t.http.get(`/api/v1/incidents?cursor=${Buffer.from(JSON.stringify(cursor)).toString('base64url')}`).set('Authorization', admin);
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual([{ field: 'cursor', message: expect.any(String) }]);
  });
});

describe('hardening: Idempotency-Key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('replays the same declaration, and refuses a different body with a used key (422), creating nothing', async () => {
    const tenant = await createTenant(t.app);
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const first = await t.http
      .post('/api/v1/incidents')
      .set('Authorization', admin)
      .set('Idempotency-Key', 'declare-once-0001')
      .send(validIntake())
      .expect(201);
    const again = await t.http
      .post('/api/v1/incidents')
      .set('Authorization', admin)
      .set('Idempotency-Key', 'declare-once-0001')
      .send(validIntake())
      .expect(200);
    expect(again.body.id).toBe(first.body.id);
    const other = await t.http
      .post('/api/v1/incidents')
      .set('Authorization', admin)
      .set('Idempotency-Key', 'declare-once-0001')
      .send(validIntake({ title: 'A different outage' }))
      .expect(422);
    expect(other.body).toMatchObject({ error: 'idempotency_key_reused', fields: [{ field: 'idempotency-key' }] });
    const list = await t.http.get('/api/v1/incidents').set('Authorization', admin).expect(200);
    expect(list.body.items).toHaveLength(1);
  });
});

describe('hardening: headers and slow bodies', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_TIMEOUT_SECONDS: '1', NODE_ENV: 'test' } });
    const server = (t.app.getHttpServer() as Server).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  it('answers API calls with no-store and the security headers', async () => {
    const tenant = await createTenant(t.app);
    const res = await t.http
      .get('/api/v1/incidents')
      .set('Authorization', `Bearer ${await tokenFor(t.app, tenant.id)}`)
      .expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
    // HSTS only where TLS is (production, behind the proxy).
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('answers a path that is not valid percent-encoding with a JSON 400 naming it, on API and web paths alike', async () => {
    const tenant = await createTenant(t.app);
    const token = await tokenFor(t.app, tenant.id);
    for (const path of ['/api/v1/incidents/%zz', '/api/v1/incidents/%E0%A4%A/replies', '/incidents/%C0', '/status/%']) {
      const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = await res.json();
      expect(body).toMatchObject({ error: 'bad_request', fields: [{ field: 'path', message: 'is not valid percent-encoding' }] });
      expect(body.correlationId).toBe(res.headers.get('x-request-id'));
    }
  });

  it('closes a connection whose body does not arrive in time, with a 408, before any authentication work', async () => {
    const { connect } = await import('node:net');
    const url = new URL(base);
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.write('POST /api/v1/incidents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"title":');
    await new Promise((r) => socket.once('close', r));
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('request_timeout');
  });

  it('requires the CSRF token to sign a browser session out', async () => {
    const tenant = await createTenant(t.app);
    const s = await signIn(t, { role: 'customer_admin', tenant: tenant.slug });
    await s.agent.post('/auth/logout').expect(403);
    await s.agent.get('/api/v1/me').expect(200);
    await s.agent.post('/auth/logout').set('x-csrf-token', s.csrf).expect(200);
    await s.agent.get('/api/v1/me').expect(401);
  });
});
