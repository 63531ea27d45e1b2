import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateCanaryHar } from '@portal/har-sanitizer';
import { EVIDENCE_RETENTION_EVERY_MS, EvidenceRetentionJob } from '../apps/portal-api/src/evidence/jobs/evidence-retention.job';
import { TaskRegistry } from '../apps/portal-api/src/queue/task-registry';
import { WorkerStartup } from '../apps/portal-api/src/queue/queue-worker.module';
import { WorkloadQueues } from '../apps/portal-api/src/queue/workload-queues';
import { JobName } from '../apps/portal-api/src/queue/jobs';
import type { Tenant } from '../apps/portal-api/src/tenants/tenant.types';
import { declareIncident, evidenceTmpDir, filesUnder, findLeaks, getBytes, makePng, ownerQuery, uploadEvidence } from './evidence-helpers';
import { createTenant, createTestApp, signIn, TestApp, tokenFor } from './support/test-app';

const DAY = 86_400_000;
type Agent = Awaited<ReturnType<typeof signIn>>;

describe('evidence uploads API', () => {
  let t: TestApp;
  let dir: string;
  let tenant: Tenant;
  let other: Tenant;
  let admin: string;
  let viewer: string;
  let otherAdmin: string;
  let support: Agent;
  let csm: Agent;
  let incident: string;

  beforeAll(async () => {
    dir = evidenceTmpDir();
    t = await createTestApp({ env: { EVIDENCE_DIR: dir, SESSION_IDLE_MINUTES: '100000' } });
    tenant = await createTenant(t.app);
    other = await createTenant(t.app);
    admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    viewer = `Bearer ${await tokenFor(t.app, tenant.id, 'customer_viewer')}`;
    otherAdmin = `Bearer ${await tokenFor(t.app, other.id)}`;
    support = await signIn(t, { role: 'support_engineer' });
    csm = await signIn(t, { role: 'csm' });
    await ownerQuery('insert into csm_assignments (staff_id, tenant_id) values ($1, $2)', [csm.principal.id, tenant.id]);
    incident = await declareIncident(t, admin);
  });
  afterAll(() => t.close());

  const attachments = (id = incident) => `/api/v1/incidents/${id}/attachments`;

  describe('HAR', () => {
    it('stores only the sanitized HAR and shows the uploader the redaction report and the insights', async () => {
      const { har, canaries } = generateCanaryHar();
      const before = filesUnder(dir);
      const res = await uploadEvidence(t, admin, incident, 'har', Buffer.from(JSON.stringify(har)), 'hub.example.har').expect(201);
      expect(res.body).toMatchObject({ kind: 'har', displayName: 'hub.example.har', contentType: 'application/json', canDelete: true });
      expect(res.body.redactionReport.summary).toMatch(/\d+ cookies, \d+ Authorization headers/);
      expect(res.body.redactionReport.byRule.cookie).toBeGreaterThan(3);
      expect(res.body.redactionReport.byRule.jwt).toBeGreaterThan(1);
      expect(res.body.insights.entryCount).toBe(har.log.entries.length);
      expect(res.body.insights.failedRequests).toEqual(
        expect.arrayContaining([expect.objectContaining({ method: 'POST', host: 'hub.example', path: '/api/records', status: 503, count: 1 })]),
      );
      expect(res.body.insights.errorCodes.map((e: { code: string }) => e.code)).toEqual(expect.arrayContaining(['ServerBusy', 'invalid_grant']));

      const added = filesUnder(dir).filter((f) => !before.includes(f));
      expect(added).toEqual([expect.stringMatching(/^objects\/[0-9a-f-]{36}$/)]);
      const stored = readFileSync(join(dir, added[0]));
      expect(findLeaks('stored file', stored, canaries)).toEqual([]);
      expect(JSON.parse(stored.toString('utf8')).log.entries).toHaveLength(har.log.entries.length);
      expect(res.body.sizeBytes).toBe(stored.length);
      expect(res.body.sha256).toBe(createHash('sha256').update(stored).digest('hex'));
    });

    it('inflates a .har.gz as a stream and stores the same sanitized HAR', async () => {
      const { har } = generateCanaryHar();
      const raw = Buffer.from(JSON.stringify(har));
      const plain = await uploadEvidence(t, admin, incident, 'har', raw, 'same.har').expect(201);
      const gz = await uploadEvidence(t, admin, incident, 'har', gzipSync(raw), 'same.har.gz').expect(201);
      expect(gz.body.displayName).toBe('same.har.gz');
      expect(gz.body.sha256).toBe(plain.body.sha256);
      const dl = await getBytes(t, admin, gz.body.downloadUrl).expect(200);
      expect(dl.headers['content-disposition']).toBe(`attachment; filename="same.sanitized.har"; filename*=UTF-8''same.sanitized.har`);
    });
  });

  describe('list, download, delete', () => {
    let a: any;
    beforeAll(async () => {
      const { har } = generateCanaryHar();
      a = (await uploadEvidence(t, admin, incident, 'har', Buffer.from(JSON.stringify(har)), 'Ünïcode "quoted" name.har').expect(201)).body;
    });

    it('lists attachments with report and insights for every role that sees the incident', async () => {
      for (const who of [{ auth: admin }, { auth: viewer }, { agent: support }, { agent: csm }]) {
        const req = 'auth' in who ? t.http.get(attachments()).set('Authorization', who.auth!) : who.agent.agent.get(attachments());
        const res = await req.expect(200);
        const item = res.body.items.find((i: any) => i.id === a.id);
        expect(item.redactionReport.summary).toBe(a.redactionReport.summary);
        expect(item.insights.entryCount).toBe(a.insights.entryCount);
        expect(res.body.limits).toEqual({ har: 250 * 1024 * 1024, 'governance-events': 100 * 1024 * 1024, screenshot: 20 * 1024 * 1024 });
        expect(res.body.retention).toEqual({ days: 90, deletesAt: null });
      }
      const asCsm = await csm.agent.get(attachments()).expect(200);
      expect(asCsm.body.items.every((i: any) => i.downloadUrl === null && i.canDelete === false)).toBe(true);
      expect(asCsm.body.canUpload).toBe(false);
      const asViewer = await t.http.get(attachments()).set('Authorization', viewer).expect(200);
      expect(asViewer.body.items.every((i: any) => typeof i.downloadUrl === 'string' && i.canDelete === false)).toBe(true);
    });

    it('serves a download as an attachment with a safe name and nosniff, and records evidence.downloaded', async () => {
      const stored = readFileSync(join(dir, 'objects', (await ownerQuery('select storage_key from attachments where id = $1', [a.id]))[0].storage_key));
      const res = await getBytes(t, viewer, a.downloadUrl).expect(200);
      expect(res.body.equals(stored)).toBe(true);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['cache-control']).toBe('private, no-store');
      // multipart clients send '"' in a file name as %22 (WHATWG); the ASCII fallback drops what is not plain ASCII
      expect(a.displayName).toBe('Ünïcode %22quoted%22 name.har');
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="_n_code _22quoted_22 name.sanitized.har"; filename*=UTF-8''%C3%9Cn%C3%AFcode%20%2522quoted%2522%20name.sanitized.har`,
      );
      const events = await t.http.get(`/api/v1/incidents/${incident}/events`).set('Authorization', admin).expect(200);
      const downloaded = events.body.items.filter((e: any) => e.action === 'evidence.downloaded' && e.subjectId === a.id);
      expect(downloaded).toHaveLength(1);
      expect(downloaded[0].actor.label).toMatch(/API token/);
      await support.agent.get(a.downloadUrl).expect(200);
    });

    it('refuses a download to a CSM (the list is theirs, the file is not)', async () => {
      const res = await csm.agent.get(a.downloadUrl).expect(403);
      expect(res.body.error).toBe('forbidden');
    });

    it('lets only customer admins and support engineers upload and delete', async () => {
      await uploadEvidence(t, viewer, incident, 'har', Buffer.from('{}'), 'x.har').expect(403);
      await t.http.delete(`${attachments()}/${a.id}`).set('Authorization', viewer).expect(403);
      await csm.agent.delete(`${attachments()}/${a.id}`).set('x-csrf-token', csm.csrf).expect(403);
      // a cookie session must prove the page is ours for an upload too
      await support.agent.post(attachments()).field('kind', 'har').attach('file', Buffer.from('{}'), 'x.har').expect(403);
      const { har } = generateCanaryHar();
      const bySupport = await support.agent
        .post(attachments())
        .set('x-csrf-token', support.csrf)
        .field('kind', 'har')
        .attach('file', Buffer.from(JSON.stringify(har)), 'support.har')
        .expect(201);
      expect(bySupport.body.uploadedBy.kind).toBe('staff');
    });

    it("answers 404 for another tenant's incident and attachment, on every route", async () => {
      const b = await uploadEvidence(
        t,
        otherAdmin,
        await declareIncident(t, otherAdmin),
        'har',
        Buffer.from(JSON.stringify(generateCanaryHar().har)),
        'b.har',
      ).expect(201);
      await t.http.get(attachments(b.body.incidentId)).set('Authorization', admin).expect(404);
      await getBytes(t, admin, b.body.downloadUrl).expect(404);
      await t.http
        .delete(`${attachments(b.body.incidentId)}/${b.body.id}`)
        .set('Authorization', admin)
        .expect(404);
      // the other tenant's attachment id under our own incident: row-level security and the incident filter both say no
      await getBytes(t, admin, `${attachments()}/${b.body.id}/download`).expect(404);
      await t.http.get(`${attachments()}/not-a-uuid/download`).set('Authorization', admin).expect(404);
    });

    it('deletes the file and the listing, keeps a tombstone row, and records evidence.deleted', async () => {
      const { har } = generateCanaryHar();
      const doomed = (await uploadEvidence(t, admin, incident, 'har', Buffer.from(JSON.stringify(har)), 'doomed.har').expect(201)).body;
      const [{ storage_key }] = await ownerQuery('select storage_key from attachments where id = $1', [doomed.id]);
      expect(existsSync(join(dir, 'objects', storage_key))).toBe(true);
      await support.agent.delete(`${attachments()}/${doomed.id}`).set('x-csrf-token', support.csrf).expect(204);
      expect(existsSync(join(dir, 'objects', storage_key))).toBe(false);
      const list = await t.http.get(attachments()).set('Authorization', admin).expect(200);
      expect(list.body.items.map((i: any) => i.id)).not.toContain(doomed.id);
      await getBytes(t, admin, doomed.downloadUrl).expect(404);
      await t.http.delete(`${attachments()}/${doomed.id}`).set('Authorization', admin).expect(404);
      const [row] = await ownerQuery('select deleted_at, deletion_reason, deleted_by from attachments where id = $1', [doomed.id]);
      expect(row.deletion_reason).toBe('deleted');
      expect(row.deleted_by.kind).toBe('staff');
      const events = await t.http.get(`/api/v1/incidents/${incident}/events`).set('Authorization', admin).expect(200);
      const actions = events.body.items.filter((e: any) => e.subjectId === doomed.id).map((e: any) => e.action);
      expect(actions).toEqual(['evidence.uploaded', 'evidence.deleted']);
    });
  });

  describe('governance event exports', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJDQU5BUlktand0LXN1YiJ9.c2lnbmF0dXJlLWNhbmFyeS12YWx1ZQ';
    const secrets = ['CANARY-gov-password-1', 'CANARY-gov-token-2', jwt, 'CANARY-gov-bearer-3', 'CANARY-gov-nested-4'];
    const records = [
      {
        id: 'ge-1',
        occurred_at: '2026-11-23T09:10:00Z',
        action: 'skill.invoke',
        status: 'failed',
        actor: 'jane@acme.example',
        details: { password: secrets[0], note: 'retry' },
      },
      {
        id: 'ge-2',
        occurred_at: '2026-11-23T09:40:00Z',
        action: 'skill.invoke',
        status: 'ok',
        access_token: secrets[1],
        message: `header was Authorization: Bearer ${secrets[3]}`,
      },
      {
        id: 'ge-3',
        occurred_at: '2026-11-23T09:20:00Z',
        action: 'record.write',
        status: 'failed',
        payload: JSON.stringify({ client_secret: secrets[4] }),
        trace: jwt,
      },
    ];

    it.each([
      ['JSON array', 'events.json', Buffer.from(JSON.stringify(records, null, 2)), 'json', 'application/json'],
      ['NDJSON', 'events.ndjson', Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n'), 'ndjson', 'application/x-ndjson'],
      ['gzip NDJSON', 'events.ndjson.gz', gzipSync(Buffer.from(records.map((r) => JSON.stringify(r)).join('\r\n'))), 'ndjson', 'application/x-ndjson'],
    ])('sanitizes a %s export record by record', async (_n, filename, body, format, contentType) => {
      const res = await uploadEvidence(t, admin, incident, 'governance-events', body, filename).expect(201);
      expect(res.body.contentType).toBe(contentType);
      expect(res.body.insights).toMatchObject({
        format,
        records: 3,
        firstAt: '2026-11-23T09:10:00.000Z',
        lastAt: '2026-11-23T09:40:00.000Z',
        actions: [
          { value: 'skill.invoke', count: 2 },
          { value: 'record.write', count: 1 },
        ],
      });
      expect(res.body.insights.fields).toEqual(expect.arrayContaining(['id', 'occurred_at', 'action', 'details', 'access_token']));
      expect(res.body.redactionReport.total).toBeGreaterThanOrEqual(5);
      const dl = await getBytes(t, admin, res.body.downloadUrl).expect(200);
      expect(findLeaks('download', dl.body, secrets)).toEqual([]);
      const text = dl.body.toString('utf8');
      const parsed =
        format === 'json'
          ? JSON.parse(text)
          : text
              .trim()
              .split('\n')
              .map((l: string) => JSON.parse(l));
      expect(parsed).toHaveLength(3);
      expect(parsed[0]).toMatchObject({
        id: 'ge-1',
        action: 'skill.invoke',
        actor: 'jane@acme.example',
        details: { password: '[REDACTED:field:password]', note: 'retry' },
      });
      expect(parsed[1].access_token).toBe('[REDACTED:field:access_token]');
    });

    it('sanitizes a CSV export cell by cell and neutralises spreadsheet formulas', async () => {
      const csv =
        'occurred_at,action,actor,"api key",message\r\n' +
        `2026-11-23T09:10:00Z,skill.invoke,jane,${secrets[1]},"multi\nline, with ""quotes"" and password=${secrets[0]}"\r\n` +
        `2026-11-23T09:15:00Z,record.write,=HYPERLINK("http://evil.example"),,${jwt}\r\n`;
      const res = await uploadEvidence(t, admin, incident, 'governance-events', Buffer.from(csv), 'events.csv').expect(201);
      expect(res.body).toMatchObject({
        contentType: 'text/csv',
        insights: { format: 'csv', records: 2, fields: ['occurred_at', 'action', 'actor', 'api key', 'message'] },
      });
      expect(res.body.redactionReport.byRule['csv-formula']).toBe(1);
      const dl = await getBytes(t, admin, res.body.downloadUrl).expect(200);
      expect(findLeaks('download', dl.body, secrets)).toEqual([]);
      const lines = dl.body.toString('utf8').split('\r\n');
      expect(lines[0]).toBe('occurred_at,action,actor,api key,message');
      expect(lines[1]).toBe(
        '2026-11-23T09:10:00Z,skill.invoke,jane,[REDACTED:field:api_key],"multi\nline, with ""quotes"" and password=[REDACTED:param:password]"',
      );
      expect(lines[2]).toBe(`2026-11-23T09:15:00Z,record.write,"'=HYPERLINK(""http://evil.example"")",,[REDACTED:jwt]`);
      expect(dl.headers['content-disposition']).toContain('filename="events.sanitized.csv"');
    });
  });

  describe('screenshots', () => {
    it('stores a PNG without its metadata chunks and reports its size', async () => {
      const secret = 'CANARY-png-gps-45.4642N-9.19E';
      const png = makePng({ width: 5, height: 7, text: secret, trailing: Buffer.from(`hidden ${secret}`) });
      const res = await uploadEvidence(t, admin, incident, 'screenshot', png, 'screen.png').expect(201);
      expect(res.body).toMatchObject({ contentType: 'image/png', insights: { format: 'png', width: 5, height: 7, metadataRemoved: 5 } });
      const dl = await getBytes(t, viewer, res.body.downloadUrl).expect(200);
      expect(dl.headers['content-type']).toBe('image/png');
      expect(findLeaks('download', dl.body, [secret])).toEqual([]);
      expect(dl.body.equals(makePng({ width: 5, height: 7 }))).toBe(true);
    });
  });

  describe('closed incidents', () => {
    it('takes no new evidence once the incident is closed (409), and says when it will be deleted', async () => {
      const id = await declareIncident(t, admin);
      await support.agent.post(`/api/v1/incidents/${id}/resolve`).set('x-csrf-token', support.csrf).send({ summary: 'fixed' }).expect(200);
      await t.http.post(`/api/v1/incidents/${id}/close`).set('Authorization', admin).expect(200);
      const before = filesUnder(dir);
      const res = await uploadEvidence(t, admin, id, 'har', Buffer.from(JSON.stringify(generateCanaryHar().har)), 'late.har').expect(409);
      expect(res.body.error).toBe('invalid_transition');
      expect(filesUnder(dir)).toEqual(before);
      const list = await t.http.get(attachments(id)).set('Authorization', admin).expect(200);
      expect(list.body.canUpload).toBe(false);
      expect(list.body.retention.deletesAt).toBe(new Date(t.clock.now().getTime() + 90 * DAY).toISOString());
    });
  });
});

describe('evidence retention job', () => {
  let t: TestApp;
  let dir: string;
  let support: Agent;

  beforeAll(async () => {
    dir = evidenceTmpDir();
    t = await createTestApp({ now: '2026-11-23T10:00:00Z', env: { EVIDENCE_DIR: dir, EVIDENCE_RETENTION_DAYS: '30', SESSION_IDLE_MINUTES: '1000000' } });
    support = await signIn(t, { role: 'support_engineer' });
  });
  afterAll(() => t.close());

  async function closedIncidentWithEvidence(admin: string) {
    support = await signIn(t, { role: 'support_engineer' }); // the clock jumps past a session's lifetime between tests
    const id = await declareIncident(t, admin);
    const a = (await uploadEvidence(t, admin, id, 'har', Buffer.from(JSON.stringify(generateCanaryHar().har)), 'old.har').expect(201)).body;
    await support.agent.post(`/api/v1/incidents/${id}/resolve`).set('x-csrf-token', support.csrf).send({ summary: 'fixed' }).expect(200);
    await t.http.post(`/api/v1/incidents/${id}/close`).set('Authorization', admin).expect(200);
    const [{ storage_key }] = await ownerQuery('select storage_key from attachments where id = $1', [a.id]);
    return { id, attachment: a, file: join(dir, 'objects', storage_key) };
  }

  it('is registered on the maintenance queue, and keeps an hourly schedule in Redis', async () => {
    expect(t.app.get(TaskRegistry).get(JobName.EvidenceRetention)?.workload).toBe('maintenance');
    await t.app.get(WorkerStartup).schedule();
    const queue = t.app.get(WorkloadQueues).get('maintenance');
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: JobName.EvidenceRetention, name: JobName.EvidenceRetention, every: EVIDENCE_RETENTION_EVERY_MS }),
      ]),
    );
    for (const s of schedulers) await queue.removeJobScheduler(s.key);
  });

  it('deletes evidence the configured number of days after the incident closed, once, with a governance event each', async () => {
    const tenant = await createTenant(t.app);
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const closedAt = t.clock.now();
    const old = await closedIncidentWithEvidence(admin);
    const openId = await declareIncident(t, admin);
    const open = (await uploadEvidence(t, admin, openId, 'har', Buffer.from(JSON.stringify(generateCanaryHar().har)), 'open.har').expect(201)).body;
    const job = t.app.get(EvidenceRetentionJob);

    t.clock.set(new Date(closedAt.getTime() + 30 * DAY - 60_000));
    await job.handle({ tenantId: tenant.id });
    expect(existsSync(old.file)).toBe(true);
    expect((await t.http.get(`/api/v1/incidents/${old.id}/attachments`).set('Authorization', admin).expect(200)).body.items).toHaveLength(1);

    t.clock.set(new Date(closedAt.getTime() + 30 * DAY + 60_000));
    await job.handle({ tenantId: tenant.id });
    expect(existsSync(old.file)).toBe(false);
    expect((await t.http.get(`/api/v1/incidents/${old.id}/attachments`).set('Authorization', admin).expect(200)).body.items).toEqual([]);
    await getBytes(t, admin, old.attachment.downloadUrl).expect(404);
    const events = (await t.http.get(`/api/v1/incidents/${old.id}/events`).set('Authorization', admin).expect(200)).body.items.filter(
      (e: any) => e.action === 'evidence.deleted',
    );
    expect(events).toEqual([
      expect.objectContaining({
        subjectId: old.attachment.id,
        actor: { kind: 'system', id: 'evidence-retention', label: 'Evidence retention' },
        details: expect.objectContaining({ reason: 'retention', retentionDays: 30, incidentClosedAt: closedAt.toISOString() }),
      }),
    ]);

    // at-least-once delivery: running again changes nothing
    await job.handle({ tenantId: tenant.id });
    const again = (await t.http.get(`/api/v1/incidents/${old.id}/events`).set('Authorization', admin).expect(200)).body.items.filter(
      (e: any) => e.action === 'evidence.deleted',
    );
    expect(again).toHaveLength(1);
    // an incident that is still open keeps its evidence, however old
    t.clock.set(new Date(closedAt.getTime() + 400 * DAY));
    await job.handle({ tenantId: tenant.id });
    expect((await t.http.get(`/api/v1/incidents/${openId}/attachments`).set('Authorization', admin).expect(200)).body.items.map((i: any) => i.id)).toEqual([
      open.id,
    ]);
  });

  it('the scheduled run sweeps every tenant, each in its own tenant context', async () => {
    t.clock.set('2027-06-01T10:00:00Z');
    const a = await createTenant(t.app);
    const b = await createTenant(t.app);
    const adminA = `Bearer ${await tokenFor(t.app, a.id)}`;
    const adminB = `Bearer ${await tokenFor(t.app, b.id)}`;
    const fromA = await closedIncidentWithEvidence(adminA);
    const fromB = await closedIncidentWithEvidence(adminB);
    t.clock.advance(31 * DAY);
    await t.app.get(EvidenceRetentionJob).handle({ tenantId: null });
    expect(existsSync(fromA.file)).toBe(false);
    expect(existsSync(fromB.file)).toBe(false);
    const rows = await ownerQuery(`select tenant_id, deletion_reason from attachments where id = any($1::uuid[])`, [
      [fromA.attachment.id, fromB.attachment.id],
    ]);
    expect(rows.map((r) => r.deletion_reason)).toEqual(['retention', 'retention']);
    const audit = await ownerQuery(`select tenant_id, subject_id from governance_events where action = 'evidence.deleted' and subject_id = any($1::text[])`, [
      [fromA.attachment.id, fromB.attachment.id],
    ]);
    expect(new Set(audit.map((r) => `${r.tenant_id}:${r.subject_id}`))).toEqual(new Set([`${a.id}:${fromA.attachment.id}`, `${b.id}:${fromB.attachment.id}`]));
  });
});
