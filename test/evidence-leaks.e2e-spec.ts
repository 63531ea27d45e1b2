import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { generateCanaryHar } from '@portal/har-sanitizer';
import {
  declareIncident,
  dumpDatabase,
  evidenceTmpDir,
  findLeaks,
  getBytes,
  jpegWithMetadata,
  leakForms,
  OutputCapture,
  readAllFiles,
  uploadEvidence,
} from './evidence-helpers';
import { createTenant, createTestApp, TestApp, tokenFor } from './support/test-app';

jest.setTimeout(90_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const canary = (what: string) => `CANARY-${what}-${randomBytes(8).toString('hex')}`;

/**
 * The promise of the evidence feature: a secret in an upload reaches nothing the portal keeps or says.
 * Everything is searched byte for byte, raw and encoded: every file under the evidence directory, every
 * row of every table (as the owner, row-level security does not hide anything), every answer the API
 * gave (upload, list, download, errors) and every line the portal logged at trace level.
 */
describe('evidence: no planted secret survives anywhere', () => {
  const capture = new OutputCapture();
  const canaries: string[] = [];
  const returned: { where: string; data: string | Buffer }[] = [];
  const dirs: string[] = [];
  const apps: TestApp[] = [];
  let t: TestApp;
  let admin: string;
  let incident: string;
  let browser: Browser;

  const keep = (where: string, data: string | Buffer) => returned.push({ where, data });

  beforeAll(async () => {
    capture.start();
    dirs.push(evidenceTmpDir());
    t = await createTestApp({ env: { EVIDENCE_DIR: dirs[0], LOG_LEVEL: 'trace', SESSION_IDLE_MINUTES: '100000' } });
    apps.push(t);
    const tenant = await createTenant(t.app);
    admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    incident = await declareIncident(t, admin);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    capture.stop();
    await browser?.close();
    for (const a of apps) await a.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** Uploads, then lists and downloads it (as two roles), keeping every answer for the final search. */
  async function roundTrip(app: TestApp, auth: string, incidentId: string, kind: string, content: Buffer, filename: string) {
    const up = await uploadEvidence(app, auth, incidentId, kind, content, filename);
    keep(`upload ${filename}`, up.text);
    expect(up.status).toBe(201);
    const list = await app.http.get(`/api/v1/incidents/${incidentId}/attachments`).set('Authorization', auth).expect(200);
    keep(`list after ${filename}`, list.text);
    const dl = await getBytes(app, auth, up.body.downloadUrl).expect(200);
    keep(`download ${filename}`, dl.body);
    const events = await app.http.get(`/api/v1/incidents/${incidentId}/events`).set('Authorization', auth).expect(200);
    keep(`events after ${filename}`, events.text);
    return { upload: up.body, download: dl.body as Buffer };
  }

  it('plants the generated canary corpus in a plain .har and a .har.gz, and the stored copies carry none of it', async () => {
    const one = generateCanaryHar({ rounds: 2, fillerEntries: 5 });
    canaries.push(...one.canaries);
    const plain = await roundTrip(t, admin, incident, 'har', Buffer.from(JSON.stringify(one.har, null, 2)), 'corpus.har');
    expect(findLeaks('download', plain.download, one.canaries)).toEqual([]);
    expect(plain.upload.redactionReport.total).toBeGreaterThan(one.canaries.length / 2);

    const two = generateCanaryHar({ rounds: 3 });
    canaries.push(...two.canaries);
    const gz = await roundTrip(t, admin, incident, 'har', gzipSync(Buffer.from(JSON.stringify(two.har))), 'corpus.har.gz');
    expect(findLeaks('download', gz.download, two.canaries)).toEqual([]);
    expect(gz.upload.insights.entryCount).toBe(two.har.log.entries.length);
  });

  it('keeps no canary with HAR_KEEP_RESPONSE_TEXT=true either', async () => {
    dirs.push(evidenceTmpDir());
    const keepText = await createTestApp({ env: { EVIDENCE_DIR: dirs[1], LOG_LEVEL: 'trace', HAR_KEEP_RESPONSE_TEXT: 'true' } });
    apps.push(keepText);
    const tenant = await createTenant(keepText.app);
    const auth = `Bearer ${await tokenFor(keepText.app, tenant.id)}`;
    const { har, canaries: planted } = generateCanaryHar({ rounds: 2 });
    canaries.push(...planted);
    const r = await roundTrip(keepText, auth, await declareIncident(keepText, auth), 'har', Buffer.from(JSON.stringify(har)), 'keep-text.har');
    expect(findLeaks('download', r.download, planted)).toEqual([]);
    expect(r.download.toString('utf8')).toContain('try later'); // response bodies are kept, after the scan
  });

  it('puts no canary in error answers or logs when a HAR full of them is refused', async () => {
    const { har, canaries: planted } = generateCanaryHar();
    canaries.push(...planted);
    const text = Buffer.from(JSON.stringify(har));
    const cut = await uploadEvidence(t, admin, incident, 'har', text.subarray(0, Math.floor(text.length * 0.7)), 'cut.har').expect(400);
    keep('truncated refusal', cut.text);
    expect(cut.body.error).toBe('truncated');
    const broken = Buffer.from(text.toString('utf8').replace('"entries":[', '"entries":[}{ not json'));
    const bad = await uploadEvidence(t, admin, incident, 'har', broken, 'broken.har').expect(400);
    keep('not_json refusal', bad.text);
    expect(bad.body.error).toBe('not_json');
  });

  it('scrubs secrets from file names, governance event exports and screenshot metadata', async () => {
    const nameSecret = canary('filename');
    canaries.push(nameSecret);
    const named = await roundTrip(t, admin, incident, 'har', Buffer.from(JSON.stringify(generateCanaryHar().har)), `session_token=${nameSecret}.har`);
    expect(named.upload.displayName).toBe('session_token=[REDACTED:param:session_token].har');

    const gov = {
      password: canary('gov-password'),
      apiKey: canary('gov-apikey'),
      bearer: canary('gov-bearer'),
      cookie: canary('gov-cookie'),
      secretInText: canary('gov-text'),
      pair: canary('gov-pair'),
    };
    canaries.push(...Object.values(gov));
    const records = [
      { occurred_at: '2026-11-23T09:00:00Z', action: 'login', user: 'jane', password: gov.password, meta: { apiKey: gov.apiKey } },
      {
        occurred_at: '2026-11-23T09:05:00Z',
        action: 'call',
        note: `curl -H "Authorization: Bearer ${gov.bearer}" -H "Cookie: sid=${gov.cookie}"`,
        text: `client_secret=${gov.secretInText}`,
        settings: [{ name: 'client_secret', value: gov.pair }],
      },
    ];
    for (const [name, body] of [
      ['events.json', Buffer.from(JSON.stringify(records))],
      ['events.ndjson', Buffer.from(records.map((r) => JSON.stringify(r)).join('\n'))],
      [
        'events.csv',
        Buffer.from(
          `occurred_at,action,password,note,name,value\n${records[0].occurred_at},login,${gov.password},"Bearer ${gov.bearer}",client_secret,${gov.pair}\n`,
        ),
      ],
    ] as const) {
      const r = await roundTrip(t, admin, incident, 'governance-events', body, name);
      expect(findLeaks(name, r.download, Object.values(gov))).toEqual([]);
    }

    const page = await browser.newPage();
    await page.setContent('<body style="background:#123456"><h1>screenshot</h1></body>');
    const exif = canary('exif-gps');
    canaries.push(exif);
    const png = pngWithText(await page.screenshot({ type: 'png' }), exif);
    const jpeg = jpegWithMetadata(await page.screenshot({ type: 'jpeg', quality: 80 }), exif);
    expect(png.includes(exif) && jpeg.includes(exif)).toBe(true);
    for (const [name, img, type] of [
      ['screen.png', png, 'image/png'],
      ['screen.jpg', jpeg, 'image/jpeg'],
    ] as const) {
      const r = await roundTrip(t, admin, incident, 'screenshot', img, name);
      expect(r.upload.insights.metadataRemoved).toBeGreaterThan(0);
      expect(findLeaks(name, r.download, [exif])).toEqual([]);
      // still an image a browser draws, at its size
      const size = await page.evaluate(
        async (src) => {
          const im = new Image();
          im.src = src;
          await im.decode();
          return [im.naturalWidth, im.naturalHeight];
        },
        `data:${type};base64,${r.download.toString('base64')}`,
      );
      expect(size).toEqual([r.upload.insights.width, r.upload.insights.height]);
      expect(size[0]).toBeGreaterThan(100);
    }
    await page.close();
  });

  it('sanitizes a HAR recorded by Chromium itself (cookie session, bearer token, JSON login with a password) and lists its failed requests', async () => {
    const secrets = {
      password: canary('password'),
      token: canary('access-token'),
      refresh: canary('refresh-token'),
      sid: canary('session-cookie'),
      apiKey: canary('api-key-header'),
      queryKey: canary('query-api-key'),
      csrf: canary('csrf'),
      profile: canary('profile-secret'),
      pairPassword: canary('serialize-array-password'),
      resetLink: canary('reset-link'),
      graphqlPassword: canary('graphql-variable'),
    };
    const jwt = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: canary('jwt-sub') })).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    canaries.push(...Object.values(secrets), jwt);
    const site = await startSite(secrets, jwt);
    const harDir = mkdtempSync(join(tmpdir(), 'chromium-har-'));
    const harPath = join(harDir, 'recorded.har');
    try {
      const context = await browser.newContext({ recordHar: { path: harPath, content: 'embed' } });
      const page = await context.newPage();
      await page.goto(`${site.url}/app`);
      await page.waitForFunction(() => document.title === 'done', undefined, { timeout: 15_000 });
      await context.close(); // writes the HAR
      const recorded = readFileSync(harPath);
      // the recording really holds the secrets (otherwise the test proves nothing)
      const planted = [
        secrets.password,
        secrets.token,
        secrets.sid,
        secrets.apiKey,
        secrets.queryKey,
        secrets.profile,
        secrets.pairPassword,
        secrets.resetLink,
        secrets.graphqlPassword,
        jwt,
      ];
      expect(planted.filter((c) => !recorded.includes(c))).toEqual([]);

      const r = await roundTrip(t, admin, incident, 'har', recorded, 'chromium-recording.har');
      expect(findLeaks('chromium download', r.download, [...Object.values(secrets), jwt])).toEqual([]);
      // The upload's answer (redaction report, insights with failed request paths) carries none either.
      expect(findLeaks('chromium upload answer', Buffer.from(JSON.stringify(r.upload)), [...Object.values(secrets), jwt])).toEqual([]);
      const host = `127.0.0.1:${site.port}`;
      expect(r.upload.insights.failedRequests).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ method: 'GET', host, path: '/api/records', status: 503, count: 3 }),
          expect.objectContaining({ method: 'GET', host, path: '/api/missing', status: 404, count: 1 }),
          expect.objectContaining({ method: 'POST', host, path: '/api/audit', status: 500, count: 1 }),
        ]),
      );
      expect(r.upload.insights.errorCodes).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'RecordStoreUnavailable' })]));
      expect(r.upload.insights.hosts).toEqual([expect.objectContaining({ host })]);
      expect(r.upload.redactionReport.byRule).toMatchObject({ cookie: expect.any(Number), 'authorization-header': expect.any(Number) });
      const sanitized = JSON.parse(r.download.toString('utf8'));
      const login = sanitized.log.entries.find((e: any) => e.request.url.endsWith('/api/login'));
      expect(login.request.postData.text).toContain('[REDACTED:json:password]');
      expect(login.request.postData.text).toContain('"username":"jane"');
      // A bearer link's token in the path, and a GraphQL variable passed as a password under its own name.
      expect(sanitized.log.entries.some((e: any) => e.request.url.endsWith('/account/reset-password/[REDACTED:path-token]'))).toBe(true);
      const graphql = sanitized.log.entries.find((e: any) => e.request.url.endsWith('/graphql'));
      expect(JSON.parse(graphql.request.postData.text).variables).toEqual({ user: 'jane', pw: '[REDACTED:json:password]' });
    } finally {
      await site.close();
      rmSync(harDir, { recursive: true, force: true });
    }
  });

  it('keeps no known-format secret (secretlint rule set) and no WebSocket protocol token, in a HAR or an export', async () => {
    const rnd = (n: number) => randomBytes(n).toString('hex').slice(0, n);
    const secrets = {
      sendgrid: `SG.${rnd(22)}.${rnd(43)}`,
      huggingface: `hf_${'FakeToken'.repeat(4).slice(0, 30)}${'abcd'.slice(0, 4)}`,
      slackHook: `https://hooks.slack.com/services/T${rnd(8).toUpperCase()}/B${rnd(8).toUpperCase()}/${rnd(24)}`,
      postgres: `postgres://reporting:Xk9${rnd(10)}@db.internal.example:5432/app`,
      wsToken: rnd(40),
    };
    const pgPassword = secrets.postgres.slice('postgres://reporting:'.length, secrets.postgres.indexOf('@'));
    canaries.push(secrets.sendgrid, secrets.huggingface, secrets.slackHook.slice(-24), pgPassword, secrets.wsToken);
    const entry = {
      startedDateTime: '2026-11-23T10:00:00.000Z',
      time: 5,
      request: {
        method: 'POST',
        url: 'https://hub.example/api/notes',
        httpVersion: 'HTTP/1.1',
        headers: [
          { name: 'X-Debug-Info', value: `${secrets.sendgrid} ${secrets.huggingface}` },
          { name: 'Sec-WebSocket-Protocol', value: `graphql-ws, bearer.${secrets.wsToken}` },
        ],
        queryString: [],
        cookies: [],
        postData: { mimeType: 'text/plain', text: `hook ${secrets.slackHook}\ndsn ${secrets.postgres}` },
        headersSize: -1,
        bodySize: 1,
      },
      response: {
        status: 500,
        statusText: '',
        httpVersion: 'HTTP/1.1',
        headers: [],
        cookies: [],
        content: { size: 0, mimeType: '' },
        redirectURL: '',
        headersSize: -1,
        bodySize: 0,
      },
      cache: {},
      timings: { send: 1, wait: 3, receive: 1 },
    };
    const har = { log: { version: '1.2', creator: { name: 't', version: '1' }, entries: [entry] } };
    const up = await roundTrip(t, admin, incident, 'har', Buffer.from(JSON.stringify(har)), 'formats.har');
    expect(up.upload.redactionReport.byRule['secret:sendgrid']).toBe(1);
    expect(up.upload.redactionReport.byRule['header:sec-websocket-protocol']).toBe(1);
    const exp = await roundTrip(
      t,
      admin,
      incident,
      'governance-events',
      Buffer.from(
        JSON.stringify([{ action: 'integration.created', target: secrets.slackHook, note: secrets.sendgrid, dsn: secrets.postgres, by: secrets.huggingface }]),
      ),
      'formats.json',
    );
    expect(exp.upload.redactionReport.total).toBeGreaterThanOrEqual(4);
  });

  it('finds zero canaries in every stored file, every database row, every answer and every log line', async () => {
    expect(canaries.length).toBeGreaterThan(300);
    process.stderr.write(`[evidence-leaks] searched for ${canaries.length} canaries\n`);
    const leaks: string[] = [];
    for (const d of dirs) leaks.push(...findLeaks(`evidence dir ${d}`, readAllFiles(d), canaries));
    leaks.push(...findLeaks('database', await dumpDatabase(), canaries));
    for (const r of returned) leaks.push(...findLeaks(r.where, r.data, canaries));
    const logs = capture.text;
    leaks.push(...findLeaks('logs', logs, canaries));
    expect(leaks).toEqual([]);

    // the searches looked at real material
    expect(returned.length).toBeGreaterThan(30);
    expect(logs).toContain('/attachments');
    expect(logs).toContain('evidence stored');
    expect(logs).toContain('evidence upload refused');
    const stored = await dumpDatabase();
    expect(stored).toContain('evidence.uploaded');
    expect(stored).toContain('chromium-recording.har');
    expect(leakForms(canaries[0]).length).toBeGreaterThan(1);
    for (const d of dirs) expect(existsSync(join(d, 'objects'))).toBe(true);
  });
});

