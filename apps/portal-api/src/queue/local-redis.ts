import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';

export interface LocalRedisHandle {
  stop(): Promise<void>;
}

/** Whether something answers at host:port (a TCP connect, no command). */
export function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((done) => {
    const s = connect(port, host);
    const finish = (ok: boolean) => {
      s.destroy();
      done(ok);
    };
    s.setTimeout(timeoutMs, () => finish(false));
    s.once('connect', () => finish(true));
    s.once('error', () => finish(false));
  });
}

/**
 * For the demo and local runs, as with the embedded PostgreSQL: when nothing answers at REDIS_URL on this
 * machine and `redis-server` is installed, start one with its data under `dir` (append-only file, no
 * eviction, as BullMQ needs). Returns null when Redis already answers; throws with a clear message when it
 * does not and cannot be started here.
 */
export async function ensureLocalRedis(url: string, dir: string, log: (m: string) => void): Promise<LocalRedisHandle | null> {
  const u = new URL(url);
  const host = u.hostname || '127.0.0.1';
  const port = Number(u.port || 6379);
  if (await reachable(host, port)) return null;
  const local = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  const installed = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!local || !installed) {
    throw new Error(
      `nothing answers at ${u.host} (REDIS_URL) and ${local ? 'redis-server is not installed' : 'it is not on this machine'}: ` +
        `install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or point REDIS_URL at one`,
    );
  }
  const data = resolve(dir);
  mkdirSync(data, { recursive: true });
  log(`starting redis-server on ${host}:${port} with its data in ${data}`);
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--bind',
      host === 'localhost' ? '127.0.0.1' : host,
      '--port',
      String(port),
      '--dir',
      data,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--protected-mode',
      'yes',
    ],
    { stdio: 'ignore', detached: false },
  );
  for (let i = 0; i < 50 && !(await reachable(host, port, 200)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await reachable(host, port))) {
    child.kill();
    throw new Error(`redis-server did not start on ${host}:${port}`);
  }
  return {
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
