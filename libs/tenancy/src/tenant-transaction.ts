import type { DataSource, EntityManager } from 'typeorm';
import { TenantContext, type RequestScope } from './tenant-context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One transaction per unit of work with the tenant set *inside* it:
 * set_config(..., true) is transaction-local, so a pooled connection never carries
 * one request's tenant into the next (SECURITY.md, "Tenant isolation").
 * The policies read `app.tenant_ids`; unset or empty means no row matches.
 */
export async function inTenantTransaction<T>(dataSource: DataSource, tenantIds: string[], work: (em: EntityManager) => Promise<T>): Promise<T> {
  for (const id of tenantIds) {
    if (!UUID.test(id)) throw new Error('tenant id is not a uuid');
  }
  return dataSource.transaction(async (em) => {
    await em.query(`select set_config('app.tenant_ids', $1, true)`, [tenantIds.join(',')]);
    return work(em);
  });
}

/**
 * Every tenant (vendor support engineers): the `all_tenants` scope, which the tenant policies honour, instead of a
 * list of every tenant id (whose size, parse cost and look-up grew with the tenant count). No `app.tenant_ids`.
 */
export function inAllTenantsTransaction<T>(dataSource: DataSource, work: (em: EntityManager) => Promise<T>): Promise<T> {
  return dataSource.transaction(async (em) => {
    await em.query(`select set_config('app.scope', 'all_tenants', true)`);
    return work(em);
  });
}

/** The same, with the tenants of the current request/job context. */
export function inContextTransaction<T>(dataSource: DataSource, work: (em: EntityManager) => Promise<T>): Promise<T> {
  const scope: RequestScope = TenantContext.scope();
  if (scope.allTenants) return inAllTenantsTransaction(dataSource, work);
  return inTenantTransaction(dataSource, scope.tenantIds, work);
}

/**
 * Cross-tenant infrastructure work (outbox relay, tenant directory look-ups). Policies grant
 * this scope only the narrow rights each such table needs; tenant data stays walled.
 */
export async function inScopedTransaction<T>(
  dataSource: DataSource,
  scope: 'system' | 'directory' | 'status',
  work: (em: EntityManager) => Promise<T>,
): Promise<T> {
  return dataSource.transaction(async (em) => {
    await em.query(`select set_config('app.scope', $1, true)`, [scope]);
    return work(em);
  });
}
