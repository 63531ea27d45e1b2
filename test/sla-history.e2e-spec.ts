import { Client } from 'pg';
import { Db } from '../apps/portal-api/src/database/db.service';
import { sql } from '../apps/portal-api/src/database/sql';
import { SlaCheckJob } from '../apps/portal-api/src/incidents/jobs/sla-check.job';
import type { Tenant } from '../apps/portal-api/src/tenants/tenant.types';
import { createTenant, createTestApp, signIn, TestApp, tokenFor, validIntake } from './support/test-app';

const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (ms: number) => new Date(ms).toISOString();

/**
 * SLA records nobody can rewrite (hardening issue, item 7): a severity change starts new runs instead of
 * rewriting the past, a reopen pauses restoration for the resolved period, an incident keeps the calendar of
 * its declaration, a Mode C data-plane breach is informational, and the database refuses to rewrite the record.
 */
describe('SLA history', () => {
  let t: TestApp;
  let modeB: Tenant;
  let modeC: Tenant;
  let adminB: string;
  let adminC: string;
  let support: Awaited<ReturnType<typeof signIn>>;

  beforeAll(async () => {
    // Tue 2026-11-24 10:00 in Rome.
    t = await createTestApp({ now: '2026-11-24T09:00:00Z', env: { SESSION_IDLE_MINUTES: '480', SESSION_ABSOLUTE_HOURS: '48' } });
    modeB = await createTenant(t.app, { mode: 'B' });
    modeC = await createTenant(t.app, { mode: 'C' });
    adminB = `Bearer ${await tokenFor(t.app, modeB.id)}`;
    adminC = `Bearer ${await tokenFor(t.app, modeC.id)}`;
    support = await signIn(t, { role: 'support_engineer' });
  });
  afterAll(() => t.close());

  const declare = async (auth: string, over: Record<string, unknown> = {}) =>
    (await t.http.post('/api/v1/incidents').set('Authorization', auth).send(validIntake(over)).expect(201)).body;
  const patch = (id: string, body: Record<string, unknown>, auth = adminB) => t.http.patch(`/api/v1/incidents/${id}`).set('Authorization', auth).send(body);
  const events = async (id: string, auth = adminB) => (await t.http.get(`/api/v1/incidents/${id}/events`).set('Authorization', auth).expect(200)).body.items;
  const acknowledge = (id: string) => support.agent.post(`/api/v1/incidents/${id}/acknowledge`).set('x-csrf-token', support.csrf).expect(200);

  describe('severity changes', () => {
    it('refuses a severity change without a reason, naming the field', async () => {
      const inc = await declare(adminB);
      const missing = await patch(inc.id, { severity: 'sev2' }).expect(400);
      expect(missing.body.error).toBe('validation_failed');
      expect(missing.body.fields.map((f: { field: string }) => f.field)).toEqual(['reason']);
      const blank = await patch(inc.id, { severity: 'sev2', reason: '   ' }).expect(400);
      expect(blank.body.fields.map((f: { field: string }) => f.field)).toEqual(['reason']);
      // Other changes still do without one.
      await patch(inc.id, { impactedUsers: 300 }).expect(200);
      expect((await events(inc.id)).map((e: { action: string }) => e.action)).not.toContain('incident.severity_changed');
    });

    it('keeps a breach in the view and in the record when the severity is lowered after it', async () => {
      const inc = await declare(adminB); // sev1 Mode B: acknowledge within 15 minutes
      const declaredAt = Date.parse(inc.declaredAt);
      t.clock.advance(20 * MIN);
      const now = t.clock.now().getTime();
      const res = await patch(inc.id, { severity: 'sev2', reason: 'Only one connector is down after all.' }).expect(200);
      expect(res.body.severity).toBe('sev2');
      expect(res.body.sla.clocks.initialResponse).toMatchObject({
        severity: 'sev1',
        dueAt: at(declaredAt + 15 * MIN),
        state: 'breached',
        overdueMs: 5 * MIN,
      });
      // Restoration was on time: its sev2 run of 24 hours starts at the change.
      expect(res.body.sla.clocks.restoration).toMatchObject({ severity: 'sev2', startedAt: at(now), dueAt: at(now + 24 * HOUR), state: 'running' });
      // The breach is recorded at the change, under sev1, whatever the worker does later.
      expect(res.body.slaBreaches).toEqual([
        { clock: 'initial_response', dueAt: at(declaredAt + 15 * MIN), detectedAt: at(now), severity: 'sev1', owned: true, informational: false },
      ]);
      const items = await events(inc.id);
      expect(items.find((e: { action: string }) => e.action === 'incident.severity_changed').details).toMatchObject({
        from: 'sev1',
        to: 'sev2',
        reason: 'Only one connector is down after all.',
        restarted: ['restoration'],
      });
      const breach = items.find((e: { action: string }) => e.action === 'sla.breached');
      expect(breach.actor.kind).toBe('system');
      expect(breach.details).toMatchObject({ clock: 'initial_response', severity: 'sev1', owned: true, informational: false });

      // Acknowledged later, the check job runs: still breached, still one breach.
      t.clock.advance(10 * MIN);
      await acknowledge(inc.id);
      await t.app.get(SlaCheckJob).handle({ tenantId: modeB.id, incidentId: inc.id, clock: 'initial_response', dueAt: at(declaredAt + 15 * MIN) });
      const later = (await t.http.get(`/api/v1/incidents/${inc.id}`).set('Authorization', adminB).expect(200)).body;
      expect(later.sla.clocks.initialResponse).toMatchObject({ state: 'breached', overdueMs: 15 * MIN, severity: 'sev1' });
      expect(later.slaBreaches).toHaveLength(1);
    });

    it('does not turn an on-time acknowledgement into a breach when the severity is raised', async () => {
      const inc = await declare(adminB, { severity: 'sev2' }); // acknowledge within 1 hour
      t.clock.advance(20 * MIN);
      await acknowledge(inc.id);
      t.clock.advance(10 * MIN);
      const now = t.clock.now().getTime();
      const res = await patch(inc.id, { severity: 'sev1', reason: 'All users are affected now.' }).expect(200);
      expect(res.body.sla.clocks.initialResponse).toMatchObject({ severity: 'sev2', state: 'met', stoppedAt: at(now - 10 * MIN) });
      expect(res.body.sla.clocks.restoration).toMatchObject({ severity: 'sev1', startedAt: at(now), dueAt: at(now + 4 * HOUR), state: 'running' });
      expect(res.body.slaBreaches).toEqual([]);
    });

    it('counts the new response target from the change, and keeps the history of both runs', async () => {
      const inc = await declare(adminB, { severity: 'sev2' });
      const declaredAt = Date.parse(inc.declaredAt);
      t.clock.advance(30 * MIN);
      const now = t.clock.now().getTime();
      const res = await patch(inc.id, { severity: 'sev1', reason: 'Hub writes fail for every user.' }).expect(200);
      expect(res.body.sla.clocks.initialResponse).toMatchObject({ severity: 'sev1', startedAt: at(now), dueAt: at(now + 15 * MIN), state: 'running' });
      expect(
        res.body.clockHistory.runs.map((r: Record<string, unknown>) => [r.clock, r.severity, r.startedBy, r.startedAt, r.dueAt, r.endedBy, r.outcome]),
      ).toEqual([
        ['initial_response', 'sev2', 'declaration', at(declaredAt), at(declaredAt + HOUR), 'severity_change', 'superseded'],
        ['restoration', 'sev2', 'declaration', at(declaredAt), at(declaredAt + 24 * HOUR), 'severity_change', 'superseded'],
        ['initial_response', 'sev1', 'severity_change', at(now), at(now + 15 * MIN), null, 'running'],
        ['restoration', 'sev1', 'severity_change', at(now), at(now + 4 * HOUR), null, 'running'],
      ]);
      expect(res.body.severityChanges).toEqual([
        { at: at(now), from: 'sev2', to: 'sev1', reason: 'Hub writes fail for every user.', by: expect.objectContaining({ kind: 'api_token' }) },
      ]);
      expect((await events(inc.id)).find((e: { action: string }) => e.action === 'incident.severity_changed').details.restarted).toEqual([
        'initial_response',
        'restoration',
      ]);
    });
  });

  it('pauses restoration while a reopened incident was resolved', async () => {
    const inc = await declare(adminB); // sev1 Mode B: restore within 4 hours
    const declaredAt = Date.parse(inc.declaredAt);
    t.clock.advance(5 * MIN);
    await acknowledge(inc.id);
    t.clock.advance(55 * MIN);
    const resolved = await support.agent
      .post(`/api/v1/incidents/${inc.id}/resolve`)
      .set('x-csrf-token', support.csrf)
      .send({ summary: 'Restored.' })
      .expect(200);
    expect(resolved.body.sla.clocks.restoration).toMatchObject({ state: 'met', remainingMs: 3 * HOUR });
    const resolvedAt = t.clock.now().getTime();
    t.clock.advance(5 * HOUR);
    const reopenedAt = t.clock.now().getTime();
    const res = await t.http.post(`/api/v1/incidents/${inc.id}/reopen`).set('Authorization', adminB).send({ reason: 'Errors are back.' }).expect(200);
    // Restoration resumes with the 3 hours it had left; the response clock stays met.
    expect(res.body.sla.clocks.restoration).toMatchObject({ state: 'running', remainingMs: 3 * HOUR, pausedMs: 5 * HOUR, dueAt: at(declaredAt + 9 * HOUR) });
    expect(res.body.sla.clocks.initialResponse).toMatchObject({ state: 'met', stoppedAt: at(declaredAt + 5 * MIN) });
    // The status-update cadence starts again at the reopen.
    expect(res.body.sla.clocks.statusUpdate).toMatchObject({ startedAt: at(reopenedAt), dueAt: at(reopenedAt + 30 * MIN), state: 'running' });
    expect(res.body.clockHistory.pauses).toEqual([{ reason: 'resolved', from: at(resolvedAt), to: at(reopenedAt) }]);
    expect(res.body.clockHistory.runs.filter((r: { clock: string }) => r.clock === 'pir_due')).toEqual([
      expect.objectContaining({ startedAt: at(resolvedAt), endedBy: 'reopen', endedAt: at(reopenedAt), outcome: 'superseded' }),
    ]);
    expect(res.body.slaBreaches).toEqual([]);
  });

  it('keeps the calendar of the declaration when the tenant edits its calendar', async () => {
    // Friday 27 November 2026, 18:30 in New York: a sev3 is acknowledged within 1 business day from Monday 09:00.
    t.clock.set(new Date('2026-11-27T23:30:00Z'));
    const tenant = await createTenant(t.app, { mode: 'B', timezone: 'America/New_York' });
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const before = await declare(admin, { severity: 'sev3' });
    expect(before.sla.clocks.initialResponse.dueAt).toBe('2026-11-30T22:00:00.000Z');
    await t.http
      .put('/api/v1/tenant/calendar')
      .set('Authorization', admin)
      .send({ workingDays: [1, 2, 3, 4, 5], dayStart: '09:00', dayEnd: '17:00', holidays: ['2026-11-30'] })
      .expect(200);
    // Declared before the edit: unchanged. Declared after it: the new calendar (Monday is a holiday).
    const again = (await t.http.get(`/api/v1/incidents/${before.id}`).set('Authorization', admin).expect(200)).body;
    expect(again.sla.clocks.initialResponse.dueAt).toBe('2026-11-30T22:00:00.000Z');
    const after = await declare(admin, { severity: 'sev3' });
    expect(after.sla.clocks.initialResponse.dueAt).toBe('2026-12-01T22:00:00.000Z');
  });

  it.each([
    ['data_plane', true],
    ['control_plane', false],
  ] as const)('records a Mode C %s breach with informational = %s', async (plane, informational) => {
    const inc = await declare(adminC, { plane });
    t.clock.advance(20 * MIN);
    await t.app.get(SlaCheckJob).handle({ tenantId: modeC.id, incidentId: inc.id, clock: 'initial_response', dueAt: inc.sla.clocks.initialResponse.dueAt });
    const res = (await t.http.get(`/api/v1/incidents/${inc.id}`).set('Authorization', adminC).expect(200)).body;
    expect(res.sla.clocks.initialResponse).toMatchObject({ state: 'breached', owned: !informational });
    expect(res.slaBreaches).toEqual([expect.objectContaining({ clock: 'initial_response', severity: 'sev1', owned: !informational, informational })]);
    expect(res.clockHistory.runs[0]).toMatchObject({ clock: 'initial_response', outcome: 'breached', informational });
    const breach = (await events(inc.id, adminC)).find((e: { action: string }) => e.action === 'sla.breached');
    expect(breach.details).toMatchObject({ clock: 'initial_response', owned: !informational, informational });
  });

  it('refuses to rewrite the SLA record, for the app and for the database owner', async () => {
    t.clock.set(new Date('2026-11-24T09:00:00Z'));
    const inc = await declare(adminB);
    t.clock.advance(20 * MIN);
    await patch(inc.id, { severity: 'sev2', reason: 'Degraded, not down.' }).expect(200);
    const asApp = (text: string, params: unknown[] = []) => t.app.get(Db).forTenants([modeB.id], (em) => sql(em, text, params));
    await expect(asApp(`update incidents set severity_changes = '[]'::jsonb where id = $1`, [inc.id])).rejects.toThrow(/append-only/);
    await expect(asApp(`update incidents set calendar = jsonb_set(calendar, '{holidays}', '["2026-11-24"]') where id = $1`, [inc.id])).rejects.toThrow(
      /calendar in force at the declaration/,
    );
    await expect(asApp(`update incidents set severity = 'sev4' where id = $1`, [inc.id])).rejects.toThrow(/must append its record/);
    await expect(asApp(`update incidents set acknowledged_at = null, declared_at = declared_at + interval '1 hour' where id = $1`, [inc.id])).rejects.toThrow(
      /declared_at/,
    );
    await expect(asApp(`update sla_breaches set due_at = now() where incident_id = $1`, [inc.id])).rejects.toThrow(/permission denied/);
    // Ordinary changes still go through.
    await patch(inc.id, { impactedUsers: 12 }).expect(200);

    const owner = new Client({ connectionString: t.config.database.url! });
    await owner.connect();
    try {
      await expect(owner.query(`update incidents set declared_at = declared_at - interval '1 hour' where id = $1`, [inc.id])).rejects.toThrow(/declared_at/);
      await expect(owner.query(`update sla_breaches set due_at = due_at + interval '1 hour' where incident_id = $1`, [inc.id])).rejects.toThrow(/append-only/);
      await expect(owner.query(`delete from sla_breaches where incident_id = $1`, [inc.id])).rejects.toThrow(/append-only/);
      const [row] = (await owner.query(`select count(*)::int as n from sla_breaches where incident_id = $1`, [inc.id])).rows;
      expect(row.n).toBe(1);
    } finally {
      await owner.end();
    }
  });
});
