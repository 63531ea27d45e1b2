import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { z } from 'zod';

/**
 * The plane link: the data plane calls the control plane over HTTPS with mutual TLS. The client certificate
 * names the tenant the data plane serves in a URI subject alternative name `urn:portal:tenant:<slug>`
 * (the only place looked at; a CN is ignored), so the identity comes from the CA's signature, never from the
 * message. Paths:
 *   GET  /plane/v1/grant-key   the public key that verifies grants (SPKI PEM)
 *   POST /plane/v1/messages    a batch from the data plane's outbox; answers the ids applied (idempotent per id)
 */
export const TENANT_URI_PREFIX = 'urn:portal:tenant:';
export const PLANE_PATHS = { grantKey: '/plane/v1/grant-key', messages: '/plane/v1/messages' } as const;
export const MAX_BATCH = 100;

/** The tenant slug a certificate was issued for, or null when it names none (or more than one). */
export function tenantSlugOfCertificate(cert: Pick<PeerCertificate, 'subjectaltname'> | null | undefined): string | null {
  const san = cert?.subjectaltname ?? '';
  const slugs = san
    .split(/,\s*/)
    .filter((e) => e.startsWith(`URI:${TENANT_URI_PREFIX}`))
    .map((e) => e.slice(`URI:${TENANT_URI_PREFIX}`.length));
  return slugs.length === 1 && /^[a-z0-9][a-z0-9-]{1,62}$/.test(slugs[0]) ? slugs[0] : null;
}

/** Days until a PEM certificate expires (negative once expired), and its not-after date. */
export function certificateExpiry(pem: string, now: Date): { notAfter: Date; daysLeft: number } {
  const notAfter = new Date(new X509Certificate(pem).validTo);
  return { notAfter, daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000) };
}

/** Why TLS refused a client certificate, in words (node's codes from `socket.authorizationError`). */
export function certificateRefusal(code: string | undefined | null): string {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return 'the client certificate has expired: issue a new one for this data plane';
    case 'CERT_NOT_YET_VALID':
      return 'the client certificate is not valid yet (check its notBefore and the clocks)';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_SIGNATURE_FAILURE':
      return 'the client certificate was not issued by the CA this control plane trusts (PLANE_TLS_CA_FILE)';
    case undefined:
    case null:
    case '':
    case 'UNABLE_TO_GET_CRL':
      return 'no client certificate was presented: the plane link needs mutual TLS';
    default:
      return `the client certificate was refused (${code})`;
  }
}

export const checkSchema = z.object({
  name: z.enum(['database', 'object_storage', 'disk', 'certificate']),
  ok: z.boolean(),
  detail: z.string().max(300),
});
export type HealthCheck = z.infer<typeof checkSchema>;

const uuid = z.uuid();
const actor = z.object({ kind: z.string().max(40), id: z.string().max(200), label: z.string().max(200) });

export const heartbeatPayload = z.object({
  publicUrl: z.url().max(500).nullable(),
  healthy: z.boolean(),
  checks: z.array(checkSchema).max(10),
  certificateNotAfter: z.iso.datetime().nullable(),
});

export const storedPayload = z.object({
  tenantId: uuid,
  incidentId: uuid,
  attachmentId: uuid,
  kind: z.enum(['har', 'governance-events', 'screenshot']),
  displayName: z.string().min(1).max(255),
  contentType: z.string().max(200),
  sizeBytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  redactionReport: z.object({ total: z.number().int().min(0), byRule: z.record(z.string(), z.number()), summary: z.string().max(2000) }),
  insights: z.record(z.string(), z.unknown()),
  gzip: z.boolean(),
  actor,
});

export const downloadedPayload = z.object({ tenantId: uuid, incidentId: uuid, attachmentId: uuid, grantId: z.string().max(100), actor });

export const planeMessage = z.discriminatedUnion('type', [
  z.object({ id: uuid, at: z.iso.datetime(), type: z.literal('heartbeat'), payload: heartbeatPayload }),
  z.object({ id: uuid, at: z.iso.datetime(), type: z.literal('attachment.stored'), payload: storedPayload }),
  z.object({ id: uuid, at: z.iso.datetime(), type: z.literal('attachment.downloaded'), payload: downloadedPayload }),
]);
export type PlaneMessage = z.infer<typeof planeMessage>;
export type PlaneMessageType = PlaneMessage['type'];

export const planeBatch = z.object({ messages: z.array(planeMessage).min(1).max(MAX_BATCH) }).strict();
