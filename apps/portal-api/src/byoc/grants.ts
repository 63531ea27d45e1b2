import { randomUUID } from 'node:crypto';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { DomainError } from '../common/domain-errors';

/**
 * Evidence grants (BYOC): the control plane signs, the data plane verifies. A grant is a JWT (EdDSA, Ed25519)
 * for exactly one operation on exactly one attachment of one incident of one tenant, valid for at most five
 * minutes, so a leaked link works for one object, briefly. Upload grants name the attachment id the control
 * plane reserved, so a grant also cannot be used for a second upload (the data plane keys objects by it).
 */
export type GrantOperation = 'upload' | 'download';

export interface GrantClaims {
  tenantId: string;
  tenantSlug: string;
  incidentId: string;
  attachmentId: string;
  operation: GrantOperation;
  /** Who asked, for the governance event the data plane's report becomes on the control plane. */
  actor: { kind: string; id: string; label: string; role: string };
}

export interface VerifiedGrant extends GrantClaims {
  grantId: string;
  expiresAt: Date;
}

export const GRANT_MAX_SECONDS = 300;
const ISSUER = 'portal-control-plane';
const audienceFor = (slug: string) => `portal-data-plane:${slug}`;

export type GrantRefusal = 'grant_missing' | 'grant_invalid' | 'grant_expired' | 'grant_wrong_tenant' | 'grant_wrong_operation' | 'grant_wrong_attachment';

export class GrantRefused extends DomainError {
  readonly status: 401 | 403;
  constructor(
    readonly code: GrantRefusal,
    message: string,
  ) {
    super(message);
    this.status = code === 'grant_missing' || code === 'grant_invalid' || code === 'grant_expired' ? 401 : 403;
  }
}

export function grantSigningKey(pkcs8Pem: string): KeyObject {
  return createPrivateKey(pkcs8Pem);
}
export function grantPublicKey(pem: string): KeyObject {
  return createPublicKey(pem);
}
export function publicPemOf(signing: KeyObject): string {
  return createPublicKey(signing).export({ type: 'spki', format: 'pem' }).toString();
}

export async function signGrant(key: KeyObject, claims: GrantClaims, now: Date, ttlSeconds = GRANT_MAX_SECONDS): Promise<{ token: string; expiresAt: Date }> {
  const ttl = Math.min(Math.max(1, ttlSeconds), GRANT_MAX_SECONDS);
  const iat = Math.floor(now.getTime() / 1000);
  const token = await new SignJWT({ tid: claims.tenantId, inc: claims.incidentId, op: claims.operation, act: claims.actor })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'portal-grant+jwt' })
    .setIssuer(ISSUER)
    .setAudience(audienceFor(claims.tenantSlug))
    .setSubject(claims.attachmentId)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .sign(key);
  return { token, expiresAt: new Date((iat + ttl) * 1000) };
}

/**
 * Checks signature, issuer, expiry (no clock tolerance beyond 5 s), lifetime ≤ 5 minutes, then what the grant is
 * for: this data plane's tenant, this operation, this attachment. Each mismatch has its own error code.
 */
export async function verifyGrant(
  key: KeyObject,
  token: string | null | undefined,
  expected: { tenantSlug: string; operation: GrantOperation; attachmentId?: string },
  now: Date,
): Promise<VerifiedGrant> {
  if (!token) throw new GrantRefused('grant_missing', 'this request needs a grant from the portal (Authorization: Bearer <grant> or ?grant=)');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, { issuer: ISSUER, algorithms: ['EdDSA'], currentDate: now, clockTolerance: 5, typ: 'portal-grant+jwt' }));
  } catch (err) {
    if (err instanceof errors.JWTExpired)
      throw new GrantRefused('grant_expired', 'the grant has expired: ask the portal for a new one (grants last at most 5 minutes)');
    throw new GrantRefused('grant_invalid', 'the grant is not valid: not signed by the control plane this data plane trusts, or malformed');
  }
  const iat = Number(payload.iat);
  const exp = Number(payload.exp);
  if (!(exp - iat <= GRANT_MAX_SECONDS)) throw new GrantRefused('grant_invalid', 'the grant lives longer than 5 minutes');
  if (payload.aud !== audienceFor(expected.tenantSlug))
    throw new GrantRefused('grant_wrong_tenant', `the grant is for another tenant's data plane; this data plane serves ${expected.tenantSlug}`);
  if (payload.op !== expected.operation) throw new GrantRefused('grant_wrong_operation', `the grant is for ${String(payload.op)}, not ${expected.operation}`);
  if (expected.attachmentId !== undefined && payload.sub !== expected.attachmentId)
    throw new GrantRefused('grant_wrong_attachment', 'the grant is for another attachment');
  const act = payload.act as GrantClaims['actor'];
  return {
    grantId: String(payload.jti),
    tenantId: String(payload.tid),
    tenantSlug: expected.tenantSlug,
    incidentId: String(payload.inc),
    attachmentId: String(payload.sub),
    operation: expected.operation,
    actor: { kind: String(act?.kind), id: String(act?.id), label: String(act?.label), role: String(act?.role) },
    expiresAt: new Date(exp * 1000),
  };
}
