import type { SsoSignInFailed } from './sso-errors';

/**
 * What a refused sign-in may put in the append-only audit trail. Most refusals come from people nobody has
 * verified yet, so everything from the request is normalised and capped here, once, whatever the protocol:
 * control, format (bidi overrides, zero-width) and line-separator characters become spaces, whitespace
 * collapses, and each field has a length cap; extra details are an allow-list with their own shapes.
 */
export const AUDIT_CAPS = { reason: 200, subject: 200, email: 100, userAgent: 120, claim: 100, value: 64, values: 20, idp: 64 } as const;

export function cleanText(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const s = value
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\uFFFD]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(s);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : s;
}

const TOKEN = /^[A-Za-z0-9_.-]{1,40}$/;

/** The extra details a refusal may carry, each reduced to its expected shape; anything else is dropped. */
const EXTRA: Record<string, (v: unknown) => unknown> = {
  claim: (v) => cleanText(v, AUDIT_CAPS.claim),
  values: (v) =>
    Array.isArray(v)
      ? v
          .slice(0, AUDIT_CAPS.values)
          .map((x) => cleanText(x, AUDIT_CAPS.value))
          .filter((x): x is string => !!x)
      : [],
  providerError: (v) => (typeof v === 'string' ? (TOKEN.test(v) ? v : 'unrecognised') : null),
  aadsts: (v) => (typeof v === 'string' && /^\d{5,7}$/.test(v) ? v : null),
  tokenDirectory: (v) => cleanText(v, AUDIT_CAPS.idp),
};

export function boundedExtra(extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(extra)) if (Object.prototype.hasOwnProperty.call(EXTRA, k)) out[k] = EXTRA[k](v);
  return out;
}

/** The `details` of an `auth.sign_in_failed` row. */
export function failureDetails(f: SsoSignInFailed): Record<string, unknown> {
  return { code: f.code, reason: cleanText(f.detail, AUDIT_CAPS.reason) ?? '', ...boundedExtra(f.extra) };
}

/** The provider segment of a sign-in URL as the trail may name it: a resolved id, or a short safe token, or nothing. */
export function auditIdpId(segment: string): string | null {
  return /^[A-Za-z0-9_-]{1,64}$/.test(segment) ? segment : null;
}
