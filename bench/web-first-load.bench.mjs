// Web app first load on a bad phone network (issue 18, item 8), this build beside the baseline build.
//
// The portal (dist/, demo mode, a fresh database) serves each web build in turn: this one (dist/portal-web:
// precompressed brotli/gzip, routes split) and the baseline, the web app of commit 3e9c04e (before issue 18: one
// bundle of four chunks, no precompressed files) built into dist/bench-web-baseline from a temporary
// `git worktree`, served by the same server (which then has no .br/.gz to offer: uncompressed, as it shipped).
// Each run is a cold load in a fresh browser context under Lighthouse's mobile "slow 4G" profile (562.5 ms
// request latency, 1.47 Mbit/s down, 675 kbit/s up, as DevTools applies it) and 4x CPU throttling, through CDP:
//   - JS + CSS bytes transferred (encoded, on the wire) before the first incident row shows;
//   - time to the first incident row, from navigation start;
//   - time from a click on "Declare incident" in the header to the declare form, and from pressing the form's
//     "Declare incident" to the new incident's page.
// WEB_BENCH_RUNS (default 3) runs per build, median. Needs `npm run build`, PostgreSQL (TEST_DATABASE_URL), Redis,
// /usr/bin/chromium. Writes bench/results/web-first-load.json.
/* global window, document, MutationObserver */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BASELINE_COMMIT = process.env.WEB_BENCH_BASELINE ?? '3e9c04e';
const RUNS = Number(process.env.WEB_BENCH_RUNS ?? 3);
const adminUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const say = (m) => process.stdout.write(`[web-first-load] ${m}\n`);

// Lighthouse's mobile slow 4G, DevTools-throttling values (rtt 150 ms x 3.75, throughput x 0.9).
const SLOW_4G = { offline: false, latency: 562.5, downloadThroughput: (1474.56 * 1024) / 8, uploadThroughput: (675 * 1024) / 8 };
const CPU_SLOWDOWN = 4;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (n, d = 0) => Math.round(n * 10 ** d) / 10 ** d;

