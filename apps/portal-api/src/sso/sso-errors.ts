import { DomainError } from '../common/domain-errors';
import { SsoUrlRefused } from './sso-http';

/**
 * Every way an SSO sign-in can fail, as the person in front of the browser and their IT admin
 * need to read it. Seed 000 lists "SSO sign-in fails for all users" as a Sev 1 and "AAD admin
 * consent prompt" as a recurring pattern: the page must say what failed and what the admin does.
 * Texts are fixed here, chosen by code; nothing from the request or the provider is echoed.
 */
export interface SsoErrorInfo {
  title: string;
  /** What failed, for the person signing in. */
  message: string;
  /** What their IT admin (or Claresia, for staff) can do about it. */
  adminAction: string;
  status: number;
}

export const SSO_ERRORS = {
  unknown_provider: {
    title: 'This sign-in link is not set up',
    message: 'The sign-in link does not match an identity provider configured for this tenant, or the provider was removed or switched off.',
    adminAction:
      "In the portal, open Settings → Identity providers and check the provider exists and is enabled; use the sign-in button on your tenant's sign-in page rather than a bookmarked link.",
    status: 404,
  },
  flow_expired: {
    title: 'The sign-in took too long',
    message: 'The answer from your identity provider arrived after the sign-in expired, was already used, or belongs to a sign-in this portal did not start.',
    adminAction:
      "Start again from the portal's sign-in page. Sign-ins started from the identity provider's app list (IdP-initiated) are not accepted: add the portal as a bookmark app that opens the portal's sign-in page.",
    status: 400,
  },
  state_mismatch: {
    title: 'The answer does not belong to this sign-in',
    message:
      "The identity provider's answer does not match the sign-in this browser started (state check failed). This can happen with two sign-ins in parallel tabs, or when a link is forwarded.",
    adminAction:
      "Close other sign-in tabs and start again from the portal's sign-in page. If it keeps happening for everybody, quote the reference to support.",
    status: 400,
  },
  nonce_mismatch: {
    title: 'The identity token was issued for another sign-in',
    message: 'The identity token does not carry the one-time value (nonce) of this sign-in, so it may be a replayed or substituted token.',
    adminAction:
      'Start again. If it persists, check that nothing between the browser and the identity provider caches or rewrites responses, and quote the reference to support.',
    status: 400,
  },
  signature_invalid: {
    title: "The identity provider's signature could not be verified",
    message: 'The answer was not signed, or was signed with a key the portal does not trust for this identity provider.',
    adminAction:
      'If your identity provider rotated its signing certificate, update it in Settings → Identity providers (or re-import the metadata). Assertions must be signed.',
    status: 401,
  },
  response_expired: {
    title: "The identity provider's answer has expired",
    message: 'The answer (SAML assertion or ID token) is outside its validity period.',
    adminAction: "Start again. If it fails for everybody, check the clock of the identity provider's servers: the portal accepts a small clock skew only.",
    status: 401,
  },
  audience_mismatch: {
    title: 'The answer was issued for another application',
    message: "The identity provider issued this answer for a different application (audience) than this portal's sign-in.",
    adminAction: "In your identity provider, the portal's Entity ID (SAML) or client ID (OIDC) must be the one shown in Settings → Identity providers.",
    status: 401,
  },
  issuer_mismatch: {
    title: 'The answer came from an unexpected issuer',
    message: 'The answer names an issuer other than the identity provider configured for this sign-in.',
    adminAction: 'Check the issuer (OIDC) or IdP Entity ID (SAML) in Settings → Identity providers matches your identity provider exactly.',
    status: 401,
  },
  destination_mismatch: {
    title: 'The answer was addressed to another sign-in address',
    message: "The SAML response names a different Assertion Consumer Service (reply) URL than this sign-in's.",
    adminAction: 'In your identity provider, set the reply / ACS URL to the one shown for this provider in Settings → Identity providers.',
    status: 401,
  },
  response_replayed: {
    title: 'This answer was already used',
    message: "The identity provider's answer has already been used to sign in once and cannot be used again.",
    adminAction:
      "Start again from the portal's sign-in page. Repeated occurrences may mean someone is replaying captured sign-ins: quote the reference to support.",
    status: 401,
  },
  unsolicited_response: {
    title: 'The portal did not ask for this sign-in',
    message: 'The answer was not a reply to a sign-in this portal started (IdP-initiated or forged responses are refused).',
    adminAction:
      "Start sign-ins from the portal's sign-in page. In your identity provider, link the portal tile to the portal's sign-in page instead of posting to it directly.",
    status: 401,
  },
  wrong_directory: {
    title: 'Your account is from another Microsoft Entra directory',
    message: 'You signed in with an account from a Microsoft Entra directory (tenant) other than the one this portal tenant trusts.',
    adminAction:
      "Sign in with your organisation's work account. If your organisation moved directories, update the Directory (tenant) ID in Settings → Identity providers.",
    status: 403,
  },
  wrong_tenant: {
    title: 'This sign-in belongs to another tenant',
    message: "The identity provider's answer was for another tenant's (or another provider's) sign-in, not this one.",
    adminAction: "Start again from your own tenant's sign-in page (…/t/<your tenant>/sign-in).",
    status: 403,
  },
  unknown_user: {
    title: 'The portal has no account for you',
    message:
      'Your identity provider signed you in, but the portal has no account for you and this provider does not create accounts automatically, or the provider sent no usable identifier or email address.',
    adminAction:
      'Turn on automatic account creation for this provider in Settings → Identity providers, and make sure the provider releases a subject identifier and an email address.',
    status: 403,
  },
  no_role: {
    title: 'Your account has no role in the portal',
    message: 'Your identity provider signed you in, but none of your groups or roles maps to a portal role (admin or viewer), so access is refused.',
    adminAction:
      "In Settings → Identity providers → Role mapping, add a rule for one of this person's groups, set a default role, or add the person to a mapped group in your identity provider.",
    status: 403,
  },
  account_conflict: {
    title: 'Your email address belongs to an account this sign-in is not linked to',
    message: 'An account with your email address exists in this tenant, and it is not linked to this identity provider, so this sign-in does not take it over.',
    adminAction:
      'Sign in with the identity provider that account uses. To move the account to this provider, a customer admin links it to the provider (portal API: POST /api/v1/identity-providers/<id>/links). Accounts are never linked by a sign-in, nor by email alone.',
    status: 409,
  },
  consent_missing: {
    title: 'Admin consent is missing for the portal',
    message:
      'Your Microsoft Entra directory has not granted the portal the permissions it asks for (AADSTS65001 / consent_required), and users cannot consent themselves.',
    adminAction:
      'A Global or Cloud Application Administrator pre-consents: Azure → Enterprise Applications → User Settings (or the portal app → Permissions → "Grant admin consent for <your organisation>").',
    status: 403,
  },
  idp_error: {
    title: 'Your identity provider refused the sign-in',
    message:
      'The identity provider answered with an error instead of signing you in (for example the sign-in was cancelled, the user is not assigned to the application, or a policy blocked it).',
    adminAction:
      "Check the identity provider's sign-in logs for this time and user; the error code is recorded in the portal's audit trail under the reference below.",
    status: 401,
  },
  idp_unreachable: {
    title: 'The identity provider could not be reached',
    message: 'The portal could not reach your identity provider (discovery, keys or token endpoint) to finish the sign-in.',
    adminAction:
      'Check the issuer / metadata / authority URL in Settings → Identity providers and that the identity provider is up. If it is, quote the reference to support.',
    status: 502,
  },
  provider_misconfigured: {
    title: 'The identity provider configuration is not working',
    message:
      "The portal's configuration for this identity provider was refused (for example an expired or wrong client secret, an unregistered redirect URI, or an application that does not exist in the directory).",
    adminAction:
      'Compare the client ID, client secret or certificate, and redirect URI in Settings → Identity providers with the application registered in your identity provider; renew an expired secret.',
    status: 502,
  },
  rate_limited: {
    title: 'Too many sign-in attempts',
    message: 'Too many sign-in attempts came from your network in a short time, so the portal paused them for a minute.',
    adminAction:
      'Wait a minute and start again from the sign-in page. If many people share one network address and it keeps happening, quote the reference to Claresia support.',
    status: 429,
  },
  unavailable: {
    title: 'Sign-in is temporarily unavailable',
    message: 'The portal could not keep track of sign-ins for a moment (one of its services is not answering), so nothing was signed in.',
    adminAction:
      'Try again in a minute. If it keeps failing for everybody, quote the reference to Claresia support: the portal itself is degraded, not your identity provider.',
    status: 503,
  },
  invalid_response: {
    title: "The identity provider's answer could not be read",
    message: 'The answer was malformed or incomplete.',
    adminAction: 'Start again. If it fails for everybody, quote the reference to support with the time of the attempt.',
    status: 400,
  },
} satisfies Record<string, SsoErrorInfo>;

