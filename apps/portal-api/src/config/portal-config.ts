import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { envSchema } from './config.schema';

export class ConfigInvalid extends Error {}

/** The typed configuration object injected everywhere; no process.env outside config/. */
export interface PortalConfig {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string | null;
  database: {
    /** Owner connection (runs migrations); null means start embedded PostgreSQL. */
    url: string | null;
    appRole: string;
    appPassword: string;
    poolSize: number;
    embeddedDir: string;
    embeddedPort: number;
    runMigrations: boolean;
  };
  redisUrl: string;
  queuePrefix: string;
  localRedisDir: string;
  demo: boolean;
  devLogin: boolean;
  secretKey: Buffer;
  secretKeyId: string;
  secretKeyGenerated: boolean;
  session: { idleMinutes: number; absoluteHours: number; cookieSecure: boolean };
  logLevel: string;
  webDistDir: string;
  outboxPollMs: number;
  rateLimits: { enabled: boolean; factor: number };
  http: { bodyTimeoutSeconds: number; uploadTimeoutMinutes: number; headersTimeoutSeconds: number; maxConnections: number; apiDocs: boolean };
  /** Relayed outbox rows and ended sessions are deleted after these. */
  retention: { outboxHours: number; sessionDays: number };
  /** Concurrency per workload queue, over the defaults in queue/workloads.ts. */
  queueConcurrency: Partial<Record<'clocks' | 'notifications' | 'rendering' | 'maintenance', number>>;
  role: PortalRole;
  evidence: {
    dir: string;
    harMaxBytes: number;
    governanceExportMaxBytes: number;
    screenshotMaxBytes: number;
    retentionDays: number;
    keepResponseText: boolean;
    extraSensitiveHeaders: string[];
    extraSensitiveParams: string[];
  };
  sso: {
    /** Vendor staff identity providers (validated by the SSO module at start-up). */
    staffProviders: unknown[];
    /** PEM of extra CAs trusted for calls to identity providers (private CAs, TLS inspection). */
    extraCaPem: string | null;
    /** http:// identity-provider URLs (metadata, issuer, authority); never in production. */
    allowInsecureHttp: boolean;
    /** Identity-provider URLs that resolve to loopback or private addresses (SSRF guard off). */
    allowPrivateNetwork: boolean;
    clockSkewSeconds: number;
    flowTtlSeconds: number;
  };
  /** Outbound calls to customer-supplied URLs: the same SSRF rules as identity-provider calls. */
  egress: { allowInsecureHttp: boolean; allowPrivateNetwork: boolean; timeoutMs: number; maxResponseBytes: number };
  mail: { smtpUrl: string | null; from: string };
  /** Post-incident review PDFs: Chromium binary, pages rendering at once, timeout per render, browser restart. */
  pirPdf: { executablePath: string; poolSize: number; timeoutMs: number; restartAfterRenders: number };
}

export type PortalRole = 'all' | 'api' | 'worker' | 'data-plane';

