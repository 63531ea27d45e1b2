/**
 * Delivery benchmark (issue 14): signed webhook deliveries through the portal's real pipeline against a bare BullMQ
 * producer/consumer doing the same signed POSTs, in the same run, to the same loopback receiver.
 *
 *   npm run bench            (or: npm run build:api && node dist/bench/delivery.bench.js)
 *
 * Env: DELIVERY_BENCH_EVENTS (domain events, default 1000), DELIVERY_BENCH_TENANTS (default 10),
 * DELIVERY_BENCH_ENDPOINTS (per tenant, default 10), TEST_DATABASE_URL (PostgreSQL server, a fresh database is
 * created and dropped), REDIS_URL. Defaults: 1,000 events × 10 endpoints each = 10,000 signed POSTs to 100 endpoints
 * (about 20 s through the portal plus 5 s bare on a quiet 2-vCPU machine; DELIVERY_BENCH_EVENTS=500 halves it).
 * Every event is committed at once (a burst), so the burst's latency figures include the time waiting behind the
 * backlog; the steady phase (DELIVERY_BENCH_PACED_EVENTS at DELIVERY_BENCH_PACED_RATE events/s) gives the latency
 * at a load both pipelines keep up with. DELIVERY_BENCH_CONCURRENCY (default 32, the portal's default) sets both sides.
 *
 * - portal: the whole app in this process (PORTAL_ROLE=all: API, outbox relay every OUTBOX_POLL_MS=50 ms, the
 *   notifications queue's 32 workers). Each event is committed as a domain event (`incident.status_updated`, emitted
 *   in its own transaction as the incidents module does); the notifications subscriber plans one delivery per
 *   subscribed endpoint, enqueued through the outbox; the delivery job signs (Standard Webhooks) and POSTs through
 *   GuardedHttp. Latency: from the event's commit to the receiver's receipt of each delivery.
 * - bare: one BullMQ queue and a worker with the same concurrency (32); the producer adds one job per (event,
 *   endpoint); the worker signs with standardwebhooks and POSTs with node's http. Latency: from `add` to receipt.
 * Results go to bench/results/delivery.json as `figures`, each with its baseline.
 */
import { randomBytes, randomUUID } from 'crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { createServer, request, Agent, type IncomingMessage, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { dirname, join, resolve } from 'path';
import { NestFactory } from '@nestjs/core';
import { Queue, Worker } from 'bullmq';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { DEFAULT_CALENDAR } from '@portal/sla';
import { PortalAppModule } from '../apps/portal-api/src/app.module';
import { configureApp } from '../apps/portal-api/src/app.setup';
import { ApiTokensService } from '../apps/portal-api/src/auth/api-tokens.service';
import { loadConfig } from '../apps/portal-api/src/config/portal-config';
import { appRoleUrl } from '../apps/portal-api/src/database/app-role';
import { runMigrations } from '../apps/portal-api/src/database/database';
import { Db } from '../apps/portal-api/src/database/db.service';
import { sql } from '../apps/portal-api/src/database/sql';
import { DomainEvents } from '../apps/portal-api/src/events/domain-events.service';
import { redisOptions } from '../apps/portal-api/src/queue/redis-connections';
import { TenantOnboardingService } from '../apps/portal-api/src/tenants/tenant-onboarding.service';
import { DEFAULT_REGIONS } from '../apps/portal-api/src/tenants/tenant.types';

