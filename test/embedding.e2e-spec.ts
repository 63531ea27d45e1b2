import { CanActivate, Controller, ExecutionContext, Get, Injectable, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { PortalModule } from '../apps/portal-api/src/app.module';
import { appRoleUrl } from '../apps/portal-api/src/database/app-role';
import { createTenant, testConfig, tokenFor, validIntake } from './support/test-app';

/** The host's own guard: its /host/private route needs its own header; it knows nothing of the portal. */
@Injectable()
class HostGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<{ path: string; headers: Record<string, string> }>();
    return !req.path.startsWith('/host/private') || req.headers['x-host-key'] === 'host-secret';
  }
}

@Controller('host')
class HostController {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}
  @Get('hello')
  hello() {
    return { hello: 'from the host' };
  }
  @Get('private')
  secret() {
    return { secret: true };
  }
  /** The host's own default TypeORM connection (the owner role here), beside the portal's named one. */
  @Get('db')
  async db() {
    const [row] = await this.ds.query('select current_user as who');
    return row;
  }
  @Get('boom')
  boom() {
    throw new Error('host failure');
  }
}

/** A host Nest application that embeds the portal under /portal, as the product is shipped to vendors. */
describe('embedding the portal in a host Nest application', () => {
  const config = testConfig({ PORTAL_ROLE: 'api' });
  let app: Awaited<ReturnType<typeof start>>;

  async function start() {
    @Module({
      imports: [
        TypeOrmModule.forRoot({ type: 'postgres', url: config.database.url!, entities: [] }),
        PortalModule.forRootAsync({
          role: 'api',
          devLogin: true,
          pathPrefix: 'portal',
          useFactory: () => ({ config, appDatabaseUrl: appRoleUrl(config.database.url!, config.database.appRole, config.database.appPassword) }),
        }),
      ],
      controllers: [HostController],
      providers: [{ provide: APP_GUARD, useClass: HostGuard }],
    })
    class HostModule {}
    const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
    const nest = moduleRef.createNestApplication({ logger: false });
    await nest.init();
    return nest;
  }

  beforeAll(async () => {
    app = await start();
  });
  afterAll(() => app.close());

  it("keeps the host's routes, guard, database connection and error format its own", async () => {
    const http = request(app.getHttpServer());
    await http.get('/host/hello').expect(200, { hello: 'from the host' });
    await http.get('/host/private').expect(403);
    await http.get('/host/private').set('x-host-key', 'host-secret').expect(200);
    expect((await http.get('/host/db').expect(200)).body.who).not.toBe(config.database.appRole);
    // Nest's own error bodies: the portal installed no global exception filter.
    expect((await http.get('/host/boom').expect(500)).body).toEqual({ statusCode: 500, message: 'Internal server error' });
    expect((await http.get('/host/nothing').expect(404)).body).toMatchObject({ statusCode: 404 });
  });

  it('serves the portal under the prefix, with its own guard, errors and row-level security', async () => {
    const http = request(app.getHttpServer());
    const a = await createTenant(app);
    const b = await createTenant(app);
    const adminA = `Bearer ${await tokenFor(app, a.id)}`;
    const adminB = `Bearer ${await tokenFor(app, b.id)}`;
    expect((await http.get('/portal/api/v1/incidents').expect(401)).body).toMatchObject({ error: 'unauthenticated' });
    const inc = (await http.post('/portal/api/v1/incidents').set('Authorization', adminA).send(validIntake()).expect(201)).body;
    expect(inc.sla.clocks.initialResponse.state).toBe('running');
    await http.get(`/portal/api/v1/incidents/${inc.id}`).set('Authorization', adminA).expect(200);
    await http.get(`/portal/api/v1/incidents/${inc.id}`).set('Authorization', adminB).expect(404);
    expect((await http.get('/portal/api/v1/incidents').set('Authorization', adminB).expect(200)).body.items).toEqual([]);
    // Every portal route moved under the prefix; nothing is left at the root.
    await http.get('/api/v1/incidents').set('Authorization', adminA).expect(404);
    const bad = await http.post('/portal/api/v1/incidents').set('Authorization', adminA).send({ title: '' }).expect(400);
    expect(bad.body.error).toBe('validation_failed');
    expect(bad.body.correlationId).toEqual(expect.any(String));
  });

  it('signs a browser in under the prefix with a session cookie and CSRF token, without the host parsing cookies', async () => {
    const tenant = await createTenant(app);
    const agent = request.agent(app.getHttpServer());
    const login = await agent.post('/portal/auth/dev/login').send({ email: 'admin@embedded.example', role: 'customer_admin', tenant: tenant.slug }).expect(200);
    expect((await agent.get('/portal/api/v1/me').expect(200)).body.tenant.slug).toBe(tenant.slug);
    await agent.post('/portal/api/v1/incidents').send(validIntake()).expect(403);
    await agent.post('/portal/api/v1/incidents').set('x-csrf-token', login.body.csrfToken).send(validIntake()).expect(201);
  });

  it('registers the portal under its own DataSource name and no global guard, filter, pipe or interceptor', async () => {
    const { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } = await import('@nestjs/core');
    const container = (
      app as unknown as { container: { getModules(): Map<string, { providers: Map<unknown, { metatype?: unknown }>; metatype: { name: string } }> } }
    ).container;
    const globals: string[] = [];
    for (const mod of container.getModules().values()) {
      for (const key of mod.providers.keys()) {
        if (typeof key === 'string' && [APP_GUARD, APP_FILTER, APP_PIPE, APP_INTERCEPTOR].some((g) => key.startsWith(g)))
          globals.push(`${mod.metatype.name}:${key}`);
      }
    }
    expect(globals.every((g) => g.startsWith('HostModule:'))).toBe(true);
    expect(app.get('portalDataSource', { strict: false })).toBeDefined();
  });
});
