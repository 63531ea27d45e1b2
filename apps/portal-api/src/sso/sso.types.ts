import type { TenantRole, VendorRole } from '@portal/contracts';
import type { Tenant } from '../tenants/tenant.types';

export type IdpKind = 'saml' | 'oidc' | 'entra';
export const IDP_KINDS: readonly IdpKind[] = ['saml', 'oidc', 'entra'];

/** Claims (OIDC/Entra) or attributes (SAML) to portal roles, configured per identity provider. */
export interface RoleMapping<R extends string = string> {
  /** The claim or attribute holding group/role values, e.g. `groups`, `roles`, a SAML attribute name. */
  claim: string;
  /** A value of that claim and the role it grants; the most privileged matching role wins. */
  rules: { value: string; role: R }[];
  /** The role of a user none of whose values match; null refuses them ("no role"). */
  defaultRole: R | null;
}

export interface SamlSettings {
  idpEntityId: string;
  ssoUrl: string;
  /** The IdP's signing certificates (PEM); more than one during a rollover. */
  certificates: string[];
  metadataUrl: string | null;
  /** Attribute carrying the email address; null tries the usual names (mail, email, emailaddress claim). */
  emailAttribute: string | null;
  nameAttribute: string | null;
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  scopes: string[];
}

export interface EntraSettings {
  /** The Entra directory (tenant) id this portal tenant trusts; tokens from any other `tid` are refused. */
  directoryId: string;
  clientId: string;
  /** Cloud instance, e.g. https://login.microsoftonline.com (public) or https://login.microsoftonline.us. */
  cloudInstance: string;
  /** How the portal authenticates to Entra: a client secret or a certificate (both sealed). */
  credential: 'secret' | 'certificate';
  /** Certificate credential (public part); its private key is in the sealed secret. */
  certificatePem: string | null;
  certificateThumbprintSha256: string | null;
}

export type IdpSettings = { kind: 'saml'; saml: SamlSettings } | { kind: 'oidc'; oidc: OidcSettings } | { kind: 'entra'; entra: EntraSettings };

/** What the sealed secret column holds, once opened. */
export interface IdpSecret {
  clientSecret?: string;
  privateKeyPem?: string;
}

/** Whose provider this is: a tenant's (its customers sign in) or the vendor's (staff sign in). */
export type Realm = { kind: 'tenant'; tenant: Tenant } | { kind: 'staff' };
export const STAFF_REALM = '_staff';

interface IdpConfigBase<R extends string> {
  id: string;
  displayName: string;
  enabled: boolean;
  jitProvisioning: boolean;
  roleMapping: RoleMapping<R>;
  hasSecret: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A tenant's identity provider as stored (secret still sealed). */
export type TenantIdpConfig = IdpConfigBase<TenantRole> &
  IdpSettings & { tenantId: string; secretCiphertext: string | null; secretKeyId: string | null; createdBy: string; updatedBy: string };

/** A provider ready for a sign-in: settings, opened secret, and whose it is. */
export type ResolvedIdp = IdpConfigBase<string> & IdpSettings & { realm: Realm; realmSegment: string; secret: IdpSecret };

/** Who the identity provider says signed in, before the portal decides anything. */
export interface SsoIdentity {
  /** Protocol- and issuer-qualified subject (sso-subject.ts): `saml:<entity id>|<NameID>`, `oidc:<issuer>|<sub>`, `entra:<authority host>/<tid>|<oid>`. Never an email. */
  subject: string;
  email: string | null;
  /** True only when the provider vouches for the address (OIDC email_verified); gates linking by email. */
  emailVerified: boolean;
  name: string | null;
  claims: Record<string, unknown>;
}

export type SsoRole = TenantRole | VendorRole;
