import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream';
import type { PortalConfig } from '../../config/portal-config';
import { EVIDENCE_KINDS, evidenceCaps, formatBytes, isEvidenceKind, KIND_LABELS } from '../evidence-policy';
import { EvidenceRejected } from '../evidence.errors';
import { processEvidence, toEvidenceError } from '../processing/evidence-pipeline';
import type { EvidenceStorage } from '../storage/evidence-storage';
import { displayNameFor, scanDisplayName } from './file-name';
import { receiveSingleFile } from './multipart-upload';
import { StoredBytesMeter } from './streams';

/**
 * What a multipart body may carry besides the file: boundaries, part headers (busboy: at most 16 pairs, 16 KiB per
 * part) and the "kind" field. A declared Content-Length above the kind's cap plus this is refused before reading.
 */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
/** One governance event record at most this big (JSON object, NDJSON line or CSV row). */
const MAX_GOVERNANCE_RECORD_BYTES = 1024 * 1024;
const noop = () => undefined;

/**
 * One evidence upload from the request into storage: multipart (busboy) → size cap → [gunzip → inflated cap] →
 * kind processor (HAR sanitizer / export scan / image metadata strip) → sha256 → storage (complete or nothing).
 * Raw bytes never reach storage, a log line or a database. Shared by the portal (Modes A/B, and C without a data
 * plane) and the BYOC data plane, so both sanitize alike. `stored.key` is set as soon as the object exists, so
 * the caller removes it when its own transaction refuses the upload.
 */
export async function receiveEvidence(req: IncomingMessage, config: PortalConfig, storage: EvidenceStorage, stored: { key?: string }) {
  const caps = evidenceCaps(config.evidence);
  const maxCap = Math.max(...Object.values(caps));
  const kindMissing = () => new EvidenceRejected('kind_missing', `send the "kind" field (${EVIDENCE_KINDS.join(', ')}) before the file part`, 'kind');
  const rules = {
    maxFileBytes: maxCap,
    fieldNames: ['kind'],
    fieldsBeforeFile: ['kind'],
    missingField: kindMissing,
    checkDeclaredLength: (declared: number, fields: Readonly<Record<string, string>>) => {
      const kind = fields.kind !== undefined && isEvidenceKind(fields.kind) ? fields.kind : null;
      const cap = kind ? caps[kind] : maxCap;
      if (declared <= cap + MULTIPART_OVERHEAD_BYTES) return null;
      return new EvidenceRejected(
        'file_too_large',
        `the upload is ${formatBytes(declared)} (Content-Length), larger than the ${formatBytes(cap)} limit ${kind ? `for a ${KIND_LABELS[kind]}` : 'of every evidence kind'} (plus ${formatBytes(MULTIPART_OVERHEAD_BYTES)} for the form)`,
      );
    },
  };
  return receiveSingleFile(req, rules, async (part) => {
    const kind = part.fields.kind;
    if (kind === undefined || kind === '') throw kindMissing();
    if (!isEvidenceKind(kind)) throw new EvidenceRejected('kind_invalid', `kind must be one of ${EVIDENCE_KINDS.join(', ')}`, 'kind');
    // the display name gets the sanitizer's own scan, then the maintained rule set
    const displayName = await scanDisplayName(displayNameFor(part.filename, kind), kind);
    try {
      const { output, finish } = await processEvidence(part.stream, {
        kind,
        maxBytes: caps[kind],
        maxRecordBytes: MAX_GOVERNANCE_RECORD_BYTES,
        har: {
          keepResponseText: config.evidence.keepResponseText,
          sensitiveHeaderNames: config.evidence.extraSensitiveHeaders,
          sensitiveParamNames: config.evidence.extraSensitiveParams,
        },
      });
      const meter = new StoredBytesMeter();
      stored.key = await storage.put(pipeline(output, meter, noop));
      return { kind, displayName, size: meter.bytes, sha256: meter.sha256, ...(await finish()) };
    } catch (err) {
      throw toEvidenceError(err, kind);
    }
  });
}
