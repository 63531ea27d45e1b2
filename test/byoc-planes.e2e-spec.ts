import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import S3rver from 's3rver';
import { ControlPlaneLink } from '../apps/portal-api/src/byoc/control-plane-link';
import { DataPlaneAgent } from '../apps/portal-api/src/byoc/data-plane/data-plane-agent';
import { PlaneLinkClient } from '../apps/portal-api/src/byoc/data-plane/plane-link-client';
import { grantSigningKey, signGrant } from '../apps/portal-api/src/byoc/grants';
import type { PortalConfig } from '../apps/portal-api/src/config/portal-config';
import { runMigrations } from '../apps/portal-api/src/database/database';
import { dumpDatabase, filesUnder, findLeaks, makePng, multipart } from './evidence-helpers';
import { issue, makeCa, writePems, type Issued, type TestCa } from './support/plane-pki';
import { createTenant, createTestApp, TestApp, tokenFor, validIntake } from './support/test-app';
import type { Tenant } from '../apps/portal-api/src/tenants/tenant.types';

const BUCKET = 'dp-evidence';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A data plane's database: a database of its own on the same server (the customer's PostgreSQL). */
async function dataPlaneDatabase(): Promise<string> {
  const server = process.env.PORTAL_TEST_SERVER_URL!;
  const name = `${process.env.PORTAL_TEST_DB_NAME}_dp_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(server);
  u.pathname = `/${name}`;
  await runMigrations(u.toString(), 'portal_app', 'portal_app_test_pw');
  return u.toString();
}

/** One HTTPS request to the plane link with the given client certificate (or none); the answer as JSON. */
function linkCall(port: number, ca: string, client: Issued | null, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: payload ? 'POST' : 'GET',
        ca,
        ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
        headers: payload ? { 'content-type': 'application/json' } : {},
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
      },
    );
    req.on('error', reject);
    req.end(payload ?? undefined);
  });
}

const rawBody = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (d: Buffer) => chunks.push(d));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('BYOC: a control plane and a data plane on loopback, linked by mutual TLS', () => {
  let ca: TestCa;
  let rogueCa: TestCa;
  let serverCert: Issued;
  let cp: TestApp;
  let dp: TestApp;
  let s3: S3rver;
  let linkPort: number;
  let tenant: Tenant;
  let admin: string;
  let viewer: string;
  let cpEvidenceDir: string;
  let dpClient: Issued;
  let signingKeyFile: string;
  const now = new Date();

  const agent = () => dp.app.get(DataPlaneAgent);
  const link = () => cp.app.get(ControlPlaneLink);
  const both = (ms: number) => {
    cp.clock.advance(ms);
    dp.clock.advance(ms);
  };
  const dpPath = (url: string) => {
    const u = new URL(url);
    return u.pathname + u.search;
  };
  const grant = (incidentId: string, body: { operation: 'upload' } | { operation: 'download'; attachmentId: string }, auth = admin) =>
    body.operation === 'upload'
      ? cp.http.post(`/api/v1/incidents/${incidentId}/attachments/upload-grants`).set('Authorization', auth)
      : cp.http.post(`/api/v1/incidents/${incidentId}/attachments/${body.attachmentId}/download-grants`).set('Authorization', auth);
  const declare = async () => {
    const res = await cp.http
      .post('/api/v1/incidents')
      .set('Authorization', admin)
      .send(validIntake({ plane: 'data_plane' }));
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const uploadToDataPlane = (url: string, token: string, kind: string, content: Buffer, filename: string) => {
    const m = multipart([
      { name: 'kind', value: kind },
      { name: 'file', filename, content },
    ]);
    return dp.http.post(dpPath(url)).set('Authorization', `Bearer ${token}`).set('Content-Type', m.contentType).send(m.body);
  };
  const health = async (auth = admin) => {
    const res = await cp.http.get('/api/v1/data-planes').set('Authorization', auth).expect(200);
    return res.body.items.find((i: { tenantId: string }) => i.tenantId === tenant.id);
  };

  beforeAll(async () => {
    ca = await makeCa('Portal plane-link CA');
    rogueCa = await makeCa('Somebody else');
    serverCert = await issue(ca, { cn: 'control plane', server: true });
    linkPort = await freePort();
    const { privateKey } = generateKeyPairSync('ed25519');
    cpEvidenceDir = mkdtempSync(join(tmpdir(), 'byoc-cp-evidence-'));
    const files = writePems({
      'ca.pem': ca.certPem,
      'server.pem': serverCert.certPem,
      'server.key': serverCert.keyPem,
      'grant.key': privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    signingKeyFile = files['grant.key'];
    cp = await createTestApp({
      now: now.toISOString(),
      env: {
        PLANE_LINK_PORT: String(linkPort),
        PLANE_TLS_CERT_FILE: files['server.pem'],
        PLANE_TLS_KEY_FILE: files['server.key'],
        PLANE_TLS_CA_FILE: files['ca.pem'],
        GRANT_SIGNING_KEY_FILE: files['grant.key'],
        EVIDENCE_DIR: cpEvidenceDir,
        DATA_PLANE_SILENT_SECONDS: '120',
      },
    });
    tenant = await createTenant(cp.app, { mode: 'C', timezone: 'America/New_York' });
    admin = `Bearer ${await tokenFor(cp.app, tenant.id, 'customer_admin')}`;
    viewer = `Bearer ${await tokenFor(cp.app, tenant.id, 'customer_viewer')}`;

    s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: mkdtempSync(join(tmpdir(), 'byoc-s3-')),
      configureBuckets: [{ name: BUCKET, configs: [] }],
    });
    const s3addr = await s3.run();
    dpClient = await issue(ca, { cn: `data plane ${tenant.slug}`, tenant: tenant.slug });
    const dpFiles = writePems({ 'ca.pem': ca.certPem, 'dp.pem': dpClient.certPem, 'dp.key': dpClient.keyPem });
    dp = await createTestApp({
      now: now.toISOString(),
      env: {
        PORTAL_ROLE: 'data-plane',
        DATABASE_URL: await dataPlaneDatabase(),
        DATA_PLANE_TENANT: tenant.slug,
        CONTROL_PLANE_URL: `https://127.0.0.1:${linkPort}`,
        PLANE_TLS_CERT_FILE: dpFiles['dp.pem'],
        PLANE_TLS_KEY_FILE: dpFiles['dp.key'],
        PLANE_TLS_CA_FILE: dpFiles['ca.pem'],
        PUBLIC_URL: 'https://evidence.customer.example',
        HEARTBEAT_SECONDS: '3600',
        OUTBOX_POLL_MS: '3600000',
        EVIDENCE_STORAGE: 's3',
        S3_ENDPOINT: `http://127.0.0.1:${s3addr.port}`,
        S3_BUCKET: BUCKET,
        S3_ACCESS_KEY_ID: 'S3RVER',
        S3_SECRET_ACCESS_KEY: 'S3RVER',
        S3_FORCE_PATH_STYLE: 'true',
      },
    });
  });

  afterAll(async () => {
    await dp?.close();
    await cp?.close();
    await s3?.close().catch(() => undefined);
  });

  describe('the plane link refuses every certificate but a valid one of a Mode C tenant, saying why', () => {
    const path = '/plane/v1/grant-key';
    it('answers a data plane presenting its own tenant certificate', async () => {
      const res = await linkCall(linkPort, ca.certPem, dpClient, path);
      expect(res.status).toBe(200);
      expect(res.body.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    });

    it.each([
      ['an expired certificate', { notBefore: new Date(Date.now() - 30 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) }, /has expired/],
      ['a certificate not valid yet', { notBefore: new Date(Date.now() + 86_400_000), notAfter: new Date(Date.now() + 30 * 86_400_000) }, /not valid yet/],
    ])('refuses %s (401)', async (_n, validity, message) => {
      const cert = await issue(ca, { cn: 'dp', tenant: tenant.slug, ...validity });
      const res = await linkCall(linkPort, ca.certPem, cert, path);
      expect(res).toMatchObject({ status: 401, body: { error: 'client_certificate_refused', message: expect.stringMatching(message) } });
    });

    it('refuses a certificate of another CA and a connection without a certificate (401)', async () => {
      const rogue = await issue(rogueCa, { cn: 'dp', tenant: tenant.slug });
      expect(await linkCall(linkPort, ca.certPem, rogue, path)).toMatchObject({
        status: 401,
        body: { message: expect.stringMatching(/not issued by the CA this control plane trusts/) },
      });
      expect(await linkCall(linkPort, ca.certPem, null, path)).toMatchObject({
        status: 401,
        body: { message: expect.stringMatching(/no client certificate/) },
      });
    });

    it('refuses a certificate naming no tenant, an unknown one, or a tenant without BYOC (403)', async () => {
      const modeB = await createTenant(cp.app, { mode: 'B' });
      for (const opts of [
        {},
        { tenant: 'no-such-tenant' },
        { tenant: modeB.slug },
        { uris: [`urn:portal:tenant:${tenant.slug}`, `urn:portal:tenant:${modeB.slug}`] },
      ]) {
        const cert = await issue(ca, { cn: 'dp', ...opts });
        expect(await linkCall(linkPort, ca.certPem, cert, path)).toMatchObject({ status: 403, body: { error: 'certificate_wrong_tenant' } });
      }
    });

    it('the data plane refuses a control plane whose server certificate is not from its CA', async () => {
      const client = new PlaneLinkClient({
        byoc: { controlPlaneUrl: `https://127.0.0.1:${linkPort}`, tls: { certPem: dpClient.certPem, keyPem: dpClient.keyPem, caPem: rogueCa.certPem } },
      } as unknown as PortalConfig);
      try {
        await expect(client.grantKey()).rejects.toThrow(/control plane unreachable: .*(certificate|CERT|SIGNATURE)/i);
      } finally {
        client.onModuleDestroy();
      }
    });

    it('a certificate of tenant X cannot act for tenant Y: messages naming Y are refused and change nothing', async () => {
      const other = await createTenant(cp.app, { mode: 'C' });
      const incidentOfOther = (
        await cp.http
          .post('/api/v1/incidents')
          .set('Authorization', `Bearer ${await tokenFor(cp.app, other.id)}`)
          .send(validIntake({ plane: 'data_plane' }))
      ).body.id as string;
      expect(incidentOfOther).toEqual(expect.any(String));
      const forged = {
        id: randomUUID(),
        at: new Date().toISOString(),
        type: 'attachment.stored',
        payload: {
          tenantId: other.id,
          incidentId: incidentOfOther,
          attachmentId: randomUUID(),
          kind: 'screenshot',
          displayName: 'x.png',
          contentType: 'image/png',
          sizeBytes: 1,
          sha256: 'a'.repeat(64),
          redactionReport: { total: 0, byRule: {}, summary: '' },
          insights: {},
          gzip: false,
          actor: { kind: 'user', id: 'u', label: 'U' },
        },
      };
      const res = await linkCall(linkPort, ca.certPem, dpClient, '/plane/v1/messages', { messages: [forged] });
      expect(res.status).toBe(200);
      expect(res.body.accepted).toEqual([]);
      expect(res.body.refused).toEqual([{ id: forged.id, error: expect.stringMatching(/^wrong_tenant/) }]);
      const list = await cp.http
        .get(`/api/v1/incidents/${incidentOfOther}/attachments`)
        .set('Authorization', `Bearer ${await tokenFor(cp.app, other.id)}`)
        .expect(200);
      expect(list.body.items).toEqual([]);
    });
  });

  describe('heartbeat, evidence through grants, and what the control plane keeps', () => {
    let incidentId: string;
    let attachmentId: string;
    const marker = `kept-in-the-data-plane-${randomBytes(8).toString('hex')}`;
    const secret = `ghp_${randomBytes(18).toString('hex')}`;
    const exportBody = Buffer.from(
      [
        { id: 'ge-1', occurred_at: '2026-11-23T09:10:00Z', action: 'skill.invoke', status: 'ok', message: marker, access_token: secret },
        { id: 'ge-2', occurred_at: '2026-11-23T09:20:00Z', action: 'record.write', status: 'failed', message: `${marker}-2` },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );

    it('before a heartbeat the tenant has no known data plane: evidence still goes to the portal, without a grant', async () => {
      expect(await health()).toMatchObject({ status: 'unknown', signal2: false });
      incidentId = await declare();
      const res = await grant(incidentId, { operation: 'upload' }).expect(201);
      expect(res.body).toEqual({
        operation: 'upload',
        via: 'portal',
        url: `/api/v1/incidents/${incidentId}/attachments`,
        attachmentId: null,
        grant: null,
        expiresAt: null,
      });
    });

    it('a heartbeat reaches the control plane and shows the data plane healthy, with its certificate days', async () => {
      const beat = await agent().beat();
      expect(beat.checks.map((c) => [c.name, c.ok])).toEqual([
        ['database', true],
        ['object_storage', true],
        ['disk', true],
        ['certificate', true],
      ]);
      expect(await agent().relay()).toEqual({ delivered: 1, failed: 0 });
      const h = await health();
      expect(h).toMatchObject({ status: 'healthy', signal2: false, failing: [], prefill: null });
      expect(h.certificateDaysLeft).toBeGreaterThanOrEqual(88);
      const events = await cp.http.get('/api/v1/governance-events').set('Authorization', admin).expect(200);
      expect(events.body.items.map((e: { action: string }) => e.action)).toContain('data_plane.health_changed');
    });

    it('the portal refuses evidence bytes for a tenant whose data plane is linked (409)', async () => {
      const res = await cp.http
        .post(`/api/v1/incidents/${incidentId}/attachments`)
        .set('Authorization', admin)
        .field('kind', 'governance-events')
        .attach('file', exportBody, { filename: 'events.ndjson' });
      expect(res.status).toBe(409);
      expect(res.body.error).toBe('evidence_on_data_plane');
      const list = await cp.http.get(`/api/v1/incidents/${incidentId}/attachments`).set('Authorization', admin).expect(200);
      expect(list.body.via).toBe('data_plane');
    });

    it('uploads with a grant to the data plane, sanitized there; the control plane receives the metadata only', async () => {
      const g = await grant(incidentId, { operation: 'upload' }).expect(201);
      expect(g.body.via).toBe('data_plane');
      expect(g.body.url).toBe(`https://evidence.customer.example/data-plane/v1/evidence/${g.body.attachmentId}`);
      expect(new Date(g.body.expiresAt).getTime() - cp.clock.now().getTime()).toBeLessThanOrEqual(300_000);
      const up = await uploadToDataPlane(g.body.url, g.body.grant, 'governance-events', exportBody, 'events.ndjson');
      expect(up.status).toBe(201);
      expect(up.body).toMatchObject({ id: g.body.attachmentId, incidentId, kind: 'governance-events', storedIn: 'data_plane' });
      expect(up.body.redactionReport.total).toBeGreaterThanOrEqual(1);
      attachmentId = up.body.id;
      await agent().relay();
      const list = await cp.http.get(`/api/v1/incidents/${incidentId}/attachments`).set('Authorization', admin).expect(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({
          id: attachmentId,
          storedIn: 'data_plane',
          sha256: up.body.sha256,
          sizeBytes: up.body.sizeBytes,
          redactionReport: up.body.redactionReport,
          downloadUrl: null,
          canDownload: true,
        }),
      ]);
      // the same grant cannot store a second file
      const again = await uploadToDataPlane(g.body.url, g.body.grant, 'governance-events', exportBody, 'events.ndjson');
      expect(again.status).toBe(409);
    });

    it('downloads with a grant from the data plane; the read is a governance event on the control plane', async () => {
      // a viewer may download but not upload
      await grant(incidentId, { operation: 'upload' }, viewer).expect(403);
      const g = await grant(incidentId, { operation: 'download', attachmentId }, viewer).expect(201);
      expect(g.body).toMatchObject({ via: 'data_plane', attachmentId });
      const res = await dp.http.get(dpPath(g.body.url)).buffer(true).parse(rawBody).expect(200);
      const bytes = res.body as Buffer;
      expect(bytes.toString()).toContain(marker);
      expect(findLeaks('download', bytes, [secret])).toEqual([]);
      expect(res.headers['repr-digest']).toBeDefined();
      // the portal itself serves no bytes of it
      await cp.http.get(`/api/v1/incidents/${incidentId}/attachments/${attachmentId}/download`).set('Authorization', admin).expect(409);
      await agent().relay();
      const events = await cp.http.get(`/api/v1/incidents/${incidentId}/events`).set('Authorization', admin).expect(200);
      const actions = (events.body.items ?? events.body).map((e: { action?: string; type?: string }) => e.action ?? e.type);
      expect(actions).toEqual(expect.arrayContaining(['evidence.grant_issued', 'evidence.uploaded', 'evidence.downloaded']));
    });

    it('refuses an expired grant, a grant for another attachment, operation or tenant, and a forged one', async () => {
      const g = await grant(incidentId, { operation: 'download', attachmentId }).expect(201);
      const otherAttachment = randomUUID();
      const wrongAttachment = await dp.http.get(`/data-plane/v1/evidence/${otherAttachment}?grant=${encodeURIComponent(g.body.grant)}`);
      expect(wrongAttachment).toMatchObject({ status: 403, body: { error: 'grant_wrong_attachment' } });
      const up = await grant(incidentId, { operation: 'upload' }).expect(201);
      const wrongOperation = await dp.http.get(`/data-plane/v1/evidence/${up.body.attachmentId}?grant=${encodeURIComponent(up.body.grant)}`);
      expect(wrongOperation).toMatchObject({ status: 403, body: { error: 'grant_wrong_operation' } });
      const key = grantSigningKey(readFileSync(signingKeyFile, 'utf8'));
      const claims = {
        tenantId: tenant.id,
        incidentId,
        attachmentId,
        operation: 'download' as const,
        actor: { kind: 'user', id: 'u', label: 'U', role: 'customer_admin' },
      };
      const otherTenant = await signGrant(key, { ...claims, tenantSlug: 'another-tenant' }, dp.clock.now());
      expect(await dp.http.get(`/data-plane/v1/evidence/${attachmentId}`).set('Authorization', `Bearer ${otherTenant.token}`)).toMatchObject({
        status: 403,
        body: { error: 'grant_wrong_tenant' },
      });
      const forged = await signGrant(generateKeyPairSync('ed25519').privateKey, { ...claims, tenantSlug: tenant.slug }, dp.clock.now());
      expect(await dp.http.get(`/data-plane/v1/evidence/${attachmentId}`).set('Authorization', `Bearer ${forged.token}`)).toMatchObject({
        status: 401,
        body: { error: 'grant_invalid' },
      });
      expect(await dp.http.get(`/data-plane/v1/evidence/${attachmentId}`)).toMatchObject({ status: 401, body: { error: 'grant_missing' } });
      both(306_000);
      const expired = await dp.http.get(dpPath(g.body.url));
      expect(expired).toMatchObject({ status: 401, body: { error: 'grant_expired', message: expect.stringMatching(/expired/) } });
    });

    it('no evidence byte reaches the control plane: not its database, not its evidence directory', async () => {
      expect(filesUnder(cpEvidenceDir)).toEqual([]);
      const dump = await dumpDatabase();
      expect(dump).toContain(attachmentId);
      expect(findLeaks('control-plane database', dump, [marker, secret])).toEqual([]);
    });

    it('control plane down for a minute, then back: heartbeats and metadata catch up, nothing lost', async () => {
      const beatsBefore = await heartbeatCount();
      const g = await grant(incidentId, { operation: 'upload' }).expect(201);
      await link().onModuleDestroy();
      for (let i = 0; i < 3; i++) {
        await agent().beat();
        expect((await agent().relay()).failed).toBeGreaterThan(0);
        both(20_000);
      }
      const up = await uploadToDataPlane(g.body.url, g.body.grant, 'screenshot', makePng(), 'screen.png');
      expect(up.status).toBe(201);
      await agent().relay();
      expect(agent().lastLinkError).toMatch(/control plane unreachable/);
      expect(await agent().pending()).toBe(4);
      await link().onApplicationBootstrap();
      both(61_000);
      expect(await agent().relay()).toEqual({ delivered: 4, failed: 0 });
      expect(await agent().pending()).toBe(0);
      expect(await heartbeatCount()).toBe(beatsBefore + 3);
      const list = await cp.http.get(`/api/v1/incidents/${incidentId}/attachments`).set('Authorization', admin).expect(200);
      expect(list.body.items.map((a: { id: string }) => a.id)).toContain(up.body.id);
    });

    it('a silent data plane is signal 2 with the ownership note and a prefilled declaration', async () => {
      await agent().beat();
      await agent().relay();
      expect(await health()).toMatchObject({ status: 'healthy', signal2: false });
      cp.clock.advance(121_000);
      const h = await health();
      expect(h).toMatchObject({ status: 'silent', signal2: true, ownershipNote: expect.stringMatching(/your team owns the runbook/) });
      expect(h.prefill).toMatchObject({ plane: 'data_plane', severity: 'sev2', title: expect.stringMatching(/stopped reporting/) });
      // the vendor view sees it too
      dp.clock.set(cp.clock.now());
    });

    it('a failing health check (object storage down) is signal 2 naming the check, and a governance event', async () => {
      await s3.close();
      const beat = await agent().beat();
      expect(beat.healthy).toBe(false);
      await agent().relay();
      const h = await health();
      expect(h).toMatchObject({ status: 'failing', signal2: true, failing: ['object_storage'] });
      expect(h.prefill.title).toMatch(/object storage/);
      const events = await cp.http.get('/api/v1/governance-events').set('Authorization', admin).expect(200);
      const changes = events.body.items.filter((e: { action: string }) => e.action === 'data_plane.health_changed');
      expect(changes[0].details).toMatchObject({ from: 'healthy', to: 'failing', failing: ['object_storage'] });
    });
  });

  async function heartbeatCount(): Promise<number> {
    const owner = new Client({ connectionString: process.env.PORTAL_TEST_OWNER_URL });
    await owner.connect();
    try {
      const { rows } = await owner.query(`select count(*)::int as n from data_plane_heartbeats where tenant_id = $1`, [tenant.id]);
      return rows[0].n;
    } finally {
      await owner.end();
    }
  }
});
