import { randomBytes } from 'crypto';
import { Readable, Transform, Writable, type TransformCallback } from 'stream';
import { pipeline } from 'stream/promises';
import type { Json, JsonObject } from './body';
import { EntrySanitizer } from './entry';
import type { ResolvedOptions } from './fields';
import { InsightsCollector } from './insights';
import { HarSplitter } from './splitter';
import { HarFormatError, type SanitizeOptions, type SanitizeResult } from './types';

export const DEFAULT_MAX_ENTRY_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_STRING_BYTES = 4 * 1024 * 1024;

export function resolveOptions(o: SanitizeOptions = {}): ResolvedOptions {
  const maxEntryBytes = o.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const maxStringBytes = o.maxStringBytes ?? Math.min(DEFAULT_MAX_STRING_BYTES, maxEntryBytes);
  if (!(Number.isFinite(maxEntryBytes) && maxEntryBytes > 0)) throw new RangeError('maxEntryBytes must be a positive number');
  if (!(Number.isFinite(maxStringBytes) && maxStringBytes > 0)) throw new RangeError('maxStringBytes must be a positive number');
  return {
    keepResponseText: o.keepResponseText === true,
    sensitiveHeaderNames: [...(o.sensitiveHeaderNames ?? [])],
    sensitiveParamNames: [...(o.sensitiveParamNames ?? [])],
    maxEntryBytes,
    maxStringBytes,
  };
}

const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sanitizes one HAR, piece by piece: the log header, each entry, the log trailer. */
export class HarSession {
  readonly sanitizer: EntrySanitizer;
  readonly insights = new InsightsCollector();
  private readonly emitted = new Set<string>();
  private count = 0;

  constructor(opts: ResolvedOptions, elidedPrefix: string | null = null) {
    this.sanitizer = new EntrySanitizer(opts, elidedPrefix);
  }

  private logFields(log: Record<string, unknown>): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(log)) {
      if (key === 'entries' || this.emitted.has(key)) continue;
      const v = this.sanitizer.logField(key, log[key] as Json);
      if (v === undefined) continue;
      out[key] = v;
      this.emitted.add(key);
    }
    return out;
  }

  /** `{"log":{<fields before entries>,"entries":[` */
  head(log: Record<string, unknown>): string {
    const fields = JSON.stringify(this.logFields(log));
    return `{"log":${fields.slice(0, -1)}${fields.length > 2 ? ',' : ''}"entries":[`;
  }

  sanitizeEntry(entry: unknown, index: number): JsonObject {
    if (!isObj(entry)) throw new HarFormatError(`log.entries[${index}] is not an object, so not a HAR`, 'not_har');
    const out = this.sanitizer.entry(entry);
    this.insights.add(entry, out);
    this.count++;
    return out;
  }

  /** One entry as JSON text, with its separator. Never echoes input in error messages. */
  entry(json: string, index: number): string {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new HarFormatError(`log.entries[${index}] is not valid JSON`, 'not_json');
    }
    return (this.count > 0 ? ',\n' : '\n') + JSON.stringify(this.sanitizeEntry(parsed, index));
  }

  /** Fields after entries, plus the required ones (version, creator, pages) when missing; closes the document. */
  tailFields(log: Record<string, unknown>): JsonObject {
    const out = this.logFields(log);
    if (!this.emitted.has('version')) out.version = '1.2';
    if (!this.emitted.has('creator')) out.creator = { name: 'unknown', version: '' };
    if (!this.emitted.has('pages')) out.pages = [];
    return out;
  }

  tail(log: Record<string, unknown>): string {
    const fields = JSON.stringify(this.tailFields(log));
    return `${this.count > 0 ? '\n' : ''}]${fields.length > 2 ? `,${fields.slice(1)}` : '}'}}`;
  }

  result(bytesIn: number, bytesOut: number): SanitizeResult {
    return { report: this.sanitizer.counter.toReport(), insights: this.insights.result(), bytesIn, bytesOut };
  }
}

/**
 * Non-streaming variant over an already parsed HAR (whole document in memory). Same rules as the stream;
 * used by the benchmark's naive baseline and by tests that compare both paths.
 */
