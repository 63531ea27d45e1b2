import { DataSource } from 'typeorm';
import type { PortalConfig } from '../config/portal-config';
import { appRoleUrl, ensureAppRole } from './app-role';
import type { EmbeddedPostgresHandle } from './embedded-postgres';
import { setMigrationAppRole } from './migration-support';
import { Foundation1763900000000 } from './migrations/1763900000000-foundation';
import { Sso1763900000001 } from './migrations/1763900000001-sso';
import { Evidence1763900000002 } from './migrations/1763900000002-evidence';
import { Seams1763900000003 } from './migrations/1763900000003-seams';
import { DefenceInDepth1763900000004 } from './migrations/1763900000004-defence-in-depth';
import { SlaHistory1763900000005 } from './migrations/1763900000005-sla-history';
import { SsoBinding1763900000006 } from './migrations/1763900000006-sso-binding';
import { IdempotencyFingerprint1763900000007 } from './migrations/1763900000007-idempotency-fingerprint';
// incident communications (issue 14, part A)
import { Notifications1763900000008 } from './migrations/1763900000008-notifications';
// status page (issue 14 part B)
import { StatusPage1763900000013 } from './migrations/1763900000013-status-page';
import { ByocDataPlane1763900000010 } from './migrations/1763900000010-byoc-data-plane';
import { Pir1763900000009 } from './migrations/1763900000009-pir';
// --- vendor notification settings (lead) ---
import { VendorNotificationSettings1763900000020 } from './migrations/1763900000020-vendor-notification-settings';
import { PrincipalCache1763900000021 } from './migrations/1763900000021-principal-cache';
import { DeliveryPlanning1763900000022 } from './migrations/1763900000022-delivery-planning';
import { TextSearchLeakproof1763900000023 } from './migrations/1763900000023-text-search-leakproof';
// CSM walkthroughs (issue 15, h2a-walkthroughs)
import { Walkthroughs1763900000014 } from './migrations/1763900000014-walkthroughs';
// h7a-web-list: tenant-qualified references, customer questions, incident search (issue 18)
import { WebList1763900000019 } from './migrations/1763900000019-web-list';
// h1-delivery: outbox wake-up (issue 14 delivery throughput)
import { OutboxWakeup1763900000017 } from './migrations/1763900000017-outbox-wakeup';
// scale (issue 17, h4-scale-core)
import { Scale1763900000016 } from './migrations/1763900000016-scale';
// quick declaration (issue 18, h6-web-outage)
import { QuickDeclare1763900000018 } from './migrations/1763900000018-quick-declare';
// h2b-pir-publish: the tenant's Hub (issue 15)
import { PirPublish1763900000015 } from './migrations/1763900000015-pir-publish';

/** Versioned migrations, in order. Never `synchronize`. */
export const MIGRATIONS = [
  Foundation1763900000000,
  Sso1763900000001,
  Evidence1763900000002,
  Seams1763900000003,
  DefenceInDepth1763900000004,
  SlaHistory1763900000005,
  SsoBinding1763900000006,
  IdempotencyFingerprint1763900000007,
  // incident communications (issue 14, part A)
  Notifications1763900000008,
  // status page (issue 14 part B)
  StatusPage1763900000013,
  // BYOC data plane (issue 16b)
  ByocDataPlane1763900000010,
  // post-incident reviews (issue 15)
  Pir1763900000009,
  // --- vendor notification settings (lead) ---
  VendorNotificationSettings1763900000020,
  PrincipalCache1763900000021,
  DeliveryPlanning1763900000022,
  TextSearchLeakproof1763900000023,
  // CSM walkthroughs (issue 15, h2a-walkthroughs)
  Walkthroughs1763900000014,
  // h7a-web-list (issue 18)
  WebList1763900000019,
  // h1-delivery: outbox wake-up (issue 14 delivery throughput)
  OutboxWakeup1763900000017,
  // scale (issue 17, h4-scale-core): the all-tenants scope, list indexes, the breach sweep's due column
  Scale1763900000016,
  // quick declaration (issue 18, h6-web-outage)
  QuickDeclare1763900000018,
  // h2b-pir-publish: the tenant's Hub (issue 15)
  PirPublish1763900000015,
];

export interface PreparedDatabase {
  ownerUrl: string;
  appUrl: string;
  embedded: EmbeddedPostgresHandle | null;
}

export function ownerDataSource(url: string): DataSource {
  return new DataSource({ type: 'postgres', url, migrations: MIGRATIONS, migrationsTableName: 'schema_migrations', synchronize: false, logging: false });
}

export async function runMigrations(ownerUrl: string, appRole: string, appPassword: string): Promise<string[]> {
  await ensureAppRole(ownerUrl, appRole, appPassword);
  setMigrationAppRole(appRole);
  const ds = ownerDataSource(ownerUrl);
  await ds.initialize();
  try {
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/** Embedded PostgreSQL when DATABASE_URL is unset, the app role, and migrations when configured. */
export async function prepareDatabase(config: PortalConfig, log: (m: string) => void): Promise<PreparedDatabase> {
  let embedded: EmbeddedPostgresHandle | null = null;
  let ownerUrl = config.database.url;
  if (!ownerUrl) {
    log(`starting embedded PostgreSQL in ${config.database.embeddedDir} on port ${config.database.embeddedPort}`);
    // Loaded only here: a production start with DATABASE_URL never loads the embedded-postgres package.
    const { startEmbeddedPostgres } = await import('./embedded-postgres');
    embedded = await startEmbeddedPostgres({ dir: config.database.embeddedDir, port: config.database.embeddedPort, notice: log });
    ownerUrl = embedded.url;
  }
  if (config.database.runMigrations) {
    const ran = await runMigrations(ownerUrl, config.database.appRole, config.database.appPassword);
    log(ran.length ? `migrations applied: ${ran.join(', ')}` : 'database schema is up to date');
  }
  return { ownerUrl, appUrl: appRoleUrl(ownerUrl, config.database.appRole, config.database.appPassword), embedded };
}
