/**
 * HAR sanitizer benchmark: streaming sanitizer vs. the naive read-parse-walk-stringify baseline, and the cost of
 * the maintained secret rule set (secretlint, in a worker thread): the same stream with it turned off.
 *
 *   npm run build:api && node dist/bench/har-sanitize.bench.js
 *
 * Env: HAR_BENCH_MB (default 200), HAR_BENCH_RUNS (default 3), HAR_BENCH_KEEP=1 keeps the temp dir.
 * Generates the HAR to a temp dir by streaming writes, then runs each method in its own child process
 * (so peak RSS is per method), interleaved, and prints median MiB/s and peak RSS. Results also go to
 * bench/results/har-sanitize.json. Imports the library by relative path so the compiled JS works
 * from dist/bench/ without path aliases.
 */
import { spawnSync } from 'child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { once } from 'events';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';
import { pipeline } from 'stream/promises';
import { createHarSanitizer, scanWithSecretRules, startSecretRules } from '../libs/har-sanitizer/src';
import { sanitizeHarObject } from '../libs/har-sanitizer/src/sanitizer';
import { generateLargeHar, type LargeHarStats } from '../libs/har-sanitizer/src/testing/large-har';

type Method = 'stream' | 'stream64k' | 'naive' | 'streamNoRules';

interface ChildResult {
  method: Method;
  ms: number;
  bytesIn: number;
  bytesOut: number;
  maxRssMB: number;
  vmHwmMB: number | null;
  entries: number;
  /** Starting the rule set's worker and loading secretlint, before the timed run (a server does it once, at start). */
  ruleSetBootMs: number | null;
}