function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function withAdmin(fn) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The baseline web app: commit BASELINE_COMMIT's portal-web, built once into dist/bench-web-baseline. */
function buildBaseline() {
  const out = join(root, 'dist', 'bench-web-baseline');
  const stamp = join(out, `.commit-${BASELINE_COMMIT}`);
  if (existsSync(stamp)) return out;
  const tree = mkdtempSync(join(tmpdir(), 'web-baseline-'));
  say(`building the baseline web app of ${BASELINE_COMMIT} (git worktree in ${tree})`);
  const git = (...args) => {
    const r = spawnSync('git', args, { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed`);
  };
  git('worktree', 'add', '--detach', tree, BASELINE_COMMIT);
  try {
    symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
    const r = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/vite/bin/vite.js'),
        'build',
        '--config',
        'apps/portal-web/vite.config.ts',
        '--outDir',
        out,
        '--emptyOutDir',
        '--logLevel',
        'warn',
      ],
      {
        cwd: tree,
        stdio: 'inherit',
      },
    );
    if (r.status !== 0) throw new Error('the baseline build failed');
    writeFileSync(stamp, `${new Date().toISOString()}\n`);
  } finally {
    git('worktree', 'remove', '--force', tree);
  }
  return out;
}

function startPortal(env) {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['dist/apps/portal-api/src/main.js', '--demo'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => rej(new Error(`portal not ready within 120 s:\n${out}`)), 120_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (/portal ready in/.test(out)) {
        clearTimeout(timer);
        res(child);
      }
    });
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`portal exited with ${code}:\n${out}`));
    });
  });
}

const stop = (child) =>
  new Promise((res) => {
    if (!child || child.exitCode !== null) return res();
    child.once('exit', () => res());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });

/** One cold load: fresh context, signed in through the API, throttled, then the incident list and a declaration. */
async function coldRun(browser, base, i) {
  const context = await browser.newContext({
    baseURL: base,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    locale: 'en-GB',
    timezoneId: 'Europe/Rome',
  });
  const login = await context.request.post('/auth/dev/login', { data: { tenant: 'acme', email: 'admin@acme.example', role: 'customer_admin' } });
  if (login.status() !== 200) throw new Error(`dev login answered ${login.status()}`);
  // The first row's time, from navigation start, recorded by the page itself.
  await context.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.querySelector('[data-testid="incident-row"]')) {
        window.__firstRow = performance.now();
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const types = new Map();
  const assets = [];
  let counting = true;
  cdp.on('Network.responseReceived', (e) => types.set(e.requestId, { type: e.type, url: e.response.url }));
  cdp.on('Network.loadingFinished', (e) => {
    const t = types.get(e.requestId);
    if (counting && t && (t.type === 'Script' || t.type === 'Stylesheet')) assets.push({ ...t, bytes: e.encodedDataLength });
  });

  await page.goto('/incidents', { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__firstRow !== undefined, undefined, { timeout: 120_000, polling: 100 });
  const firstRowMs = await page.evaluate(() => window.__firstRow);
  const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
  counting = false;
  const jsCssBytes = assets.reduce((n, a) => n + a.bytes, 0);

  // Declare: the header's link to the form, then the form's submit to the incident page.
  const t0 = Date.now();
  await page.getByRole('link', { name: 'Declare incident' }).first().click();
  await page.getByLabel('Title').waitFor({ timeout: 60_000 });
  const toFormMs = Date.now() - t0;
  await page.getByLabel('Title').fill(`Bench declaration ${i} ${randomBytes(3).toString('hex')}`);
  await page.getByLabel('Symptoms').fill('Bench: saving records fails for some users.');
  await page.getByRole('radio', { name: 'Sev 2 (Degraded)' }).check();
  await page.getByRole('checkbox', { name: 'Hub', exact: true }).check();
  await page.getByRole('checkbox', { name: /^eu-south-1/ }).check();
  await page.getByLabel('Impacted users').fill('12');
  const t1 = Date.now();
  await page.getByRole('button', { name: 'Declare incident', exact: true }).last().click();
  await page.waitForURL(/\/incidents\/[0-9a-f-]{36}$/, { timeout: 60_000 });
  await page.getByTestId('incident-reference').waitFor({ timeout: 60_000 });
  const declareMs = Date.now() - t1;
  await context.close();
  return { jsCssBytes, firstRowMs, fcp, toFormMs, declareMs, files: assets.length };
}

async function measure(label, webDir, dbName, tmp) {
  const port = await freePort();
  const portal = await startPortal({
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: (() => {
      const u = new URL(adminUrl);
      u.pathname = `/${dbName}`;
      return u.toString();
    })(),
    PORT: String(port),
    HOST: '127.0.0.1',
    WEB_DIST_DIR: webDir,
    QUEUE_PREFIX: `webbench_${dbName}`,
    LOG_LEVEL: 'warn',
    SECRET_KEY_FILE: join(tmp, 'secret.key'),
    EVIDENCE_DIR: join(tmp, 'evidence'),
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await coldRun(browser, `http://127.0.0.1:${port}`, i);
      say(
        `${label} run ${i + 1}: ${round(r.jsCssBytes / 1024, 1)} KiB JS+CSS in ${r.files} files, FCP ${round(r.fcp)} ms, first row ${round(r.firstRowMs)} ms, Declare link → form ${r.toFormMs} ms, submit → incident ${r.declareMs} ms`,
      );
      runs.push(r);
    }
    const m = (k) => median(runs.map((r) => r[k]));
    return {
      jsCssKB: round(m('jsCssBytes') / 1000, 1),
      files: m('files'),
      fcpMs: round(m('fcp')),
      firstRowMs: round(m('firstRowMs')),
      toFormMs: round(m('toFormMs')),
      declareMs: round(m('declareMs')),
    };
  } finally {
    await browser.close();
    await stop(portal);
  }
}

async function main() {
  if (!existsSync(join(root, 'dist/apps/portal-api/src/main.js')) || !existsSync(join(root, 'dist/portal-web/index.html'))) {
    say('the portal is not built: run `npm run build` first');
    return 1;
  }
  const baselineDir = buildBaseline();
  const dbName = `portal_webbench_${randomBytes(4).toString('hex')}`;
  const tmp = mkdtempSync(join(tmpdir(), 'web-bench-'));
  await withAdmin((c) => c.query(`create database ${dbName}`));
  try {
    const current = await measure('this build', join(root, 'dist/portal-web'), dbName, tmp);
    const baseline = await measure(`baseline ${BASELINE_COMMIT}`, baselineDir, dbName, tmp);
    const base = `web app of ${BASELINE_COMMIT}, uncompressed, unsplit`;
    const fig = (name, unit, k, better = 'lower') => ({ name, unit, value: current[k], baseline: baseline[k], baselineName: base, better });
    const result = {
      date: new Date().toISOString(),
      node: process.versions.node,
      runs: RUNS,
      profile: 'slow 4G (562.5 ms, 1.47 Mbit/s down, 675 kbit/s up) + 4x CPU, 390 px, cold cache',
      current,
      baseline,
      figures: [
        fig('JS+CSS transferred before the first row', 'kB', 'jsCssKB'),
        fig('first contentful paint (median)', 'ms', 'fcpMs'),
        fig('first incident row (median)', 'ms', 'firstRowMs'),
        fig('Declare link → declare form (median)', 'ms', 'toFormMs'),
        fig('Declare submit → incident page (median)', 'ms', 'declareMs'),
      ],
    };
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/web-first-load.json'), `${JSON.stringify(result, null, 2)}\n`);
    say(`this build: ${JSON.stringify(current)}`);
    say(`baseline:   ${JSON.stringify(baseline)}`);
    return 0;
  } finally {
    await withAdmin(async (c) => {
      await c.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [dbName]);
      await c.query(`drop database if exists ${dbName}`);
    }).catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    say(`FAILED: ${e?.stack ?? e}`);
    process.exit(1);
  },
);
