/**
 * Sensitive-name matching for headers and for parameters (query, fragment,
 * form fields, JSON keys, free-text `key=value`). Everything is compared in
 * lower case.
 */

/** Header names whose value is always replaced (besides the substring rule below). */
export const DEFAULT_SENSITIVE_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'cookie2',
  'set-cookie2',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-csrftoken',
  'api-key',
  'apikey',
  'x-amz-security-token',
  'x-goog-api-key',
  'x-goog-iap-jwt-assertion',
  'ocp-apim-subscription-key',
  'x-functions-key',
  'x-ms-token-aad-id-token',
  'x-ms-token-aad-access-token',
  'x-ms-client-principal',
  'x-forwarded-access-token',
  'x-vault-token',
  'x-shopify-access-token',
  'private-token',
  'x-gitlab-token',
  'x-hub-signature',
  'x-hub-signature-256',
  'x-slack-signature',
  'dpop',
  'sec-websocket-key',
  'x-client-secret',
  'x-session-id',
  'x-sid',
  'x-password',
  // credentials under names without a sensitive word (browsers', proxies' and common APIs' conventions)
  'x-owa-canary', // Outlook on the web: the CSRF canary, a copy of its cookie
  'x-firebase-appcheck', // Firebase App Check token (JWT)
  'x-goog-spatula', // Google: signed client identity blob
  'x-amzn-oidc-data', // AWS ALB: the signed user-claims JWT
  'x-vercel-protection-bypass', // Vercel: deployment-protection bypass secret
  'x-jfrog-art-api', // Artifactory API key
  'x-honeycomb-team', // Honeycomb API key
  'npm-otp', // npm one-time password
  'x-github-otp', // GitHub API one-time password
  'x-otp',
  'x-mfa',
  'x-2fa',
];

/**
 * A header whose name has one of these as a word (between `-`/`_`) is sensitive: HMAC and exchange-API
 * signatures (`x-shopify-hmac-sha256`, `ok-access-sign`, `api-sign`), one-time passwords, PINs,
 * passphrases (`ok-access-passphrase`), personal access tokens, canaries, tickets.
 */
export const SENSITIVE_HEADER_WORDS: readonly string[] = ['hmac', 'sign', 'signed', 'otp', 'totp', 'pin', 'passphrase', 'pat', 'canary', 'ticket', 'sid'];

/** A header whose lower-cased name contains one of these is sensitive... */
export const SENSITIVE_HEADER_SUBSTRINGS: readonly string[] = [
  'token',
  'secret',
  'key',
  'session',
  'auth',
  'signature',
  'password',
  'passwd',
  'credential',
  'cookie',
  'csrf',
  'xsrf',
  'jwt',
  'saml',
];

/** ...unless it is one of these (challenges, CORS lists, HTTP/2 :authority). */
export const HEADER_SUBSTRING_EXEMPT: readonly string[] = [
  'www-authenticate',
  'proxy-authenticate',
  ':authority',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'access-control-request-headers',
  'keep-alive',
];

/** Parameter names (query, fragment, form, JSON keys) whose value is always replaced. */
export const DEFAULT_SENSITIVE_PARAMS: readonly string[] = [
  'access_token',
  'id_token',
  'refresh_token',
  'code',
  'token',
  'key',
  'api_key',
  'apikey',
  'api-key',
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'secret',
  'client_secret',
  'signature',
  'sig',
  'samlresponse',
  'samlrequest',
  'samlart',
  'saml',
  'session',
  'sessionid',
  'session_id',
  'sid',
  'ssid',
  'connect.sid',
  'auth',
  'authorization',
  'credential',
  'credentials',
  'private_key',
  'privatekey',
  'otp',
  'totp',
  'pin',
  'mfa_code',
  'auth_code',
  'authorization_code',
  'verification_code',
  'code_verifier',
  'assertion',
  'client_assertion',
  'wresult',
  'jwt',
  'bearer',
  'cookie',
  'ticket',
  'oauth_verifier',
  'csrf',
  '_csrf',
  'xsrf',
  'hmac',
  'accountkey',
  'sharedaccesskey',
  'sharedaccesssignature',
];

