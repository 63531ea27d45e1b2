import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const serverUrl = process.env.PORTAL_TEST_SERVER_URL;
  const dbName = process.env.PORTAL_TEST_DB_NAME;
  if (serverUrl && dbName && process.env.KEEP_TEST_DB !== '1') {
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end();
  }
  const child = (globalThis as any).__EMBEDDED_PG__;
  if (child) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
