import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { EvidenceRejected } from '../evidence.errors';
import { formatBytes } from '../evidence-policy';

export interface IncomingEvidenceFile {
  /** Text fields that came before the file part (the file is processed while it streams in). */
  fields: Record<string, string>;
  filename: string | undefined;
  stream: Readable;
}

export interface MultipartRules {
  /** Largest file any kind accepts; the per-kind cap is enforced by the caller while streaming. */
  maxFileBytes: number;
  /** The only text fields accepted. */
  fieldNames: string[];
  /** After a refusal, at most this much of the rest of the body is read and discarded before the connection is cut. */
  maxDrainBytes?: number;
  /**
   * Called before a byte of the body is read and again after each text field, with the request's declared
   * `Content-Length`: an error refuses the upload at once (a body that says it is larger than the cap is not
   * read through first).
   */
  checkDeclaredLength?: (declaredBytes: number, fields: Readonly<Record<string, string>>) => Error | null;
  /**
   * Text fields the file cannot be processed without. A file part that comes before one of them is skipped
   * (never processed, at most `maxDrainBytes` of it read) to tell "sent after the file" (`kind_after_file`) from
   * "not sent" (`missingField(name)`).
   */
  fieldsBeforeFile?: string[];
  missingField?: (name: string) => Error;
}

