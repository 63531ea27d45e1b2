import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { EvidenceRejected } from '../evidence.errors';
import { receiveSingleFile, type MultipartRules } from './multipart-upload';

const BOUNDARY = '----unit0123456789';

function body(parts: ({ name: string; value: string } | { name: string; filename: string; content: Buffer })[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${BOUNDARY}\r\n`));
    if ('value' in p) chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    else chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\n\r\n`), p.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

/** A request whose body is written by the test (or never). Counts what the server read. */
function request(contentLength?: number): IncomingMessage & PassThrough & { bytesRead: () => number } {
  const s = new PassThrough();
  let read = 0;
  s.on('data', (c: Buffer) => (read += c.length));
  const headers: Record<string, string> = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
  if (contentLength !== undefined) headers['content-length'] = String(contentLength);
  const req = Object.assign(s, { headers, complete: false, bytesRead: () => read });
  s.on('finish', () => (req.complete = true)); // the whole body arrived (IncomingMessage.complete)
  return req as never;
}

const CAPS: Record<string, number> = { har: 1024 * 1024, screenshot: 64 * 1024 };
const rules = (over: Partial<MultipartRules> = {}): MultipartRules => ({
  maxFileBytes: 1024 * 1024,
  fieldNames: ['kind'],
  fieldsBeforeFile: ['kind'],
  checkDeclaredLength: (declared, fields) => {
    const cap = fields.kind !== undefined && fields.kind in CAPS ? CAPS[fields.kind] : 1024 * 1024;
    return declared > cap + 1024 ? new EvidenceRejected('file_too_large', `larger than the ${cap / 1024} KiB limit`) : null;
  },
  ...over,
});

async function ruleOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    if (e instanceof EvidenceRejected) return e.rule;
    throw e;
  }
}

describe('receiveSingleFile', () => {
  it('refuses a declared Content-Length over the cap before reading a byte of the body', async () => {
    const req = request(10 * 1024 * 1024);
    let called = false;
    const t0 = Date.now();
    const p = receiveSingleFile(req, rules(), async () => {
      called = true;
    });
    // nothing is ever written: the answer must not wait for the body
    const err = await p.catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(500);
    expect(err).toBeInstanceOf(EvidenceRejected);
    expect((err as EvidenceRejected).rule).toBe('file_too_large');
    expect((err as EvidenceRejected).message).toContain('1024 KiB limit');
    expect(called).toBe(false);
    req.destroy();
  });

  it("refuses as soon as the kind field says the declared length is over that kind's cap", async () => {
    const file = Buffer.alloc(200 * 1024, 0x61);
    const b = body([
      { name: 'kind', value: 'screenshot' },
      { name: 'file', filename: 'x.png', content: file },
    ]);
    const req = request(b.length);
    let called = false;
    const p = receiveSingleFile(req, rules(), async () => {
      called = true;
    });
    // send only the kind field and the start of the file part; the rest never comes
    req.write(b.subarray(0, b.indexOf('filename') + 200));
    expect(await ruleOf(p)).toBe('file_too_large');
    expect(called).toBe(false);
    req.destroy();
  });

  it('accepts a declared length within the cap', async () => {
    const b = body([
      { name: 'kind', value: 'har' },
      { name: 'file', filename: 'x.har', content: Buffer.from('{}') },
    ]);
    const req = request(b.length);
    const p = receiveSingleFile(req, rules(), async (f) => {
      const chunks: Buffer[] = [];
      for await (const c of f.stream) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString();
    });
    req.end(b);
    expect(await p).toBe('{}');
  });

  it('names kind_after_file when the kind comes after the file, and never processes the file', async () => {
    const b = body([
      { name: 'file', filename: 'x.har', content: Buffer.from('{"log":{}}') },
      { name: 'kind', value: 'har' },
    ]);
    const req = request(b.length);
    let called = false;
    const p = receiveSingleFile(req, rules(), async () => {
      called = true;
    });
    req.end(b);
    expect(await ruleOf(p)).toBe('kind_after_file');
    expect(called).toBe(false);
  });

  it('names kind_missing when there is no kind at all', async () => {
    const b = body([{ name: 'file', filename: 'x.har', content: Buffer.from('{}') }]);
    const req = request(b.length);
    const p = receiveSingleFile(req, rules(), async () => undefined);
    req.end(b);
    expect(await ruleOf(p)).toBe('kind_missing');
  });

  it('names the limit when the file part itself runs over the largest cap', async () => {
    const b = body([
      { name: 'kind', value: 'har' },
      { name: 'file', filename: 'x.har', content: Buffer.alloc(2048, 0x20) },
    ]);
    const req = request(); // chunked: no declared length
    const p = receiveSingleFile(req, rules({ maxFileBytes: 1024 }), async (f) => {
      for await (const _ of f.stream) void _;
    });
    req.end(b);
    const err = await p.catch((e: unknown) => e);
    expect((err as EvidenceRejected).rule).toBe('file_too_large');
    expect((err as EvidenceRejected).message).toContain('1 KiB limit');
  });
});