/** A parameter whose lower-cased name contains one of these is sensitive too. */
export const SENSITIVE_PARAM_SUBSTRINGS: readonly string[] = [
  'token',
  'secret',
  'passw',
  'apikey',
  'api_key',
  'api-key',
  'accesskey',
  'access_key',
  'secretkey',
  'accountkey',
  'account_key',
  'masterkey',
  'master_key',
  'privatekey',
  'private_key',
  'private-key',
  'signingkey',
  'signing_key',
  'clientkey',
  'client_key',
  'subscriptionkey',
  'subscription-key',
  'credential',
  'signature',
  'authkey',
  'auth_key',
  'auth-key',
  'appkey',
  'app_key',
  'licensekey',
  'license_key',
  'encryptionkey',
  'encryption_key',
  'securityanswer',
  'security_answer',
  'security-answer',
  'session',
  'sessid',
  'csrf',
  'xsrf',
  'jwt',
  'saml',
  'authorization',
];

/** Parameters that match a substring above but carry no secret (OAuth metadata). */
export const PARAM_EXEMPT: readonly string[] = ['token_type', 'token_type_hint', 'tokentype', 'x-amz-signedheaders'];

export interface NameMatcher {
  isSensitiveHeader(lowerName: string): boolean;
  isSensitiveParam(lowerName: string): boolean;
  /** Exact extra param names (lower case), used to build the free-text regex. */
  readonly paramExact: readonly string[];
  readonly paramSubstrings: readonly string[];
}

export function createNameMatcher(extraHeaders: readonly string[] = [], extraParams: readonly string[] = []): NameMatcher {
  const headerExact = new Set<string>([...DEFAULT_SENSITIVE_HEADERS, ...extraHeaders.map((h) => h.trim().toLowerCase())]);
  const headerExempt = new Set<string>(HEADER_SUBSTRING_EXEMPT);
  const headerWords = new Set<string>(SENSITIVE_HEADER_WORDS);
  const paramExact = [...new Set<string>([...DEFAULT_SENSITIVE_PARAMS, ...extraParams.map((p) => p.trim().toLowerCase())])].filter((p) => p.length > 0);
  const paramExactSet = new Set<string>(paramExact);
  const paramExempt = new Set<string>(PARAM_EXEMPT);
  const headerCache = new Map<string, boolean>();
  const paramCache = new Map<string, boolean>();
  return {
    paramExact,
    paramSubstrings: SENSITIVE_PARAM_SUBSTRINGS,
    isSensitiveHeader(name: string): boolean {
      const cached = headerCache.get(name);
      if (cached !== undefined) return cached;
      let r = headerExact.has(name);
      if (!r && !headerExempt.has(name)) {
        for (const s of SENSITIVE_HEADER_SUBSTRINGS) {
          if (name.includes(s)) {
            r = true;
            break;
          }
        }
        if (!r) r = name.split(/[-_]/).some((w) => headerWords.has(w));
      }
      if (headerCache.size < 10_000) headerCache.set(name, r);
      return r;
    },
    isSensitiveParam(name: string): boolean {
      const cached = paramCache.get(name);
      if (cached !== undefined) return cached;
      let r = paramExactSet.has(name);
      if (!r && !paramExempt.has(name)) {
        for (const s of SENSITIVE_PARAM_SUBSTRINGS) {
          if (name.includes(s)) {
            r = true;
            break;
          }
        }
      }
      if (paramCache.size < 10_000) paramCache.set(name, r);
      return r;
    },
  };
}

/** Makes a header/param name safe to embed in a marker and a report key. */
export function ruleName(name: string): string {
  const n = name
    .toLowerCase()
    .replace(/[^a-z0-9_.:-]/g, '_')
    .slice(0, 64);
  return n.length > 0 ? n : '_';
}