export const PORTAL_CONFIG = Symbol('PORTAL_CONFIG');

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function loadConfig(source: Record<string, string | undefined> = process.env, overrides: { demo?: boolean } = {}): PortalConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigInvalid(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const demo = overrides.demo ?? e.DEMO_MODE;
  const devLogin = e.DEV_LOGIN_ENABLED || demo;
  if (devLogin && e.NODE_ENV === 'production') {
    throw new ConfigInvalid('the development sign-in (DEV_LOGIN_ENABLED or demo mode) refuses to start with NODE_ENV=production');
  }
  let secretKey: Buffer;
  let generated = false;
  if (e.SECRET_KEY) {
    secretKey = Buffer.from(e.SECRET_KEY, 'base64');
    if (secretKey.length !== 32) throw new ConfigInvalid('SECRET_KEY: must be 32 bytes, base64-encoded');
  } else if (e.NODE_ENV === 'production') {
    throw new ConfigInvalid('SECRET_KEY: required in production (32 random bytes, base64)');
  } else if (existsSync(e.SECRET_KEY_FILE)) {
    secretKey = Buffer.from(readFileSync(e.SECRET_KEY_FILE, 'utf8').trim(), 'base64');
    if (secretKey.length !== 32) throw new ConfigInvalid(`SECRET_KEY_FILE: ${e.SECRET_KEY_FILE} must hold 32 bytes, base64-encoded`);
  } else {
    // Local and demo runs keep a generated key beside the embedded database, so secrets survive restarts.
    secretKey = randomBytes(32);
    generated = true;
    mkdirSync(dirname(e.SECRET_KEY_FILE), { recursive: true });
    writeFileSync(e.SECRET_KEY_FILE, secretKey.toString('base64'), { mode: 0o600 });
  }
  let staffProviders: unknown;
  try {
    staffProviders = JSON.parse(e.SSO_STAFF_PROVIDERS);
  } catch {
    throw new ConfigInvalid('SSO_STAFF_PROVIDERS: must be a JSON array of identity-provider configurations');
  }
  if (!Array.isArray(staffProviders)) throw new ConfigInvalid('SSO_STAFF_PROVIDERS: must be a JSON array of identity-provider configurations');
  let extraCaPem: string | null = null;
  if (e.SSO_EXTRA_CA_FILE) {
    if (!existsSync(e.SSO_EXTRA_CA_FILE)) throw new ConfigInvalid(`SSO_EXTRA_CA_FILE: ${e.SSO_EXTRA_CA_FILE} does not exist`);
    extraCaPem = readFileSync(e.SSO_EXTRA_CA_FILE, 'utf8');
    if (!extraCaPem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigInvalid(`SSO_EXTRA_CA_FILE: ${e.SSO_EXTRA_CA_FILE} holds no PEM certificate`);
  }
  const insecureSso = (e.SSO_ALLOW_INSECURE_HTTP || e.SSO_ALLOW_PRIVATE_NETWORK) && e.NODE_ENV === 'production';
  if (insecureSso) throw new ConfigInvalid('SSO_ALLOW_INSECURE_HTTP / SSO_ALLOW_PRIVATE_NETWORK refuse to start with NODE_ENV=production');
  if ((e.EGRESS_ALLOW_INSECURE_HTTP || e.EGRESS_ALLOW_PRIVATE_NETWORK) && e.NODE_ENV === 'production') {
    throw new ConfigInvalid('EGRESS_ALLOW_INSECURE_HTTP / EGRESS_ALLOW_PRIVATE_NETWORK refuse to start with NODE_ENV=production');
  }
  if (e.SMTP_URL && !/^smtps?:\/\//.test(e.SMTP_URL)) throw new ConfigInvalid('SMTP_URL: must start with smtp:// or smtps://');
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL ?? null,
    database: {
      url: e.DATABASE_URL || null,
      appRole: e.APP_DATABASE_ROLE,
      appPassword: e.APP_DATABASE_PASSWORD,
      poolSize: e.DB_POOL_SIZE,
      embeddedDir: e.EMBEDDED_PG_DIR,
      embeddedPort: e.EMBEDDED_PG_PORT,
      runMigrations: e.RUN_MIGRATIONS ?? (demo || !e.DATABASE_URL),
    },
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    localRedisDir: e.LOCAL_REDIS_DIR,
    demo,
    devLogin,
    secretKey,
    secretKeyId: e.SECRET_KEY_ID,
    secretKeyGenerated: generated,
    session: {
      idleMinutes: e.SESSION_IDLE_MINUTES,
      absoluteHours: e.SESSION_ABSOLUTE_HOURS,
      cookieSecure: e.COOKIE_SECURE ?? e.NODE_ENV === 'production',
    },
    logLevel: e.LOG_LEVEL,
    webDistDir: e.WEB_DIST_DIR,
    outboxPollMs: e.OUTBOX_POLL_MS,
    rateLimits: { enabled: e.RATE_LIMITS_ENABLED, factor: e.RATE_LIMIT_FACTOR },
    http: {
      bodyTimeoutSeconds: e.BODY_TIMEOUT_SECONDS,
      uploadTimeoutMinutes: e.HTTP_UPLOAD_TIMEOUT_MINUTES,
      headersTimeoutSeconds: e.HTTP_HEADERS_TIMEOUT_SECONDS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
      apiDocs: e.API_DOCS_ENABLED ?? e.NODE_ENV !== 'production',
    },
    retention: { outboxHours: e.OUTBOX_RETENTION_HOURS, sessionDays: e.SESSION_RETENTION_DAYS },
    queueConcurrency: Object.fromEntries(list(e.QUEUE_CONCURRENCY).map((kv) => [kv.split('=')[0], Number(kv.split('=')[1])])),
    role: e.PORTAL_ROLE,
    evidence: {
      dir: e.EVIDENCE_DIR,
      harMaxBytes: e.HAR_MAX_BYTES,
      governanceExportMaxBytes: e.GOVERNANCE_EXPORT_MAX_BYTES,
      screenshotMaxBytes: e.SCREENSHOT_MAX_BYTES,
      retentionDays: e.EVIDENCE_RETENTION_DAYS,
      keepResponseText: e.HAR_KEEP_RESPONSE_TEXT,
      extraSensitiveHeaders: list(e.HAR_EXTRA_SENSITIVE_HEADERS),
      extraSensitiveParams: list(e.HAR_EXTRA_SENSITIVE_PARAMS),
    },
    sso: {
      staffProviders: staffProviders as unknown[],
      extraCaPem,
      allowInsecureHttp: e.SSO_ALLOW_INSECURE_HTTP ?? e.NODE_ENV !== 'production',
      allowPrivateNetwork: e.SSO_ALLOW_PRIVATE_NETWORK ?? e.NODE_ENV !== 'production',
      clockSkewSeconds: e.SSO_CLOCK_SKEW_SECONDS,
      flowTtlSeconds: e.SSO_FLOW_TTL_SECONDS,
    },
    egress: {
      allowInsecureHttp: e.EGRESS_ALLOW_INSECURE_HTTP ?? e.NODE_ENV !== 'production',
      allowPrivateNetwork: e.EGRESS_ALLOW_PRIVATE_NETWORK ?? e.NODE_ENV !== 'production',
      timeoutMs: e.EGRESS_TIMEOUT_MS,
      maxResponseBytes: e.EGRESS_MAX_RESPONSE_BYTES,
    },
    mail: { smtpUrl: e.SMTP_URL ?? null, from: e.MAIL_FROM },
    pirPdf: {
      executablePath: e.PUPPETEER_EXECUTABLE_PATH,
      poolSize: e.PIR_PDF_POOL_SIZE,
      timeoutMs: e.PIR_PDF_TIMEOUT_MS,
      restartAfterRenders: e.PIR_PDF_RESTART_AFTER,
    },
  };
}
