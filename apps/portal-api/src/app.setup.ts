import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import express, { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import type { PortalConfig } from './config/portal-config';
import { requestContextMiddleware } from './common/request-context.middleware';
import { openApiComponents } from './common/zod-body.pipe';

const API_PREFIXES = ['/api', '/auth', '/health', '/metrics', '/sso', '/status'];

/** HTTP wiring of a standalone portal process, shared by main.ts and the e2e tests, so tests run the app as it ships. */
export function configureApp(nest: INestApplication, config: PortalConfig): void {
  const app = nest as NestExpressApplication;
  app.useLogger(app.get(Logger));
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    next();
  });
  app.use(requestContextMiddleware);
  app.use(cookieParser());
  app.useBodyParser('json', { limit: '1mb' });
  app.useBodyParser('urlencoded', { limit: '1mb', extended: false });

  // A worker serves health and metrics only: no API document, no web app.
  if (config.role !== 'api' && config.role !== 'all') return;

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

  // The web app is served by the API in production: same origin, so the session cookie just works.
  const webDir = resolve(config.webDistDir);
  if (existsSync(join(webDir, 'index.html'))) {
    app.use(express.static(webDir, { index: false, maxAge: '1h' }));
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' || API_PREFIXES.some((p) => req.path === p || req.path.startsWith(p + '/'))) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(join(webDir, 'index.html'));
    });
  }
}
