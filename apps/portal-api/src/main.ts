import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { PortalAppModule } from './app.module';
import { configureApp } from './app.setup';
import { ConfigInvalid, loadConfig } from './config/portal-config';
import { prepareDatabase } from './database/database';
import { ensureLocalRedis, type LocalRedisHandle } from './queue/local-redis';
import { seedDemo } from './demo/demo-seed';
import { startDemoReceivers, type DemoReceivers } from './demo/demo-receivers';

async function bootstrap(): Promise<void> {
  const demo = process.argv.includes('--demo');
  const started = Date.now();
  const say = (m: string) => process.stdout.write(`[portal] ${m}\n`);
  // The demo's loopback Slack, SMTP and PagerDuty (incident communications), for what the environment leaves unset.
  const receivers: DemoReceivers | null = demo ? await startDemoReceivers(say) : null;
  const env = receivers ? { ...receivers.env, ...process.env } : process.env;
  const config = loadConfig(env, demo ? { demo: true } : {});
  const db = await prepareDatabase(config, say);
  // Local and demo runs start Redis like the embedded database when nothing answers and redis-server exists.
  let redis: LocalRedisHandle | null = null;
  if (config.demo || !config.database.url) {
    redis = await ensureLocalRedis(config.redisUrl, config.localRedisDir, say).catch((err: Error) => {
      say(`Redis: ${err.message}. The portal starts without it: declarations are kept in the outbox, but SSO sign-in and job processing wait for Redis.`);
      return null;
    });
  }
  const app = await NestFactory.create(PortalAppModule.forRoot({ config, appDatabaseUrl: db.appUrl }), { bufferLogs: true });
  configureApp(app, config);
  // Stop in order on SIGTERM/SIGINT: the app (jobs, pool), then the embedded database.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: shutting down`);
    await app.close().catch(() => undefined);
    await db.embedded?.stop().catch(() => undefined);
    await redis?.stop().catch(() => undefined);
    await receivers?.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.listen(config.port, config.host);
  // Evidence uploads of hundreds of MB on a slow customer link outlive Node's 300 s default; every other
  // body must arrive within BODY_TIMEOUT_SECONDS (app.setup.ts), headers within HTTP_HEADERS_TIMEOUT_SECONDS.
  const server = app.getHttpServer() as import('node:http').Server;
  server.requestTimeout = config.http.uploadTimeoutMinutes * 60_000;
  server.headersTimeout = config.http.headersTimeoutSeconds * 1000;
  server.maxConnections = config.http.maxConnections;
  const url = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  if (config.demo) {
    const seeded = await seedDemo(app, new Date(), { connectSlack: !!receivers && config.notifications.slackApiUrl === receivers.env.SLACK_API_URL });
    say('demo data ready:');
    for (const t of seeded.tenants) say(`  tenant ${t.slug.padEnd(8)} Mode ${t.serviceMode}  ${t.timezone}`);
    for (const t of seeded.tokens) say(`  API token for ${t.tenant} (${t.role}): ${t.token}`);
    say('  sign in in the browser with the development sign-in: admin@acme.example, admin@globex.example, support@claresia.example, csm@claresia.example');
    if (receivers) say(`  demo inbox (loopback Slack, Teams, email, PagerDuty: what a Sev1 for globex sends): ${receivers.inboxUrl}/`);
    if (!existsSync(config.pirPdf.executablePath)) {
      say(
        `  review PDFs need Chromium at ${config.pirPdf.executablePath} (PUPPETEER_EXECUTABLE_PATH): install it (Debian: apt-get install chromium); until then they stay "being rendered"`,
      );
    }
    say(`  try: curl -H "Authorization: Bearer ${seeded.tokens.find((t) => t.tenant === 'globex')?.token}" ${url}/api/v1/incidents`);
  }
  say(`portal ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${url}  (API docs: ${url}/api/docs)`);
}

bootstrap().catch((err) => {
  if (err instanceof ConfigInvalid) {
    process.stderr.write(`[portal] ${err.message}\n`);
  } else {
    process.stderr.write(`[portal] failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exit(1);
});