export type SsoErrorCode = keyof typeof SSO_ERRORS;
export const isSsoErrorCode = (c: string): c is SsoErrorCode => Object.prototype.hasOwnProperty.call(SSO_ERRORS, c);

/**
 * A refused sign-in. The browser sees the fixed text of `code`; `detail` (what exactly failed,
 * never a token or secret) goes to the governance event so an admin or support can diagnose it.
 */
export class SsoSignInFailed extends DomainError {
  readonly status: number;
  readonly code: SsoErrorCode;
  constructor(
    code: SsoErrorCode,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(SSO_ERRORS[code].message);
    this.code = code;
    this.status = SSO_ERRORS[code].status;
  }
}

/** Library messages may quote token fragments or one-time values; keep them short and masked. */
export function sanitizeDetail(s: string): string {
  return s
    .replace(/eyJ[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){1,4}/g, '[…]')
    .replace(/[A-Za-z0-9_\-+/=]{33,}(\.[A-Za-z0-9_\-+/=]*){0,2}/g, '[…]')
    .replace(/\s+/g, ' ')
    .slice(0, 300);
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * A provider URL the deployment's URL policy refuses (plain http or a private address in production: SSO_ALLOW_*):
 * the provider cannot be reached from here, which is what the admin must fix.
 */
export function urlPolicyFailure(err: unknown): SsoSignInFailed | null {
  if (err instanceof SsoSignInFailed) return null;
  const m = messageOf(err);
  if (!(err instanceof SsoUrlRefused) && !/must use https|must not point at a private or loopback address|resolves to a private address/.test(m)) return null;
  return new SsoSignInFailed('idp_unreachable', sanitizeDetail(`a provider URL is refused by this deployment's URL policy: ${m}`));
}

/** node-saml's errors are plain Errors; their messages are the only signal (node-saml 5.1). */
export function samlFailure(err: unknown): SsoSignInFailed {
  if (err instanceof SsoSignInFailed) return err;
  const policy = urlPolicyFailure(err);
  if (policy) return policy;
  const m = messageOf(err);
  const d = sanitizeDetail(m);
  if ((err as { name?: string })?.name === 'SamlStatusError' || /^SAML provider returned/.test(m)) return new SsoSignInFailed('idp_error', d);
  if (/InResponseTo is missing/.test(m)) return new SsoSignInFailed('unsolicited_response', d);
  if (/InResponseTo is not valid|SubjectInResponseTo is not valid|InResponseTo does not match/.test(m)) return new SsoSignInFailed('flow_expired', d);
  if (/signature|No SAML assertion|multiple assertions|Cannot obtain assertion/i.test(m)) return new SsoSignInFailed('signature_invalid', d);
  if (/audience|AudienceRestriction/i.test(m)) return new SsoSignInFailed('audience_mismatch', d);
  if (/expired|not yet valid|No valid subject confirmation/i.test(m)) return new SsoSignInFailed('response_expired', d);
  if (/issuer/i.test(m)) return new SsoSignInFailed('issuer_mismatch', d);
  return new SsoSignInFailed('invalid_response', d);
}

/** openid-client (v5) RPError/OPError and transport errors. */
export function oidcFailure(err: unknown): SsoSignInFailed {
  if (err instanceof SsoSignInFailed) return err;
  const policy = urlPolicyFailure(err);
  if (policy) return policy;
  const m = messageOf(err);
  const d = sanitizeDetail(m);
  const name = (err as { name?: string })?.name;
  if (name === 'OPError') {
    const e = err as { error?: string; error_description?: string };
    return providerErrorFailure(e.error ?? 'error', e.error_description ?? '');
  }
  if (/state mismatch|state missing/.test(m)) return new SsoSignInFailed('state_mismatch', d);
  if (/nonce mismatch/.test(m)) return new SsoSignInFailed('nonce_mismatch', d);
  if (/unexpected JWT alg|failed to validate JWT signature|no valid key found|failed to decode JWT/i.test(m))
    return new SsoSignInFailed('signature_invalid', d);
  if (/JWT expired|issued too far in the past|not active yet/.test(m)) return new SsoSignInFailed('response_expired', d);
  if (/aud mismatch|azp/.test(m)) return new SsoSignInFailed('audience_mismatch', d);
  if (/unexpected iss|iss mismatch|issuer mismatch/.test(m)) return new SsoSignInFailed('issuer_mismatch', d);
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|ECONNRESET|timeout|socket hang up|expected 200 OK|certificate|blocked/i.test(m))
    return new SsoSignInFailed('idp_unreachable', d);
  return new SsoSignInFailed('invalid_response', d);
}

