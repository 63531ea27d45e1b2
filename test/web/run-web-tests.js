// Browser tests: a fresh database, the BUILT portal in demo mode serving the built web app,
// then `node --test` over test/web/*.test.mjs with PORTAL_URL. Exits with the test runner's code.
// Needs: npm run build, PostgreSQL at TEST_DATABASE_URL, Redis, /usr/bin/chromium (or CHROMIUM_PATH).
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { mkdtempSync, readdirSync, rmSync, existsSync, mkdirSync } = require('node:fs');
const net = require('node:net');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { Client } = require('pg');

const root = resolve(__dirname, '../..');
const adminUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const say = (m) => process.stdout.write(`[web-tests] ${m}\n`);

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

function dbUrl(name) {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function withAdmin(fn) {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function dropDatabase(name) {
  return withAdmin(async (c) => {
    await c.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [name]);
    await c.query(`drop database if exists ${name}`);
  }).catch((e) => say(`could not drop ${name}: ${e.message}`));
}

function startPortal(env) {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['dist/apps/portal-api/src/main.js', '--demo'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => rej(new Error(`portal not ready within 120 s:\n${out}`)), 120_000);
    const onData = (d) => {
      out += d;
      if (process.env.WEB_TESTS_VERBOSE) process.stdout.write(d);
      if (/portal ready in/.test(out)) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        // Keep draining so a chatty portal never blocks on a full pipe; show warnings and errors.
        child.stdout.on('data', () => {});
        res(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => {
      out += d;
      process.stderr.write(`[portal] ${d}`);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`portal exited with ${code} before it was ready:\n${out}`));
    });
  });
}

function stop(child) {
  return new Promise((res) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return res();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      res();
    });
    child.kill('SIGTERM');
  });
}

let testRunner = null;
function runTests(files, env) {
  return new Promise((res) => {
    const args = [
      '--test',
      '--test-concurrency=1',
      '--test-timeout=300000',
      ...(process.env.WEB_TESTS_REPORTER ? [`--test-reporter=${process.env.WEB_TESTS_REPORTER}`] : []),
      ...files,
    ];
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    testRunner = child;
    child.once('exit', (code, signal) => res(code ?? (signal ? 1 : 0)));
  });
}

async function main() {
  if (!existsSync(join(root, 'dist/apps/portal-api/src/main.js')) || !existsSync(join(root, 'dist/portal-web/index.html'))) {
    say('the portal is not built: run `npm run build` first');
    return 1;
  }
  const files = process.argv.slice(2).length
    ? process.argv.slice(2)
    : readdirSync(__dirname)
        .filter((f) => f.endsWith('.test.mjs'))
        .sort()
        .map((f) => join('test/web', f));
  const suffix = randomBytes(5).toString('hex');
  const dbName = `portal_web_${suffix}`;
  const tmp = mkdtempSync(join(tmpdir(), 'portal-web-'));
  mkdirSync(join(root, 'test-artifacts/screenshots'), { recursive: true });
  let portal;
  let code;
  // Interrupted (Ctrl-C, CI cancel): still stop the portal and drop the database.
  let interrupted = false;
  const onSignal = (sig) => {
    if (interrupted) return;
    interrupted = true;
    say(`${sig}: cleaning up`);
    if (testRunner && testRunner.exitCode === null) testRunner.kill('SIGTERM');
    stop(portal)
      .then(() => dropDatabase(dbName))
      .finally(() => {
        rmSync(tmp, { recursive: true, force: true });
        process.exit(130);
      });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await withAdmin((c) => c.query(`create database ${dbName}`));
  say(`database ${dbName}`);
  try {
    const port = await freePort();
    portal = await startPortal({
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: dbUrl(dbName),
      PORT: String(port),
      HOST: '127.0.0.1',
      WEB_DIST_DIR: 'dist/portal-web',
      QUEUE_PREFIX: `webtest_${suffix}`,
      LOG_LEVEL: 'warn',
      SECRET_KEY_FILE: join(tmp, 'secret.key'),
      EVIDENCE_DIR: join(tmp, 'evidence'),
    });
    const url = `http://127.0.0.1:${port}`;
    say(`portal ready at ${url}; running ${files.length} test file(s)`);
    code = await runTests(files, { ...process.env, PORTAL_URL: url });
  } catch (e) {
    say(`FAILED: ${e && e.stack ? e.stack : e}`);
    code = 1;
  } finally {
    await stop(portal);
    await dropDatabase(dbName);
    rmSync(tmp, { recursive: true, force: true });
  }
  say(code === 0 ? 'all browser tests passed' : `browser tests failed (exit ${code})`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    say(`FAILED: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  },
);
