import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import { TenantContext } from '@portal/tenancy';
import { AuthModule } from './auth/auth.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { ConfigModule } from './config/config.module';
import type { PortalConfig } from './config/portal-config';
import { CoreModule } from './core.module';
import { EvidenceModule } from './evidence/evidence.module';
import { GovernanceModule } from './governance/governance.module';
import { HealthController } from './health/health.controller';
import { MetricsController } from './health/metrics.controller';
import { IncidentsModule } from './incidents/incidents.module';
import { QueueModule } from './queue/queue.module';
import { SsoModule } from './sso/sso.module';
import { TenantsModule } from './tenants/tenants.module';

export interface PortalModuleOptions {
  config: PortalConfig;
  /** Connection URL of the runtime (row-level-security) role. */
  appDatabaseUrl: string;
}

/** The portal as a module a host Nest application can import with its own configuration. */
@Module({})
export class PortalModule {
  static forRoot(opts: PortalModuleOptions): DynamicModule {
    const { config } = opts;
    return {
      module: PortalModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // Never a secret in a log line: credentials are cut from what pino-http records.
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'], censor: '[redacted]' },
            customProps: () => {
              const s = TenantContext.maybeStore();
              return { requestId: s?.requestId, tenantIds: s?.scope?.tenantIds.length === 1 ? s.scope.tenantIds[0] : undefined, actor: s?.actor?.id };
            },
            autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
            serializers: { req: (req) => ({ id: req.id, method: req.method, url: String(req.url).split('?')[0] }) },
          },
        }),
        TypeOrmModule.forRoot({ type: 'postgres', url: opts.appDatabaseUrl, synchronize: false, migrationsRun: false, entities: [], extra: { max: config.database.poolSize } }),
        PrometheusModule.register({ controller: MetricsController, path: '/metrics', defaultMetrics: { enabled: !register.getSingleMetric('process_cpu_user_seconds_total') } }),
        CoreModule,
        GovernanceModule,
        QueueModule.forRoot(config),
        AuthModule.forRoot({ devLogin: config.devLogin }),
        TenantsModule,
        IncidentsModule,
        EvidenceModule,
        SsoModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }
}