/** Known Entra (AADSTS) codes and what they mean for the admin. */
const AADSTS: Record<string, SsoErrorCode> = {
  '65001': 'consent_missing',
  '65004': 'idp_error', // user declined consent
  '90094': 'consent_missing', // admin consent required
  '90099': 'consent_missing',
  '50011': 'provider_misconfigured', // reply URL mismatch
  '700016': 'provider_misconfigured', // application not found in the directory
  '7000215': 'provider_misconfigured', // invalid client secret
  '7000222': 'provider_misconfigured', // client secret expired
  '700027': 'provider_misconfigured', // client assertion (certificate) invalid
  '50105': 'idp_error', // user not assigned to the application
  '90072': 'wrong_directory', // account from another directory, not in this one
  '50020': 'wrong_directory',
};

/** An `error` the provider sent back (redirect query or token endpoint), Entra's AADSTS codes included. */
export function providerErrorFailure(error: string, description: string): SsoSignInFailed {
  const aad = /AADSTS(\d{5,7})/.exec(description)?.[1];
  // The description is free text that reaches the audit trail: a short prefix only.
  const detail = sanitizeDetail(`${error.slice(0, 40)}${aad ? ` AADSTS${aad}` : ''}: ${description.slice(0, 120)}`);
  if (error === 'consent_required' || (error === 'interaction_required' && aad === '65001'))
    return new SsoSignInFailed('consent_missing', detail, { providerError: error, aadsts: aad ?? null });
  if (aad && AADSTS[aad]) return new SsoSignInFailed(AADSTS[aad], detail, { providerError: error, aadsts: aad });
  if (error === 'invalid_client' || error === 'unauthorized_client' || (error === 'invalid_request' && /redirect_uri/i.test(description))) {
    return new SsoSignInFailed('provider_misconfigured', detail, { providerError: error, aadsts: aad ?? null });
  }
  if (error === 'invalid_grant') return new SsoSignInFailed('flow_expired', detail, { providerError: error, aadsts: aad ?? null });
  return new SsoSignInFailed('idp_error', detail, { providerError: error, aadsts: aad ?? null });
}

