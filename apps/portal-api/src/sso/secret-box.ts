import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for identity-provider secrets at rest. The stored text is
 * `v1.<base64url(iv | tag | ciphertext)>`, kept beside the id of the key that sealed it, so a key
 * rotation can tell which rows still need re-sealing. The additional data binds a ciphertext to its
 * row (tenant and config id): copied into another row, it no longer opens.
 */
export interface SealedSecret {
  ciphertext: string;
  keyId: string;
}

export class SecretKeyUnavailable extends Error {
  constructor(readonly keyId: string) {
    super(`the secret was sealed with key "${keyId}", which this deployment does not have`);
    this.name = 'SecretKeyUnavailable';
  }
}

export function sealSecret(plaintext: string, key: Buffer, keyId: string, aad: string): SealedSecret {
  if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { ciphertext: `v1.${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url')}`, keyId };
}

/** Opens a sealed secret with the key of the same id; throws when the key is missing or the text was altered. */
export function openSecret(sealed: SealedSecret, keys: ReadonlyMap<string, Buffer>, aad: string): string {
  const key = keys.get(sealed.keyId);
  if (!key) throw new SecretKeyUnavailable(sealed.keyId);
  const [version, body] = sealed.ciphertext.split('.', 2);
  if (version !== 'v1' || !body) throw new Error('unknown secret format');
  const raw = Buffer.from(body, 'base64url');
  if (raw.length < 28) throw new Error('sealed secret is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
