import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { NotificationsProcessor } from '../apps/portal-api/src/queue/workload.processors';
import { freePort, killHard, spawnPortal, SpawnedPortal, startRedis, until } from './support/faults';
import { drainNotifications, startHttpReceiver } from './support/notification-receivers';
import { relayAll } from './support/queues';
import { createTenant, createTestApp, TestApp, tokenFor, validIntake } from './support/test-app';

jest.setTimeout(300_000);

/** Real faults for the delivery pipeline: Redis killed while incidents are declared, a worker killed mid-delivery. */
describe('notifications: faults', () => {
  it('Redis stopped while three incidents are declared: every webhook is delivered, once, after it returns', async () => {
    const port = await freePort();
    let redis: ChildProcess = await startRedis(port);
    const receiver = await startHttpReceiver(() => ({ status: 200 }));
    const t: TestApp = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    try {
      const tenant = await createTenant(t.app, { mode: 'A' });
      const admin = { Authorization: `Bearer ${await tokenFor(t.app, tenant.id)}` };
      const endpoint = (
        await t.http
          .post('/api/v1/webhook-endpoints')
          .set(admin)
          .send({ url: receiver.url, events: ['incident.declared'] })
          .expect(201)
      ).body;

      await killHard(redis);
      const declared: string[] = [];
      for (let i = 0; i < 3; i++)
        declared.push(
          (
            await t.http
              .post('/api/v1/incidents')
              .set(admin)
              .send(validIntake({ severity: 'sev2' }))
              .expect(201)
          ).body.id,
        );
      expect(receiver.requests).toHaveLength(0);

      redis = await startRedis(port);
      await until('the app to reach Redis again', async () => (await t.http.get('/health/ready')).status === 200, 20_000, 100);
      await drainNotifications(t);

      const wh = new Webhook(endpoint.secret);
      const got = receiver.requests.map(
        (r) =>
          wh.verify(r.body, {
            'webhook-id': String(r.headers['webhook-id']),
            'webhook-timestamp': String(r.headers['webhook-timestamp']),
            'webhook-signature': String(r.headers['webhook-signature']),
          }) as { type: string; data: { incident: { id: string } } },
      );
      expect(got.map((g) => g.data.incident.id).sort()).toEqual([...declared].sort());
      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(3);
      process.stdout.write(`faults: redis stopped during 3 declarations; ${got.length} webhooks delivered after it returned\n`);
    } finally {
      if (redis.exitCode !== null || redis.signalCode !== null) redis = await startRedis(port);
      await t.close();
      await killHard(redis);
      await receiver.close();
    }
  });
  it('a worker killed mid-delivery: the next worker delivers it, and the receiver sees it once after dedup by webhook-id', async () => {
    // The first POST is never answered: the spawned worker is killed (SIGKILL) while it waits for it.
    const receiver = await startHttpReceiver((_r, n) => (n === 1 ? null : { status: 200 }));
    const secretKey = randomBytes(32).toString('base64');
    const queuePrefix = `fault-${randomBytes(4).toString('hex')}`;
    const t: TestApp = await createTestApp({ env: { SECRET_KEY: secretKey, QUEUE_PREFIX: queuePrefix } });
    // The test app's own notifications worker waits, so the job goes to the spawned one.
    const nextWorker = t.app.get(NotificationsProcessor).worker;
    await nextWorker.pause(true);
    let spawned: SpawnedPortal | null = null;
    try {
      // A cold start of the built app on a loaded 2-core machine can take longer than the usual 30 s.
      spawned = await spawnPortal(
        { SECRET_KEY: secretKey, QUEUE_PREFIX: queuePrefix, REDIS_URL: t.config.redisUrl, NOTIFY_TIMEOUT_MS: '60000' },
        { readyTimeoutMs: 90_000 },
      );
      const tenant = await createTenant(t.app, { mode: 'A' });
      const admin = { Authorization: `Bearer ${await tokenFor(t.app, tenant.id)}` };
      const endpoint = (
        await t.http
          .post('/api/v1/webhook-endpoints')
          .set(admin)
          .send({ url: receiver.url, events: ['incident.declared'] })
          .expect(201)
      ).body;
      const inc = (
        await t.http
          .post('/api/v1/incidents')
          .set(admin)
          .send(validIntake({ severity: 'sev3' }))
          .expect(201)
      ).body;
      // The test relays (a test-mode relay does not run on its own); the spawned worker plans, then posts.
      await until(
        'the spawned worker to post the webhook',
        async () => {
          await relayAll(t);
          return receiver.requests.length >= 1;
        },
        30_000,
        100,
      );
      await killHard(spawned.child);
      expect(receiver.requests).toHaveLength(1);

      // BullMQ finds the dead worker's job stalled once its lock expires and hands it to the next worker.
      nextWorker.resume();
      const webhook = async () =>
        (
          (await t.http.get(`/api/v1/incidents/${inc.id}/notifications`).set(admin).expect(200)).body.deliveries as {
            channel: string;
            status: string;
            attempts: number;
          }[]
        ).filter((d) => d.channel === 'webhook');
      await until('the next worker to deliver', async () => (await webhook())[0]?.status === 'delivered', 100_000, 250);

      expect(await webhook()).toEqual([expect.objectContaining({ status: 'delivered', attempts: 1 })]);
      // Two POSTs reached the receiver, the same message twice: one event after dedup by webhook-id.
      expect(receiver.requests).toHaveLength(2);
      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
      expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
      const wh = new Webhook(endpoint.secret);
      const got = wh.verify(receiver.requests[1].body, {
        'webhook-id': String(receiver.requests[1].headers['webhook-id']),
        'webhook-timestamp': String(receiver.requests[1].headers['webhook-timestamp']),
        'webhook-signature': String(receiver.requests[1].headers['webhook-signature']),
      }) as { data: { incident: { id: string } } };
      expect(got.data.incident.id).toBe(inc.id);
    } finally {
      if (spawned) await killHard(spawned.child);
      nextWorker.resume();
      await t.close();
      await receiver.close();
    }
  });
});
