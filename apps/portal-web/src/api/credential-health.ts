import type { CredentialHealthReport } from '@portal/contracts';
import { http } from './client';

/** The credential-health digest of the admin's tenant. */
export const credentialHealthApi = {
  report: () => http.get<CredentialHealthReport>('/api/v1/credential-health'),
  subscribe: (email: string) => http.put<CredentialHealthReport>('/api/v1/credential-health/subscription', { email }),
  unsubscribe: () => http.delete<CredentialHealthReport>('/api/v1/credential-health/subscription'),
};
