/** What a host application imports to embed the portal (see README, "Embedding the portal in your Nest app"). */
export { PortalModule, PortalAppModule, compositionOf } from './app.module';
export type { PortalModuleOptions, PortalModuleAsyncOptions } from './app.module';
export { loadConfig, PORTAL_CONFIG } from './config/portal-config';
export type { PortalConfig, PortalRole } from './config/portal-config';
export { appRoleUrl } from './database/app-role';
export { runMigrations } from './database/database';
export { PORTAL_DATA_SOURCE } from './database/db.service';
