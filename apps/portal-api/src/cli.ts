import { loadConfig } from './config/portal-config';
import { prepareDatabase, runMigrations } from './database/database';

/** `node dist/apps/portal-api/src/cli.js migrate`: applies pending migrations as the owner role. */
async function main(): Promise<void> {
  const [command] = process.argv.slice(2);
  const config = loadConfig();
  if (command !== 'migrate') {
    process.stderr.write('usage: cli.js migrate\n');
    process.exit(2);
  }
  const db = await prepareDatabase({ ...config, database: { ...config.database, runMigrations: false } }, (m) => process.stdout.write(`${m}\n`));
  const ran = await runMigrations(db.ownerUrl, config.database.appRole, config.database.appPassword);
  process.stdout.write(ran.length ? `applied: ${ran.join(', ')}\n` : 'nothing to apply\n');
  await db.embedded?.stop();
}

main().catch((err) => {
  process.stderr.write(`migrate failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
