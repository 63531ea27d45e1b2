/**
 * PIR PDFs: N renders (PIR_BENCH_RENDERS, default 200) of a realistic 4–6 page review through the warm pool of
 * libs/pir-pdf (one Chromium, PIR_BENCH_POOL pages, default 2), against the baseline of the same HTML printed by a
 * cold `chromium --headless --print-to-pdf` (PIR_BENCH_COLD runs, default 5), in the same run.
 * Reports ms per PDF (median, p95) with the pool full, ms per PDF one at a time (PIR_BENCH_SEQUENTIAL renders, like
 * the cold baseline), PDFs per second, peak RSS of this process, and the warm/cold ratios.
 * Results go to bench/results/pir-pdf.json as `figures`, each with its baseline.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';
import { PirPdfRenderer, renderPirHtml } from '@portal/pir-pdf';
import { samplePirModel } from '../libs/pir-pdf/src/testing/sample-model';

const RENDERS = Number(process.env.PIR_BENCH_RENDERS ?? 200);
const POOL = Number(process.env.PIR_BENCH_POOL ?? 2);
const COLD = Number(process.env.PIR_BENCH_COLD ?? 5);
/** Renders one at a time through the same warm pool, the cold baseline's own shape (one PDF, nothing beside it). */
const SEQUENTIAL = Number(process.env.PIR_BENCH_SEQUENTIAL ?? 50);
const CHROMIUM = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';

const r1 = (n: number) => Math.round(n * 10) / 10;
const r2 = (n: number) => Math.round(n * 100) / 100;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

function repoRoot(): string {
  let d = __dirname;
  for (let i = 0; i < 6; i++) {
    const p = join(d, 'package.json');
    if (existsSync(p) && /"name":\s*"incident-portal"/.test(readFileSync(p, 'utf8'))) return d;
    d = dirname(d);
  }
  return process.cwd();
}

async function main(): Promise<void> {
  const model = samplePirModel();
  const doc = renderPirHtml(model);
  const dir = mkdtempSync(join(tmpdir(), 'pir-bench-'));
  let peakRss = 0;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  try {
    // Cold baseline: a new Chromium per PDF, the same HTML from a file (its fonts and styles are inline).
    const html = join(dir, 'review.html');
    writeFileSync(html, doc.html);
    const cold: number[] = [];
    for (let i = 0; i < COLD; i++) {
      const out = join(dir, `cold-${i}.pdf`);
      const t0 = performance.now();
      const r = spawnSync(
        CHROMIUM,
        [
          '--headless',
          '--disable-gpu',
          '--no-pdf-header-footer',
          ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
          `--print-to-pdf=${out}`,
          `file://${html}`,
        ],
        { stdio: 'ignore', timeout: 60_000 },
      );
      if (r.status !== 0 || !existsSync(out)) throw new Error(`cold chromium failed (status ${r.status})`);
      cold.push(performance.now() - t0);
    }

    const renderer = new PirPdfRenderer({ poolSize: POOL, restartAfterRenders: 1000 });
    await renderer.start();
    for (let i = 0; i < 4; i++) await renderer.renderHtml(doc); // warm-up
    const times: number[] = [];
    let pages = 0;
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: POOL }, async () => {
        while (next < RENDERS) {
          next++;
          const s = performance.now();
          const r = await renderer.renderHtml(doc);
          times.push(performance.now() - s);
          pages = r.pages;
        }
      }),
    );
    const wallS = (performance.now() - t0) / 1000;
    const alone: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      const s = performance.now();
      await renderer.renderHtml(doc);
      alone.push(performance.now() - s);
    }
    await renderer.close();

    const coldMedian = r1(pct(cold, 50));
    const warmMedian = r1(pct(times, 50));
    const aloneMedian = r1(pct(alone, 50));
    const figures = [
      {
        name: 'ms per PDF, warm, one at a time (median)',
        unit: 'ms',
        value: aloneMedian,
        baseline: coldMedian,
        baselineName: 'cold chromium --print-to-pdf',
        better: 'lower',
      },
      {
        name: 'ms per PDF, warm pool (median)',
        unit: 'ms',
        value: warmMedian,
        baseline: coldMedian,
        baselineName: 'cold chromium --print-to-pdf',
        better: 'lower',
      },
      {
        name: 'ms per PDF, warm pool (p95)',
        unit: 'ms',
        value: r1(pct(times, 95)),
        baseline: r1(pct(cold, 95)),
        baselineName: 'cold chromium --print-to-pdf',
        better: 'lower',
      },
      {
        name: 'PDFs per second, warm pool',
        unit: 'PDF/s',
        value: r2(RENDERS / wallS),
        baseline: r2(1000 / coldMedian),
        baselineName: 'cold chromium --print-to-pdf',
        better: 'higher',
      },
    ];
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      renders: RENDERS,
      pool: POOL,
      coldRuns: COLD,
      pages,
      htmlKB: r1(doc.html.length / 1024),
      warmOverCold: r2(warmMedian / coldMedian),
      sequential: SEQUENTIAL,
      aloneOverCold: r2(aloneMedian / coldMedian),
      peakRssMB: r1(peakRss / 1048576),
      figures,
    };
    process.stdout.write(
      `\n${figures.map((f) => `${f.name.padEnd(34)} ${String(f.value).padStart(8)} ${f.unit.padEnd(5)} (cold chromium ${f.baseline} ${f.unit})`).join('\n')}\n` +
        `warm median / cold median: ${report.warmOverCold}x with ${POOL} at once, ${report.aloneOverCold}x one at a time; ${pages} pages; peak RSS of this process ${report.peakRssMB} MiB (Chromium's own not included)\n`,
    );
    const outDir = resolve(repoRoot(), 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'pir-pdf.json'), `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    clearInterval(sample);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
