import { CREDENTIAL_ALERT_DAYS, CREDENTIAL_UNUSED_DAYS, type CredentialHealthItem } from '@portal/contracts';

const DAY = 86_400_000;

export interface KnownCredential {
  key: string;
  kind: CredentialHealthItem['kind'];
  name: string;
  expiresAt: Date | null;
  /** API tokens only: when it was last used (null: never); its creation date when never used. */
  lastUsedAt?: Date | null;
  createdAt?: Date;
}

/** Status of each credential at `now`, most urgent first (expired, then soonest expiry, then unused). */
export function classify(credentials: KnownCredential[], now: Date): CredentialHealthItem[] {
  const items = credentials.map((c): CredentialHealthItem => {
    const daysLeft = c.expiresAt ? Math.floor((c.expiresAt.getTime() - now.getTime()) / DAY) : null;
    const lastActivity = c.kind === 'api_token' ? (c.lastUsedAt ?? c.createdAt ?? null) : null;
    let status: CredentialHealthItem['status'] = 'ok';
    if (c.expiresAt && c.expiresAt.getTime() <= now.getTime()) status = 'expired';
    else if (daysLeft !== null && daysLeft < CREDENTIAL_ALERT_DAYS[0]) status = 'expiring';
    else if (lastActivity && now.getTime() - lastActivity.getTime() >= CREDENTIAL_UNUSED_DAYS * DAY) status = 'unused';
    else if (!c.expiresAt) status = 'no_expiry';
    return {
      key: c.key,
      kind: c.kind,
      name: c.name,
      expiresAt: c.expiresAt?.toISOString() ?? null,
      daysLeft,
      lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
      status,
    };
  });
  const rank = { expired: 0, expiring: 1, unused: 2, ok: 3, no_expiry: 4 } as const;
  return items.sort((a, b) => rank[a.status] - rank[b.status] || (a.daysLeft ?? Infinity) - (b.daysLeft ?? Infinity) || a.name.localeCompare(b.name));
}

/**
 * The alert due for a credential: the smallest threshold (30, 7, 1 days) it has crossed and not been warned
 * about for this expiry. A credential first seen 5 days before expiry gets the 7-day alert, not three at once.
 */
export function alertDue(item: CredentialHealthItem, sent: (threshold: number) => boolean): number | null {
  if (item.daysLeft === null || item.status === 'expired') return null;
  const crossed = CREDENTIAL_ALERT_DAYS.filter((d) => item.daysLeft! < d);
  if (crossed.length === 0) return null;
  const threshold = Math.min(...crossed);
  return sent(threshold) ? null : threshold;
}

/** A digest is due a week after the last one (or at once for a new subscription). */
export const digestDue = (lastDigestAt: Date | null, now: Date): boolean => !lastDigestAt || now.getTime() - lastDigestAt.getTime() >= 7 * DAY - 60_000;
