import { randomUUID } from 'node:crypto';
import type { DomainEventEnvelope } from '@portal/contracts';
import { SessionPurgeJob } from '../apps/portal-api/src/auth/session-purge.job';
import { Db } from '../apps/portal-api/src/database/db.service';
import { sql } from '../apps/portal-api/src/database/sql';
import { SlaCheckJob } from '../apps/portal-api/src/incidents/jobs/sla-check.job';
import { SlaClocksSubscriber } from '../apps/portal-api/src/incidents/subscribers/sla-clocks.subscriber';
import { OutboxPurgeJob } from '../apps/portal-api/src/outbox/outbox-purge.job';
import { OutboxRelayService } from '../apps/portal-api/src/outbox/outbox-relay.service';
import { relayAndRun } from './support/queues';
import { createTenant, createTestApp, signIn, TestApp, tokenFor, validIntake } from './support/test-app';

/** Typed domain events: one governance row and one outbox delivery per subscriber, in the change's transaction. */
describe('domain events and the outbox', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const system = <T>(text: string, params: unknown[] = []) => t.app.get(Db).scoped('system', (em) => sql<T & Record<string, unknown>>(em, text, params));

  async function declare(over: Record<string, unknown> = {}, mode: 'A' | 'B' | 'C' = 'B') {
    const tenant = await createTenant(t.app, { mode });
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const inc = (await t.http.post('/api/v1/incidents').set('Authorization', admin).send(validIntake(over)).expect(201)).body;
    return { tenant, admin, inc };
  }

  it('declaring writes the governance row and one delivery per subscriber, carrying the typed event', async () => {
    const { tenant, inc } = await declare();
    const [event] = await t.app
      .get(Db)
      .forTenants([tenant.id], (em) =>
        sql<{ id: string; action: string; details: Record<string, unknown> }>(
          em,
          `select id::text, action, details from governance_events where incident_id = $1`,
          [inc.id],
        ),
      );
    expect(event.action).toBe('incident.declared');
    expect(event.details).toMatchObject({ reference: inc.reference, severity: 'sev1', services: ['Identity'], regions: ['eu-south-1'] });
    const rows = await system<{ topic: string; workload: string; payload: DomainEventEnvelope; run_at: Date | null }>(
      `select topic, workload, payload, run_at from outbox where tenant_id = $1 and topic <> 'deliver:notifications'`,
      [tenant.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ topic: 'deliver:sla-clocks', workload: 'clocks', run_at: null });
    expect(rows[0].payload).toMatchObject({
      type: 'incident.declared',
      eventId: event.id,
      tenantId: tenant.id,
      incidentId: inc.id,
      subjectId: inc.id,
      payload: { reference: inc.reference },
    });
  });

  it('the sla-clocks subscriber schedules a warning and a due check per running clock, on the clocks queue', async () => {
    const { tenant, inc } = await declare();
    const jobs = await relayAndRun(t, tenant.id);
    const checks = jobs.filter((j) => j.name === 'sla.check');
    expect(checks.every((j) => j.queueName === 'portal-clocks')).toBe(true);
    const due = checks.filter((j) => !String(j.id).endsWith('_warn'));
    expect(due.map((j) => j.data.clock).sort()).toEqual(['initial_response', 'restoration', 'status_update']);
    // The response clock (15 min for sev1 in Mode B) is warned a fifth of its span before it is due.
    const warn = checks.find((j) => String(j.id).endsWith('_warn') && j.data.clock === 'initial_response')!;
    const declaredAt = Date.parse(inc.declaredAt);
    expect(warn.delay).toBe(declaredAt + 12 * 60_000 - t.clock.now().getTime());
    // A change that moves a clock schedules again (acknowledging stops the response clock: no new check for it).
    const support = await signIn(t, { role: 'support_engineer' });
    await support.agent.post(`/api/v1/incidents/${inc.id}/acknowledge`).set('x-csrf-token', support.csrf).expect(200);
    const deliveries = await system<{ payload: DomainEventEnvelope }>(
      `select payload from outbox where tenant_id = $1 and topic = 'deliver:sla-clocks' order by id`,
      [tenant.id],
    );
    expect(deliveries.map((d) => d.payload.type)).toEqual(['incident.declared', 'incident.acknowledged']);
  });

  it('handles a redelivered event without scheduling anything twice', async () => {
    const { tenant, inc } = await declare();
    const [delivery] = await system<{ payload: DomainEventEnvelope<'incident.declared'> }>(
      `select payload from outbox where tenant_id = $1 and topic = 'deliver:sla-clocks'`,
      [tenant.id],
    );
    const subscriber = t.app.get(SlaClocksSubscriber);
    await subscriber.handle(delivery.payload);
    await subscriber.handle(delivery.payload);
    const jobs = await relayAndRun(t, tenant.id);
    expect(jobs.filter((j) => j.name === 'sla.check' && j.data.incidentId === inc.id)).toHaveLength(6);
  });

  it('announces sla.warning once inside the window and sla.breached once after the due time', async () => {
    const { admin, inc, tenant } = await declare();
    const job = t.app.get(SlaCheckJob);
    const check = () => job.handle({ tenantId: tenant.id, incidentId: inc.id, clock: 'initial_response', dueAt: inc.sla.clocks.initialResponse.dueAt });
    await check();
    t.clock.advance(13 * 60_000);
    await check();
    await check();
    t.clock.advance(3 * 60_000);
    await check();
    await check();
    const events = await t.http.get(`/api/v1/incidents/${inc.id}/events`).set('Authorization', admin).expect(200);
    const sla = events.body.items
      .filter((e: { action: string }) => e.action.startsWith('sla.'))
      .map((e: { action: string; details: { clock: string } }) => [e.action, e.details.clock]);
    expect(sla).toEqual([
      ['sla.warning', 'initial_response'],
      ['sla.breached', 'initial_response'],
    ]);
    expect(events.body.items.find((e: { action: string }) => e.action === 'sla.warning').details).toMatchObject({
      reference: inc.reference,
      minutesLeft: 2,
      owned: true,
    });
  });

  it('never relays a row twice when two workers relay at once', async () => {
    const other = await createTestApp();
    try {
      const tenants: string[] = [];
      for (let i = 0; i < 3; i++) tenants.push((await declare()).tenant.id);
      const [a, b] = await Promise.all([
        t.app.get(OutboxRelayService).relayOnce({ ignoreBackoff: true, batch: 1000 }),
        other.app.get(OutboxRelayService).relayOnce({ ignoreBackoff: true, batch: 1000 }),
      ]);
      // One of the two held the relay lock; the other relayed nothing.
      expect(Math.min(a, b)).toBe(0);
      expect(Math.max(a, b)).toBeGreaterThanOrEqual(3);
      const rows = await system<{ attempts: number; relayed: boolean }>(
        `select attempts, relayed_at is not null as relayed from outbox where tenant_id = any($1::uuid[]) and topic = 'deliver:sla-clocks'`,
        [tenants],
      );
      expect(rows.map((r) => [r.attempts, r.relayed])).toEqual([
        [1, true],
        [1, true],
        [1, true],
      ]);
    } finally {
      await other.close();
    }
  });

  it('purges relayed outbox rows after the retention, and never a pending one', async () => {
    const { tenant } = await declare();
    await t.app.get(OutboxRelayService).relayOnce({ ignoreBackoff: true, batch: 1000 });
    const { tenant: later } = await declare();
    const later_ = new Date(Date.now() + 73 * 3600_000);
    const future = await createTestApp({ now: later_.toISOString() });
    try {
      await future.app.get(OutboxPurgeJob).handle();
      // The relayed delivery is gone; what the worker scheduled since (still pending) stays.
      expect(await system(`select id from outbox where tenant_id = $1 and relayed_at is not null`, [tenant.id])).toEqual([]);
      expect(await system(`select id from outbox where tenant_id = $1 and topic = 'deliver:sla-clocks'`, [tenant.id])).toEqual([]);
      expect(await system(`select id from outbox where tenant_id = $1 and relayed_at is null and topic = 'deliver:sla-clocks'`, [later.id])).toHaveLength(1);
    } finally {
      await future.close();
    }
  });

  it('purges sessions over with for the retention and keeps live ones', async () => {
    const tenant = await createTenant(t.app);
    const old = await signIn(t, { role: 'customer_admin', tenant: tenant.slug, email: `old-${randomUUID().slice(0, 6)}@x.example` });
    await old.agent.post('/auth/logout').set('x-csrf-token', old.csrf).expect(200);
    const sessionsOf = async (principalId: string) =>
      (await system<{ n: number }>(`select count(*)::int as n from sessions where principal_id = $1`, [principalId]))[0].n;
    expect(await sessionsOf(old.principal.id)).toBe(1);
    t.clock.advance(31 * 86_400_000);
    const live = await signIn(t, { role: 'customer_admin', tenant: tenant.slug });
    await t.app.get(SessionPurgeJob).handle();
    expect(await sessionsOf(old.principal.id)).toBe(0);
    expect(await sessionsOf(live.principal.id)).toBe(1);
    await live.agent.get('/api/v1/me').expect(200);
  });
});