/** msal-node (token endpoint) and jose (ID-token validation) errors, for Entra ID. */
export function entraFailure(err: unknown): SsoSignInFailed {
  if (err instanceof SsoSignInFailed) return err;
  const policy = urlPolicyFailure(err);
  if (policy) return policy;
  const e = err as { name?: string; code?: string; claim?: string; errorCode?: string; errorMessage?: string; subError?: string };
  const m = messageOf(err);
  // msal ServerError: errorCode is the OAuth error, errorMessage carries "AADSTS…: …".
  if (
    e.name === 'ServerError' ||
    (typeof e.errorCode === 'string' && typeof e.errorMessage === 'string' && /AADSTS|invalid_|consent/.test(`${e.errorCode} ${e.errorMessage}`))
  ) {
    return providerErrorFailure(e.subError === 'consent_required' ? 'consent_required' : (e.errorCode ?? 'error'), e.errorMessage ?? m);
  }
  if (e.errorCode === 'nonce_mismatch') return new SsoSignInFailed('nonce_mismatch', 'msal: the ID token nonce is not the one this sign-in sent');
  const d = sanitizeDetail(`${e.code ?? e.name ?? 'error'}: ${m}`);
  switch (e.code) {
    case 'ERR_JWT_EXPIRED':
      return new SsoSignInFailed('response_expired', d);
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (e.claim === 'aud') return new SsoSignInFailed('audience_mismatch', d);
      if (e.claim === 'iss') return new SsoSignInFailed('issuer_mismatch', d);
      if (e.claim === 'nbf' || e.claim === 'iat') return new SsoSignInFailed('response_expired', d);
      return new SsoSignInFailed('invalid_response', d);
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
    case 'ERR_JWS_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return new SsoSignInFailed('signature_invalid', d);
    case 'ERR_JWT_INVALID':
      return new SsoSignInFailed('invalid_response', d);
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return new SsoSignInFailed('idp_unreachable', d);
    default:
      break; // not a jose error code: classified by its message below
  }
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|ECONNRESET|timeout|Network request failed|endpoints_resolution_error|certificate|blocked/i.test(m))
    return new SsoSignInFailed('idp_unreachable', d);
  return new SsoSignInFailed('invalid_response', d);
}
