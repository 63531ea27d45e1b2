/**
 * Evidence upload benchmark: the portal's whole byte path for a HAR upload, against the sanitizer alone.
 *
 *   npm run bench            (or: npm run build:api && node dist/bench/evidence-upload.bench.js)
 *
 * Env: EVIDENCE_BENCH_MB (default 100), EVIDENCE_BENCH_RUNS (default 3).
 * Methods, each in its own child process (peak RSS per method), interleaved:
 *   - library:    createReadStream (1 MiB) -> createHarSanitizer -> file. The baseline.
 *   - upload:     an HTTP client streams the .har as multipart/form-data to an HTTP server in the same
 *                 process; the server runs the portal's code: receiveSingleFile (busboy, every limit) ->
 *                 processEvidence (size cap, sniffing, sanitizer) -> sha256 meter -> LocalEvidenceStorage.put
 *                 (temp file, fsync, rename). No database and no Nest: the row is one small transaction.
 *   - upload-gz:  the same with the .har.gz (gunzip with the inflated-size cap in the path).
 * MiB/s (binary: 1,048,576 bytes) are of the uncompressed HAR. Results go to bench/results/evidence-upload.json as `figures`, each
 * with the baseline it is compared with, which bench/run.js prints side by side.
 */
import { spawnSync } from 'child_process';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { once } from 'events';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';
import { pipeline as pipe, PassThrough } from 'stream';
import { pipeline } from 'stream/promises';
import { createGzip } from 'zlib';
import { createHarSanitizer, scanWithSecretRules, startSecretRules } from '../libs/har-sanitizer/src';
import { generateLargeHar, type LargeHarStats } from '../libs/har-sanitizer/src/testing/large-har';
import { processEvidence } from '../apps/portal-api/src/evidence/processing/evidence-pipeline';
import { LocalEvidenceStorage } from '../apps/portal-api/src/evidence/storage/local-evidence-storage';
import { receiveSingleFile } from '../apps/portal-api/src/evidence/upload/multipart-upload';
import { StoredBytesMeter } from '../apps/portal-api/src/evidence/upload/streams';

type Method = 'library' | 'upload' | 'upload-gz';
interface ChildResult {
  method: Method;
  ms: number;
  bytesIn: number;
  bytesOut: number;
  maxRssMB: number;
  entries: number;
}

const CAP = 1024 * 1024 * 1024;

