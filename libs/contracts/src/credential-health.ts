import { z } from 'zod';

/**
 * The "credential health" digest (seed 000, standing fixes): every credential the portal knows for a tenant
 * with its expiry, weekly, and alerts 30, 7 and 1 days before one expires.
 */
export const CREDENTIAL_ALERT_DAYS = [30, 7, 1] as const;
/** An API token not used for this long is listed as unused. */
export const CREDENTIAL_UNUSED_DAYS = 90;

export const credentialDigestSubscriptionSchema = z.strictObject({ email: z.email('must be an email address').max(254) });
export type CredentialDigestSubscriptionInput = z.infer<typeof credentialDigestSubscriptionSchema>;

export type CredentialKind = 'saml_signing_certificate' | 'entra_client_certificate' | 'api_token';

export interface CredentialHealthItem {
  /** Stable per credential (kind, owner id, fingerprint): what an alert is recorded against. */
  key: string;
  kind: CredentialKind;
  /** e.g. "SAML signing certificate of Okta (CN=okta)" or "API token CI monitoring". */
  name: string;
  expiresAt: string | null;
  daysLeft: number | null;
  lastUsedAt: string | null;
  status: 'ok' | 'expiring' | 'expired' | 'unused' | 'no_expiry';
}

export interface CredentialHealthReport {
  generatedAt: string;
  items: CredentialHealthItem[];
  subscription: { email: string; lastDigestAt: string | null } | null;
  /** What the portal cannot see (so the digest never implies more than it knows). */
  notes: string[];
}
