import type { Actor } from '@portal/tenancy';

export interface Principal {
  actor: Actor;
  tenantIds: string[];
  via: 'session' | 'api_token';
  sessionIdHash?: string;
  csrfToken?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}
