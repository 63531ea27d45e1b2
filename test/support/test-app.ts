import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { ServiceMode, TenantRole } from '@portal/contracts';
import { DEFAULT_CALENDAR, BusinessCalendar } from '@portal/sla';
import { PortalAppModule } from '../../apps/portal-api/src/app.module';
import { configureApp } from '../../apps/portal-api/src/app.setup';
import { Clock, ManualClock } from '../../apps/portal-api/src/common/clock';
import { loadConfig, PortalConfig } from '../../apps/portal-api/src/config/portal-config';
import { appRoleUrl } from '../../apps/portal-api/src/database/app-role';
import { TenantOnboardingService } from '../../apps/portal-api/src/tenants/tenant-onboarding.service';
import { ApiTokensService } from '../../apps/portal-api/src/auth/api-tokens.service';
import { DEFAULT_REGIONS, Tenant } from '../../apps/portal-api/src/tenants/tenant.types';

export interface TestApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  clock: ManualClock;
  config: PortalConfig;
  close(): Promise<void>;
}

export function testConfig(env: Record<string, string> = {}): PortalConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: process.env.PORTAL_TEST_OWNER_URL!,
    APP_DATABASE_PASSWORD: 'portal_app_test_pw',
    DEV_LOGIN_ENABLED: 'true',
    LOG_LEVEL: 'silent',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    SECRET_KEY: randomBytes(32).toString('base64'),
    WEB_DIST_DIR: '/nonexistent',
    // Suites make thousands of requests from one address; test/rate-limits.e2e-spec.ts turns the limits on.
    RATE_LIMITS_ENABLED: 'false',
    ...env,
  });
}

/** The real app (real PostgreSQL through the RLS role, real Redis) with a clock the test moves. */
export async function createTestApp(opts: { env?: Record<string, string>; now?: string } = {}): Promise<TestApp> {
  const config = testConfig(opts.env);
  const clock = new ManualClock(new Date(opts.now ?? '2026-11-23T10:00:00Z'));
  const moduleRef = await Test.createTestingModule({
    imports: [PortalAppModule.forRoot({ config, appDatabaseUrl: appRoleUrl(config.database.url!, config.database.appRole, config.database.appPassword) })],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureApp(app, config);
  await app.init();
  return { app, http: request(app.getHttpServer()), clock, config, close: () => app.close() };
}

export async function createTenant(
  app: INestApplication,
  over: Partial<{ mode: ServiceMode; timezone: string; calendar: BusinessCalendar; slug: string }> = {},
): Promise<Tenant> {
  const tz = over.timezone ?? 'Europe/Rome';
  const slug = over.slug ?? `t-${randomUUID().slice(0, 8)}`;
  return app.get(TenantOnboardingService).provision({
    slug,
    displayName: `Tenant ${slug}`,
    serviceMode: over.mode ?? 'B',
    timezone: tz,
    calendar: over.calendar ?? DEFAULT_CALENDAR(tz),
    regions: DEFAULT_REGIONS,
    contacts: [],
    country: null,
  });
}

export async function tokenFor(app: INestApplication, tenantId: string, role: TenantRole = 'customer_admin'): Promise<string> {
  const { token } = await app.get(ApiTokensService).create(tenantId, { name: `test ${role}`, role }, 'test');
  return token;
}

/** A signed-in browser-like agent (cookie jar) through the development sign-in. */
export async function signIn(t: TestApp, body: { role: string; email?: string; tenant?: string }) {
  const agent = request.agent(t.app.getHttpServer());
  const res = await agent
    .post('/auth/dev/login')
    .send({ email: body.email ?? `${body.role}-${randomUUID().slice(0, 6)}@example.com`, role: body.role, ...(body.tenant ? { tenant: body.tenant } : {}) });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { agent, csrf: res.body.csrfToken as string, principal: res.body.principal };
}

export function validIntake(over: Record<string, unknown> = {}) {
  return {
    title: 'SSO sign-in fails for all users',
    severity: 'sev1',
    services: ['Identity'],
    regions: ['eu-south-1'],
    impactedUsers: 250,
    firstNoticedAt: '2026-11-23T09:45:00+01:00',
    firstNoticedTimezone: 'Europe/Rome',
    symptoms: 'Users see an error page after the IdP redirect.',
    recentChanges: { kinds: ['idp_migration'] },
    errorCodes: ['AADSTS50011'],
    reproductionConfirmed: true,
    impactedUserExamples: ['mario.rossi@acme.example'],
    ...over,
  };
}
