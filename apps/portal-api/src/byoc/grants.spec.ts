import { generateKeyPairSync } from 'node:crypto';
import { GrantClaims, grantPublicKey, publicPemOf, signGrant, verifyGrant } from './grants';

const { privateKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519').privateKey;
const pub = grantPublicKey(publicPemOf(privateKey));
const claims: GrantClaims = {
  tenantId: '0b0f9f0e-3a53-4c52-8f7e-0d7c1e2b3a4f',
  tenantSlug: 'globex',
  incidentId: '5a4b7c1e-2f3d-4e5a-9b8c-7d6e5f4a3b2c',
  attachmentId: '9c8b7a6f-5e4d-4c3b-8a2f-1e0d9c8b7a6f',
  operation: 'download',
  actor: { kind: 'user', id: 'u1', label: 'Ada', role: 'customer_admin' },
};
const now = new Date('2026-11-23T10:00:00Z');
const at = (s: number) => new Date(now.getTime() + s * 1000);

describe('evidence grants', () => {
  it('verifies a grant for its tenant, operation and attachment', async () => {
    const { token, expiresAt } = await signGrant(privateKey, claims, now);
    expect(expiresAt.toISOString()).toBe('2026-11-23T10:05:00.000Z');
    const g = await verifyGrant(pub, token, { tenantSlug: 'globex', operation: 'download', attachmentId: claims.attachmentId }, at(60));
    expect(g).toMatchObject({ tenantId: claims.tenantId, incidentId: claims.incidentId, attachmentId: claims.attachmentId, actor: claims.actor });
  });

  it('never issues a grant longer than five minutes', async () => {
    const { expiresAt } = await signGrant(privateKey, claims, now, 3600);
    expect(expiresAt.getTime() - now.getTime()).toBe(300_000);
  });

  it.each([
    ['expired', { tenantSlug: 'globex', operation: 'download' as const, attachmentId: claims.attachmentId }, at(306), 'grant_expired', 401],
    ['for another tenant', { tenantSlug: 'initech', operation: 'download' as const, attachmentId: claims.attachmentId }, at(1), 'grant_wrong_tenant', 403],
    ['for another operation', { tenantSlug: 'globex', operation: 'upload' as const }, at(1), 'grant_wrong_operation', 403],
    ['for another attachment', { tenantSlug: 'globex', operation: 'download' as const, attachmentId: claims.incidentId }, at(1), 'grant_wrong_attachment', 403],
  ])('refuses a grant %s', async (_name, expected, when, code, status) => {
    const { token } = await signGrant(privateKey, claims, now);
    await expect(verifyGrant(pub, token, expected, when)).rejects.toMatchObject({ code, status });
  });

  it('refuses a grant signed by another key, a tampered one and none at all', async () => {
    const forged = await signGrant(other, claims, now);
    const expected = { tenantSlug: 'globex', operation: 'download' as const, attachmentId: claims.attachmentId };
    await expect(verifyGrant(pub, forged.token, expected, now)).rejects.toMatchObject({ code: 'grant_invalid', status: 401 });
    const { token } = await signGrant(privateKey, claims, now);
    const [h, p, s] = token.split('.');
    const body = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...body, sub: claims.incidentId })).toString('base64url')}.${s}`;
    await expect(verifyGrant(pub, tampered, expected, now)).rejects.toMatchObject({ code: 'grant_invalid' });
    await expect(verifyGrant(pub, undefined, expected, now)).rejects.toMatchObject({ code: 'grant_missing', status: 401 });
  });
});
