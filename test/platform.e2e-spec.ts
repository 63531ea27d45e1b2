import { RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { EXCEPTION_FILTERS_METADATA, GUARDS_METADATA, PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { Accounts } from '../apps/portal-api/src/auth/accounts.service';
import { AuthGuard } from '../apps/portal-api/src/auth/auth.guard';
import { ApiExceptionFilter } from '../apps/portal-api/src/common/api-exception.filter';
import { HealthController } from '../apps/portal-api/src/health/health.controller';
import { PUBLIC_KEY, ROLES_KEY } from '../apps/portal-api/src/auth/auth.decorators';
import { OutboxRelayService } from '../apps/portal-api/src/outbox/outbox-relay.service';
import { IncidentsService } from '../apps/portal-api/src/incidents/incidents.service';
import { SlaCheckJob } from '../apps/portal-api/src/incidents/jobs/sla-check.job';
import { Db } from '../apps/portal-api/src/database/db.service';
import { sql } from '../apps/portal-api/src/database/sql';
import { relayAndRun } from './support/queues';
import { createTenant, createTestApp, signIn, TestApp, tokenFor, validIntake } from './support/test-app';

describe('platform', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('denies by default: every route is either @Public() or names its roles', () => {
    const discovery = t.app.get(DiscoveryService);
    const scanner = t.app.get(MetadataScanner);
    const reflector = t.app.get(Reflector);
    const unguarded: string[] = [];
    let routes = 0;
    for (const wrapper of discovery.getControllers()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance) continue;
      const proto = Object.getPrototypeOf(instance);
      for (const name of scanner.getAllMethodNames(proto)) {
        const handler = proto[name];
        if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        routes++;
        const isPublic = reflector.getAllAndOverride(PUBLIC_KEY, [handler, wrapper.metatype as any]);
        const roles = reflector.getAllAndOverride(ROLES_KEY, [handler, wrapper.metatype as any]);
        if (!isPublic && !(Array.isArray(roles) && roles.length)) {
          unguarded.push(
            `${RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler)]} ${Reflect.getMetadata(PATH_METADATA, wrapper.metatype as any)}/${Reflect.getMetadata(PATH_METADATA, handler)}`,
          );
        }
      }
    }
    expect(routes).toBeGreaterThan(15);
    expect(unguarded).toEqual([]);
  });

  it('binds the guard and the error mapping to every portal controller (none is installed globally)', () => {
    const unbound = t.app
      .get(DiscoveryService)
      .getControllers()
      .map((w) => w.metatype as object)
      .filter((c) => c !== HealthController && !(c as { prototype: unknown }).prototype?.constructor?.name?.includes('Metrics'))
      .filter(
        (c) =>
          !(Reflect.getMetadata(GUARDS_METADATA, c) ?? []).includes(AuthGuard) ||
          !(Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, c) ?? []).includes(ApiExceptionFilter),
      )
      .map((c) => (c as { name: string }).name);
    expect(unbound).toEqual([]);
  });

  it('serves liveness, readiness (database and Redis), metrics and the OpenAPI document', async () => {
    await t.http.get('/health/live').expect(200, { status: 'ok' });
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.checks).toEqual({ database: 'up', redis: 'up' });
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.text).toContain('process_cpu_user_seconds_total');
    const doc = await t.http.get('/api/docs-json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/incidents', '/api/v1/incidents/{id}/acknowledge', '/api/v1/incidents/{id}/events']),
    );
    expect(doc.body.components.schemas.DeclareIncident.properties.severity.enum).toEqual(['sev1', 'sev2', 'sev3', 'sev4']);
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const res = await t.http.get('/api/v1/nothing-here').expect(404);
    expect(res.body.error).toBe('not_found');
  });

  describe('sessions, tokens and tenant settings', () => {
    it('signs in, reports who I am, and signs out server-side', async () => {
      const tenant = await createTenant(t.app, { mode: 'A' });
      const s = await signIn(t, { role: 'customer_admin', tenant: tenant.slug });
      const me = await s.agent.get('/api/v1/me').expect(200);
      expect(me.body.tenant.slug).toBe(tenant.slug);
      expect(me.body.tenant.slaPolicy[0]).toMatchObject({ severity: 'sev1', initialResponse: { minutes: 30 } });
      expect(me.body.principal.role).toBe('customer_admin');
      await s.agent.post('/auth/logout').set('x-csrf-token', s.csrf).expect(200);
      await s.agent.get('/api/v1/me').expect(401);
    });

    it("keeps a seeded account's name when someone signs in as it through the development sign-in", async () => {
      const tenant = await createTenant(t.app);
      const accounts = t.app.get(Accounts);
      await accounts.upsertUser({ tenantId: tenant.id, email: 'ada@seeded.example', name: 'Ada Lovelace', role: 'customer_admin' });
      await accounts.upsertStaff({ email: 'casey-keep@claresia.example', name: 'Casey Keeps-Her-Name', role: 'csm' });

      const user = await signIn(t, { role: 'customer_viewer', email: 'Ada@seeded.example', tenant: tenant.slug });
      expect(user.principal).toMatchObject({ name: 'Ada Lovelace', role: 'customer_viewer' });
      expect((await user.agent.get('/api/v1/me').expect(200)).body.principal).toMatchObject({ label: 'Ada Lovelace <ada@seeded.example>' });
      const staff = await signIn(t, { role: 'csm', email: 'casey-keep@claresia.example' });
      expect(staff.principal).toMatchObject({ name: 'Casey Keeps-Her-Name', role: 'csm' });

      // A new account is named after its email; a name in the request renames on purpose.
      expect((await signIn(t, { role: 'customer_admin', email: 'new.person@seeded.example', tenant: tenant.slug })).principal.name).toBe('new.person');
      const renamed = await t.http
        .post('/auth/dev/login')
        .send({ email: 'ada@seeded.example', name: 'Ada King', role: 'customer_admin', tenant: tenant.slug })
        .expect(200);
      expect(renamed.body.principal.name).toBe('Ada King');
    });

    it('expires an idle session', async () => {
      const tenant = await createTenant(t.app);
      const s = await signIn(t, { role: 'customer_viewer', tenant: tenant.slug });
      await s.agent.get('/api/v1/me').expect(200);
      t.clock.advance(61 * 60_000);
      await s.agent.get('/api/v1/me').expect(401);
    });

    it('creates an API token shown once, lists it without the secret, and revokes it', async () => {
      const tenant = await createTenant(t.app);
      const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
      const created = await t.http.post('/api/v1/api-tokens').set('Authorization', admin).send({ name: 'ci', role: 'customer_viewer' }).expect(201);
      const token = created.body.token as string;
      expect(token).toMatch(/^pt_/);
      const list = await t.http.get('/api/v1/api-tokens').set('Authorization', admin).expect(200);
      expect(JSON.stringify(list.body)).not.toContain(token);
      await t.http.get('/api/v1/incidents').set('Authorization', `Bearer ${token}`).expect(200);
      await t.http.post('/api/v1/api-tokens').set('Authorization', `Bearer ${token}`).send({ name: 'x', role: 'customer_admin' }).expect(403);
      await t.http.delete(`/api/v1/api-tokens/${created.body.apiToken.id}`).set('Authorization', admin).expect(200);
      await t.http.get('/api/v1/incidents').set('Authorization', `Bearer ${token}`).expect(401);
      const bad = await t.http.post('/api/v1/api-tokens').set('Authorization', admin).send({ name: '', role: 'god' }).expect(400);
      expect(bad.body.fields.map((f: any) => f.field).sort()).toEqual(['name', 'role']);
    });

    it("keeps another tenant's API token out of reach", async () => {
      const a = await createTenant(t.app);
      const b = await createTenant(t.app);
      const adminB = `Bearer ${await tokenFor(t.app, b.id)}`;
      const created = await t.http
        .post('/api/v1/api-tokens')
        .set('Authorization', `Bearer ${await tokenFor(t.app, a.id)}`)
        .send({ name: 'a', role: 'customer_viewer' })
        .expect(201);
      await t.http.delete(`/api/v1/api-tokens/${created.body.apiToken.id}`).set('Authorization', adminB).expect(404);
    });

    it('updates the incident-contact list (customer_admin only) with field errors', async () => {
      const tenant = await createTenant(t.app);
      const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
      const viewer = `Bearer ${await tokenFor(t.app, tenant.id, 'customer_viewer')}`;
      const ok = await t.http
        .put('/api/v1/tenant/contacts')
        .set('Authorization', admin)
        .send({ contacts: [{ name: 'Ops', email: 'ops@x.example' }] })
        .expect(200);
      expect(ok.body.contacts).toEqual([{ name: 'Ops', email: 'ops@x.example' }]);
      await t.http.put('/api/v1/tenant/contacts').set('Authorization', viewer).send({ contacts: [] }).expect(403);
      const bad = await t.http
        .put('/api/v1/tenant/contacts')
        .set('Authorization', admin)
        .send({ contacts: [{ name: 'Ops', email: 'nope' }] })
        .expect(400);
      expect(bad.body.fields).toEqual([{ field: 'contacts.0.email', message: 'must be an email address' }]);
    });

    it('shows a customer admin the tenant audit trail and nothing of other tenants', async () => {
      const a = await createTenant(t.app);
      const b = await createTenant(t.app);
      const adminA = `Bearer ${await tokenFor(t.app, a.id)}`;
      await t.http.put('/api/v1/tenant/contacts').set('Authorization', adminA).send({ contacts: [] }).expect(200);
      await t.http
        .put('/api/v1/tenant/contacts')
        .set('Authorization', `Bearer ${await tokenFor(t.app, b.id)}`)
        .send({ contacts: [] })
        .expect(200);
      const res = await t.http.get('/api/v1/governance-events').set('Authorization', adminA).expect(200);
      expect(res.body.items.map((e: any) => e.action)).toEqual(['tenant.contacts_updated', 'tenant.created']);
      expect(res.body.items[0].tenantId).toBe(a.id);
      await t.http
        .get('/api/v1/governance-events')
        .set('Authorization', `Bearer ${await tokenFor(t.app, a.id, 'customer_viewer')}`)
        .expect(403);
    });

    it("lists a tenant's sign-in options and 404s an unknown tenant", async () => {
      const tenant = await createTenant(t.app);
      const res = await t.http.get(`/auth/tenants/${tenant.slug}`).expect(200);
      expect(res.body).toMatchObject({ tenant: { slug: tenant.slug }, devLogin: true });
      await t.http.get('/auth/tenants/no-such-tenant').expect(404);
    });
  });

  describe('outbox and SLA breach job', () => {
    it('declares while Redis is down, keeps the event delivery in the outbox, and relays it when Redis is back', async () => {
      const down = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:6390' } });
      try {
        const tenant = await createTenant(down.app, { mode: 'B' });
        const res = await down.http
          .post('/api/v1/incidents')
          .set('Authorization', `Bearer ${await tokenFor(down.app, tenant.id)}`)
          .send(validIntake())
          .expect(201);
        expect(await down.app.get(OutboxRelayService).relayOnce()).toBe(0);
        const ready = await down.http.get('/health/ready').expect(503);
        expect(ready.body.checks.redis).toBe('down');
        const pending = await down.app
          .get(Db)
          .scoped('system', (em) =>
            sql(em, `select topic, workload, attempts, last_error from outbox where tenant_id = $1 and relayed_at is null`, [tenant.id]),
          );
        expect(pending.map((p) => [p.topic, p.workload]).sort()).toEqual([
          ['deliver:notifications', 'notifications'],
          ['deliver:sla-clocks', 'clocks'],
        ]);
        const failed = await down.app
          .get(Db)
          .scoped('system', (em) => sql(em, `select count(*)::int as n from outbox where relayed_at is null and last_error is not null`));
        expect(failed[0].n).toBeGreaterThanOrEqual(1);
        // Redis is back: the same database, an app whose queues reach Redis. Its worker runs the subscriber,
        // which schedules the clock checks through the outbox again.
        t.clock.set(down.clock.now());
        const scheduled = await relayAndRun(t, tenant.id);
        expect(
          scheduled
            .filter((j) => j.name === 'sla.check' && j.data.incidentId === res.body.id)
            .map((j) => j.data.clock)
            .sort(),
        ).toEqual(['initial_response', 'initial_response', 'restoration', 'restoration', 'status_update', 'status_update']);
      } finally {
        await down.close();
      }
    });

    it('records a breach once when the check runs at the due time, however often it is delivered', async () => {
      const tenant = await createTenant(t.app, { mode: 'B' });
      const inc = (
        await t.http
          .post('/api/v1/incidents')
          .set('Authorization', `Bearer ${await tokenFor(t.app, tenant.id)}`)
          .send(validIntake())
          .expect(201)
      ).body;
      const job = t.app.get(SlaCheckJob);
      await job.handle({ tenantId: tenant.id, incidentId: inc.id, clock: 'initial_response', dueAt: inc.sla.clocks.initialResponse.dueAt });
      t.clock.advance(16 * 60_000);
      await job.handle({ tenantId: tenant.id, incidentId: inc.id, clock: 'initial_response', dueAt: inc.sla.clocks.initialResponse.dueAt });
      await job.handle({ tenantId: tenant.id, incidentId: inc.id, clock: 'initial_response', dueAt: inc.sla.clocks.initialResponse.dueAt });
      const events = await t.http
        .get(`/api/v1/incidents/${inc.id}/events`)
        .set('Authorization', `Bearer ${await tokenFor(t.app, tenant.id)}`)
        .expect(200);
      const breaches = events.body.items.filter((e: any) => e.action === 'sla.breached');
      expect(breaches.map((e: any) => e.details.clock)).toEqual(['initial_response']);
      // A job for another tenant's incident finds nothing: the worker re-enters the payload's tenant.
      const stranger = await createTenant(t.app);
      expect(
        await t.app
          .get(IncidentsService)
          .checkClocks(inc.id)
          .catch(() => 'no context'),
      ).toBe('no context');
      await job.handle({ tenantId: stranger.id, incidentId: inc.id, clock: 'initial_response', dueAt: inc.sla.clocks.initialResponse.dueAt });
    });

    it('signs out a vendor session with a governance event', async () => {
      const s = await signIn(t, { role: 'support_engineer' });
      await s.agent.post('/auth/logout').set('x-csrf-token', s.csrf).expect(200);
      await s.agent.get('/api/v1/incidents').expect(401);
    });
  });
});
