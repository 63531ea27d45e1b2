import { randomBytes } from 'crypto';
import { Readable, Transform, Writable, type TransformCallback } from 'stream';
import { pipeline } from 'stream/promises';
import type { Json, JsonObject } from './body';
import { EntrySanitizer } from './entry';
import type { ResolvedOptions } from './fields';
import { InsightsCollector, type EntryCodes } from './insights';
import { SecretRulePass, startSecretRules, type SecretRuleHit } from './secret-rules';
import { HarSplitter } from './splitter';
import { HarFormatError, type HarInsights, type SanitizeOptions, type SanitizeResult } from './types';

export const DEFAULT_MAX_ENTRY_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_STRING_BYTES = 4 * 1024 * 1024;
/** Objects and arrays may nest at most this many levels, counted from the document's top (the root object is 1). */
export const MAX_NESTING_DEPTH = 64;

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
    secretRules: o.secretRules !== false,
  };
}

const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the sanitizer writes, in order, once the secret rule set has seen it. */
type Piece = { kind: 'head'; fields: JsonObject } | { kind: 'entry'; codes: EntryCodes; sanitized: JsonObject } | { kind: 'tail'; fields: JsonObject };

/**
 * Sanitizes one HAR, piece by piece: the log header, each entry, the log trailer. The synchronous part (allow-list
 * rebuild and the sanitizer's own rules) makes pieces; `write()` runs the maintained secret rule set over a batch of
 * them and serialises them.
 */
export class HarSession {
  readonly sanitizer: EntrySanitizer;
  readonly insights = new InsightsCollector();
  private readonly secrets: SecretRulePass;
  private readonly secretRules: boolean;
  private readonly emitted = new Set<string>();
  private count = 0;

  constructor(opts: ResolvedOptions, elidedPrefix: string | null = null) {
    this.sanitizer = new EntrySanitizer(opts, elidedPrefix);
    this.secrets = new SecretRulePass(this.sanitizer.counter);
    this.secretRules = opts.secretRules;
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

  head(log: Record<string, unknown>): Piece {
    return { kind: 'head', fields: this.logFields(log) };
  }

  sanitizeEntry(entry: unknown, index: number): Piece {
    if (!isObj(entry)) throw new HarFormatError(`log.entries[${index}] is not an object, so not a HAR`, 'not_har');
    // what the insights need from the original is read now, so the original is not held until the batch is written
    return { kind: 'entry', codes: this.insights.codesOf(entry), sanitized: this.sanitizer.entry(entry) };
  }

  /** One entry's JSON text. Never echoes input in error messages. */
  entry(json: string, index: number): Piece {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new HarFormatError(`log.entries[${index}] is not valid JSON`, 'not_json');
    }
    return this.sanitizeEntry(parsed, index);
  }

  /** Fields after entries, plus the required ones (version, creator, pages) when missing. */
  tail(log: Record<string, unknown>): Piece {
    const out = this.logFields(log);
    if (!this.emitted.has('version')) out.version = '1.2';
    if (!this.emitted.has('creator')) out.creator = { name: 'unknown', version: '' };
    if (!this.emitted.has('pages')) out.pages = [];
    return { kind: 'tail', fields: out };
  }

  /** Starts the secret rule set on a batch of pieces at once (it runs in a worker thread). */
  scan(pieces: Piece[]): Promise<Map<string, SecretRuleHit>> {
    const none = (): Promise<Map<string, SecretRuleHit>> => Promise.resolve(new Map<string, SecretRuleHit>());
    if (!this.secretRules) return none();
    const candidates = new Set<string>();
    for (const p of pieces) this.secrets.collect(p.kind === 'entry' ? p.sanitized : p.fields, candidates);
    return candidates.size === 0 ? none() : this.secrets.scan(candidates);
  }

  /** The pieces with the rule set's findings replaced, in order; entries are fed to the insights here. */
  private *final(pieces: Piece[], hits: Map<string, SecretRuleHit>): Generator<Piece> {
    for (const p of pieces) {
      if (p.kind === 'entry') {
        const e = this.secrets.apply(p.sanitized, hits);
        this.insights.addSanitized(e, p.codes);
        yield { kind: 'entry', codes: p.codes, sanitized: e };
      } else {
        yield { kind: p.kind, fields: this.secrets.apply(p.fields, hits) };
      }
    }
  }

  /** The pieces as text, in order. */
  write(pieces: Piece[], hits: Map<string, SecretRuleHit>): string {
    let out = '';
    for (const p of this.final(pieces, hits)) {
      if (p.kind === 'head') {
        const fields = JSON.stringify(p.fields);
        out += `{"log":${fields.slice(0, -1)}${fields.length > 2 ? ',' : ''}"entries":[`;
      } else if (p.kind === 'entry') {
        out += (this.count > 0 ? ',\n' : '\n') + JSON.stringify(p.sanitized);
        this.count++;
      } else {
        const fields = JSON.stringify(p.fields);
        out += `${this.count > 0 ? '\n' : ''}]${fields.length > 2 ? `,${fields.slice(1)}` : '}'}}`;
      }
    }
    return out;
  }

  /** The pieces of a whole document as one `log` object (head fields, entries, tail fields). */
  build(pieces: Piece[], hits: Map<string, SecretRuleHit>): JsonObject {
    const log: JsonObject = {};
    const entries: Json[] = [];
    for (const p of this.final(pieces, hits)) {
      if (p.kind === 'entry') entries.push(p.sanitized);
      else {
        if (p.kind === 'tail') log.entries = entries;
        Object.assign(log, p.fields);
      }
    }
    log.entries = entries;
    this.count += entries.length;
    return { log };
  }

