import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { EvidenceRejected } from '../evidence.errors';
import { processEvidence, toEvidenceError } from './evidence-pipeline';

const opts = (kind: 'har' | 'governance-events' | 'screenshot', maxBytes: number) => ({ kind, maxBytes, har: {}, maxRecordBytes: 1 << 20 });

async function outcome(input: Buffer, kind: 'har' | 'governance-events' | 'screenshot', maxBytes: number) {
  try {
    const { output, finish } = await processEvidence(Readable.from([input]), opts(kind, maxBytes));
    const out: Buffer[] = [];
    await pipeline(output, new Writable({ write: (c, _e, cb) => (out.push(c), cb()) }));
    return { ok: true as const, bytes: Buffer.concat(out), meta: await finish() };
  } catch (e) {
    const err = toEvidenceError(e, kind);
    if (err instanceof EvidenceRejected) return { ok: false as const, rule: err.rule, status: err.status };
    throw e;
  }
}

describe('evidence pipeline', () => {
  it('stops a gzip bomb at the cap instead of inflating it to its end', async () => {
    // 512 gzip members of 1 MiB of spaces each: ~0.5 MiB that inflates to 512 MiB, fed 1 KiB at a time
    const member = zlib.gzipSync(Buffer.alloc(1 << 20, 0x20), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 512 }, () => member));
    let read = 0;
    async function* slowly() {
      for (let i = 0; i < bomb.length; i += 1024) {
        read += Math.min(1024, bomb.length - i);
        yield bomb.subarray(i, i + 1024);
      }
    }
    const started = process.hrtime.bigint();
    let rule = 'accepted';
    try {
      const { output } = await processEvidence(Readable.from(slowly()), opts('har', 1 << 20));
      await pipeline(output, new Writable({ write: (_c, _e, cb) => cb() }));
    } catch (e) {
      rule = (toEvidenceError(e, 'har') as EvidenceRejected).rule;
    }
    expect(rule).toBe('inflated_too_large');
    // stopped after about one member (1 MiB inflated) plus read-ahead, not after the 512 members
    expect(read).toBeLessThan(bomb.length / 8);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000);
  });

  it('inflates a .har.gz and sanitizes it; says it was compressed', async () => {
    const har = JSON.stringify({ log: { version: '1.2', creator: { name: 'x', version: '1' }, pages: [], entries: [] } });
    const r = await outcome(zlib.gzipSync(har), 'har', 1 << 20);
    expect(r.ok && r.meta.gzip).toBe(true);
    expect(r.ok && JSON.parse(r.bytes.toString()).log.entries).toEqual([]);
  });

  it.each([
    ['a PNG as a HAR', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'har', 'wrong_content_type'],
    ['a PDF as a HAR', Buffer.from('%PDF-1.7\n...'), 'har', 'wrong_content_type'],
    ['UTF-16 as a HAR', Buffer.from('\ufeff{"log":{}}', 'utf16le'), 'har', 'wrong_content_type'],
    ['a zip as an export', Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), 'governance-events', 'wrong_content_type'],
    ['gzip as a screenshot', zlib.gzipSync('x'), 'screenshot', 'wrong_content_type'],
    ['text as a screenshot', Buffer.from('hello'), 'screenshot', 'wrong_content_type'],
    ['an empty screenshot', Buffer.alloc(0), 'screenshot', 'wrong_content_type'],
    ['an empty HAR', Buffer.alloc(0), 'har', 'empty'],
    ['a tiny file over a tiny cap', Buffer.from('{"log":{"entries":[]}}'), 'har', 'file_too_large'],
  ] as const)('refuses %s', async (_n, input, kind, expected) => {
    const r = await outcome(input, kind, kind === 'har' && expected === 'file_too_large' ? 10 : 1 << 20);
    expect(r.ok ? 'accepted' : r.rule).toBe(expected);
  });
});
