import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { envSchema } from './config.schema';
import { EscalationStep, escalationPolicySchema } from '@portal/contracts';

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
    statementTimeoutMs: number;
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
  session: { idleMinutes: number; absoluteHours: number; cookieSecure: boolean; cacheMs: number };
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
  /** CSM walkthroughs (issue 15, h2a-walkthroughs): business days of slots offered; the zone of a CSM without working hours. */
  walkthroughs: { bookingDays: number; defaultTimeZone: string };
  /** Incident communications (issue 14, part A). */
  notifications: {
    hotline: string | null;
    /** h6-web-outage (issue 18): the support mailbox offered when the portal does not answer (SUPPORT_EMAIL). */
    supportEmail: string;
    slackApiUrl: string;
    pagerDuty: { eventsUrl: string; routingKey: string | null; severities: string[] };
    /** Deadline of one delivery attempt: a receiver that never answers holds a worker no longer. */
    timeoutMs: number;
    retryBaseSeconds: number;
    maxAttempts: number;
    webhookDisableAfterFailures: number;
    escalation: EscalationStep[];
    statusReminderMinutes: number;
  };
  /** BYOC (issue 16): evidence storage backend and the link between the control plane and a data plane. */
  byoc: ByocConfig;
  /** Microsoft Teams (issue 14, part C): Entra authority host (no trailing slash) and Graph base URL (no trailing slash). */
  teams: { authorityHost: string; graphBaseUrl: string };
}

export interface ByocConfig {
  storage: 'local' | 's3';
  s3: {
    endpoint: string | null;
    bucket: string | null;
    region: string;
    accessKeyId: string | null;
    secretAccessKey: string | null;
    forcePathStyle: boolean;
  };
  /** Data plane: the tenant slug it serves and the control plane's plane-link URL. */
  dataPlaneTenant: string | null;
  controlPlaneUrl: string | null;
  /** PEM contents (read once at start-up): this plane's certificate and key, and the CA that issues the other side's. */
  tls: { certPem: string | null; keyPem: string | null; caPem: string | null };
  /** Data plane: the control plane's grant verification key (PEM, SPKI); null = fetched over the plane link. */
  grantPublicKeyPem: string | null;
  /** Control plane: PKCS#8 PEM of the Ed25519 key that signs grants. */
  grantSigningKeyPem: string | null;
  heartbeatSeconds: number;
  /** Control plane: the mTLS listener for data planes; 0 = off. */
  linkPort: number;
  silentSeconds: number;
}

export type { EscalationStep };

export const DEFAULT_ESCALATION: EscalationStep[] = [
  { severity: 'sev1', condition: 'unacknowledged', afterMinutes: 5, target: 'Backup on-call' },
  { severity: 'sev1', condition: 'unacknowledged', afterMinutes: 10, target: 'Engineering Manager' },
  { severity: 'sev1', condition: 'open', afterMinutes: 30, target: 'VP Engineering' },
  { severity: 'sev2', condition: 'unacknowledged', afterMinutes: 15, target: 'Backup on-call' },
];

