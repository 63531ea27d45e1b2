import { TenantContext } from '@portal/tenancy';
import { Db } from '../apps/portal-api/src/database/db.service';
import { sql } from '../apps/portal-api/src/database/sql';
import { IncidentsService } from '../apps/portal-api/src/incidents/incidents.service';
import { SlaCheckJob } from '../apps/portal-api/src/incidents/jobs/sla-check.job';
import { SlaSweepJob } from '../apps/portal-api/src/incidents/jobs/sla-sweep.job';
import { JobName } from '../apps/portal-api/src/queue/jobs';
import { TaskRegistry } from '../apps/portal-api/src/queue/task-registry';
import { relayAndRun } from './support/queues';
import { createTenant, createTestApp, TestApp, tokenFor, validIntake } from './support/test-app';

const MIN = 60_000;

/** The breach sweep (issue 17): a clock past due is caught even when its check job is gone. */
describe('SLA breach sweep', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function declare() {
    const tenant = await createTenant(t.app, { mode: 'B' });
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const inc = (await t.http.post('/api/v1/incidents').set('Authorization', admin).send(validIntake()).expect(201)).body;
    return { tenant, admin, inc };
  }

  /** The sweep's own code path, limited by row-level security to one test tenant (the e2e database is shared). */
  const sweepTenant = (tenantId: string) =>
    TenantContext.runAs({ kind: 'system', id: 'sla-sweep', label: 'SLA sweep', role: 'system', homeTenantId: null }, [tenantId], () =>
      t.app.get(IncidentsService).sweepDueClocks(),
    );

  const tenantRows = <T>(tenantId: string, text: string, params: unknown[]) =>
    t.app.get(Db).forTenants([tenantId], (em) => sql<T & Record<string, unknown>>(em, text, params));

  it('records and announces a breach exactly once when the clock’s check job was deleted from Redis', async () => {
    const { tenant, admin, inc } = await declare();
    const jobs = await relayAndRun(t, tenant.id);
    const checks = jobs.filter((j) => j.name === (JobName.SlaCheck as string) && j.data.incidentId === inc.id);
    expect(checks.length).toBeGreaterThan(0);
    for (const job of checks) await job.remove();

    // Nothing due yet: the sweep checks nothing.
    expect(await sweepTenant(tenant.id)).toEqual({ checked: 0, breached: 0 });
    t.clock.advance(20 * MIN);
    const first = await sweepTenant(tenant.id);
    expect(first).toMatchObject({ checked: 1, breached: 1 });
    // Again, and the per-clock job arriving late after all: nothing new.
    expect(await sweepTenant(tenant.id)).toEqual({ checked: 0, breached: 0 });
    await t.app.get(SlaCheckJob).handle({ tenantId: tenant.id, incidentId: inc.id, clock: 'initial_response', dueAt: inc.sla.clocks.initialResponse.dueAt });

    const breaches = await tenantRows<{ clock: string; due_at: Date }>(tenant.id, `select clock, due_at from sla_breaches where incident_id = $1`, [inc.id]);
    expect(breaches.map((b) => [b.clock, b.due_at.toISOString()])).toEqual([['initial_response', inc.sla.clocks.initialResponse.dueAt]]);
    const events = await t.http.get(`/api/v1/incidents/${inc.id}/events`).set('Authorization', admin).expect(200);
    expect(events.body.items.filter((e: { action: string }) => e.action === 'sla.breached')).toHaveLength(1);
    // Announced once: one sla.breached event reaches the outbox for its subscribers, not two.
    const announced = await t.app
      .get(Db)
      .scoped('system', (em) =>
        sql<{ event_id: string }>(
          em,
          `select distinct payload->>'eventId' as event_id from outbox where tenant_id = $1 and payload->>'type' = 'sla.breached' and payload->>'incidentId' = $2`,
          [tenant.id, inc.id],
        ),
      );
    expect(announced).toHaveLength(1);
  });

  it('catches an incident that never had check jobs (its due instant is set with the declaration)', async () => {
    const { tenant, inc } = await declare();
    const [row] = await tenantRows<{ sla_due_at: Date }>(tenant.id, `select sla_due_at from incidents where id = $1`, [inc.id]);
    // Sev 1, Mode B: the status update (30 min) and the initial response (15 min) run; the earliest is the response.
    expect(row.sla_due_at.toISOString()).toBe(inc.sla.clocks.initialResponse.dueAt);
    t.clock.advance(16 * MIN);
    expect(await sweepTenant(tenant.id)).toMatchObject({ checked: 1, breached: 1 });
    const [after] = await tenantRows<{ sla_due_at: Date }>(tenant.id, `select sla_due_at from incidents where id = $1`, [inc.id]);
    // Next: the status update clock, still running.
    expect(after.sla_due_at.toISOString()).toBe(inc.sla.clocks.statusUpdate.dueAt);
  });

  it('the job sweeps every tenant, in batches, and reaches a clock left behind', async () => {
    const { tenant, inc } = await declare();
    t.clock.advance(16 * MIN);
    const r = await t.app.get(SlaSweepJob).sweep();
    expect(r.checked).toBeGreaterThanOrEqual(1);
    const breaches = await tenantRows<{ clock: string }>(tenant.id, `select clock from sla_breaches where incident_id = $1`, [inc.id]);
    expect(breaches.map((b) => b.clock)).toEqual(['initial_response']);
    // Everything due was checked: a second run right after finds nothing left.
    expect(await t.app.get(SlaSweepJob).sweep()).toEqual({ checked: 0, breached: 0 });
  });

  it('reads the due incidents through the partial index', async () => {
    // The test database is small enough for a sequential scan to win; with it ruled out, the index must serve the query
    // (bench/rls-plans.ts shows the plan chosen on its own over 70,000 incidents).
    const plan = await t.app.get(Db).scoped('system', async (em) => {
      await em.query('set local enable_seqscan = off');
      return sql<{ 'QUERY PLAN': string }>(
        em,
        `explain (costs off) select id, tenant_id from incidents where sla_due_at is not null and sla_due_at <= now() order by sla_due_at limit 500`,
        [],
      );
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('incidents_sla_due');
  });

  it('is scheduled every minute as one repeatable job', () => {
    const sweep = t.app
      .get(TaskRegistry)
      .repeatable()
      .filter((task) => task.topic === (JobName.SlaSweep as string));
    expect(sweep).toHaveLength(1);
    expect(sweep[0].repeat).toEqual({ everyMs: 60_000, payload: { tenantId: null } });
    expect(t.app.get(SlaSweepJob).job).toBe(JobName.SlaSweep);
  });
});