const EVENTS = Number(process.env.DELIVERY_BENCH_EVENTS ?? 1000);
const TENANTS = Number(process.env.DELIVERY_BENCH_TENANTS ?? 10);
const PER_TENANT = Number(process.env.DELIVERY_BENCH_ENDPOINTS ?? 10);
/** The notifications queue's worker concurrency in the portal (QUEUE_CONCURRENCY) and the bare worker's: the same. */
const CONCURRENCY = Number(process.env.DELIVERY_BENCH_CONCURRENCY ?? 32);
const EMITTERS = 8; // transactions committing events at once
/** The steady phase: DELIVERY_BENCH_PACED_EVENTS (default 300) at DELIVERY_BENCH_PACED_RATE events per second (default 20). */
const PACED_EVENTS = Number(process.env.DELIVERY_BENCH_PACED_EVENTS ?? 300);
const PACED_RATE = Number(process.env.DELIVERY_BENCH_PACED_RATE ?? 20);
const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** DELIVERY_BENCH_DEADLINE_S: how long each pipeline may take before the bench gives up (default 180 s). */
const DEADLINE_MS = Number(process.env.DELIVERY_BENCH_DEADLINE_S ?? 180) * 1000;

const r1 = (n: number) => Math.round(n * 10) / 10;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function repoRoot(): string {
  let d = __dirname;
  for (let i = 0; i < 6; i++) {
    const p = join(d, 'package.json');
    if (existsSync(p) && /"name":\s*"incident-portal"/.test(readFileSync(p, 'utf8'))) return d;
    d = dirname(d);
  }
  return process.cwd();
}