function escalationPolicy(raw: string | undefined): EscalationStep[] {
  if (raw === undefined) return DEFAULT_ESCALATION;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigInvalid('ESCALATION_POLICY: must be a JSON array');
  }
  const r = escalationPolicySchema.safeParse(parsed);
  if (!r.success) throw new ConfigInvalid(`ESCALATION_POLICY: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return r.data;
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
  const byoc = loadByocConfig(e);
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
      statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
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
      cacheMs: e.SESSION_CACHE_MS,
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
    walkthroughs: { bookingDays: e.WALKTHROUGH_BOOKING_DAYS, defaultTimeZone: e.WALKTHROUGH_DEFAULT_TIMEZONE },
    notifications: {
      hotline: e.HOTLINE_NUMBER ?? null,
      supportEmail: e.SUPPORT_EMAIL,
      slackApiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
      pagerDuty: { eventsUrl: e.PAGERDUTY_EVENTS_URL, routingKey: e.PAGERDUTY_ROUTING_KEY ?? null, severities: list(e.PAGERDUTY_SEVERITIES) },
      timeoutMs: e.NOTIFY_TIMEOUT_MS,
      retryBaseSeconds: e.NOTIFY_RETRY_BASE_SECONDS,
      maxAttempts: e.NOTIFY_MAX_ATTEMPTS,
      webhookDisableAfterFailures: e.WEBHOOK_DISABLE_AFTER_FAILURES,
      escalation: escalationPolicy(e.ESCALATION_POLICY),
      statusReminderMinutes: e.STATUS_REMINDER_MINUTES,
    },
    byoc,
    teams: { authorityHost: e.TEAMS_AUTHORITY_HOST.replace(/\/+$/, ''), graphBaseUrl: e.GRAPH_BASE_URL.replace(/\/+$/, '') },
  };
}

/** BYOC settings: every file is read (and checked to hold PEM) once, here; a missing one names its variable. */
function loadByocConfig(e: ReturnType<typeof envSchema.parse>): ByocConfig {
  const CERT = /-----BEGIN CERTIFICATE-----/;
  const KEY = /-----BEGIN (RSA |EC )?PRIVATE KEY-----/;
  const what = (marker: RegExp) => (marker === CERT ? 'certificate' : marker === KEY ? 'private key' : 'public key');
  const pem = (name: string, file: string | undefined, marker: RegExp): string | null => {
    if (!file) return null;
    if (!existsSync(file)) throw new ConfigInvalid(`${name}: ${file} does not exist`);
    const text = readFileSync(file, 'utf8');
    if (!marker.test(text)) throw new ConfigInvalid(`${name}: ${file} holds no PEM ${what(marker)}`);
    return text;
  };
  const tls = {
    certPem: pem('PLANE_TLS_CERT_FILE', e.PLANE_TLS_CERT_FILE, CERT),
    keyPem: pem('PLANE_TLS_KEY_FILE', e.PLANE_TLS_KEY_FILE, KEY),
    caPem: pem('PLANE_TLS_CA_FILE', e.PLANE_TLS_CA_FILE, CERT),
  };
  const needTls = (why: string) => {
    for (const [name, v] of [
      ['PLANE_TLS_CERT_FILE', tls.certPem],
      ['PLANE_TLS_KEY_FILE', tls.keyPem],
      ['PLANE_TLS_CA_FILE', tls.caPem],
    ] as const)
      if (!v) throw new ConfigInvalid(`${name}: required ${why}`);
  };
  if (e.EVIDENCE_STORAGE === 's3' && !e.S3_BUCKET) throw new ConfigInvalid('S3_BUCKET: required with EVIDENCE_STORAGE=s3');
  if (e.PORTAL_ROLE === 'data-plane') {
    if (!e.DATA_PLANE_TENANT) throw new ConfigInvalid('DATA_PLANE_TENANT: required with PORTAL_ROLE=data-plane (the slug of the tenant it serves)');
    if (!e.CONTROL_PLANE_URL) throw new ConfigInvalid('CONTROL_PLANE_URL: required with PORTAL_ROLE=data-plane');
    if (!e.CONTROL_PLANE_URL.startsWith('https://')) throw new ConfigInvalid('CONTROL_PLANE_URL: must be an https:// URL (the mutual-TLS plane link)');
    needTls('with PORTAL_ROLE=data-plane');
  }
  let grantSigningKeyPem: string | null = null;
  if (e.PORTAL_ROLE !== 'data-plane') {
    if (e.PLANE_LINK_PORT > 0) needTls('when PLANE_LINK_PORT is set');
    if (e.GRANT_SIGNING_KEY_FILE) grantSigningKeyPem = pem('GRANT_SIGNING_KEY_FILE', e.GRANT_SIGNING_KEY_FILE, KEY);
    else if (e.NODE_ENV === 'production' && e.PLANE_LINK_PORT > 0)
      throw new ConfigInvalid('GRANT_SIGNING_KEY_FILE: required in production with PLANE_LINK_PORT');
    else if (e.PLANE_LINK_PORT > 0 || e.DEMO_MODE) {
      // Local and demo runs keep a generated Ed25519 key beside the secret key.
      const file = join(dirname(e.SECRET_KEY_FILE), 'grant-signing.key');
      if (!existsSync(file)) {
        mkdirSync(dirname(file), { recursive: true });
        const { privateKey } = generateKeyPairSync('ed25519');
        writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      }
      grantSigningKeyPem = readFileSync(file, 'utf8');
    }
  }
  return {
    storage: e.EVIDENCE_STORAGE,
    s3: {
      endpoint: e.S3_ENDPOINT ?? null,
      bucket: e.S3_BUCKET ?? null,
      region: e.S3_REGION,
      accessKeyId: e.S3_ACCESS_KEY_ID ?? null,
      secretAccessKey: e.S3_SECRET_ACCESS_KEY ?? null,
      forcePathStyle: e.S3_FORCE_PATH_STYLE,
    },
    dataPlaneTenant: e.DATA_PLANE_TENANT ?? null,
    controlPlaneUrl: e.CONTROL_PLANE_URL ?? null,
    tls,
    grantPublicKeyPem: pem('GRANT_PUBLIC_KEY_FILE', e.GRANT_PUBLIC_KEY_FILE, /-----BEGIN PUBLIC KEY-----/),
    grantSigningKeyPem,
    heartbeatSeconds: e.HEARTBEAT_SECONDS,
    linkPort: e.PLANE_LINK_PORT,
    silentSeconds: e.DATA_PLANE_SILENT_SECONDS,
  };
}
