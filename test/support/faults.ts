import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** A TCP port nothing listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns true, at most `timeoutMs` (for an external process coming up or going down). */
export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 15_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Resolves with the exit code (or signal) once the child has exited; rejects after `timeoutMs`. */
export function exitOf(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`process ${child.pid} did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/** A private, throw-away redis-server (no persistence) on `port`. */
export async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await until(`redis-server on ${port} (${out})`, () => /Ready to accept connections/.test(out) || child.exitCode !== null, 10_000);
  if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${child.exitCode}: ${out}`);
  return child;
}

/** SIGKILL and wait for the exit (the fault: no shutdown, no flush). */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = exitOf(child, 10_000);
  child.kill('SIGKILL');
  await exited;
}

/** Mounts a tmpfs of `size` on a fresh directory; throws with the reason when the mount is refused. */
export function mountTmpfs(size: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'portal-fault-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(
      `disk-full fault needs a tmpfs (run as root, with CAP_SYS_ADMIN): mount -t tmpfs on ${dir} failed: ${e.stderr?.toString().trim() || e.message}`,
      { cause: err },
    );
  }
  return dir;
}

export function unmount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'pipe' });
}

/** Every leftover of an interrupted write under an evidence directory (`incoming/*.part`). */
export function partFiles(evidenceDir: string): string[] {
  const incoming = join(evidenceDir, 'incoming');
  return existsSync(incoming) ? readdirSync(incoming) : [];
}

export function objectFiles(evidenceDir: string): string[] {
  const objects = join(evidenceDir, 'objects');
  return existsSync(objects) ? readdirSync(objects) : [];
}

/** An owner connection (row-level security does not apply) kept open for the duration of a test. */
export async function ownerClient(): Promise<Client> {
  const c = new Client({ connectionString: process.env.PORTAL_TEST_OWNER_URL });
  await c.connect();
  return c;
}

/**
 * Terminates every connection of the app role to THIS test database (the PostgreSQL server is shared with
 * other runs: never reach past our own database). Returns how many backends were terminated.
 */
export async function killAppConnections(owner: Client): Promise<number> {
  const { rows } = await owner.query(
    `select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity
      where usename = 'portal_app' and datname = current_database() and pid <> pg_backend_pid()) k`,
  );
  return rows[0].n as number;
}

/** A valid HAR of exactly `size` bytes (padding in log.comment). */
export function harOfSize(size: number): Buffer {
  const shell = (pad: string) => `{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"pages":[],"entries":[],"comment":"${pad}"}}`;
  return Buffer.from(shell('a'.repeat(size - Buffer.byteLength(shell('')))));
}

export interface SpawnedPortal {
  child: ChildProcess;
  base: string;
  output(): string;
}

/** The built portal (dist) against the test database, as a separate process that can be signalled. */
export async function spawnPortal(env: Record<string, string>, opts: { readyTimeoutMs?: number } = {}): Promise<SpawnedPortal> {
  const main = join(__dirname, '../../dist/apps/portal-api/src/main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build:api\` first`);
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    cwd: join(__dirname, '../..'),
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: process.env.PORTAL_TEST_OWNER_URL!,
      RUN_MIGRATIONS: 'false',
      APP_DATABASE_PASSWORD: 'portal_app_test_pw',
      DEV_LOGIN_ENABLED: 'true',
      LOG_LEVEL: 'warn',
      WEB_DIST_DIR: '/nonexistent',
      RATE_LIMITS_ENABLED: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await until(`the spawned portal to be ready`, () => /portal ready in/.test(out) || child.exitCode !== null, opts.readyTimeoutMs ?? 30_000).catch(
    (err: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${err.message}\n${out}`);
    },
  );
  if (child.exitCode !== null) throw new Error(`the spawned portal exited with ${child.exitCode}:\n${out}`);
  return { child, base: `http://127.0.0.1:${port}`, output: () => out };
}