/** The loopback receiver: 100 endpoint paths on one server; verifies each signature; records receipt times by key. */
async function startReceiver(secrets: Map<string, string>) {
  const receipts = new Map<string, number>();
  let badSignatures = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const body = Buffer.concat(chunks).toString('utf8');
      const secret = secrets.get(req.url ?? '');
      try {
        if (!secret) throw new Error('unknown endpoint');
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
        const parsed = JSON.parse(body) as { data?: { details?: { bench?: string } }; bench?: string };
        const key = parsed.bench ?? parsed.data?.details?.bench;
        if (key) receipts.set(`${key}@${req.url}`, at);
      } catch {
        badSignatures++;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    receipts,
    bad: () => badSignatures,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

async function waitFor(what: string, done: () => boolean | Promise<boolean>, progress?: () => string, deadline = DEADLINE_MS): Promise<void> {
  const until = Date.now() + deadline;
  while (!(await done())) {
    if (Date.now() > until) throw new Error(`${what} did not finish within ${deadline / 1000} s${progress ? ` (${progress()})` : ''}`);
    await sleep(20);
  }
}

async function main(): Promise<void> {
  const dbName = `portal_bench_${Date.now().toString(36)}_${process.pid}`;
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const u = new URL(SERVER_URL);
  u.pathname = `/${dbName}`;
  const ownerUrl = u.toString();
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const secrets = new Map<string, string>();
  const receiver = await startReceiver(secrets);
  let app: Awaited<ReturnType<typeof NestFactory.create>> | null = null;
  try {
    await runMigrations(ownerUrl, 'portal_app', 'portal_app_bench_pw');
    const config = loadConfig({
      NODE_ENV: 'development',
      DATABASE_URL: ownerUrl,
      APP_DATABASE_PASSWORD: 'portal_app_bench_pw',
      LOG_LEVEL: 'silent',
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SECRET_KEY: randomBytes(32).toString('base64'),
      WEB_DIST_DIR: '/nonexistent',
      RATE_LIMITS_ENABLED: 'false',
      OUTBOX_POLL_MS: '1000',
      QUEUE_CONCURRENCY: `notifications=${CONCURRENCY}`,
      PUBLIC_URL: 'https://portal.bench',
    });
    app = await NestFactory.create(
      PortalAppModule.forRoot({ config, appDatabaseUrl: appRoleUrl(config.database.url!, config.database.appRole, config.database.appPassword) }),
      {
        logger: false,
      },
    );
    configureApp(app, config);
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${((app.getHttpServer() as import('http').Server).address() as AddressInfo).port}`;
    const db = app.get(Db);
    const pendingOutbox = async () =>
      Number((await db.scoped('system', (em) => sql<{ n: string }>(em, `select count(*) as n from outbox where relayed_at is null`)))[0].n);

    // Tenants, one incident each (its own notifications settle first), then the endpoints.
    const tenants: { id: string; incidentId: string; reference: string; endpoints: string[] }[] = [];
    for (let t = 0; t < TENANTS; t++) {
      const slug = `bench-${t}-${randomBytes(3).toString('hex')}`;
      const tenant = await app.get(TenantOnboardingService).provision({
        slug,
        displayName: `Bench ${t}`,
        serviceMode: 'B',
        timezone: 'Europe/Rome',
        calendar: DEFAULT_CALENDAR('Europe/Rome'),
        regions: DEFAULT_REGIONS,
        contacts: [],
        country: null,
      });
      const { token } = await app.get(ApiTokensService).create(tenant.id, { name: 'bench', role: 'customer_admin' }, 'bench');
      const api = async (path: string, body: object) => {
        const res = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
        return (await res.json()) as Record<string, unknown>;
      };
      const inc = await api('/api/v1/incidents', {
        title: `Bench incident ${t}`,
        severity: 'sev2',
        services: ['Identity'],
        regions: ['eu-south-1'],
        impactedUsers: 10,
        firstNoticedAt: new Date(Date.now() - 60_000).toISOString(),
        firstNoticedTimezone: 'Europe/Rome',
        symptoms: 'Benchmark.',
        recentChanges: { kinds: [] },
        errorCodes: [],
        reproductionConfirmed: true,
        impactedUserExamples: [],
      });
      tenants.push({ id: tenant.id, incidentId: String(inc.id), reference: String(inc.reference), endpoints: [] });
    }
    await waitFor('the declarations', async () => (await pendingOutbox()) === 0);
    await sleep(1000);
    for (const [t, tenant] of tenants.entries()) {
      const { token } = await app.get(ApiTokensService).create(tenant.id, { name: 'bench endpoints', role: 'customer_admin' }, 'bench');
      for (let e = 0; e < PER_TENANT; e++) {
        const path = `/ep/${t}/${e}`;
        const res = await fetch(`${base}/api/v1/webhook-endpoints`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ url: `${receiver.url}${path}`, events: ['incident.updated'] }),
        });
        if (res.status !== 201) throw new Error(`endpoint: ${res.status} ${await res.text()}`);
        secrets.set(path, ((await res.json()) as { secret: string }).secret);
        tenant.endpoints.push(path);
      }
    }
    const deliveries = EVENTS * PER_TENANT;
    /**
     * The latency at a steady offered load rather than in a burst (a burst's p99 is the time to drain it, for either
     * pipeline): PACED_EVENTS events at PACED_RATE per second, each fanned out to its tenant's endpoints; p50/p99
     * from the commit (or `add`) to each receipt.
     */
    const paced = async (name: string, offer: (i: number, key: string) => Promise<void>, at: Map<string, number>) => {
      const keys: string[] = [];
      const start = performance.now();
      const pending: Promise<void>[] = [];
      for (let i = 0; i < PACED_EVENTS; i++) {
        const due = start + (i * 1000) / PACED_RATE;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const key = `${name}-paced-${i}`;
        keys.push(key);
        pending.push(offer(i, key));
      }
      await Promise.all(pending);
      const all = keys.flatMap((k) => tenants[Number(k.split('-').pop()) % TENANTS].endpoints.map((p) => `${k}@${p}`));
      await waitFor(`the ${name} pipeline at ${PACED_RATE} events/s`, () => all.every((k) => receiver.receipts.has(k)));
      const latency = all.map((k) => receiver.receipts.get(k)! - at.get(k.split('@')[0])!);
      const r = { eventsPerSec: PACED_RATE, deliveriesPerSec: PACED_RATE * PER_TENANT, p50Ms: r1(pct(latency, 50)), p99Ms: r1(pct(latency, 99)) };
      process.stdout.write(`[delivery] ${name} at ${PACED_RATE} events/s (${r.deliveriesPerSec} deliveries/s offered): p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms\n`);
      return r;
    };

    // ---- portal pipeline ----
    const events = app.get(DomainEvents);
    const committed = new Map<string, number>();
    const emitPortal = async (i: number, key: string) => {
      const tenant = tenants[i % TENANTS];
      await db.forTenants([tenant.id], (em) =>
        events.emit(em, {
          type: 'incident.status_updated',
          tenantId: tenant.id,
          incidentId: tenant.incidentId,
          subjectId: randomUUID(),
          // `bench` rides in the event's details to the webhook body: the receiver matches receipts to commits
          payload: { reference: tenant.reference, state: 'investigating', from: 'declared', statusUpdateId: randomUUID(), bench: key } as never,
          actor: { kind: 'system', id: 'bench', label: 'Delivery benchmark' },
        }),
      );
      committed.set(key, performance.now());
    };
    const p0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: EMITTERS }, async () => {
        for (let i = next++; i < EVENTS; i = next++) await emitPortal(i, `p${i}`);
      }),
    );
    const portalKeys = [...committed.keys()].flatMap((k) => tenants[Number(k.slice(1)) % TENANTS].endpoints.map((p) => `${k}@${p}`));
    await waitFor(
      'the portal pipeline',
      () => portalKeys.every((k) => receiver.receipts.has(k)),
      () => `${portalKeys.filter((k) => receiver.receipts.has(k)).length} of ${portalKeys.length} received`,
    );
    const portalSeconds = (performance.now() - p0) / 1000;
    const portalLatency = portalKeys.map((k) => receiver.receipts.get(k)! - committed.get(k.split('@')[0])!);
    process.stdout.write(
      `[delivery] portal: ${deliveries} deliveries in ${r1(portalSeconds)} s, p50 ${r1(pct(portalLatency, 50))} ms, p99 ${r1(pct(portalLatency, 99))} ms\n`,
    );
    // Where the time went: when the last event was committed, the last delivery planned, the last one delivered.
    const owner = new Client({ connectionString: ownerUrl });
    await owner.connect();
    const [stages] = (
      await owner.query<{ planned: number; delivered: number }>(
        `select extract(epoch from max(created_at)) * 1000 as planned, extract(epoch from max(delivered_at)) * 1000 as delivered
           from notification_deliveries where event_type = 'incident.status_updated'`,
      )
    ).rows;
    await owner.end();
    const startedAt = Date.now() - (performance.now() - p0);
    const stage = (epochMs: number) => r1((Number(epochMs) - startedAt) / 1000);
    process.stdout.write(
      `[delivery] portal stages (s after the first commit): last commit ${r1((Math.max(...committed.values()) - p0) / 1000)}, ` +
        `last delivery planned ${stage(stages.planned)}, last delivered ${stage(stages.delivered)}\n`,
    );
    const pacedPortal = await paced('portal', (i, key) => emitPortal(i, key), committed);
    await app.close();
    app = null;

    // ---- bare BullMQ baseline: the same signed POSTs ----
    const connection = redisOptions(REDIS_URL);
    const queue = new Queue('bench-bare', { connection, prefix });
    const agent = new Agent({ keepAlive: true, maxSockets: 50 });
    const worker = new Worker(
      'bench-bare',
      async (job) => {
        const { path, body, id } = job.data as { path: string; body: string; id: string };
        // One instant for the header and the signature: two reads of the clock across a second boundary sign a
        // timestamp the header does not carry, and the receiver refuses it (it made an earlier run wait forever).
        const at = new Date();
        const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'content-type': 'application/json' };
        const signature = new Webhook(secrets.get(path)!).sign(id, at, body);
        await new Promise<void>((ok, fail) => {
          const req = request(`${receiver.url}${path}`, { method: 'POST', agent, headers: { ...headers, 'webhook-signature': signature } }, (res) => {
            res.resume();
            res.on('end', () => (res.statusCode === 200 ? ok() : fail(new Error(`status ${res.statusCode}`))));
          });
          req.on('error', fail);
          req.end(body);
        });
      },
      { connection, prefix, concurrency: CONCURRENCY },
    );
    await worker.waitUntilReady();
    const added = new Map<string, number>();
    const addBare = async (i: number, key: string) => {
      const tenant = tenants[i % TENANTS];
      const jobs = tenant.endpoints.map((path) => ({
        name: 'deliver',
        data: {
          path,
          id: `msg_${randomUUID()}`,
          body: JSON.stringify({ type: 'incident.updated', timestamp: new Date().toISOString(), bench: key, data: {} }),
        },
        opts: { attempts: 12, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: 1000 },
      }));
      await queue.addBulk(jobs);
      added.set(key, performance.now());
    };
    const b0 = performance.now();
    for (let i = 0; i < EVENTS; i++) await addBare(i, `b${i}`);
    const bareKeys = [...added.keys()].flatMap((k) => tenants[Number(k.slice(1)) % TENANTS].endpoints.map((p) => `${k}@${p}`));
    await waitFor(
      'the bare pipeline',
      () => bareKeys.every((k) => receiver.receipts.has(k)),
      () => `${bareKeys.filter((k) => receiver.receipts.has(k)).length} of ${bareKeys.length} received, ${receiver.bad()} refused`,
    );
    const bareSeconds = (performance.now() - b0) / 1000;
    const bareLatency = bareKeys.map((k) => receiver.receipts.get(k)! - added.get(k.split('@')[0])!);
    const pacedBare = await paced('bare', (i, key) => addBare(i, key), added);
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    agent.destroy();

    const portalRate = deliveries / portalSeconds;
    const bareRate = deliveries / bareSeconds;
    const result = {
      date: new Date().toISOString(),
      node: process.versions.node,
      events: EVENTS,
      endpoints: TENANTS * PER_TENANT,
      deliveries,
      badSignatures: receiver.bad(),
      portal: {
        seconds: r1(portalSeconds),
        deliveriesPerSec: r1(portalRate),
        eventsPerSec: r1(EVENTS / portalSeconds),
        p50Ms: r1(pct(portalLatency, 50)),
        p99Ms: r1(pct(portalLatency, 99)),
      },
      bare: { seconds: r1(bareSeconds), deliveriesPerSec: r1(bareRate), p50Ms: r1(pct(bareLatency, 50)), p99Ms: r1(pct(bareLatency, 99)) },
      portalOverBare: Math.round((portalRate / bareRate) * 100) / 100,
      paced: { portal: pacedPortal, bare: pacedBare },
      figures: [
        {
          name: 'signed deliveries per second, end to end',
          unit: 'deliveries/s',
          value: r1(portalRate),
          baseline: r1(bareRate),
          baselineName: 'bare BullMQ producer/consumer',
          better: 'higher',
        },
        {
          name: 'p99 commit → receipt',
          unit: 'ms',
          value: r1(pct(portalLatency, 99)),
          baseline: r1(pct(bareLatency, 99)),
          baselineName: 'bare BullMQ (add → receipt)',
          better: 'lower',
        },
        {
          name: `p99 commit → receipt at a steady ${PACED_RATE} events/s (${PACED_RATE * PER_TENANT} deliveries/s)`,
          unit: 'ms',
          value: pacedPortal.p99Ms,
          baseline: pacedBare.p99Ms,
          baselineName: 'bare BullMQ (add → receipt), same offered load',
          better: 'lower',
        },
        {
          name: 'p50 commit → receipt',
          unit: 'ms',
          value: r1(pct(portalLatency, 50)),
          baseline: r1(pct(bareLatency, 50)),
          baselineName: 'bare BullMQ (add → receipt)',
          better: 'lower',
        },
      ],
    };
    const out = join(repoRoot(), 'bench', 'results', 'delivery.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n[delivery] results in ${resolve(out)}\n`);
  } finally {
    if (app) await app.close().catch(() => undefined);
    await receiver.close();
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[delivery] failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
