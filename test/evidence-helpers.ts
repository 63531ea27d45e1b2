import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { Client } from 'pg';
import SonicBoom from 'sonic-boom';
import type { TestApp } from './support/test-app';
import { validIntake } from './support/test-app';

/** A fresh evidence directory per test app, so "nothing new on disk" is checked exactly. */
export function evidenceTmpDir(): string {
  return mkdtempSync(join(tmpdir(), 'portal-evidence-test-'));
}

/** Every file (not directory) under `dir`, relative, sorted. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

export function readAllFiles(dir: string): Buffer {
  return Buffer.concat(filesUnder(dir).map((f) => readFileSync(join(dir, f))));
}

type Part = { name: string; value: string } | { name: string; filename?: string; filenameRaw?: string; content: Buffer; contentType?: string };

/** A multipart/form-data body built byte by byte, so tests can send what no well-behaved client would. */
export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----evidence${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('value' in p) {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    } else {
      const fn = p.filenameRaw !== undefined ? `; filename="${p.filenameRaw}"` : p.filename !== undefined ? `; filename="${p.filename}"` : '';
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"${fn}\r\nContent-Type: ${p.contentType ?? 'application/octet-stream'}\r\n\r\n`));
      chunks.push(p.content, Buffer.from('\r\n'));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function declareIncident(t: TestApp, auth: string): Promise<string> {
  const res = await t.http.post('/api/v1/incidents').set('Authorization', auth).send(validIntake());
  if (res.status !== 201) throw new Error(`declare failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Uploads through supertest's multipart (kind first, then the file). */
export function uploadEvidence(t: TestApp, auth: string, incidentId: string, kind: string, content: Buffer, filename: string) {
  return t.http
    .post(`/api/v1/incidents/${incidentId}/attachments`)
    .set('Authorization', auth)
    .field('kind', kind)
    .attach('file', content, { filename, contentType: 'application/octet-stream' });
}

export function postRaw(t: TestApp, auth: string, incidentId: string, m: { body: Buffer; contentType: string }) {
  return t.http.post(`/api/v1/incidents/${incidentId}/attachments`).set('Authorization', auth).set('Content-Type', m.contentType).send(m.body);
}

/** GET that keeps the body as raw bytes whatever its type. */
export function getBytes(t: TestApp, auth: string, url: string) {
  return t.http
    .get(url)
    .set('Authorization', auth)
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
}

/** Every encoded form a canary could survive in (same as the library's canary spec). */
export function leakForms(canary: string): string[] {
  const forms = new Set<string>([canary, encodeURIComponent(canary)]);
  if (canary.length >= 20) {
    for (let a = 0; a < 3; a++) {
      const b64 = Buffer.from('x'.repeat(a) + canary).toString('base64');
      const inner = b64.slice(4, Math.min(b64.length - 4, 4 + 20));
      if (inner.length >= 12) {
        forms.add(inner);
        forms.add(inner.replace(/\+/g, '-').replace(/\//g, '_'));
      }
    }
  }
  return [...forms];
}

/** The canaries found in `haystack`, raw or encoded, with where they were found. */
export function findLeaks(where: string, haystack: string | Buffer, canaries: string[]): string[] {
  const text = Buffer.isBuffer(haystack) ? haystack.toString('latin1') : haystack;
  const utf8 = Buffer.isBuffer(haystack) ? haystack.toString('utf8') : haystack;
  const leaks: string[] = [];
  for (const c of canaries) {
    for (const f of leakForms(c)) if (text.includes(f) || utf8.includes(f)) leaks.push(`${where}: ${c.slice(0, 40)} (as ${f.slice(0, 40)})`);
  }
  return leaks;
}

/** Every row of every table of the schema, as text, read as the owner (row-level security does not hide anything). */
export async function dumpDatabase(): Promise<string> {
  const owner = new Client({ connectionString: process.env.PORTAL_TEST_OWNER_URL });
  await owner.connect();
  try {
    const { rows: tables } = await owner.query(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
    const parts: string[] = [];
    for (const { table_name } of tables) {
      const { rows } = await owner.query(`select t::text as row from "${table_name}" t`);
      parts.push(`== ${table_name}\n${rows.map((r) => r.row).join('\n')}`);
    }
    return parts.join('\n');
  } finally {
    await owner.end();
  }
}

export async function ownerQuery<T = Record<string, any>>(text: string, params: unknown[] = []): Promise<T[]> {
  const owner = new Client({ connectionString: process.env.PORTAL_TEST_OWNER_URL });
  await owner.connect();
  try {
    return (await owner.query(text, params)).rows as T[];
  } finally {
    await owner.end();
  }
}

/**
 * Captures everything the process writes while active: pino's destination (process.stdout here; a
 * SonicBoom on fd 1 elsewhere), Nest and console output. stdout is swallowed (it was captured);
 * stderr still reaches the terminal (jest reports there).
 */
export class OutputCapture {
  private chunks: string[] = [];
  private restore: (() => void) | null = null;

  start(): void {
    const keep = (data: unknown) => {
      if (typeof data === 'string') this.chunks.push(data);
      else if (data instanceof Uint8Array) this.chunks.push(Buffer.from(data).toString('utf8'));
    };
    /* eslint-disable @typescript-eslint/unbound-method -- the originals are kept to be put back, never called unbound */
    const out = process.stdout.write;
    const err = process.stderr.write;
    const boom = SonicBoom.prototype.write;
    /* eslint-enable @typescript-eslint/unbound-method */
    process.stdout.write = (d: unknown, ...rest: unknown[]) => {
      keep(d);
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      if (cb) process.nextTick(cb);
      return true;
    };
    process.stderr.write = ((d: unknown, ...rest: unknown[]) => (keep(d), (err as any).call(process.stderr, d, ...rest))) as typeof process.stderr.write;
    SonicBoom.prototype.write = function (d: unknown) {
      keep(d);
      return true;
    };
    this.restore = () => {
      process.stdout.write = out;
      process.stderr.write = err;
      SonicBoom.prototype.write = boom;
    };
  }

  stop(): void {
    this.restore?.();
    this.restore = null;
  }

  get text(): string {
    return this.chunks.join('');
  }
}

// ---- images -----------------------------------------------------------------------------------------

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A valid RGB PNG, optionally with metadata chunks carrying text (tEXt, iTXt, eXIf, tIME) and bytes after IEND. */
export function makePng(opts: { width?: number; height?: number; text?: string; trailing?: Buffer } = {}): Buffer {
  const w = opts.width ?? 4;
  const h = opts.height ?? 3;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const raw = Buffer.alloc(h * (1 + w * 3), 0x7f);
  for (let y = 0; y < h; y++) raw[y * (1 + w * 3)] = 0;
  const chunks = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr)];
  if (opts.text) {
    chunks.push(pngChunk('tEXt', Buffer.from(`Comment\0${opts.text}`, 'latin1')));
    chunks.push(pngChunk('iTXt', Buffer.from(`XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>${opts.text}</x:xmpmeta>`, 'latin1')));
    chunks.push(pngChunk('eXIf', Buffer.concat([Buffer.from('MM\0*', 'latin1'), Buffer.from(opts.text, 'latin1')])));
    chunks.push(pngChunk('tIME', Buffer.from([0x07, 0xe9, 1, 2, 3, 4, 5])));
  }
  chunks.push(pngChunk('sRGB', Buffer.from([0])));
  chunks.push(pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0)));
  if (opts.trailing) chunks.push(opts.trailing);
  return Buffer.concat(chunks);
}

/** Inserts an APP1 (Exif) and a COM segment carrying `text` right after a JPEG's SOI marker. */
export function jpegWithMetadata(jpeg: Buffer, text: string): Buffer {
  const segment = (marker: number, data: Buffer) => {
    const head = Buffer.from([0xff, marker, 0, 0]);
    head.writeUInt16BE(data.length + 2, 2);
    return Buffer.concat([head, data]);
  };
  const exif = segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0MM\0*', 'latin1'), Buffer.from(`GPS ${text}`, 'latin1')]));
  const com = segment(0xfe, Buffer.from(`comment ${text}`, 'latin1'));
  return Buffer.concat([jpeg.subarray(0, 2), exif, com, jpeg.subarray(2)]);
}
