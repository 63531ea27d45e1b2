import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { WorkloadQueues } from '../apps/portal-api/src/queue/workload-queues';
import { WORKLOADS } from '../apps/portal-api/src/queue/workloads';
import { evidenceTmpDir, ownerQuery, uploadEvidence } from './evidence-helpers';
import {
  exitOf,
  freePort,
  harOfSize,
  killAppConnections,
  killHard,
  mountTmpfs,
  objectFiles,
  ownerClient,
  partFiles,
  spawnPortal,
  startRedis,
  unmount,
  until,
} from './support/faults';
import { createIdp } from './sso/flows';
import { TestSamlIdp } from './sso/saml-idp';
import { relayAll } from './support/queues';
import { createTenant, createTestApp, TestApp, tokenFor, validIntake } from './support/test-app';

const injected: string[] = [];

/** Per incident of a tenant: its governance row and outbox deliveries (read as the owner). */
async function declarationRecords(tenantId: string) {
  return ownerQuery<{ id: string; gov: number; outbox: number; counts: number }>(
    `select i.id,
       (select count(*)::int from governance_events g where g.incident_id = i.id and g.action = 'incident.declared') as gov,
       (select count(*)::int from outbox o where o.tenant_id = i.tenant_id and o.payload->>'incidentId' = i.id::text) as outbox,
       (select count(*)::int from impacted_user_counts c where c.incident_id = i.id) as counts
     from incidents i where i.tenant_id = $1`,
    [tenantId],
  );
}

async function pendingOutbox(tenantId: string): Promise<number> {
  return (await ownerQuery<{ n: number }>(`select count(*)::int as n from outbox where tenant_id = $1 and relayed_at is null`, [tenantId]))[0].n;
}

function tally(statuses: (number | string)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of statuses) out[String(s)] = (out[String(s)] ?? 0) + 1;
  return out;
}