/** A PNG with a tEXt chunk carrying `text` right after IHDR. */
function pngWithText(png: Buffer, text: string): Buffer {
  const data = Buffer.from(`Comment\0${text}`, 'latin1');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  const afterIhdr = 8 + 25;
  return Buffer.concat([png.subarray(0, afterIhdr), chunk, png.subarray(afterIhdr)]);
}

/**
 * A small app on 127.0.0.1: a JSON login that takes a password and answers with tokens and a session
 * cookie, calls with a bearer token and an API key, some of which fail. Its page script drives it.
 */
async function startSite(s: Record<string, string>, jwt: string): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  const page = `<!doctype html><html><head><meta name="csrf-token" content="${s.csrf}"><title>loading</title></head><body><script>
  (async () => {
    const login = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'jane', password: ${JSON.stringify(s.password)} }) });
    const { access_token } = await login.json();
    const auth = { Authorization: 'Bearer ' + access_token, 'X-Api-Key': ${JSON.stringify(s.apiKey)} };
    const read = (r) => r.text(); // bodies are recorded once read
    for (let i = 0; i < 3; i++) await fetch('/api/records?api_key=' + ${JSON.stringify(s.queryKey)} + '&page=' + i, { headers: auth }).then(read);
    await fetch('/api/profile', { headers: auth }).then(read);
    await fetch('/api/missing').then(read);
    // a jQuery-style form serialized as name/value pairs
    await fetch('/api/settings', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ name: 'username', value: 'jane' }, { name: 'password', value: ${JSON.stringify(s.pairPassword)} }]) }).then(read);
    await fetch('/api/audit', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ event: 'view', refresh_token: ${JSON.stringify(s.refresh)} }) }).then(read);
    await fetch('/account/reset-password/' + ${JSON.stringify(s.resetLink)}).then(read);
    await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation SignIn($user: String!, $pw: String!) { signIn(username: $user, password: $pw) { ok } }', variables: { user: 'jane', pw: ${JSON.stringify(s.graphqlPassword)} } }) }).then(read);
    document.title = 'done';
  })();
  </script></body></html>`;
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const authorized = req.headers.authorization === `Bearer ${s.token}`;
      if (path === '/app') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page);
      } else if (path === '/api/login' && req.method === 'POST') {
        json(
          res,
          200,
          { access_token: s.token, token_type: 'Bearer', refresh_token: s.refresh, id_token: jwt },
          { 'set-cookie': `sid=${s.sid}; Path=/; HttpOnly; SameSite=Lax` },
        );
      } else if (path === '/api/records' && authorized) {
        json(res, 503, { error: { code: 'RecordStoreUnavailable', message: 'try later' } }, { 'retry-after': '5' });
      } else if (path === '/api/profile' && authorized) {
        json(res, 200, { user: 'jane', apiSecret: s.profile });
      } else if (path === '/api/audit') {
        json(res, 500, { error: 'internal' });
      } else {
        json(res, 404, { error: 'not_found' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, close: () => new Promise((r) => server.close(() => r())) };
}
