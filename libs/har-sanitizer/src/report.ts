import type { RedactionReport } from './types';

export const REDACTION_MARKER = (rule: string): string => `[REDACTED:${rule}]`;
export const MARKER_PREFIX = '[REDACTED:';

/** Counts redactions by rule. */
export class RedactionCounter {
  readonly counts = new Map<string, number>();
  add(rule: string, n = 1): void {
    this.counts.set(rule, (this.counts.get(rule) ?? 0) + n);
  }
  /** Replacement value for `rule`, counted once. */
  mark(rule: string): string {
    this.add(rule);
    return REDACTION_MARKER(rule);
  }
  toReport(): RedactionReport {
    const byRule: Record<string, number> = {};
    let total = 0;
    for (const [rule, n] of [...this.counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
      byRule[rule] = n;
      total += n;
    }
    return { total, byRule, summary: summarize(byRule) };
  }
}

interface Family {
  match: (rule: string) => boolean;
  one: string;
  many: string;
}

const FAMILIES: Family[] = [
  { match: (r) => r === 'cookie', one: 'cookie', many: 'cookies' },
  { match: (r) => r === 'authorization-header', one: 'Authorization header', many: 'Authorization headers' },
  { match: (r) => r.startsWith('header:'), one: 'other sensitive header', many: 'other sensitive headers' },
  { match: (r) => r === 'url-credentials', one: 'credential in a URL', many: 'credentials in URLs' },
  { match: (r) => r.startsWith('query:'), one: 'query parameter', many: 'query parameters' },
  { match: (r) => r.startsWith('fragment:'), one: 'URL fragment parameter', many: 'URL fragment parameters' },
  { match: (r) => r.startsWith('form:'), one: 'form field', many: 'form fields' },
  { match: (r) => r.startsWith('json:'), one: 'JSON field', many: 'JSON fields' },
  { match: (r) => r.startsWith('field:'), one: 'sensitive field', many: 'sensitive fields' },
  { match: (r) => r.startsWith('param:'), one: 'key=value secret in text', many: 'key=value secrets in text' },
  { match: (r) => r === 'jwt', one: 'JWT', many: 'JWTs' },
  { match: (r) => r === 'bearer', one: 'bearer token', many: 'bearer tokens' },
  { match: (r) => r === 'basic-auth', one: 'Basic credential', many: 'Basic credentials' },
  { match: (r) => r === 'negotiate', one: 'Negotiate/NTLM token', many: 'Negotiate/NTLM tokens' },
  { match: (r) => r === 'saml', one: 'SAML message', many: 'SAML messages' },
  { match: (r) => r === 'aws-access-key', one: 'AWS access key', many: 'AWS access keys' },
  { match: (r) => r === 'private-key', one: 'private key', many: 'private keys' },
  { match: (r) => r === 'api-key', one: 'API key', many: 'API keys' },
  { match: (r) => r === 'webhook-url', one: 'webhook URL', many: 'webhook URLs' },
  { match: (r) => r.startsWith('secret:'), one: 'secret found by the secretlint rule set', many: 'secrets found by the secretlint rule set' },
  { match: (r) => r === 'response-body', one: 'response body removed', many: 'response bodies removed' },
  { match: (r) => r === 'websocket-message', one: 'WebSocket message removed', many: 'WebSocket messages removed' },
  { match: (r) => r === 'multipart-file', one: 'uploaded file removed', many: 'uploaded files removed' },
  { match: (r) => r === 'data-url', one: 'data: URL payload removed', many: 'data: URL payloads removed' },
  { match: (r) => r === 'oversized-value', one: 'oversized value removed', many: 'oversized values removed' },
  { match: (r) => r === 'too-deep', one: 'over-nested value removed', many: 'over-nested values removed' },
  { match: (r) => r === 'dropped-field', one: 'unrecognised field dropped', many: 'unrecognised fields dropped' },
  // Rules of the other evidence kinds (governance-event exports, screenshots), counted the same way.
  { match: (r) => r === 'csv-formula', one: 'spreadsheet formula neutralised', many: 'spreadsheet formulas neutralised' },
  { match: (r) => r === 'image-metadata', one: 'image metadata block removed', many: 'image metadata blocks removed' },
];

export function summarize(byRule: Record<string, number>): string {
  const totals = new Map<Family | string, number>();
  for (const [rule, n] of Object.entries(byRule)) {
    const fam = FAMILIES.find((f) => f.match(rule));
    const key: Family | string = fam ?? rule;
    totals.set(key, (totals.get(key) ?? 0) + n);
  }
  if (totals.size === 0) return 'nothing redacted';
  const parts: { n: number; order: number; text: string }[] = [];
  for (const [key, n] of totals) {
    if (typeof key === 'string') {
      parts.push({ n, order: FAMILIES.length, text: `${n} ${key}` });
    } else {
      parts.push({ n, order: FAMILIES.indexOf(key), text: `${n} ${n === 1 ? key.one : key.many}` });
    }
  }
  return parts
    .sort((a, b) => a.order - b.order || b.n - a.n)
    .map((p) => p.text)
    .join(', ');
}