async function child(method: Method, har: string, gz: string, work: string): Promise<void> {
  // the portal starts the secret rule set's worker with the app (EvidenceService.onModuleInit): not timed here either
  startSecretRules();
  await scanWithSecretRules(['warm-up string']);
  const t0 = process.hrtime.bigint();
  let bytesOut: number;
  let entries: number;
  if (method === 'library') {
    const { stream, result } = createHarSanitizer();
    await pipeline(createReadStream(har, { highWaterMark: 1 << 20 }), stream, createWriteStream(join(work, 'library-out.har')));
    const r = await result;
    bytesOut = r.bytesOut;
    entries = r.insights.entryCount;
  } else {
    const storage = new LocalEvidenceStorage(join(work, 'evidence'));
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      receiveSingleFile(req, { maxFileBytes: CAP, fieldNames: ['kind'] }, async (part) => {
        const { output, finish } = await processEvidence(part.stream, { kind: 'har', maxBytes: CAP, har: {}, maxRecordBytes: 1 << 20 });
        const meter = new StoredBytesMeter();
        const key = await storage.put(pipe(output, meter, () => undefined));
        const meta = await finish();
        return { key, bytes: meter.bytes, entries: (meta.insights as { entryCount: number }).entryCount };
      }).then(
        (r) => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(r)),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const file = method === 'upload' ? har : gz;
    const boundary = '----bench7MA4YWxkTrZu0gW';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nhar\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.har${method === 'upload-gz' ? '.gz' : ''}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/upload',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + statSync(file).size + tail.length },
    });
    const body = new PassThrough();
    body.pipe(req);
    body.write(head);
    for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
      if (!body.write(chunk)) await once(body, 'drain');
    }
    body.end(tail);
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    if (res.statusCode !== 201) throw new Error(`upload answered ${res.statusCode}: ${Buffer.concat(chunks).toString()}`);
    const r = JSON.parse(Buffer.concat(chunks).toString()) as { bytes: number; entries: number };
    bytesOut = r.bytes;
    entries = r.entries;
    server.close();
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const result: ChildResult = { method, ms, bytesIn: statSync(har).size, bytesOut, maxRssMB: process.resourceUsage().maxRSS / 1024, entries };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function repoRoot(): string {
  let d = __dirname;
  for (let i = 0; i < 6; i++) {
    const p = join(d, 'package.json');
    if (existsSync(p) && /"name":\s*"incident-portal"/.test(readFileSync(p, 'utf8'))) return d;
    d = dirname(d);
  }
  return process.cwd();
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const mb = Number(process.env.EVIDENCE_BENCH_MB ?? 100);
  const runs = Number(process.env.EVIDENCE_BENCH_RUNS ?? 3);
  const dir = mkdtempSync(join(tmpdir(), 'evidence-bench-'));
  const har = join(dir, 'input.har');
  const gz = join(dir, 'input.har.gz');
  try {
    process.stdout.write(`generating ~${mb} MB HAR (and its .gz) in ${dir} ...\n`);
    const stats: LargeHarStats = { entries: 0, bytes: 0 };
    const ws = createWriteStream(har);
    for (const chunk of generateLargeHar(mb * 1024 * 1024, 7, stats)) if (!ws.write(chunk)) await once(ws, 'drain');
    ws.end();
    await once(ws, 'finish');
    await pipeline(createReadStream(har), createGzip({ level: 6 }), createWriteStream(gz));
    const size = statSync(har).size;
    process.stdout.write(`  ${(size / 1048576).toFixed(1)} MiB, ${stats.entries} entries; gzip ${(statSync(gz).size / 1048576).toFixed(1)} MiB\n`);

    const results: Record<Method, ChildResult[]> = { library: [], upload: [], 'upload-gz': [] };
    for (let r = 0; r < runs; r++) {
      for (const method of ['library', 'upload', 'upload-gz'] as Method[]) {
        const work = mkdtempSync(join(dir, `${method}-`));
        const c = spawnSync(process.execPath, [__filename, '--child', method, har, gz, work], { encoding: 'utf8', maxBuffer: 1 << 20 });
        if (c.status !== 0) throw new Error(`${method} child failed (${c.status}): ${c.stderr}`);
        const res = JSON.parse(c.stdout.trim().split('\n').pop() ?? '') as ChildResult;
        if (res.entries !== stats.entries) throw new Error(`${method}: ${res.entries} entries, expected ${stats.entries}`);
        results[method].push(res);
        rmSync(work, { recursive: true, force: true });
        process.stdout.write(
          `  run ${r + 1} ${method.padEnd(9)} ${(res.bytesIn / 1048576 / (res.ms / 1000)).toFixed(1)} MiB/s, peak RSS ${res.maxRssMB.toFixed(0)} MiB\n`,
        );
      }
    }
    const mbps = (m: Method) => r1(median(results[m].map((x) => x.bytesIn / 1048576 / (x.ms / 1000))));
    const rss = (m: Method) => r1(Math.max(...results[m].map((x) => x.maxRssMB)));
    const lib = { mbps: mbps('library'), rss: rss('library') };
    const figures = [
      { name: 'throughput, portal upload (.har)', unit: 'MiB/s', value: mbps('upload'), baseline: lib.mbps, baselineName: 'sanitizer alone', better: 'higher' },
      {
        name: 'throughput, portal upload (.har.gz)',
        unit: 'MiB/s',
        value: mbps('upload-gz'),
        baseline: lib.mbps,
        baselineName: 'sanitizer alone',
        better: 'higher',
      },
      { name: 'peak RSS, portal upload (.har)', unit: 'MiB', value: rss('upload'), baseline: lib.rss, baselineName: 'sanitizer alone', better: 'lower' },
      { name: 'peak RSS, portal upload (.har.gz)', unit: 'MiB', value: rss('upload-gz'), baseline: lib.rss, baselineName: 'sanitizer alone', better: 'lower' },
    ];
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      inputMB: r1(size / 1048576),
      gzipMB: r1(statSync(gz).size / 1048576),
      entries: stats.entries,
      runs,
      library: lib,
      figures,
    };
    process.stdout.write(
      `\n${figures.map((f) => `${f.name.padEnd(38)} ${String(f.value).padStart(7)} ${f.unit.padEnd(5)} (sanitizer alone ${f.baseline} ${f.unit}, ${r2(f.value / f.baseline)}x)`).join('\n')}\n`,
    );
    const outDir = resolve(repoRoot(), 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'evidence-upload.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`written ${join(outDir, 'evidence-upload.json')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  child(argv[1] as Method, argv[2], argv[3], argv[4]).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
    process.exit(1);
  });
} else {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
