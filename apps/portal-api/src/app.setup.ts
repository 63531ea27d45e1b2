import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import expressStaticGzip from 'express-static-gzip';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { TenantContext } from '@portal/tenancy';
import type { PortalConfig } from './config/portal-config';
import { requestContextMiddleware } from './common/request-context.middleware';
import { openApiComponents } from './common/zod-body.pipe';

// `/status` itself (and /status/confirm, /status/unsubscribe) is the web app's public page; the feeds are the API's.
const API_PREFIXES = ['/api', '/auth', '/health', '/metrics', '/sso', '/status/history.rss', '/status/history.atom'];

/** HTTP wiring of a standalone portal process, shared by main.ts and the e2e tests, so tests run the app as it ships. */
export function configureApp(nest: INestApplication, config: PortalConfig): void {
  const app = nest as NestExpressApplication;
  app.useLogger(app.get(Logger));
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  // Security headers (helmet): nosniff, frame denial, same-origin referrer, no cross-origin opener; HSTS in
  // production (TLS ends at the proxy in front). The Content-Security-Policy is set below, on the web app only,
  // because the API answers JSON and the API document's UI needs inline script.
  app.use(
    helmet({
      contentSecurityPolicy: false,
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'same-origin' },
      strictTransportSecurity: config.env === 'production' ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use(bodyTimeout(config));
  app.use(requestContextMiddleware);
  app.use(refuseMalformedPath);
  app.use(cookieParser());
  app.useBodyParser('json', { limit: '1mb' });
  app.useBodyParser('urlencoded', { limit: '1mb', extended: false });

  // A worker serves health and metrics only: no API document, no web app.
  if (config.role !== 'api' && config.role !== 'all') return;

  if (config.http.apiDocs) mountApiDocs(app);

  // The web app is served by the API in production: same origin, so the session cookie just works.
  const webDir = resolve(config.webDistDir);
  if (existsSync(join(webDir, 'index.html'))) {
    const csp = webContentSecurityPolicy(readFileSync(join(webDir, 'index.html'), 'utf8'));
    // The build writes .br and .gz beside each asset (vite.config.ts): served as they are, brotli first. Hashed
    // files (assets/*-<hash>.js) never change under their name: cached for a year, immutable; anything else
    // (index.html, favicon) is revalidated, so a release is picked up on the next load.
    app.use(
      expressStaticGzip(webDir, {
        enableBrotli: true,
        orderPreference: ['br', 'gzip'],
        index: false,
        serveStatic: { index: false, cacheControl: false, setHeaders: webAssetHeaders(csp) },
      }),
    );
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' || API_PREFIXES.some((p) => req.path === p || req.path.startsWith(p + '/'))) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Content-Security-Policy', csp);
      res.sendFile(join(webDir, 'index.html'));
    });
  }
}

/**
 * A path that is not valid percent-encoding (`/api/v1/incidents/%zz`) is answered like every other bad request,
 * JSON naming the reason, before anything tries to decode it (the static file server would answer plain text).
 */
function refuseMalformedPath(req: Request, res: Response, next: NextFunction): void {
  try {
    decodeURIComponent(req.path);
  } catch {
    const correlationId = TenantContext.maybeStore()?.requestId;
    res.status(400).json({
      error: 'bad_request',
      message: 'the request path is not valid percent-encoding',
      fields: [{ field: 'path', message: 'is not valid percent-encoding' }],
      ...(correlationId ? { correlationId } : {}),
    });
    return;
  }
  next();
}

/** Long-lived for content-hashed build outputs, revalidated for everything else. */
function webAssetHeaders(csp: string) {
  return (res: ServerResponse, path: string): void => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('Cache-Control', HASHED_ASSET.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
  };
}
const HASHED_ASSET = /[\\/]assets[\\/][^\\/]+-[A-Za-z0-9_-]{8}(\.[a-z0-9]+)+$/;

/**
 * The web app's policy: its own scripts, and of inline scripts only those in the built index.html, by hash (the
 * one that asks for the signed-in user and the incident list while the bundle downloads, issue 18); styles inline
 * too (Mantine writes its CSS variables at run time), images from itself and data/blob URLs (previews), no framing.
 */
export function webContentSecurityPolicy(indexHtml: string): string {
  const hashes = inlineScripts(indexHtml).map((code) => `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`);
  return WEB_CSP.replace("script-src 'self'", ["script-src 'self'", ...hashes].join(' '));
}

/** The text of each `<script>` without a `src` in an HTML document, exactly as the browser hashes it. */
export function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)].filter(([, attrs]) => !/\bsrc\s*=/i.test(attrs)).map(([, , code]) => code);
}

export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * A request must arrive whole within BODY_TIMEOUT_SECONDS, except evidence uploads (hundreds of MB on a slow
 * customer link), whose limit is the server's requestTimeout: a slow unauthenticated body cannot hold a
 * connection for an hour.
 */
function bodyTimeout(config: PortalConfig) {
  const ms = config.http.bodyTimeoutSeconds * 1000;
  return (req: Request, res: Response, next: NextFunction) => {
    // evidence uploads (the portal's, and a BYOC data plane's) have the hour of HTTP_UPLOAD_TIMEOUT_MINUTES
    if (req.method === 'POST' && /\/attachments\/?$|^\/data-plane\/v1\/evidence\/[^/]+\/?$/.test(req.path)) return next();
    if (req.readableEnded || req.headers['content-length'] === '0' || (!req.headers['content-length'] && !req.headers['transfer-encoding'])) return next();
    const timer = setTimeout(() => {
      if (!req.readableEnded) {
        if (res.headersSent) return req.socket.destroy();
        res.once('finish', () => req.socket.destroy());
        res
          .status(408)
          .setHeader('Connection', 'close')
          .json({ error: 'request_timeout', message: `the request body did not arrive within ${config.http.bodyTimeoutSeconds} s` });
      }
    }, ms);
    timer.unref();
    req.once('end', () => clearTimeout(timer));
    res.once('close', () => clearTimeout(timer));
    next();
  };
}

function mountApiDocs(app: NestExpressApplication): void {
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Incident-support portal API')
      .setDescription(
        'Declare and track incidents, SLA clocks, status updates and the audit trail. Authenticate with a tenant API token (Authorization: Bearer) or a session cookie.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  doc.components = doc.components ?? {};
  // The body schemas the routes validate with (@ZodBody), so the document cannot drift from validation.
  doc.components.schemas = { ...(doc.components.schemas ?? {}), ...openApiComponents() };
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/docs-json' });
}
