import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { TenantContext, type RequestScope } from './tenant-context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SCOPES = new Set(['system', 'directory', 'status', 'all_tenants']);

/**
 * A transaction whose first statement sets the context: `START TRANSACTION; select set_config(...)` go to the
 * server as one simple query, one round trip instead of two (issue 17: a request's round trips, not its SQL, were
 * most of its cost). The setting is a literal here, so only values checked above reach it: uuids (hex and dashes)
 * and the fixed scope names. Everything else about the transaction is TypeORM's own (nested transactions become
 * savepoints, a failure rolls back, the connection goes back to the pool).
 */
async function transactionWith<T>(dataSource: DataSource, setting: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  const query: QueryRunner['query'] = runner.query.bind(runner);
  let first = true;
  runner.query = ((text: string, parameters?: unknown[], structured?: boolean) => {
    if (first && text === 'START TRANSACTION') {
      first = false;
      return query(`START TRANSACTION; ${setting}`, parameters, structured as never);
    }
    return query(text, parameters, structured as never);
  }) as QueryRunner['query'];
  try {
    return await runner.manager.transaction(work);
  } finally {
    await runner.release();
  }
}

const setTenants = (tenantIds: string[]) => `select set_config('app.tenant_ids', '${tenantIds.join(',')}', true)`;
const setScope = (scope: string) => {
  if (!SCOPES.has(scope)) throw new Error(`unknown scope ${scope}`);
  return `select set_config('app.scope', '${scope}', true)`;
};

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
  return transactionWith(dataSource, setTenants(tenantIds), work);
}

/**
 * Every tenant (vendor support engineers): the `all_tenants` scope, which the tenant policies honour, instead of a
 * list of every tenant id (whose size, parse cost and look-up grew with the tenant count). No `app.tenant_ids`.
 */
export function inAllTenantsTransaction<T>(dataSource: DataSource, work: (em: EntityManager) => Promise<T>): Promise<T> {
  return transactionWith(dataSource, setScope('all_tenants'), work);
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
  return transactionWith(dataSource, setScope(scope), work);
}
