#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: every benchmark of bench/*.bench.ts, compiled, one after the other.
 *
 * - Builds first (`npm run build:api`) when a compiled bench is missing from dist/bench/ or older than any
 *   TypeScript it may import (bench/, libs/, apps/portal-api/src/).
 * - Runs each dist/bench/<name>.bench.js with the inherited environment (HAR_BENCH_MB, HAR_BENCH_RUNS,
 *   EVIDENCE_BENCH_MB, EVIDENCE_BENCH_RUNS; BENCH_FILTER=<substring> runs only matching benches).
 * - Prints each figure beside its baseline, and beside the figure recorded by the previous run
 *   (bench/results/<name>.json), so a regression shows.
 * Defaults keep the whole run around a minute on a 2-vCPU machine; each bench is stopped after 4 minutes (the scale
 * bench after 90: it seeds a database and measures each request pair for 3 rounds, see bench/scale.bench.ts).
 */
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { join, basename } = require('node:path');

const root = join(__dirname, '..');
const say = (m) => process.stdout.write(`${m}\n`);
const BENCH_TIMEOUT_MS = 4 * 60 * 1000;
// h5-scale-bench: the scale bench seeds its database and runs every pair for 3 rounds; it gets longer.
const BENCH_TIMEOUTS_MS = { scale: 90 * 60 * 1000 };

