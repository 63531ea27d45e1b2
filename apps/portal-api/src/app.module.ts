import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { APP_FILTER, RouterModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import { register } from 'prom-client';
import { TenantContext } from '@portal/tenancy';
import { AuthHttpModule, AuthModule, AuthWorkerModule } from './auth/auth.module';
import { ByocHttpModule, ByocModule } from './byoc/byoc.module';
import { DataPlaneModule } from './byoc/data-plane/data-plane.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { ConfigModule, PORTAL_RUNTIME_OPTIONS, PortalRuntimeOptions } from './config/config.module';
import type { PortalRole } from './config/portal-config';
import { CoreModule } from './core.module';
import { PORTAL_DATA_SOURCE } from './database/db.service';
import { EvidenceHttpModule, EvidenceModule, EvidenceWorkerModule } from './evidence/evidence.module';
import { GovernanceHttpModule } from './governance/governance.module';
import { HealthController } from './health/health.controller';
import { MetricsController } from './health/metrics.controller';
import { IncidentsHttpModule, IncidentsModule, IncidentsWorkerModule } from './incidents/incidents.module';
import { PirHttpModule, PirModule, PirWorkerModule } from './pir/pir.module';
// CSM walkthroughs (issue 15, h2a-walkthroughs)
import { WalkthroughsHttpModule, WalkthroughsModule, WalkthroughsWorkerModule } from './walkthroughs/walkthroughs.module';
// SLA reports (issue 15b)
import { ReportsHttpModule, ReportsModule } from './reports/reports.module';
import { QueueWorkerModule } from './queue/queue-worker.module';
import { SsoHttpModule, SsoModule } from './sso/sso.module';
import { TenantsHttpModule, TenantsModule } from './tenants/tenants.module';
// incident communications (issue 14, part A)
import { NotificationsHttpModule, NotificationsModule, NotificationsWorkerModule } from './notifications/notifications.module';
// status page (issue 14 part B)
import { StatusPageHttpModule, StatusPageModule, StatusPageWorkerModule } from './status-page/status-page.module';
import { CredentialHealthHttpModule, CredentialHealthModule, CredentialHealthWorkerModule } from './credential-health/credential-health.module';

export interface PortalModuleOptions extends PortalRuntimeOptions {
  /** Which parts run in this process; defaults to `config.role`. */
  role?: PortalRole;
  /** Mounts every portal route under this path (e.g. `portal` → `/portal/api/v1/incidents`). */
  pathPrefix?: string;
}

export interface PortalModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: (string | symbol | Type)[];
  useFactory: (...args: any[]) => PortalRuntimeOptions | Promise<PortalRuntimeOptions>;
  /** Known when the module graph is built: which modules exist depends on them. */
  role: PortalRole;
  devLogin?: boolean;
  pathPrefix?: string;
}

/** What each role is made of. `data-plane` (BYOC) is one Mode C tenant's evidence, its routes and its link to the control plane. */
export function compositionOf(role: PortalRole, devLogin: boolean) {
  const http = role === 'api' || role === 'all';
  const worker = role === 'worker' || role === 'all';
  const domain =
    role === 'data-plane'
      ? [DataPlaneModule]
      : [
          TenantsModule,
          AuthModule,
          IncidentsModule,
          EvidenceModule,
          SsoModule,
          // BYOC control plane (issue 16b)
          ByocModule,
        ];
  const httpModules = http
    ? [
        TenantsHttpModule,
        AuthHttpModule.forRoot({ devLogin }),
        IncidentsHttpModule,
        EvidenceHttpModule,
        SsoHttpModule,
        GovernanceHttpModule,
        // BYOC control plane (issue 16b)
        ByocHttpModule,
      ]
    : [];
  const workerModules = worker ? [QueueWorkerModule, IncidentsWorkerModule, EvidenceWorkerModule, AuthWorkerModule] : [];
  // incident communications (issue 14, part A)
  if (role !== 'data-plane') domain.push(NotificationsModule);
  if (http) httpModules.push(NotificationsHttpModule);
  if (worker) workerModules.push(NotificationsWorkerModule);
  // status page (issue 14 part B)
  if (role !== 'data-plane') domain.push(StatusPageModule, CredentialHealthModule);
  if (http) httpModules.push(StatusPageHttpModule, CredentialHealthHttpModule);
  if (worker) workerModules.push(StatusPageWorkerModule, CredentialHealthWorkerModule);
  // post-incident reviews (issue 15)
  if (role !== 'data-plane') domain.push(PirModule);
  if (http) httpModules.push(PirHttpModule);
  if (worker) workerModules.push(PirWorkerModule);
  // CSM walkthroughs (issue 15, h2a-walkthroughs)
  if (role !== 'data-plane') domain.push(WalkthroughsModule);
  if (http) httpModules.push(WalkthroughsHttpModule);
  if (worker) workerModules.push(WalkthroughsWorkerModule);
  // SLA reports (issue 15b)
  if (role !== 'data-plane') domain.push(ReportsModule);
  if (http) httpModules.push(ReportsHttpModule);
  return { http, worker, domain, httpModules, workerModules };
}

