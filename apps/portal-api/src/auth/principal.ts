import type { Actor, TenantReach } from '@portal/tenancy';

export interface Principal {
  actor: Actor;
  /** The tenants this principal may see, or every tenant (support engineers). */
  tenantIds: TenantReach;
  via: 'session' | 'api_token';
  sessionIdHash?: string;
  csrfToken?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}