export function sanitizeHarObject(doc: unknown, opts?: SanitizeOptions): { har: JsonObject; result: SanitizeResult } {
  if (!isObj(doc) || !isObj(doc.log) || !Array.isArray(doc.log.entries)) {
    throw new HarFormatError('valid JSON, but not a HAR: there is no log.entries array', 'not_har');
  }
  const session = new HarSession(resolveOptions(opts));
  const log = doc.log;
  const entries: Json[] = doc.log.entries;
  const keys = Object.keys(log);
  const at = keys.indexOf('entries');
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  keys.forEach((k, i) => {
    if (k !== 'entries') (i < at ? before : after)[k] = log[k];
  });
  const out: JsonObject = {};
  const head = JSON.parse(`${session.head(before)}]}}`) as { log: JsonObject };
  for (const k of Object.keys(head.log)) if (k !== 'entries') out[k] = head.log[k];
  out.entries = entries.map((e, i) => session.sanitizeEntry(e, i));
  Object.assign(out, session.tailFields(after));
  return { har: { log: out }, result: session.result(0, 0) };
}

class HarSanitizeStream extends Transform {
  private readonly session: HarSession;
  private readonly splitter: HarSplitter;
  private out: string[] = [];
  private bytesIn = 0;
  private bytesOut = 0;
  private settled = false;

  constructor(
    opts: ResolvedOptions,
    private readonly settle: { resolve: (r: SanitizeResult) => void; reject: (e: Error) => void },
  ) {
    super({ readableHighWaterMark: 256 * 1024, writableHighWaterMark: 256 * 1024 });
    const elidedPrefix = `harsan-elided-${randomBytes(12).toString('hex')}:`;
    this.session = new HarSession(opts, elidedPrefix);
    this.splitter = new HarSplitter(
      { maxEntryBytes: opts.maxEntryBytes, maxStringBytes: opts.maxStringBytes, elidedPrefix },
      {
        onHead: (log) => this.out.push(this.session.head(log)),
        onEntry: (json, index) => this.out.push(this.session.entry(json, index)),
        onTail: (log) => this.out.push(this.session.tail(log)),
      },
    );
  }

  private flushOut(): void {
    if (this.out.length === 0) return;
    const b = Buffer.from(this.out.length === 1 ? this.out[0] : this.out.join(''), 'utf8');
    this.out = [];
    this.bytesOut += b.length;
    this.push(b);
  }

  override _transform(chunk: unknown, encoding: BufferEncoding, cb: TransformCallback): void {
    try {
      let buf: Buffer;
      if (Buffer.isBuffer(chunk)) buf = chunk;
      else if (typeof chunk === 'string') buf = Buffer.from(chunk, encoding);
      else if (chunk instanceof Uint8Array) buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      else throw new TypeError('the HAR sanitizer accepts Buffer, Uint8Array or string chunks');
      this.bytesIn += buf.length;
      this.splitter.write(buf);
      this.flushOut();
      cb();
    } catch (e) {
      this.out = [];
      cb(e as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.splitter.end();
      this.flushOut();
      this.settled = true;
      this.settle.resolve(this.session.result(this.bytesIn, this.bytesOut));
      cb();
    } catch (e) {
      this.out = [];
      cb(e as Error);
    }
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    if (!this.settled) {
      this.settled = true;
      this.settle.reject(err ?? new Error('the HAR sanitizer stream was destroyed before the input ended'));
    }
    cb(err);
  }
}

/**
 * Streaming sanitizer: write HAR bytes (already gunzipped) in, read sanitized HAR JSON out.
 * On malformed input the stream errors with HarFormatError and `result` rejects; output already
 * emitted by then is a partial document and must be discarded by the caller.
 */
export function createHarSanitizer(opts?: SanitizeOptions): { stream: import('stream').Duplex; result: Promise<SanitizeResult> } {
  const resolved = resolveOptions(opts);
  let resolve!: (r: SanitizeResult) => void;
  let reject!: (e: Error) => void;
  const result = new Promise<SanitizeResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // the stream's 'error' event is the primary channel; avoid an unhandled rejection if nobody awaits `result`
  result.catch(() => undefined);
  const stream = new HarSanitizeStream(resolved, { resolve, reject });
  return { stream, result };
}

/** Convenience (tests, small inputs): sanitize a whole Buffer or string. */
export async function sanitizeHar(input: Buffer | string, opts?: SanitizeOptions): Promise<{ output: string } & SanitizeResult> {
  const { stream, result } = createHarSanitizer(opts);
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const chunks: Buffer[] = [];
  const CHUNK = 1024 * 1024;
  function* slices(): Generator<Buffer> {
    for (let off = 0; off < buf.length; off += CHUNK) yield buf.subarray(off, off + CHUNK);
  }
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  try {
    await pipeline(Readable.from(slices()), stream, sink);
  } catch {
    await result; // rejects with the sanitizer's own error (HarFormatError)
    throw new Error('HAR sanitization failed');
  }
  const r = await result;
  return { output: Buffer.concat(chunks).toString('utf8'), ...r };
}