/** The body's declared length, or null when there is none (chunked) or it is not a plain decimal number. */
export function declaredLength(req: IncomingMessage): number | null {
  const raw = req.headers['content-length'];
  if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

/**
 * Streams one `multipart/form-data` upload: text fields first, then exactly one part named `file`, which is
 * handed to `onFile` as a stream while it arrives. Nothing is buffered whole. Every busboy limit is set
 * (SECURITY.md, Uploads). On any refusal the request body is drained (up to a bound) so the client reads the
 * answer, and the returned promise rejects only after `onFile` has settled, so its clean-up (temp file)
 * is done before the response goes out.
 */
export function receiveSingleFile<T>(req: IncomingMessage, rules: MultipartRules, onFile: (file: IncomingEvidenceFile) => Promise<T>): Promise<T> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    discardBody(req, rules.maxDrainBytes);
    return Promise.reject(
      new EvidenceRejected('not_multipart', 'send the evidence as multipart/form-data with a "kind" field followed by a "file" part', 'body'),
    );
  }
  const declared = declaredLength(req);
  const early = declared === null ? null : (rules.checkDeclaredLength?.(declared, {}) ?? null);
  if (early) {
    discardBody(req, rules.maxDrainBytes);
    return Promise.reject(early);
  }
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: req.headers,
      preservePath: true, // we want to see a path in a file name, to refuse it (busboy would silently cut it)
      defParamCharset: 'utf8', // browsers send file names as raw UTF-8
      limits: {
        fileSize: rules.maxFileBytes + 1, // busboy flags a file that *reaches* the limit; the caller checks the exact cap
        files: 1,
        // one field more than expected, so the extra one can be named in the error; more than that is refused outright
        fields: rules.fieldNames.length + 1,
        parts: rules.fieldNames.length + 3, // busboy signals when the count *reaches* this (fields/files: when exceeded)
        fieldSize: 256,
        fieldNameSize: 64,
        headerPairs: 16,
      },
    });
  } catch {
    discardBody(req, rules.maxDrainBytes);
    return Promise.reject(new EvidenceRejected('multipart_malformed', 'the multipart body has no boundary in its Content-Type', 'body'));
  }

  return new Promise<T>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let file: Readable | null = null;
    let work: Promise<T> | null = null;
    let failed = false;
    let lateField: string | null = null;
    /** The file part came before a field it needs: skipped, waiting to see whether that field follows. */
    let missing: string | null = null;
    const missingError = (name: string) =>
      rules.missingField?.(name) ?? new EvidenceRejected('kind_missing', `send the "${name}" field before the file part`, 'body');

    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      req.unpipe(bb);
      bb.removeAllListeners();
      bb.on('error', () => undefined);
      file?.destroy(err);
      discardBody(req, rules.maxDrainBytes);
      const settled = work
        ? work.then(
            () => undefined,
            () => undefined,
          )
        : Promise.resolve();
      void settled.then(() => reject(err));
    };

    bb.on('field', (name, value, info) => {
      if (name === 'file') return fail(new EvidenceRejected('file_missing', 'the "file" part came as a text field: send it as a file part, with a file name'));
      if (!rules.fieldNames.includes(name))
        return fail(
          new EvidenceRejected(
            'unexpected_part',
            `unexpected field "${name.slice(0, 64)}"; send only ${rules.fieldNames.map((f) => `"${f}"`).join(', ')} and "file"`,
            'body',
          ),
        );
      if (info.nameTruncated || info.valueTruncated) return fail(new EvidenceRejected('field_too_long', `the field "${name}" is too long`, 'body'));
      if (name in fields) return fail(new EvidenceRejected('unexpected_part', `the field "${name}" was sent twice`, 'body'));
      if (missing !== null && (rules.fieldsBeforeFile ?? []).includes(name)) {
        return fail(new EvidenceRejected('kind_after_file', `send the "${name}" field before the file part: the file is processed while it arrives`, 'body'));
      }
      // A field after the file is refused once the file settled, so the file's own verdict comes first either way.
      if (file) lateField ??= name;
      else {
        fields[name] = value;
        const tooLarge = declared === null ? null : (rules.checkDeclaredLength?.(declared, fields) ?? null);
        if (tooLarge) return fail(tooLarge);
      }
    });
    bb.on('file', (name, stream, info) => {
      if (name !== 'file') {
        stream.resume();
        return fail(new EvidenceRejected('unexpected_part', `the file part must be named "file", not "${String(name).slice(0, 64)}"`, 'body'));
      }
      file = stream;
      stream.on('error', () => undefined); // reported through `work`; destroyed before anyone read it, it must not crash
      stream.once('limit', () =>
        stream.destroy(new EvidenceRejected('file_too_large', `the file is larger than the ${formatBytes(rules.maxFileBytes)} limit of every evidence kind`)),
      );
      const absent = (rules.fieldsBeforeFile ?? []).find((f) => !(f in fields));
      if (absent !== undefined) {
        missing = absent;
        let skipped = 0;
        const max = rules.maxDrainBytes ?? 64 * 1024 * 1024;
        stream.on('data', (c: Buffer) => {
          skipped += c.length;
          if (skipped > max) fail(missingError(absent));
        });
        return;
      }
      work = onFile({ fields: { ...fields }, filename: info.filename, stream });
      work.catch((err: Error) => fail(err));
    });
    bb.on('filesLimit', () => fail(new EvidenceRejected('too_many_files', 'send one file per request', 'body')));
    bb.on('fieldsLimit', () => fail(new EvidenceRejected('too_many_parts', 'too many fields in the form', 'body')));
    bb.on('partsLimit', () => fail(new EvidenceRejected('too_many_parts', 'too many parts in the form', 'body')));
    bb.on('error', () => fail(new EvidenceRejected('multipart_malformed', 'the multipart body is malformed or ended early', 'body')));
    bb.on('close', () => {
      if (failed) return;
      if (missing !== null) return fail(missingError(missing));
      if (!work) {
        return fail(new EvidenceRejected('file_missing', 'no file in the upload: add the evidence as a part named "file" (with a file name)'));
      }
      work.then(
        (result) => (lateField ? fail(new EvidenceRejected('kind_after_file', `send the "${lateField}" field before the file part`, 'body')) : resolve(result)),
        (err: Error) => fail(err),
      );
    });
    req.on('close', () => {
      if (!req.complete) fail(new EvidenceRejected('upload_aborted', 'the upload was interrupted before it ended', 'body'));
    });
    req.pipe(bb);
  });
}

/** Reads and discards the rest of a refused body so the client gets the answer, then gives up on a huge one. */
export function discardBody(req: IncomingMessage, max = 64 * 1024 * 1024): void {
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > max) req.destroy();
  });
  req.resume();
}
