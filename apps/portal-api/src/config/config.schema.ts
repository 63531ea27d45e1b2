import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no', '']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every environment variable the portal reads, with its default. Read once at start-up. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().optional(),
  APP_DATABASE_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('portal_app'),
  APP_DATABASE_PASSWORD: z.string().min(8).default('portal_app_local_only'),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Longest any one statement of the app role may run before PostgreSQL cancels it (the request gets 503). */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  EMBEDDED_PG_DIR: z.string().default('./.data/pg'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  RUN_MIGRATIONS: bool.optional(),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z.string().default('portal'),
  /** Where `npm run demo` keeps the Redis it starts when none answers at REDIS_URL. */
  LOCAL_REDIS_DIR: z.string().default('./.data/redis'),
  DEMO_MODE: bool.default(false),
  DEV_LOGIN_ENABLED: bool.default(false),
  SECRET_KEY: z.string().optional(),
  SECRET_KEY_ID: z.string().default('k1'),
  SECRET_KEY_FILE: z.string().default('./.data/secret.key'),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(60),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).default(12),
  /** How long a process keeps a resolved session (0: read it on every request); exact invalidation by NOTIFY. */
  SESSION_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  COOKIE_SECURE: bool.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEB_DIST_DIR: z.string().default('./dist/portal-web'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).default(1000),
  /** Seconds a request body may take to arrive (evidence uploads excepted: they have the hour of HTTP_UPLOAD_TIMEOUT_MINUTES). */
  BODY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  HTTP_UPLOAD_TIMEOUT_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
  HTTP_HEADERS_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(20),
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(4096),
  /** The OpenAPI document and its UI at /api/docs; off by default in production. */
  API_DOCS_ENABLED: bool.optional(),
  RATE_LIMITS_ENABLED: bool.default(true),
  /** Multiplies every rate limit's budget (e.g. 2 for a large tenant base behind one address). */
  RATE_LIMIT_FACTOR: z.coerce.number().positive().max(1000).default(1),
  OUTBOX_RETENTION_HOURS: z.coerce.number().int().min(1).default(72),
  SESSION_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  /** Worker concurrency per workload queue, e.g. "clocks=4,notifications=8"; unnamed queues keep their default. */
  QUEUE_CONCURRENCY: z
    .string()
    .regex(
      /^(\s*(clocks|notifications|rendering|maintenance)=[1-9][0-9]{0,2}\s*(,|$))*$/,
      'must look like clocks=4,notifications=8 (queues: clocks, notifications, rendering, maintenance)',
    )
    .default(''),
  PORTAL_ROLE: z.enum(['all', 'api', 'worker', 'data-plane']).default('all'),
  EVIDENCE_DIR: z.string().default('./.data/evidence'),
  HAR_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(250 * 1024 * 1024),
  GOVERNANCE_EXPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(100 * 1024 * 1024),
  SCREENSHOT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(20 * 1024 * 1024),
  EVIDENCE_RETENTION_DAYS: z.coerce.number().int().min(1).default(90),
  HAR_KEEP_RESPONSE_TEXT: bool.default(false),
  HAR_EXTRA_SENSITIVE_HEADERS: z.string().default(''),
  HAR_EXTRA_SENSITIVE_PARAMS: z.string().default(''),
  // Enterprise SSO (sso/): vendor staff identity providers as a JSON array, outbound-call policy, skew.
  SSO_STAFF_PROVIDERS: z.string().default('[]'),
  SSO_EXTRA_CA_FILE: z.string().optional(),
  SSO_ALLOW_INSECURE_HTTP: bool.optional(),
  SSO_ALLOW_PRIVATE_NETWORK: bool.optional(),
  SSO_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(600).default(120),
  SSO_FLOW_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(600),
  // Outbound calls to customer-supplied URLs (webhooks, chat, paging, Hub): egress/guarded-http.ts.
  EGRESS_ALLOW_INSECURE_HTTP: bool.optional(),
  EGRESS_ALLOW_PRIVATE_NETWORK: bool.optional(),
  EGRESS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120000).default(10000),
  EGRESS_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024),
  /** Outbound email (mail/mailer.ts), e.g. smtp://user:pass@mail.example:587; unset = email off. */
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Incident Portal <incidents@portal.invalid>'),
  // Incident communications (issue 14, part A): notifications/.
  HOTLINE_NUMBER: z
    .string()
    .regex(/^\+?[0-9 ()-]{6,30}$/, 'must be a phone number such as +39 02 1234 5678')
    .optional(),
  // h6-web-outage (issue 18): where customers turn when the portal itself is struggling (declare form, next steps).
  SUPPORT_EMAIL: z.email('must be an email address').default('support@claresia.com'),
  SLACK_API_URL: z.string().url().default('https://slack.com/api/'),
  PAGERDUTY_EVENTS_URL: z.string().url().default('https://events.pagerduty.com/v2/enqueue'),
  PAGERDUTY_ROUTING_KEY: z.string().optional(),
  PAGERDUTY_SEVERITIES: z.string().default('sev1,sev2'),
  NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(5000),
  NOTIFY_RETRY_BASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(16),
  WEBHOOK_DISABLE_AFTER_FAILURES: z.coerce.number().int().min(1).max(1000).default(20),
  // BYOC (issue 16, byoc/): evidence storage backend, the data plane and its mTLS link to the control plane.
  EVIDENCE_STORAGE: z.enum(['local', 's3']).default('local'),
  S3_ENDPOINT: z.url().optional(),
  S3_BUCKET: z.string().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  DATA_PLANE_TENANT: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/)
    .optional(),
  CONTROL_PLANE_URL: z.url().optional(),
  PLANE_TLS_CERT_FILE: z.string().optional(),
  PLANE_TLS_KEY_FILE: z.string().optional(),
  PLANE_TLS_CA_FILE: z.string().optional(),
  GRANT_PUBLIC_KEY_FILE: z.string().optional(),
  GRANT_SIGNING_KEY_FILE: z.string().optional(),
  HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  PLANE_LINK_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  DATA_PLANE_SILENT_SECONDS: z.coerce.number().int().min(10).max(86400).default(120),
  /** The escalation ladder (JSON array of {severity, condition, afterMinutes, target, email?}); default: seed 003, 5.1. */
  ESCALATION_POLICY: z.string().optional(),
  STATUS_REMINDER_MINUTES: z.coerce.number().int().min(1).max(29).default(5),
  // Post-incident review PDFs (pir/, libs/pir-pdf): the Chromium binary and the renderer's bounds.
  PUPPETEER_EXECUTABLE_PATH: z.string().default('/usr/bin/chromium'),
  PIR_PDF_POOL_SIZE: z.coerce.number().int().min(1).max(8).default(2),
  PIR_PDF_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300000).default(60000),
  PIR_PDF_RESTART_AFTER: z.coerce.number().int().min(1).default(200),
  // CSM walkthroughs (issue 15, h2a-walkthroughs): how far ahead slots are offered, and the zone of a CSM who set no hours.
  WALKTHROUGH_BOOKING_DAYS: z.coerce.number().int().min(1).max(30).default(10),
  WALKTHROUGH_DEFAULT_TIMEZONE: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/London')
    .default('UTC'),
  // Microsoft Teams (issue 14, part C): the Entra authority host for client credentials and Microsoft Graph's base URL.
  TEAMS_AUTHORITY_HOST: z.url({ protocol: /^https?$/ }).default('https://login.microsoftonline.com'),
  GRAPH_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://graph.microsoft.com/v1.0'),
});

export type Env = z.infer<typeof envSchema>;
