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

export interface RequestScope {
  /** Tenants this unit of work may see; row-level security is set from this list. */
  tenantIds: string[];
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
  tenantIds(): string[] {
    const s = TenantContext.store().scope;
    if (!s) throw new NoTenantContext('tenant scope');
    return s.tenantIds;
  },
  /** Sets who acts and what they may see; called by the guard after authentication. */
  enter(actor: Actor, tenantIds: string[]): void {
    const s = TenantContext.store();
    s.actor = actor;
    s.scope = { tenantIds: [...new Set(tenantIds)] };
  },
  /** Runs `fn` in a fresh context for one tenant (jobs, seeds). */
  runAs<T>(actor: Actor, tenantIds: string[], fn: () => T, requestId = `job-${Date.now().toString(36)}`): T {
    return storage.run({ requestId, ip: null, userAgent: null, actor, scope: { tenantIds: [...tenantIds] } }, fn);
  },
};
