import type { ChildProcess } from 'node:child_process';
import { Webhook } from 'standardwebhooks';
import { freePort, killHard, startRedis, until } from './support/faults';
import { drainNotifications, startHttpReceiver } from './support/notification-receivers';
import { createTenant, createTestApp, TestApp, tokenFor, validIntake } from './support/test-app';

jest.setTimeout(120_000);

/** Real faults for the delivery pipeline: Redis killed while incidents are declared. */
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
});