  /** The report and the insights; what the insights read from the original entries (error codes) gets the rule set too. */
  async result(bytesIn: number, bytesOut: number): Promise<SanitizeResult> {
    const raw = this.insights.result();
    const candidates = new Set<string>();
    if (this.secretRules) this.secrets.collect(raw as unknown as Json, candidates);
    const insights = candidates.size === 0 ? raw : (this.secrets.apply(raw as unknown as Json, await this.secrets.scan(candidates)) as unknown as HarInsights);
    return { report: this.sanitizer.counter.toReport(), insights, bytesIn, bytesOut };
  }
}

/**
 * Non-streaming variant over an already parsed HAR (whole document in memory). Same rules as the stream (the
 * nesting limit aside: the document is already parsed, and the allow-list rebuild does not follow unknown nesting);
 * used by the benchmark's naive baseline and by tests that compare both paths.
 */
export async function sanitizeHarObject(doc: unknown, opts?: SanitizeOptions): Promise<{ har: JsonObject; result: SanitizeResult }> {
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
  const pieces = [session.head(before), ...entries.map((e, i) => session.sanitizeEntry(e, i)), session.tail(after)];
  const har = session.build(pieces, await session.scan(pieces));
  return { har, result: await session.result(0, 0) };
}

/**
 * The pieces of this much input go to the secret rule set together: each batch costs a round trip to the worker
 * and a rule set-up (about 1-2 ms), so batching by input rather than by chunk keeps 64 KiB reads cheap.
 */
const BATCH_INPUT_BYTES = 1024 * 1024;
/**
 * Batches scanned while the next input is parsed. More than two hides the hand-over latency between the threads,
 * which grows on a busy machine; each holds only sanitized entries (the originals are released at once).
 */
const MAX_BATCHES_IN_FLIGHT = 4;

class HarSanitizeStream extends Transform {
  private readonly session: HarSession;
  private readonly splitter: HarSplitter;
  private pieces: Piece[] = [];
  /** Input bytes whose pieces wait for the next batch. */
  private unbatchedBytes = 0;
  /** Serialises batches in order while the next chunks are parsed. */
  private tail: Promise<void> = Promise.resolve();
  /** Completion of each batch not yet awaited by a write callback, oldest first (at most MAX_BATCHES_IN_FLIGHT). */
  private inFlight: Promise<void>[] = [];
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
    if (opts.secretRules) startSecretRules(); // boots while the first bytes are parsed
    this.splitter = new HarSplitter(
      { maxEntryBytes: opts.maxEntryBytes, maxStringBytes: opts.maxStringBytes, elidedPrefix, maxDepth: MAX_NESTING_DEPTH },
      {
        onHead: (log) => this.pieces.push(this.session.head(log)),
        onEntry: (json, index) => this.pieces.push(this.session.entry(json, index)),
        onTail: (log) => this.pieces.push(this.session.tail(log)),
      },
    );
  }

  /** Queues what the last chunk produced: the rule set starts on it now; it is written after the batches before it. */
  private enqueue(): Promise<void> {
    const pieces = this.pieces;
    this.pieces = [];
    this.unbatchedBytes = 0;
    if (pieces.length > 0) {
      const scanned = this.session.scan(pieces);
      scanned.catch(() => undefined); // observed through the chain below
      this.tail = this.tail
        .then(() => scanned)
        .then((hits) => {
          if (this.destroyed) return;
          const b = Buffer.from(this.session.write(pieces, hits), 'utf8');
          this.bytesOut += b.length;
          this.push(b);
        });
      this.tail.catch(() => undefined);
      this.inFlight.push(this.tail);
    }
    return this.tail;
  }

  override _transform(chunk: unknown, encoding: BufferEncoding, cb: TransformCallback): void {
    try {
      let buf: Buffer;
      if (Buffer.isBuffer(chunk)) buf = chunk;
      else if (typeof chunk === 'string') buf = Buffer.from(chunk, encoding);
      else if (chunk instanceof Uint8Array) buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      else throw new TypeError('the HAR sanitizer accepts Buffer, Uint8Array or string chunks');
      this.bytesIn += buf.length;
      this.unbatchedBytes += buf.length;
      this.splitter.write(buf);
    } catch (e) {
      this.pieces = [];
      cb(e as Error);
      return;
    }
    if (this.unbatchedBytes < BATCH_INPUT_BYTES) {
      cb();
      return;
    }
    void this.enqueue(); // a failure reaches a later chunk's callback or _flush through the chain
    // the next chunks are parsed while batches are scanned; wait only when too many are in flight (each waits
    // for the ones before it, so a failed batch fails every later one and the stream with it)
    if (this.inFlight.length < MAX_BATCHES_IN_FLIGHT) {
      cb();
      return;
    }
    this.inFlight.shift()!.then(
      () => cb(),
      (e: Error) => cb(e),
    );
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.splitter.end();
    } catch (e) {
      this.pieces = [];
      cb(e as Error);
      return;
    }
    this.enqueue()
      .then(() => this.session.result(this.bytesIn, this.bytesOut))
      .then(
        (r) => {
          this.settled = true;
          this.settle.resolve(r);
          cb();
        },
        (e: Error) => cb(e),
      );
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
