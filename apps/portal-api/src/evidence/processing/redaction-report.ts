/** Counts of what was replaced, by rule, with a one-line summary (same shape as the HAR sanitizer's report). */
export interface EvidenceReport {
  total: number;
  byRule: Record<string, number>;
  summary: string;
}

const FAMILIES: { match: (rule: string) => boolean; one: string; many: string }[] = [
  { match: (r) => r.startsWith('field:'), one: 'sensitive field', many: 'sensitive fields' },
  { match: (r) => r === 'cookie', one: 'cookie', many: 'cookies' },
  { match: (r) => r === 'authorization-header', one: 'Authorization header', many: 'Authorization headers' },
  { match: (r) => r.startsWith('param:') || r.startsWith('form:'), one: 'key=value secret in text', many: 'key=value secrets in text' },
  { match: (r) => r === 'jwt', one: 'JWT', many: 'JWTs' },
  { match: (r) => r === 'bearer', one: 'bearer token', many: 'bearer tokens' },
  { match: (r) => r === 'basic-auth', one: 'Basic credential', many: 'Basic credentials' },
  { match: (r) => r === 'negotiate', one: 'Negotiate/NTLM token', many: 'Negotiate/NTLM tokens' },
  { match: (r) => r === 'saml', one: 'SAML message', many: 'SAML messages' },
  { match: (r) => r === 'aws-access-key', one: 'AWS access key', many: 'AWS access keys' },
  { match: (r) => r === 'private-key', one: 'private key', many: 'private keys' },
  { match: (r) => r === 'api-key', one: 'API key', many: 'API keys' },
  { match: (r) => r === 'too-deep', one: 'over-nested value removed', many: 'over-nested values removed' },
  { match: (r) => r === 'csv-formula', one: 'spreadsheet formula neutralised', many: 'spreadsheet formulas neutralised' },
  { match: (r) => r === 'image-metadata', one: 'image metadata block removed', many: 'image metadata blocks removed' },
];

export class ReportCounter {
  private readonly counts = new Map<string, number>();
  add(rule: string, n = 1): void {
    this.counts.set(rule, (this.counts.get(rule) ?? 0) + n);
  }
  mark(rule: string): string {
    this.add(rule);
    return `[REDACTED:${rule}]`;
  }
  toReport(): EvidenceReport {
    const byRule: Record<string, number> = {};
    let total = 0;
    for (const [rule, n] of [...this.counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
      byRule[rule] = n;
      total += n;
    }
    return { total, byRule, summary: summarize(byRule) };
  }
}

export function summarize(byRule: Record<string, number>): string {
  const totals = new Map<number, number>();
  const other: string[] = [];
  for (const [rule, n] of Object.entries(byRule)) {
    const i = FAMILIES.findIndex((f) => f.match(rule));
    if (i < 0) other.push(`${n} ${rule}`);
    else totals.set(i, (totals.get(i) ?? 0) + n);
  }
  const parts = [...totals.entries()].sort((a, b) => a[0] - b[0]).map(([i, n]) => `${n} ${n === 1 ? FAMILIES[i].one : FAMILIES[i].many}`);
  const all = [...parts, ...other];
  return all.length ? all.join(', ') : 'nothing redacted';
}
