import { AsyncLocalStorage } from 'node:async_hooks';

export type PrincipalKind = 'user' | 'staff' | 'api_token' | 'system';

/** Who is acting. Vendor staff have no home tenant; their reach is `scope.tenantIds`. */
export interface Actor {
  kind: PrincipalKind;
  id: string;
  label: string;
  role: string;
  homeTenantId: string | null;
}

/** A background actor (job, subscriber, sweep) acting for one tenant, or with `null` for none in particular. */
export function systemActor(id: string, label: string, homeTenantId: string | null): Actor {
  return { kind: 'system', id, label, role: 'system', homeTenantId };
}

/** Every tenant (vendor support engineers): a scope, not a list, so its cost does not grow with the tenant count. */
export const ALL_TENANTS = 'all' as const;
/** What a principal may see: a list of tenants, or every tenant. */
export type TenantReach = string[] | typeof ALL_TENANTS;

export interface RequestScope {
  /** Tenants this unit of work may see; row-level security is set from this list. Empty when `allTenants`. */
  tenantIds: string[];
  /** Every tenant: row-level security is set as the `all_tenants` scope instead of a list. */
  allTenants: boolean;
}

function scopeOf(reach: TenantReach): RequestScope {
  return reach === ALL_TENANTS ? { tenantIds: [], allTenants: true } : { tenantIds: [...new Set(reach)], allTenants: false };
}

export interface RequestContextStore {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  actor?: Actor;
  scope?: RequestScope;
}

export class NoTenantContext extends Error {
  constructor(what: string) {
    super(`no ${what} in the current context: the code ran outside a request or job that resolved its tenant`);
    this.name = 'NoTenantContext';
  }
}

const storage = new AsyncLocalStorage<RequestContextStore>();

/**
 * The request-scoped context: entered once per request (middleware) or job (worker),
 * filled by the auth guard, and read by repositories to set PostgreSQL's tenant per transaction.
 * Reading it outside a context throws rather than silently meaning "every tenant".
 */
export const TenantContext = {
  run<T>(store: RequestContextStore, fn: () => T): T {
    return storage.run(store, fn);
  },
  store(): RequestContextStore {
    const s = storage.getStore();
    if (!s) throw new NoTenantContext('request context');
    return s;
  },
  maybeStore(): RequestContextStore | undefined {
    return storage.getStore();
  },
  actor(): Actor {
    const a = TenantContext.store().actor;
    if (!a) throw new NoTenantContext('actor');
    return a;
  },
  scope(): RequestScope {
    const s = TenantContext.store().scope;
    if (!s) throw new NoTenantContext('tenant scope');
    return s;
  },
  /** The tenants listed in the scope; empty for an all-tenants scope (ask `reaches` or `scope().allTenants`). */
  tenantIds(): string[] {
    return TenantContext.scope().tenantIds;
  },
  /** Whether the current scope may see this tenant. */
  reaches(tenantId: string): boolean {
    const s = TenantContext.scope();
    return s.allTenants || s.tenantIds.includes(tenantId);
  },
  /** Sets who acts and what they may see; called by the guard after authentication. */
  enter(actor: Actor, reach: TenantReach): void {
    const s = TenantContext.store();
    s.actor = actor;
    s.scope = scopeOf(reach);
  },
  /** Runs `fn` in a fresh context for one tenant (jobs, seeds), or every tenant (vendor-wide jobs). */
  runAs<T>(actor: Actor, reach: TenantReach, fn: () => T, requestId = `job-${Date.now().toString(36)}`): T {
    return storage.run({ requestId, ip: null, userAgent: null, actor, scope: scopeOf(reach) }, fn);
  },
};
