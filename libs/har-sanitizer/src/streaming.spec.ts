import { Readable, Transform, Writable } from 'stream';
import { pipeline } from 'stream/promises';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';
import { createHarSanitizer, sanitizeHar } from './index';
import { generateLargeHar, type LargeHarStats } from './testing/large-har';

function getGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Re-chunks into fixed 64 KiB pieces like fs.createReadStream. */
function* rechunk(src: Iterable<Buffer>, size = 64 * 1024): Generator<Buffer> {
  let pending: Buffer[] = [];
  let len = 0;
  for (const b of src) {
    pending.push(b);
    len += b.length;
    while (len >= size) {
      const all = Buffer.concat(pending, len);
      yield all.subarray(0, size);
      pending = [all.subarray(size)];
      len -= size;
    }
  }
  if (len > 0) yield Buffer.concat(pending, len);
}

describe('streaming', () => {
  it('produces valid JSON with every entry, for a few MB fed in 64 KiB chunks', async () => {
    const stats: LargeHarStats = { entries: 0, bytes: 0 };
    const input = Buffer.concat([...generateLargeHar(5 * 1024 * 1024, 7, stats)]);
    const { output, report, bytesIn, bytesOut } = await sanitizeHar(input);
    const parsed = JSON.parse(output) as { log: { entries: unknown[] } };
    expect(parsed.log.entries).toHaveLength(stats.entries);
    expect(bytesIn).toBe(input.length);
    expect(bytesOut).toBe(Buffer.byteLength(output));
    expect(report.byRule['authorization-header']).toBe(stats.entries);
    expect(output).not.toMatch(/Bearer eyJ/);
  });

  it('keeps heap growth far below the file size for a 50 MB HAR', async () => {
    const gc = getGc();
    const target = 50 * 1024 * 1024;
    const stats: LargeHarStats = { entries: 0, bytes: 0 };
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let seen = 0;
    let nextSample = 0;
    const sampler = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        seen += chunk.length;
        if (seen >= nextSample) {
          nextSample += 2 * 1024 * 1024;
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - base);
        }
        cb(null, chunk);
      },
    });
    let outBytes = 0;
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        outBytes += chunk.length;
        cb();
      },
    });
    const { stream, result } = createHarSanitizer();
    await pipeline(Readable.from(rechunk(generateLargeHar(target, 11, stats))), sampler, stream, sink);
    const r = await result;
    expect(stats.bytes).toBeGreaterThan(target * 0.95);
    expect(r.bytesIn).toBe(stats.bytes);
    expect(r.insights.entryCount).toBe(stats.entries);
    expect(outBytes).toBe(r.bytesOut);
    // bounded: one entry (+ chunks in flight), not the file
    expect(peak).toBeLessThan(stats.bytes / 4);
    expect(peak).toBeLessThan(16 * 1024 * 1024);
  }, 120_000);
});
