import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { PortalModule } from './app.module';
import { DomainError } from './common/domain-errors';
import { loadConfig } from './config/portal-config';
import { prepareDatabase, runMigrations } from './database/database';
import { Accounts } from './auth/accounts.service';
import { TenantOnboardingService } from './tenants/tenant-onboarding.service';

const USAGE = `usage: node dist/apps/portal-api/src/cli.js <command>
  migrate                                   apply pending migrations (as the owner role)
  tenant:create --slug S --name N --mode A|B|C --timezone TZ [--country CC]
                                            onboard a tenant (holidays from the country's public holidays)
  csm:assign --email E --tenant S [--remove] give (or take) a CSM a tenant
`;

/** Operator commands: the same configuration and database as the portal (DATABASE_URL or embedded). */
async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      slug: { type: 'string' },
      name: { type: 'string' },
      mode: { type: 'string' },
      timezone: { type: 'string' },
      country: { type: 'string' },
      email: { type: 'string' },
      tenant: { type: 'string' },
      remove: { type: 'boolean' },
    },
    strict: true,
  });
  const base = loadConfig();
  const config = { ...base, database: { ...base.database, runMigrations: false } };
  const say = (m: string) => process.stdout.write(`${m}\n`);
  if (!['migrate', 'tenant:create', 'csm:assign'].includes(command ?? '')) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const db = await prepareDatabase(config, say);
  try {
    if (command === 'migrate') {
      const ran = await runMigrations(db.ownerUrl, config.database.appRole, config.database.appPassword);
      say(ran.length ? `applied: ${ran.join(', ')}` : 'nothing to apply');
      return;
    }
    const app = await NestFactory.createApplicationContext(PortalModule.forRoot({ config, appDatabaseUrl: db.appUrl, role: 'api' }), { logger: false });
    try {
      const onboarding = app.get(TenantOnboardingService);
      if (command === 'tenant:create') {
        const t = await onboarding.create({
          slug: values.slug,
          displayName: values.name,
          serviceMode: values.mode,
          timezone: values.timezone,
          ...(values.country ? { country: values.country } : {}),
        });
        say(`created tenant ${t.slug} (${t.id}), Mode ${t.serviceMode}, ${t.timezone}, ${t.calendar.holidays.length} holidays`);
      } else {
        if (!values.email || !values.tenant) throw new Error('--email and --tenant are required');
        await app.get(Accounts).assignCsm(values.email, values.tenant, !values.remove);
        say(`${values.remove ? 'removed' : 'assigned'} ${values.email} ${values.remove ? 'from' : 'to'} ${values.tenant}`);
      }
    } finally {
      await app.close();
    }
  } finally {
    await db.embedded?.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    const fields = err instanceof DomainError && err.fields ? `\n  ${err.fields.map((f) => `${f.field}: ${f.message}`).join('\n  ')}` : '';
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}${fields}\n`);
    process.exit(1);
  },
);
