import { http } from './client';

/*
 * Identity providers (single sign-on) and the SSO error page: response shapes of portal-api's
 * sso/ module (identity-providers.service.ts view(), sso.controller.ts errorInfo()).
 */
export type IdpKind = 'saml' | 'oidc' | 'entra';
export type TenantRole = 'customer_admin' | 'customer_viewer';

export interface RoleMapping {
  claim: string;
  rules: { value: string; role: TenantRole }[];
  defaultRole: TenantRole | null;
}

export interface CertificateInfo {
  subject: string;
  notAfter: string;
  fingerprintSha256: string;
}

interface IdentityProviderBase {
  id: string;
  kind: IdpKind;
  displayName: string;
  enabled: boolean;
  jitProvisioning: boolean;
  roleMapping: RoleMapping;
  startUrl: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export type IdentityProvider =
  | (IdentityProviderBase & {
      kind: 'saml';
      saml: {
        idpEntityId: string;
        ssoUrl: string;
        metadataUrl: string | null;
        emailAttribute: string | null;
        nameAttribute: string | null;
        certificates: CertificateInfo[];
      };
      serviceProvider: { entityId: string; acsUrl: string; metadataUrl: string };
    })
  | (IdentityProviderBase & {
      kind: 'oidc';
      oidc: { issuer: string; clientId: string; scopes: string[]; hasClientSecret: boolean };
      serviceProvider: { redirectUri: string };
    })
  | (IdentityProviderBase & {
      kind: 'entra';
      entra: {
        directoryId: string;
        clientId: string;
        cloudInstance: string;
        credential: 'secret' | 'certificate';
        hasClientSecret: boolean;
        hasCertificate: boolean;
        certificate: (CertificateInfo & { thumbprintSha256: string | null }) | null;
      };
      serviceProvider: { redirectUri: string };
    });

export interface SsoErrorInfo {
  code: string;
  title: string;
  message: string;
  adminAction: string;
}

/** Request bodies: secrets appear here only, never in responses. */
export type IdentityProviderInput = Record<string, unknown>;

export const ssoApi = {
  identityProviders: () => http.get<{ items: IdentityProvider[] }>('/api/v1/identity-providers'),
  createIdentityProvider: (body: IdentityProviderInput) => http.post<IdentityProvider>('/api/v1/identity-providers', body),
  updateIdentityProvider: (id: string, body: IdentityProviderInput) => http.patch<IdentityProvider>(`/api/v1/identity-providers/${id}`, body),
  deleteIdentityProvider: (id: string) => http.delete<{ deleted: boolean }>(`/api/v1/identity-providers/${id}`),
  linkAccount: (id: string, body: { email: string; subject?: string }) => http.post<AccountLink>(`/api/v1/identity-providers/${id}/links`, body),
  errorInfo: (code: string) => http.get<SsoErrorInfo>(`/sso/errors/${encodeURIComponent(code)}`),
};

/** An existing account linked to a provider (sso/identity-providers.service.ts link()). */
export interface AccountLink {
  userId: string;
  email: string;
  idpId: string;
  /** Bound at once to the given subject, or authorised for the provider's next sign-in that vouches for the email. */
  mode: 'subject' | 'next_verified_sign_in';
  expiresAt: string | null;
}