const moduleType = (m: Type | DynamicModule): Type => ('module' in m ? m.module : m);

/**
 * The portal as a plugin a host Nest application imports: its own named DataSource, its guard and error
 * mapping bound to its own controllers, its request context entered by its own middleware on its own routes,
 * and no global provider (guard, filter, pipe, interceptor, logger) that would change the host's behaviour.
 *
 *   PortalModule.forRoot({ config, appDatabaseUrl, role: 'api', pathPrefix: 'portal' })
 */
@Module({})
export class PortalModule {
  static forRoot(opts: PortalModuleOptions): DynamicModule {
    const { config, appDatabaseUrl } = opts;
    return PortalModule.compose(
      { provide: PORTAL_RUNTIME_OPTIONS, useValue: { config, appDatabaseUrl } },
      [],
      opts.role ?? config.role,
      config.devLogin,
      opts.pathPrefix,
    );
  }

  /** The same, with the configuration made by the host's providers (its ConfigService, a secrets manager, …). */
  static forRootAsync(opts: PortalModuleAsyncOptions): DynamicModule {
    return PortalModule.compose(
      { provide: PORTAL_RUNTIME_OPTIONS, inject: opts.inject ?? [], useFactory: opts.useFactory },
      opts.imports ?? [],
      opts.role,
      opts.devLogin ?? false,
      opts.pathPrefix,
    );
  }

  private static compose(
    options: Provider,
    imports: DynamicModule['imports'],
    role: PortalRole,
    devLogin: boolean,
    pathPrefix: string | undefined,
  ): DynamicModule {
    const c = compositionOf(role, devLogin);
    return {
      module: PortalModule,
      imports: [
        ConfigModule.forRoot(options, imports),
        TypeOrmModule.forRootAsync({
          name: PORTAL_DATA_SOURCE,
          inject: [PORTAL_RUNTIME_OPTIONS],
          // `name` again in the options: TypeOrmCoreModule finds its DataSource at shutdown by the factory's result.
          useFactory: (o: PortalRuntimeOptions) => ({
            name: PORTAL_DATA_SOURCE,
            type: 'postgres',
            url: o.appDatabaseUrl,
            synchronize: false,
            migrationsRun: false,
            entities: [],
            extra: { max: o.config.database.poolSize, statement_timeout: o.config.database.statementTimeoutMs },
          }),
        }),
        CoreModule,
        ...c.domain,
        ...c.workerModules,
        ...c.httpModules,
        ...(pathPrefix && c.httpModules.length
          ? [RouterModule.register([{ path: pathPrefix, module: PortalModule, children: c.httpModules.map(moduleType) }])]
          : []),
      ],
    };
  }
}

/**
 * The portal as its own process (main.ts, the CLI, the tests): the embeddable module for the configured
 * role, plus what a standalone process owns — pino logs, /health (terminus), /metrics, and the error mapping
 * for everything outside the portal's controllers (unknown paths, body-parser errors).
 */
@Module({})
export class PortalAppModule {
  static forRoot(opts: PortalModuleOptions): DynamicModule {
    const { config } = opts;
    return {
      module: PortalAppModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // Never a secret in a log line: credentials are cut from what pino-http records.
            redact: {
              paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'],
              censor: '[redacted]',
            },
            customProps: () => {
              const s = TenantContext.maybeStore();
              return { requestId: s?.requestId, tenantIds: s?.scope?.tenantIds.length === 1 ? s.scope.tenantIds[0] : undefined, actor: s?.actor?.id };
            },
            autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
            serializers: { req: (req) => ({ id: req.id, method: req.method, url: String(req.url).split('?')[0] }) },
          },
        }),
        PortalModule.forRoot(opts),
        TerminusModule.forRoot({ logger: false }),
        PrometheusModule.register({
          controller: MetricsController,
          path: '/metrics',
          defaultMetrics: { enabled: !register.getSingleMetric('process_cpu_user_seconds_total') },
        }),
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }
}
