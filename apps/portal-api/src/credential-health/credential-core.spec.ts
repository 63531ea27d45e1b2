import { alertDue, classify, digestDue } from './credential-core';

describe('credential health rules', () => {
  const now = new Date('2026-11-23T10:00:00Z');
  const day = 86_400_000;
  const at = (days: number) => new Date(now.getTime() + days * day);

  it('orders expired, then expiring soonest, then unused tokens, then the rest', () => {
    const items = classify(
      [
        { key: 'a', kind: 'api_token', name: 'fresh', expiresAt: at(200), lastUsedAt: at(-1) },
        { key: 'b', kind: 'saml_signing_certificate', name: 'cert', expiresAt: at(5) },
        { key: 'c', kind: 'api_token', name: 'old', expiresAt: null, lastUsedAt: at(-120) },
        { key: 'd', kind: 'api_token', name: 'gone', expiresAt: at(-1) },
        { key: 'e', kind: 'api_token', name: 'never used', expiresAt: null, lastUsedAt: null, createdAt: at(-10) },
      ],
      now,
    );
    expect(items.map((i) => [i.name, i.status, i.daysLeft])).toEqual([
      ['gone', 'expired', -1],
      ['cert', 'expiring', 5],
      ['old', 'unused', null],
      ['fresh', 'ok', 200],
      ['never used', 'no_expiry', null],
    ]);
  });

  it('alerts once per threshold, the smallest crossed one', () => {
    const [item] = classify([{ key: 'k', kind: 'saml_signing_certificate', name: 'c', expiresAt: at(5.5) }], now);
    expect(alertDue(item, () => false)).toBe(7);
    expect(alertDue(item, (t) => t === 7)).toBeNull();
    const [far] = classify([{ key: 'k', kind: 'saml_signing_certificate', name: 'c', expiresAt: at(45) }], now);
    expect(alertDue(far, () => false)).toBeNull();
    const [month] = classify([{ key: 'k', kind: 'saml_signing_certificate', name: 'c', expiresAt: at(29.5) }], now);
    expect(alertDue(month, () => false)).toBe(30);
    const [last] = classify([{ key: 'k', kind: 'api_token', name: 'c', expiresAt: at(0.5) }], now);
    expect(alertDue(last, () => false)).toBe(1);
  });

  it('sends a digest weekly', () => {
    expect(digestDue(null, now)).toBe(true);
    expect(digestDue(at(-6), now)).toBe(false);
    expect(digestDue(at(-7), now)).toBe(true);
  });
});
