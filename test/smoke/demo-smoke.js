// Starts the built portal exactly as the README's start command does (no DATABASE_URL: embedded
// PostgreSQL, demo seed), then declares a sev1 for the Mode C tenant with the printed token.
const { spawn, spawnSync } = require('node:child_process');
const { chmodSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const dataDir = mkdtempSync(join(tmpdir(), 'portal-smoke-'));
// As root, embedded PostgreSQL runs as the 'postgres' user, which must be able to enter the folder.
chmodSync(dataDir, 0o755);
const port = 3900 + Math.floor(Math.random() * 90);
const env = {
  ...process.env,
  PORT: String(port),
  EMBEDDED_PG_DIR: join(dataDir, 'pg'),
  EMBEDDED_PG_PORT: String(55400 + Math.floor(Math.random() * 90)),
  SECRET_KEY_FILE: join(dataDir, 'key'),
  LOG_LEVEL: 'warn',
  EVIDENCE_DIR: join(dataDir, 'evidence'),
  LOCAL_REDIS_DIR: join(dataDir, 'redis'),
};
// Where redis-server is installed, the demo starts its own Redis when nothing answers at REDIS_URL: point it at a free port.
const redisInstalled = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
const redisPort = 6400 + Math.floor(Math.random() * 90);
if (redisInstalled) env.REDIS_URL = `redis://127.0.0.1:${redisPort}`;
delete env.DATABASE_URL;
const child = spawn(process.execPath, ['dist/apps/portal-api/src/main.js', '--demo'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
const fail = (m) => {
  console.error(`[smoke] FAILED: ${m}\n${out}`);
  child.kill('SIGTERM');
  process.exitCode = 1;
};
const timer = setTimeout(() => fail('portal not ready within 120 s'), 120_000);
child.stdout.on('data', async (d) => {
  out += d;
  if (!/portal ready in/.test(out) || child.done) return;
  child.done = true;
  clearTimeout(timer);
  try {
    const token = /API token for globex \(customer_admin\): (\S+)/.exec(out)[1];
    const base = `http://127.0.0.1:${port}`;
    const res = await fetch(`${base}/api/v1/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Smoke: SSO down',
        severity: 'sev1',
        services: ['Identity'],
        regions: ['eu-south-1'],
        impactedUsers: 10,
        firstNoticedAt: new Date().toISOString(),
        firstNoticedTimezone: 'America/New_York',
        symptoms: 'nobody can sign in',
        recentChanges: { kinds: [] },
        reproductionConfirmed: true,
        plane: 'control_plane',
      }),
    });
    const body = await res.json();
    if (res.status !== 201) return fail(`declare answered ${res.status} ${JSON.stringify(body)}`);
    const c = body.sla.clocks;
    if (c.initialResponse.target.minutes !== 15 || c.restoration.target.minutes !== 240) return fail(`unexpected clocks ${JSON.stringify(c)}`);
    const ready = await fetch(`${base}/health/ready`);
    if (ready.status !== 200) return fail(`ready answered ${ready.status}`);
    const web = await fetch(`${base}/`);
    if (web.status !== 200 || !/<div id="root">/.test(await web.text())) return fail('the web app is not served at /');
    if (!/script-src 'self'/.test(web.headers.get('content-security-policy') ?? '')) return fail('the web app has no Content-Security-Policy');
    // Issue 14's "done when": within seconds the demo inbox shows the Slack and Teams threads, the email and the page.
    const inboxUrl = /demo inbox \([^)]*\): (\S+)/.exec(out)?.[1];
    if (!inboxUrl) return fail('the demo printed no inbox URL');
    let inbox = '';
    const deadline = Date.now() + 60_000;
    const sections = () => inbox.split(/<h2>/).slice(1);
    const told = () => sections().length === 4 && sections().every((sec) => sec.includes(body.reference));
    while (Date.now() < deadline && !told()) {
      inbox = await (await fetch(inboxUrl)).text();
      if (!told()) await new Promise((r) => setTimeout(r, 500));
    }
    if (!told()) return fail(`the demo inbox does not show ${body.reference} in Slack, Teams, email and PagerDuty within 60 s:\n${inbox}`);
    if (redisInstalled && !/starting redis-server on 127\.0\.0\.1:\d+/.test(out)) return fail('the demo did not start its own Redis');
    console.log(
      `[smoke] ok: ${body.reference} sev1 Mode C, response due ${c.initialResponse.dueAt}, restoration due ${c.restoration.dueAt}; in the demo inbox's Slack, Teams, email and PagerDuty`,
    );
    console.log('1 passed, 0 failed');
    child.kill('SIGTERM');
  } catch (e) {
    fail(e.stack);
  }
});
child.on('exit', () => {
  try {
    rmSync(dataDir, { recursive: true, force: true });
  } catch {
    // best effort: an exit handler has nobody to report to
  }
});
