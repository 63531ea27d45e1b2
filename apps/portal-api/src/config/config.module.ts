import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { PORTAL_CONFIG, PortalConfig } from './portal-config';

/** What the portal is started with: its configuration and the runtime role's database URL. */
export interface PortalRuntimeOptions {
  config: PortalConfig;
  /** Connection URL of the runtime (row-level-security) role. */
  appDatabaseUrl: string;
}

export const PORTAL_RUNTIME_OPTIONS = Symbol('PORTAL_RUNTIME_OPTIONS');

/** Provides PORTAL_CONFIG from the runtime options (given, or made by a host's factory in forRootAsync). */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(options: Provider, imports: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: ConfigModule,
      imports,
      providers: [options, { provide: PORTAL_CONFIG, inject: [PORTAL_RUNTIME_OPTIONS], useFactory: (o: PortalRuntimeOptions): PortalConfig => o.config }],
      exports: [PORTAL_RUNTIME_OPTIONS, PORTAL_CONFIG],
    };
  }
}
