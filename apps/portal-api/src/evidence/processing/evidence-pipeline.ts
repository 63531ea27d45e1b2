import { pipeline, type Readable, type Duplex } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { createHarSanitizer, HarFormatError, type SanitizeOptions } from '@portal/har-sanitizer';
import { EvidenceRejected } from '../evidence.errors';
import { EvidenceKind, formatBytes, KIND_LABELS } from '../evidence-policy';
import { ByteCap, Coalesce, peek, sniff, SNIFF_LABELS } from '../upload/streams';
import { GovernanceExportSanitizer } from './governance-export';
import { ImageMetadataStripper } from './image-metadata';
import type { EvidenceReport } from './redaction-report';

export interface EvidenceProcessingOptions {
  kind: EvidenceKind;
  /** Cap on the uploaded bytes, and again on the gunzipped bytes of a .gz upload. */
  maxBytes: number;
  har: SanitizeOptions;
  /** Largest single governance event record. */
  maxRecordBytes: number;
}

export interface ProcessedEvidence {
  contentType: string;
  report: EvidenceReport;
  insights: object;
  /** The upload was gzip-compressed (it is stored inflated, sanitized). */
  gzip: boolean;
}

const noop = () => undefined;

/** Chains streams; an error anywhere destroys every stage with that error, which then reaches the last one. */
function chain(first: Readable, ...rest: Duplex[]): Readable {
  let out: Readable = first;
  for (const s of rest) out = pipeline(out, s, noop);
  return out;
}

/**
 * Turns the raw bytes of an upload into the only bytes that are ever stored: HAR through the allow-list
 * sanitizer, governance exports through the record-by-record scan, screenshots without metadata.
 * Decides by magic bytes (never by the declared type), inflates gzip as a stream with the cap applied to
 * the inflated size (a gzip bomb is stopped at the cap, not inflated to its end). The caller writes
 * `output` to storage and calls `finish()` once it ended; on any error the output is partial.
 */
export async function processEvidence(
  source: Readable,
  opts: EvidenceProcessingOptions,
): Promise<{ output: Readable; finish: () => Promise<ProcessedEvidence> }> {
  const label = KIND_LABELS[opts.kind];
  const capped = chain(
    source,
    new ByteCap(opts.maxBytes, () => new EvidenceRejected('file_too_large', `the ${label} is larger than the ${formatBytes(opts.maxBytes)} limit`)),
  );
  const { head, stream } = await peek(capped, 16);
  const what = head.length === 0 ? 'text' : sniff(head);
  const refuse = (expected: string) => {
    stream.destroy();
    return new EvidenceRejected('wrong_content_type', `the file is ${SNIFF_LABELS[what]}, not ${expected}`);
  };
  const inflate = (): Duplex[] =>
    what === 'gzip'
      ? [
          createGunzip({ chunkSize: 128 * 1024 }),
          new ByteCap(
            opts.maxBytes,
            () => new EvidenceRejected('inflated_too_large', `the ${label} is larger than the ${formatBytes(opts.maxBytes)} limit once decompressed`),
          ),
        ]
      : [];

  switch (opts.kind) {
    case 'har': {
      if (what !== 'text' && what !== 'gzip') throw refuse('a HAR file (JSON text, optionally gzip-compressed)');
      const { stream: sanitizer, result } = createHarSanitizer(opts.har);
      const output = chain(stream, ...inflate(), new Coalesce(256 * 1024), sanitizer);
      return {
        output,
        finish: async () => {
          const r = await result;
          return { contentType: 'application/json', report: r.report, insights: r.insights, gzip: what === 'gzip' };
        },
      };
    }
    case 'governance-events': {
      if (what !== 'text' && what !== 'gzip') throw refuse('a governance event export (JSON, NDJSON or CSV text, optionally gzip-compressed)');
      const sanitizer = new GovernanceExportSanitizer({ maxRecordBytes: opts.maxRecordBytes });
      const output = chain(stream, ...inflate(), sanitizer);
      return { output, finish: async () => ({ ...sanitizer.result(), gzip: what === 'gzip' }) };
    }
    case 'screenshot': {
      if (what !== 'png' && what !== 'jpeg') throw refuse('a PNG or JPEG image');
      const stripper = new ImageMetadataStripper(what);
      const output = chain(stream, stripper);
      return { output, finish: async () => ({ ...stripper.result(), gzip: false }) };
    }
  }
}

/** Maps what can go wrong while processing to the rule a person can act on; anything else stays a 500. */
export function toEvidenceError(err: unknown, kind: EvidenceKind): unknown {
  if (err instanceof EvidenceRejected) return err;
  if (err instanceof HarFormatError) {
    return new EvidenceRejected(err.rule, `the HAR file was refused: ${err.message}`);
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return code === 'Z_BUF_ERROR'
      ? new EvidenceRejected('truncated', `the gzip-compressed ${KIND_LABELS[kind]} ends early: the file is truncated`)
      : new EvidenceRejected('gzip_invalid', `the file starts like gzip but is not valid gzip data`);
  }
  if (code === 'ERR_STREAM_PREMATURE_CLOSE') return new EvidenceRejected('upload_aborted', 'the upload was interrupted before it ended', 'body');
  return err;
}
