import { randomBytes } from 'node:crypto';
import { openSecret, sealSecret, SecretKeyUnavailable } from './secret-box';

describe('secret box (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const keys = new Map([['k1', key]]);

  it('seals a secret that only the same key and row open', () => {
    const sealed = sealSecret('s3cr3t-value', key, 'k1', 'tenant-a:idp-1');
    expect(sealed.keyId).toBe('k1');
    expect(sealed.ciphertext).toMatch(/^v1\./);
    expect(sealed.ciphertext).not.toContain('s3cr3t');
    expect(openSecret(sealed, keys, 'tenant-a:idp-1')).toBe('s3cr3t-value');
  });

  it('uses a fresh nonce every time', () => {
    expect(sealSecret('x', key, 'k1', 'a').ciphertext).not.toBe(sealSecret('x', key, 'k1', 'a').ciphertext);
  });

  it('refuses a ciphertext moved to another row', () => {
    const sealed = sealSecret('s3cr3t', key, 'k1', 'tenant-a:idp-1');
    expect(() => openSecret(sealed, keys, 'tenant-b:idp-1')).toThrow();
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = sealSecret('s3cr3t', key, 'k1', 'aad');
    const raw = Buffer.from(sealed.ciphertext.slice(3), 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(() => openSecret({ ...sealed, ciphertext: `v1.${raw.toString('base64url')}` }, keys, 'aad')).toThrow();
  });

  it('names the missing key when the secret was sealed with a key this deployment lacks', () => {
    const sealed = sealSecret('s3cr3t', randomBytes(32), 'k0', 'aad');
    expect(() => openSecret(sealed, keys, 'aad')).toThrow(SecretKeyUnavailable);
  });
});
