import type { RoleMapping } from './sso.types';

/** The values of one claim or attribute, whatever shape the provider sent (string, list, or nothing). */
export function claimValues(claims: Record<string, unknown>, claim: string): string[] {
  const v = claims[claim];
  if (typeof v === 'string') return [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (Array.isArray(v)) return v.filter((x): x is string | number => typeof x === 'string' || typeof x === 'number').map(String);
  return [];
}

/**
 * The role a user gets from their claims: the most privileged role among the matching rules
 * (`rank` lists roles from most to least privileged), else the mapping's default, else null.
 */
export function resolveRole<R extends string>(
  mapping: RoleMapping<R>,
  claims: Record<string, unknown>,
  rank: readonly R[],
): { role: R | null; matched: string[] } {
  const values = new Set(claimValues(claims, mapping.claim));
  const hits = mapping.rules.filter((r) => values.has(r.value));
  if (hits.length > 0) {
    const best = rank.find((role) => hits.some((h) => h.role === role)) ?? null;
    return { role: best, matched: hits.map((h) => h.value) };
  }
  return { role: mapping.defaultRole, matched: [] };
}