describe('faults', () => {
  afterAll(() => {
    process.stdout.write(`faults: ${injected.length} injected (${injected.join(', ')})\n`);
  });

  it('database connections killed mid-traffic: no partial write, killed requests fail cleanly, the pool recovers', async () => {
    const t = await createTestApp();
    const owner = await ownerClient();
    try {
      const tenant = await createTenant(t.app);
      const auth = `Bearer ${await tokenFor(t.app, tenant.id)}`;
      const N = 40;
      let settled = 0;
      const requests = Array.from({ length: N }, () =>
        t.http
          .post('/api/v1/incidents')
          .set('Authorization', auth)
          .send(validIntake())
          .then(
            (r) => ((settled += 1), { status: r.status, id: r.status === 201 ? (r.body.id as string) : null, body: r.body as Record<string, unknown> }),
            (e: Error) => ((settled += 1), { status: `network:${e.message}`, id: null, body: {} }),
          ),
      );
      // Kill the app role's backends whenever one of them is busy, a few rounds, while declarations are in flight.
      let terminated = 0;
      for (let round = 0; round < 4 && settled < N; round++) {
        await until(
          'an app connection busy in a transaction',
          async () =>
            settled >= N ||
            (
              await owner.query(
                `select count(*)::int as n from pg_stat_activity where usename = 'portal_app' and datname = current_database()
                   and state in ('active', 'idle in transaction') and pid <> pg_backend_pid()`,
              )
            ).rows[0].n > 0,
          10_000,
          1,
        );
        terminated += await killAppConnections(owner);
      }
      const results = await Promise.all(requests);
      injected.push('db connections killed');
      const statuses = tally(results.map((r) => r.status));
      process.stdout.write(`faults: db kill: ${terminated} backends terminated; statuses ${JSON.stringify(statuses)}\n`);
      expect(terminated).toBeGreaterThan(0);
      // Every request is answered: 201, or 503 "retry" with Retry-After (no 500, no hang, no dropped socket, no stack).
      for (const r of results) {
        expect([201, 503]).toContain(r.status);
        if (r.status !== 201) {
          expect(r.body).toMatchObject({ error: 'unavailable', message: expect.stringContaining('nothing was saved') });
          expect(JSON.stringify(r.body)).not.toMatch(/terminat|at \w+ \(|postgres/i);
        }
      }
      // No partial write: each incident has its governance row, impacted count and outbox delivery; each 201 has its incident.
      const records = await declarationRecords(tenant.id);
      const ok = results.filter((r) => r.status === 201).map((r) => r.id!);
      expect(records.filter((r) => r.gov !== 1 || r.outbox < 1 || r.counts !== 1)).toEqual([]);
      expect(records.map((r) => r.id).sort()).toEqual(expect.arrayContaining(ok.sort()));
      // A failed declaration left nothing behind (rolled back with its connection).
      expect(records.length).toBe(ok.length);
      // The pool recovers: what comes next succeeds.
      for (let i = 0; i < 5; i++) await t.http.post('/api/v1/incidents').set('Authorization', auth).send(validIntake()).expect(201);
      await t.http.get('/health/ready').expect(200);
    } finally {
      await owner.end();
      await t.close();
    }
  });

  it('Redis stopped while incidents are declared and evidence uploaded: the outbox holds, readiness says so, everything relays after', async () => {
    const port = await freePort();
    let redis: ChildProcess = await startRedis(port);
    const dir = evidenceTmpDir();
    const t: TestApp = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, EVIDENCE_DIR: dir } });
    try {
      const tenant = await createTenant(t.app);
      const auth = `Bearer ${await tokenFor(t.app, tenant.id)}`;
      const declare = async () => (await t.http.post('/api/v1/incidents').set('Authorization', auth).send(validIntake()).expect(201)).body.id as string;
      const before = await declare();
      await uploadEvidence(t, auth, before, 'har', harOfSize(4096), 'before.har').expect(201);
      await t.http.get('/health/ready').expect(200);
      // A SAML provider (metadata given inline): its sign-in needs Redis for the flow in progress.
      const samlIdp = await TestSamlIdp.start();
      const provider = await createIdp(t.app, await tokenFor(t.app, tenant.id), {
        kind: 'saml',
        displayName: 'Acme ADFS',
        roleMapping: { claim: 'groups', rules: [], defaultRole: 'customer_viewer' },
        saml: { metadataXml: samlIdp.metadataXml() },
      });
      await samlIdp.stop();
      const ssoStart = `/sso/saml/${tenant.slug}/${provider.id as string}/start`;
      expect((await t.http.get(ssoStart).expect(303)).headers.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sso/);

      await killHard(redis);
      injected.push('redis stopped');
      const during: string[] = [];
      for (let i = 0; i < 3; i++) during.push(await declare());
      for (const id of during) await uploadEvidence(t, auth, id, 'har', harOfSize(4096), 'during.har').expect(201);
      // SSO says it is unavailable (the error page's `unavailable`), rather than blaming the provider's answer.
      const ssoDown = await t.http.get(ssoStart).expect(303);
      expect(ssoDown.headers.location).toMatch(new RegExp(`^/sign-in/error\\?code=unavailable&cid=[^&]+&tenant=${tenant.slug}$`));
      expect((await t.http.get('/sso/errors/unavailable').expect(200)).body.title).toBe('Sign-in is temporarily unavailable');
      // Readiness must answer (its own checks time out after 1 s): give it 5 s, then record what happened.
      const ready = await t.http
        .get('/health/ready')
        .timeout(5000)
        .then(
          (r) => ({ status: r.status as number | string, checks: r.body.checks as unknown }),
          (e: Error) => ({ status: `no answer: ${e.message}`, checks: null }),
        );
      process.stdout.write(`faults: redis down: /health/ready ${JSON.stringify(ready)}\n`);
      // The outbox holds what could not be relayed.
      const held = await pendingOutbox(tenant.id);
      process.stdout.write(`faults: redis down: ${held} outbox rows held for the tenant\n`);
      expect(held).toBeGreaterThanOrEqual(during.length);
      const records = await declarationRecords(tenant.id);
      expect(records.filter((r) => r.gov !== 1 || r.outbox < 1)).toEqual([]);

      redis = await startRedis(port);
      await until('the app to reach Redis again', async () => (await t.http.get('/health/ready')).status === 200, 20_000, 100);
      expect((await t.http.get(ssoStart).expect(303)).headers.location).not.toMatch(/code=unavailable/);
      await relayAll(t);
      expect(await pendingOutbox(tenant.id)).toBe(0);
      const queues = t.app.get(WorkloadQueues);
      const jobs = (
        await Promise.all(WORKLOADS.map((w) => queues.get(w).getJobs(['delayed', 'waiting', 'active', 'completed', 'failed', 'prioritized'])))
      ).flat();
      const relayedFor = new Set(jobs.filter((j) => j.data?.tenantId === tenant.id).map((j) => (j.data?.incidentId ?? j.data?.payload?.incidentId) as string));
      for (const id of during) expect(relayedFor).toContain(id);
      // Checked last, so the outbox and relay assertions above still run when readiness hangs.
      expect(ready).toEqual({ status: 503, checks: { database: 'up', redis: 'down' } });
    } finally {
      // BullMQ's close waits for Redis: bring it back first if an assertion failed while it was down.
      if (redis.exitCode !== null || redis.signalCode !== null) redis = await startRedis(port);
      await t.close();
      await killHard(redis);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shutdown while Redis has been down for a while: the process closes at once instead of waiting for Redis', async () => {
    const port = await freePort();
    const redis = await startRedis(port);
    const t = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    const tenant = await createTenant(t.app);
    await t.http
      .post('/api/v1/incidents')
      .set('Authorization', `Bearer ${await tokenFor(t.app, tenant.id)}`)
      .send(validIntake())
      .expect(201);
    await relayAll(t);
    await killHard(redis);
    injected.push('shutdown with redis down');
    // Long enough for every connection to be between reconnection attempts (where a plain close waits forever).
    const queues = t.app.get(WorkloadQueues);
    await until('the queues to notice Redis is gone', async () => (await queues.get('clocks').client).status === 'reconnecting', 10_000, 100);
    await new Promise((r) => setTimeout(r, 3000));
    const started = Date.now();
    const closed = await Promise.race([
      t.close().then(() => Date.now() - started),
      new Promise<string>((r) => setTimeout(() => r('still closing after 15 s'), 15_000)),
    ]);
    process.stdout.write(`faults: shutdown with redis down took ${String(closed)} ms\n`);
    expect(typeof closed).toBe('number');
    expect(closed).toBeLessThan(5000);
  });

  it('disk full on the evidence volume: a clear 507/503, no attachment row, no leftover file', async () => {
    const dir = mountTmpfs('256k');
    const t = await createTestApp({ env: { EVIDENCE_DIR: dir } });
    try {
      const tenant = await createTenant(t.app);
      const auth = `Bearer ${await tokenFor(t.app, tenant.id)}`;
      const incident = (await t.http.post('/api/v1/incidents').set('Authorization', auth).send(validIntake()).expect(201)).body.id as string;
      const res = await uploadEvidence(t, auth, incident, 'har', harOfSize(1024 * 1024), 'big.har');
      injected.push('disk full');
      process.stdout.write(`faults: disk full: upload answered ${res.status} ${JSON.stringify(res.body)}\n`);
      // Nothing half-stored: no row, no object, no .part.
      const rows = await ownerQuery(`select id from attachments where incident_id = $1`, [incident]);
      expect(rows).toEqual([]);
      expect(partFiles(dir)).toEqual([]);
      expect(objectFiles(dir)).toEqual([]);
      // The space was given back: a small file still fits.
      await uploadEvidence(t, auth, incident, 'har', harOfSize(4096), 'small.har').expect(201);
      // The answer names the cause (storage full), not a bare internal error.
      expect([507, 503]).toContain(res.status);
    } finally {
      await t.close();
      try {
        unmount(dir);
        rmSync(dir, { recursive: true, force: true });
      } catch (err) {
        process.stderr.write(`faults: could not unmount ${dir}: ${(err as Error).message}\n`);
      }
    }
  });

  describe('SIGTERM on the built portal', () => {
    const secretKey = randomBytes(32).toString('base64');
    let seed: TestApp;
    beforeAll(async () => {
      seed = await createTestApp({ env: { SECRET_KEY: secretKey } });
    });
    afterAll(() => seed.close());

    async function portal(evidenceDir: string) {
      return spawnPortal({ SECRET_KEY: secretKey, EVIDENCE_DIR: evidenceDir, QUEUE_PREFIX: `fault-${randomBytes(4).toString('hex')}` });
    }

    it('during an upload: the process drains and exits, no orphan .part, a row only for an upload answered 201', async () => {
      const dir = evidenceTmpDir();
      const tenant = await createTenant(seed.app);
      const auth = `Bearer ${await tokenFor(seed.app, tenant.id)}`;
      const incident = (await seed.http.post('/api/v1/incidents').set('Authorization', auth).send(validIntake()).expect(201)).body.id as string;
      const p = await portal(dir);
      try {
        const boundary = `----fault${randomBytes(8).toString('hex')}`;
        const head = Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nhar\r\n--${boundary}\r\n` +
            `Content-Disposition: form-data; name="file"; filename="slow.har"\r\nContent-Type: application/json\r\n\r\n`,
        );
        const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
        const har = harOfSize(2 * 1024 * 1024);
        const req = httpRequest(`${p.base}/api/v1/incidents/${incident}/attachments`, {
          method: 'POST',
          headers: {
            authorization: auth,
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': String(head.length + har.length + tail.length),
          },
        });
        const answered = new Promise<{ status: number | string; body: string }>((resolve) => {
          req.on('response', (res) => {
            let body = '';
            res.on('data', (d) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
            res.on('error', (e) => resolve({ status: `network:${e.message}`, body }));
          });
          req.on('error', (e) => resolve({ status: `network:${e.message}`, body: '' }));
        });
        req.write(head);
        req.write(har.subarray(0, 256 * 1024));
        await until('the upload to reach the evidence volume (.part)', () => partFiles(dir).length > 0, 10_000, 10);
        const exited = exitOf(p.child, 30_000);
        p.child.kill('SIGTERM');
        injected.push('SIGTERM during upload');
        // The client keeps sending the rest, in chunks.
        for (let off = 256 * 1024; off < har.length && !req.destroyed; off += 128 * 1024) {
          const ok = req.write(har.subarray(off, Math.min(har.length, off + 128 * 1024)));
          if (!ok && !req.destroyed) await new Promise((r) => req.once('drain', r).once('close', r));
        }
        if (!req.destroyed) req.end(tail);
        const res = await answered;
        const exit = await exited;
        process.stdout.write(`faults: SIGTERM during upload: answered ${res.status} ${res.body.slice(0, 200)}; exit ${JSON.stringify(exit)}\n`);
        expect(exit).toEqual({ code: 0, signal: null });
        expect(partFiles(dir)).toEqual([]);
        const rows = await ownerQuery<{ storage_key: string }>(`select storage_key from attachments where incident_id = $1`, [incident]);
        if (res.status === 201) {
          expect(rows).toHaveLength(1);
          expect(objectFiles(dir)).toEqual([rows[0].storage_key]);
        } else {
          expect(rows).toEqual([]);
          expect(objectFiles(dir)).toEqual([]);
        }
      } finally {
        await killHard(p.child);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('during declarations: the process drains and exits, each 201 is a whole incident, no half row', async () => {
      const dir = evidenceTmpDir();
      const tenant = await createTenant(seed.app);
      const auth = `Bearer ${await tokenFor(seed.app, tenant.id)}`;
      const p = await portal(dir);
      try {
        const N = 20;
        let first!: () => void;
        const firstAnswer = new Promise<void>((r) => (first = r));
        const requests = Array.from({ length: N }, () =>
          fetch(`${p.base}/api/v1/incidents`, {
            method: 'POST',
            headers: { authorization: auth, 'content-type': 'application/json' },
            body: JSON.stringify(validIntake()),
          }).then(
            async (r) => {
              first();
              const body = (await r.json().catch(() => ({}))) as { id?: string };
              return { status: r.status as number | string, id: r.status === 201 ? body.id! : null };
            },
            (e: Error) => (first(), { status: `network:${(e.cause as Error | undefined)?.message ?? e.message}`, id: null }),
          ),
        );
        await firstAnswer;
        const exited = exitOf(p.child, 30_000);
        p.child.kill('SIGTERM');
        injected.push('SIGTERM during declaration');
        const results = await Promise.all(requests);
        const exit = await exited;
        process.stdout.write(`faults: SIGTERM during declarations: ${JSON.stringify(tally(results.map((r) => r.status)))}; exit ${JSON.stringify(exit)}\n`);
        expect(exit).toEqual({ code: 0, signal: null });
        for (const r of results) expect(r.status === 201 || r.status === 503 || String(r.status).startsWith('network:')).toBe(true);
        const records = await declarationRecords(tenant.id);
        const ok = results.filter((r) => r.status === 201).map((r) => r.id!);
        expect(records.filter((r) => r.gov !== 1 || r.outbox < 1 || r.counts !== 1)).toEqual([]);
        expect(records.map((r) => r.id).sort()).toEqual(ok.sort());
      } finally {
        await killHard(p.child);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