function vmHwmMB(): number | null {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

async function child(method: Method, file: string, out: string): Promise<void> {
  let ruleSetBootMs: number | null = null;
  if (method !== 'streamNoRules') {
    // the portal starts the rule set's worker with the app; its one-time boot is reported apart
    const b0 = process.hrtime.bigint();
    startSecretRules();
    await scanWithSecretRules(['warm-up string']);
    ruleSetBootMs = Number(process.hrtime.bigint() - b0) / 1e6;
  }
  const t0 = process.hrtime.bigint();
  let bytesIn: number;
  let bytesOut: number;
  let entries: number;
  if (method === 'stream' || method === 'stream64k' || method === 'streamNoRules') {
    const { stream, result } = createHarSanitizer(method === 'streamNoRules' ? { secretRules: false } : {});
    // 'stream': 1 MiB reads (fewer thread-pool round trips); 'stream64k': fs.createReadStream's 64 KiB default
    const highWaterMark = method === 'stream64k' ? 64 * 1024 : 1024 * 1024;
    await pipeline(createReadStream(file, { highWaterMark }), stream, createWriteStream(out));
    const r = await result;
    bytesIn = r.bytesIn;
    bytesOut = r.bytesOut;
    entries = r.insights.entryCount;
  } else {
    const text = readFileSync(file, 'utf8');
    bytesIn = Buffer.byteLength(text);
    const doc: unknown = JSON.parse(text);
    const { har, result } = await sanitizeHarObject(doc);
    const output = JSON.stringify(har);
    writeFileSync(out, output);
    bytesOut = Buffer.byteLength(output);
    entries = result.insights.entryCount;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const res: ChildResult = {
    method,
    ms,
    bytesIn,
    bytesOut,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    vmHwmMB: vmHwmMB(),
    entries,
    ruleSetBootMs,
  };
  process.stdout.write(`${JSON.stringify(res)}\n`);
  process.exit(0); // the rule set's worker is unref'd, but do not wait for it
}

async function generate(file: string, mb: number): Promise<LargeHarStats> {
  const stats: LargeHarStats = { entries: 0, bytes: 0 };
  const ws = createWriteStream(file);
  for (const chunk of generateLargeHar(mb * 1024 * 1024, 42, stats)) {
    if (!ws.write(chunk)) await once(ws, 'drain');
  }
  ws.end();
  await once(ws, 'finish');
  return stats;
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

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r1 = (x: number): number => Math.round(x * 10) / 10;
const r2 = (x: number): number => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const mb = Number(process.env.HAR_BENCH_MB ?? 200);
  const runs = Number(process.env.HAR_BENCH_RUNS ?? 3);
  const dir = mkdtempSync(join(tmpdir(), 'har-bench-'));
  const file = join(dir, 'input.har');
  try {
    process.stdout.write(`generating ~${mb} MiB HAR in ${dir} ...\n`);
    const tg = Date.now();
    const stats = await generate(file, mb);
    const size = statSync(file).size;
    process.stdout.write(`  ${(size / 1048576).toFixed(1)} MiB, ${stats.entries} entries, ${((Date.now() - tg) / 1000).toFixed(1)} s\n`);

    const results: Record<Method, ChildResult[]> = { stream: [], stream64k: [], naive: [], streamNoRules: [] };
    for (let r = 0; r < runs; r++) {
      for (const method of ['stream', 'streamNoRules', 'naive', 'stream64k'] as Method[]) {
        const out = join(dir, `out-${method}.har`);
        const c = spawnSync(process.execPath, [__filename, '--child', method, file, out], { encoding: 'utf8', maxBuffer: 1 << 20 });
        if (c.status !== 0) throw new Error(`${method} child failed (${c.status}): ${c.stderr}`);
        const res = JSON.parse(c.stdout.trim().split('\n').pop() ?? '') as ChildResult;
        if (res.entries !== stats.entries) throw new Error(`${method}: ${res.entries} entries, expected ${stats.entries}`);
        results[method].push(res);
        rmSync(out, { force: true });
        process.stdout.write(
          `  run ${r + 1} ${method.padEnd(13)} ${(res.bytesIn / 1048576 / (res.ms / 1000)).toFixed(1)} MiB/s, peak RSS ${res.maxRssMB.toFixed(0)} MiB${res.ruleSetBootMs === null ? '' : `, rule set boot ${res.ruleSetBootMs.toFixed(0)} ms (untimed)`}\n`,
        );
      }
    }

    const summary = (m: Method) => {
      const xs = results[m];
      return {
        method: {
          stream: 'streaming sanitizer with the secretlint rule set (createReadStream 1 MiB chunks -> sanitizer -> file)',
          stream64k: 'streaming sanitizer with the secretlint rule set (createReadStream default 64 KiB chunks -> sanitizer -> file)',
          naive: 'naive, same rules incl. secretlint (readFileSync + JSON.parse + walk + JSON.stringify + writeFileSync)',
          streamNoRules: 'streaming sanitizer without the secretlint rule set (1 MiB chunks): the cost baseline',
        }[m],
        mbPerSec: r1(median(xs.map((x) => x.bytesIn / 1048576 / (x.ms / 1000)))),
        seconds: r2(median(xs.map((x) => x.ms / 1000))),
        peakRssMB: r1(Math.max(...xs.map((x) => x.maxRssMB))),
        vmHwmMB: xs[0].vmHwmMB === null ? null : r1(Math.max(...xs.map((x) => x.vmHwmMB ?? 0))),
        outputMB: r1(xs[0].bytesOut / 1048576),
        ruleSetBootMs: xs[0].ruleSetBootMs === null ? null : r1(median(xs.map((x) => x.ruleSetBootMs ?? 0))),
        runs: xs.map((x) => ({ seconds: r2(x.ms / 1000), peakRssMB: r1(x.maxRssMB) })),
      };
    };
    const s = summary('stream');
    const s64 = summary('stream64k');
    const n = summary('naive');
    const nr = summary('streamNoRules');
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      inputMB: r1(size / 1048576),
      entries: stats.entries,
      runs,
      stream: s,
      stream64k: s64,
      naive: n,
      streamNoRules: nr,
      ratios: {
        throughput_stream_over_stream_without_rules: r2(s.mbPerSec / nr.mbPerSec),
        peakRss_stream_over_stream_without_rules: r2(s.peakRssMB / nr.peakRssMB),
        throughput_stream_over_naive: r2(s.mbPerSec / n.mbPerSec),
        peakRss_stream_over_naive: r2(s.peakRssMB / n.peakRssMB),
        throughput_stream64k_over_naive: r2(s64.mbPerSec / n.mbPerSec),
        peakRss_stream64k_over_naive: r2(s64.peakRssMB / n.peakRssMB),
      },
      goal: { throughputAtLeastBaseline: s.mbPerSec >= n.mbPerSec, rssAtMostOneFifth: s.peakRssMB <= n.peakRssMB / 5 },
    };
    const rows = [
      ['method', 'MiB/s', 'peak RSS MiB', 'seconds'],
      ['streaming (1 MiB reads)', String(s.mbPerSec), String(s.peakRssMB), String(s.seconds)],
      ['streaming (64 KiB reads)', String(s64.mbPerSec), String(s64.peakRssMB), String(s64.seconds)],
      ['naive baseline', String(n.mbPerSec), String(n.peakRssMB), String(n.seconds)],
      ['streaming without secretlint', String(nr.mbPerSec), String(nr.peakRssMB), String(nr.seconds)],
      [
        'ratio stream/without secretlint',
        `${report.ratios.throughput_stream_over_stream_without_rules}x`,
        `${report.ratios.peakRss_stream_over_stream_without_rules}x`,
        '',
      ],
      ['ratio stream/naive', `${report.ratios.throughput_stream_over_naive}x`, `${report.ratios.peakRss_stream_over_naive}x`, ''],
      ['ratio stream64k/naive', `${report.ratios.throughput_stream64k_over_naive}x`, `${report.ratios.peakRss_stream64k_over_naive}x`, ''],
    ];
    const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    process.stdout.write(`\n${rows.map((r) => r.map((c, i) => c.padEnd(w[i])).join('  ')).join('\n')}\n`);
    process.stdout.write(`secretlint rule set: worker boot ${s.ruleSetBootMs} ms once per process (untimed above)\n`);
    process.stdout.write(`goal: throughput >= baseline: ${report.goal.throughputAtLeastBaseline}; RSS <= 1/5 of baseline: ${report.goal.rssAtMostOneFifth}\n`);
    const outDir = resolve(repoRoot(), 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'har-sanitize.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`written ${join(outDir, 'har-sanitize.json')}\n`);
  } finally {
    if (process.env.HAR_BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  child(argv[1] as Method, argv[2], argv[3]).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
    process.exit(1);
  });
} else {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
