import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';

/** Passes bytes through and fails the stream with `tooLarge()` as soon as more than `limit` bytes went by. */
export class ByteCap extends Transform {
  private seen = 0;
  constructor(
    private readonly limit: number,
    private readonly tooLarge: () => Error,
  ) {
    super();
  }
  get bytes(): number {
    return this.seen;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) return cb(this.tooLarge());
    cb(null, chunk);
  }
}

/**
 * Hands bytes on in pieces of at least `size` (the last one may be smaller). Socket reads arrive in ~64 KiB
 * and zlib writes 16 KiB; the HAR sanitizer is markedly faster on bigger pieces (see its README). Measured
 * with bench/evidence-upload.bench.ts: 256 KiB gave ~30 % more throughput than none at no extra peak RSS;
 * 1 MiB was no faster and cost ~40 MB of RSS.
 */
export class Coalesce extends Transform {
  private parts: Buffer[] = [];
  private length = 0;
  constructor(private readonly size: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.parts.push(chunk);
    this.length += chunk.length;
    if (this.length >= this.size) {
      const out = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.length);
      this.parts = [];
      this.length = 0;
      return cb(null, out);
    }
    cb();
  }
  override _flush(cb: TransformCallback): void {
    if (this.length) this.push(this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.length));
    cb();
  }
}

/** Counts and hashes what is stored (sha256 of the sanitized bytes). */
export class StoredBytesMeter extends Transform {
  private readonly hash = createHash('sha256');
  private count = 0;
  private hex: string | null = null;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.count += chunk.length;
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    this.hex = this.hash.digest('hex');
    cb();
  }
  get bytes(): number {
    return this.count;
  }
  get sha256(): string {
    if (this.hex === null) throw new Error('the stream has not ended yet');
    return this.hex;
  }
}

/**
 * Reads the first `n` bytes (fewer if the stream ends first) so the caller can decide how to process
 * the content, and returns a stream that yields everything again, those bytes included. Errors of the
 * source reach the returned stream; destroying the returned stream destroys the source.
 */
export async function peek(source: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const buffered: Buffer[] = [];
  let length = 0;
  let ended = false;
  try {
    while (length < n) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        break;
      }
      const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
      buffered.push(chunk);
      length += chunk.length;
    }
  } catch (err) {
    await it.return?.().catch(() => undefined);
    throw err;
  }
  const head = Buffer.concat(buffered).subarray(0, n);
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      yield* buffered;
      if (ended) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      await it.return?.();
    }
  }
  return { head, stream: Readable.from(replay(), { objectMode: false }) };
}

export type Sniffed = 'gzip' | 'png' | 'jpeg' | 'gif' | 'webp' | 'pdf' | 'zip' | 'utf16' | 'binary' | 'text';

const startsWith = (head: Buffer, bytes: number[]) => bytes.every((b, i) => head[i] === b);

/** What the first bytes say the content is (magic numbers; NUL bytes mean binary). */
export function sniff(head: Buffer): Sniffed {
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (head.subarray(0, 6).toString('latin1') === 'GIF87a' || head.subarray(0, 6).toString('latin1') === 'GIF89a') return 'gif';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) return 'utf16';
  if (head.includes(0)) return 'binary';
  return 'text';
}

export const SNIFF_LABELS: Record<Sniffed, string> = {
  gzip: 'a gzip file',
  png: 'a PNG image',
  jpeg: 'a JPEG image',
  gif: 'a GIF image',
  webp: 'a WebP image',
  pdf: 'a PDF document',
  zip: 'a ZIP archive',
  utf16: 'UTF-16 text',
  binary: 'binary data',
  text: 'text',
};
