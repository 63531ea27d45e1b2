import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerHost } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, ModulesContainer } from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { PortalAppModule } from '../apps/portal-api/src/app.module';
import { configureApp } from '../apps/portal-api/src/app.setup';
import type { PortalRole } from '../apps/portal-api/src/config/portal-config';
import { appRoleUrl } from '../apps/portal-api/src/database/app-role';
import { OutboxRelayService } from '../apps/portal-api/src/outbox/outbox-relay.service';
import { TaskRegistry } from '../apps/portal-api/src/queue/task-registry';
import { issue, makeCa, writePems } from './support/plane-pki';
import { testConfig } from './support/test-app';

/** Each PORTAL_ROLE is a composition: which controllers, processors and relay a process of that role has. */
describe('process roles', () => {
  async function start(role: PortalRole, env: Record<string, string> = {}) {
    const config = testConfig({ PORTAL_ROLE: role, ...env });
    const moduleRef = await Test.createTestingModule({
      imports: [
        PortalAppModule.forRoot({ config, appDatabaseUrl: appRoleUrl(config.database.url!, config.database.appRole, config.database.appPassword) }),
        DiscoveryModule,
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    configureApp(app, config);
    await app.init();
    // A process stopped while its workers still connect is not what these tests are about: let them connect.
    for (const w of app.get(DiscoveryService).getProviders()) {
      if (w.instance instanceof WorkerHost) await w.instance.worker.waitUntilReady();
    }
    return app;
  }

  function controllers(app: INestApplication): string[] {
    return app
      .get(DiscoveryService)
      .getControllers()
      .map((w) => `/${String(Reflect.getMetadata(PATH_METADATA, w.metatype as object) ?? '')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1'))
      .sort();
  }

  function processors(app: INestApplication): string[] {
    return app
      .get(DiscoveryService)
      .getProviders()
      .filter((w) => w.metatype && Reflect.getMetadata('bullmq:processor_metadata', w.metatype as object))
      .map((w) => (Reflect.getMetadata('bullmq:processor_metadata', w.metatype as object) as { name: string }).name)
      .sort();
  }

  const hasRelay = (app: INestApplication) => {
    try {
      return !!app.get(OutboxRelayService);
    } catch {
      return false;
    }
  };

  const API = [
    '/api/v1',
    '/api/v1/api-tokens',
    '/api/v1/governance-events',
    '/api/v1/identity-providers',
    '/api/v1/incidents',
    '/api/v1/incidents/:id/attachments',
    '/auth',
    '/auth/dev',
    '/sso',
    // incident communications (issue 14, part A): incidents/:id/notifications, integrations/slack, webhook-endpoints, notification-deliveries
    '/api/v1',
    // status page and credential-health digest (issue 14 part B)
    '/api/v1/status',
    '/api/v1/status-page',
    '/status',
    '/api/v1/credential-health',
    '/api/v1', // BYOC: evidence grants and data-plane health (issue 16b)
    // post-incident reviews (issue 15): incidents/:id/pir…, the archive
    '/api/v1/incidents/:id',
    '/api/v1/pirs',
    // SLA reports (issue 15b)
    '/api/v1/reports',
    // CSM walkthroughs (issue 15): the booking of a review, the CSM's working hours
    '/api/v1/incidents/:id/walkthrough',
    '/api/v1/me/working-hours',
    // vendor escalation and paging settings (issue 14): vendor/notification-settings
    '/api/v1',
  ];
  const PLATFORM = ['/health', '/metrics']; // every process has them
  const QUEUES = ['portal-clocks', 'portal-maintenance', 'portal-notifications', 'portal-rendering'];

  it('api serves HTTP and enqueues through the outbox: no processors, no relay', async () => {
    const app = await start('api');
    try {
      expect(controllers(app)).toEqual([...PLATFORM, ...API].sort());
      expect(processors(app)).toEqual([]);
      expect(hasRelay(app)).toBe(false);
      const http = request(app.getHttpServer());
      await http.get('/api/v1/incidents').expect(401);
      await http.get('/health/live').expect(200);
    } finally {
      await app.close();
    }
  });

  it('worker runs every handler on its workload queue and the relay, with no HTTP beyond health and metrics', async () => {
    const app = await start('worker');
    try {
      expect(controllers(app)).toEqual(PLATFORM);
      expect(processors(app)).toEqual(QUEUES);
      expect(hasRelay(app)).toBe(true);
      expect(app.get(TaskRegistry).topics()).toEqual(
        TaskRegistry.expected()
          .map((e) => e.topic)
          .sort(),
      );
      const http = request(app.getHttpServer());
      await http.get('/api/v1/incidents').expect(404);
      await http.get('/health/ready').expect(200);
      await http.get('/metrics').expect(200);
    } finally {
      await app.close();
    }
  });

  it('all (the demo) is both', async () => {
    const app = await start('all');
    try {
      expect(controllers(app)).toEqual([...PLATFORM, ...API].sort());
      expect(processors(app)).toEqual(QUEUES);
      expect(hasRelay(app)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('data-plane (BYOC) serves health, metrics and the grant-checked evidence routes only: no portal API, no queues', async () => {
    const ca = await makeCa('roles test CA');
    const client = await issue(ca, { cn: 'data plane', tenant: 'globex' });
    const f = writePems({ 'ca.pem': ca.certPem, 'dp.pem': client.certPem, 'dp.key': client.keyPem });
    const app = await start('data-plane', {
      DATA_PLANE_TENANT: 'globex',
      CONTROL_PLANE_URL: 'https://127.0.0.1:9',
      PLANE_TLS_CERT_FILE: f['dp.pem'],
      PLANE_TLS_KEY_FILE: f['dp.key'],
      PLANE_TLS_CA_FILE: f['ca.pem'],
      EVIDENCE_DIR: mkdtempSync(join(tmpdir(), 'roles-dp-')),
      // The customer's cloud need not run Redis: nothing answers here, and the data plane is ready all the same.
      REDIS_URL: 'redis://127.0.0.1:9',
    });
    try {
      expect(controllers(app)).toEqual([...PLATFORM, '/data-plane/v1/evidence'].sort());
      expect(processors(app)).toEqual([]);
      expect(hasRelay(app)).toBe(false);
      await request(app.getHttpServer()).get('/api/v1/incidents').expect(404);
      expect((await request(app.getHttpServer()).get('/health/ready').expect(200)).body).toEqual({ status: 'ok', checks: { database: 'up' } });
    } finally {
      await app.close();
    }
  });

  it('a worker refuses to start when a subscriber or job has no handler', () => {
    const registry = new TaskRegistry(new DiscoveryService(new ModulesContainer()));
    registry.onModuleInit();
    expect(() => registry.verify()).toThrow(/missing handlers for \[sla\.check, .*deliver:sla-clocks.*\]/);
  });
});