function newestMtime(dir, pattern) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, pattern));
    else if (pattern.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

// h6-web-outage (issue 18): browser benchmarks are plain ES modules (bench/*.bench.mjs), run as they are.
const browserBenches = new Set(
  readdirSync(join(root, 'bench'))
    .filter((f) => f.endsWith('.bench.mjs'))
    .map((f) => basename(f, '.bench.mjs')),
);
const benches = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts') || f.endsWith('.bench.mjs'))
  .map((f) => basename(basename(f, '.bench.ts'), '.bench.mjs'))
  .filter((name) => !process.env.BENCH_FILTER || name.includes(process.env.BENCH_FILTER))
  .sort();
if (benches.length === 0) {
  say('[bench] no benchmark matches');
  process.exit(1);
}

const compiled = (name) => (browserBenches.has(name) ? join(root, 'bench', `${name}.bench.mjs`) : join(root, 'dist', 'bench', `${name}.bench.js`));
const sources = Math.max(
  newestMtime(join(root, 'bench'), /\.ts$/),
  newestMtime(join(root, 'libs'), /\.ts$/),
  newestMtime(join(root, 'apps', 'portal-api', 'src'), /\.ts$/),
);
const stale = benches.filter((n) => !browserBenches.has(n) && (!existsSync(compiled(n)) || statSync(compiled(n)).mtimeMs < sources));
if (stale.length) {
  say(`[bench] building (npm run build:api): ${stale.join(', ')} missing or older than the sources`);
  const b = spawnSync('npm', ['run', 'build:api'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (b.status !== 0) {
    say('[bench] the build failed');
    process.exit(b.status ?? 1);
  }
}

/** A bench's results file as figures: { name, unit, value, baseline, baselineName, better }. */
function figuresOf(name, json) {
  if (!json) return [];
  if (Array.isArray(json.figures)) return json.figures;
  if (name === 'har-sanitize' && json.stream && json.naive) {
    const vs = { baseline: json.naive.mbPerSec, baselineName: 'naive parse+walk+stringify' };
    const rs = { baseline: json.naive.peakRssMB, baselineName: 'naive parse+walk+stringify' };
    const figures = [
      { name: 'throughput, streaming (1 MiB reads)', unit: 'MiB/s', value: json.stream.mbPerSec, ...vs, better: 'higher' },
      { name: 'throughput, streaming (64 KiB reads)', unit: 'MiB/s', value: json.stream64k.mbPerSec, ...vs, better: 'higher' },
      { name: 'peak RSS, streaming (1 MiB reads)', unit: 'MiB', value: json.stream.peakRssMB, ...rs, better: 'lower' },
      { name: 'peak RSS, streaming (64 KiB reads)', unit: 'MiB', value: json.stream64k.peakRssMB, ...rs, better: 'lower' },
    ];
    if (json.streamNoRules) {
      const ns = { baselineName: 'same stream without the secretlint rule set' };
      figures.push(
        {
          name: 'throughput with secretlint (1 MiB reads)',
          unit: 'MiB/s',
          value: json.stream.mbPerSec,
          baseline: json.streamNoRules.mbPerSec,
          ...ns,
          better: 'higher',
        },
        {
          name: 'peak RSS with secretlint (1 MiB reads)',
          unit: 'MiB',
          value: json.stream.peakRssMB,
          baseline: json.streamNoRules.peakRssMB,
          ...ns,
          better: 'lower',
        },
      );
    }
    return figures;
  }
  return [];
}

function describeRun(json) {
  if (!json) return '';
  const parts = [];
  if (json.inputMB) parts.push(`${json.inputMB} MB HAR`);
  if (json.gzipMB) parts.push(`${json.gzipMB} MB gzipped`);
  if (json.entries) parts.push(`${json.entries} entries`);
  if (json.runs) parts.push(`${json.runs} runs, median`);
  if (json.profile) parts.push(json.profile);
  if (json.node) parts.push(`Node ${json.node}`);
  return parts.join(', ');
}

const readJson = (p) => {
  try {
    return JSON.parse(readFileSync(p, 'utf8'));
  } catch {
    return null;
  }
};

const started = Date.now();
const summaries = [];
let failed = 0;
for (const name of benches) {
  const resultsFile = join(root, 'bench', 'results', `${name}.json`);
  const previous = readJson(resultsFile);
  say(`\n[bench] ${name}`);
  const t0 = Date.now();
  // a browser bench starts the portal twice and may build its baseline first: 10 minutes
  const timeout = BENCH_TIMEOUTS_MS[name] ?? (browserBenches.has(name) ? 10 * 60 * 1000 : BENCH_TIMEOUT_MS);
  const run = spawnSync(process.execPath, [compiled(name)], { cwd: root, stdio: 'inherit', env: process.env, timeout });
  if (run.status !== 0) {
    failed++;
    say(`[bench] ${name} failed (${run.error ? run.error.message : `exit ${run.status}`})`);
    continue;
  }
  const current = readJson(resultsFile);
  summaries.push({ name, seconds: (Date.now() - t0) / 1000, current, previous });
}

const fmt = (v, unit) => (v === undefined || v === null ? '—' : `${v} ${unit}`);
for (const s of summaries) {
  const now = figuresOf(s.name, s.current);
  const before = figuresOf(s.name, s.previous);
  const rows = [['figure', 'this run', 'baseline', 'vs baseline', 'last recorded']];
  for (const f of now) {
    const ratio = f.baseline ? Math.round((f.value / f.baseline) * 100) / 100 : null;
    const good = ratio === null ? '' : f.better === 'higher' ? (ratio >= 1 ? 'ok' : 'below') : ratio <= 1 ? 'ok' : 'above';
    const last = before.find((b) => b.name === f.name);
    rows.push([
      f.name,
      fmt(f.value, f.unit),
      f.baseline === undefined ? '—' : `${fmt(f.baseline, f.unit)} (${f.baselineName})`,
      ratio === null ? '' : `${ratio}x ${good}`,
      last ? fmt(last.value, last.unit) : '—',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  say(`\n== ${s.name} (${describeRun(s.current)}; ${s.seconds.toFixed(0)} s) ==`);
  for (const r of rows)
    say(
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
}
say(`\n[bench] ${summaries.length} of ${benches.length} benchmarks ran in ${((Date.now() - started) / 1000).toFixed(0)} s; results in bench/results/`);
process.exit(failed ? 1 : 0);
