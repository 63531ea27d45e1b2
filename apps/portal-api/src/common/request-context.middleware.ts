import cookieParser from 'cookie-parser';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { TenantContext } from '@portal/tenancy';

/**
 * Enters the per-request context that the auth guard fills and repositories read. The portal's HTTP modules
 * apply it to their own routes; a standalone process also applies it app-wide first (so errors raised before
 * routing carry a correlation id), and then the route-level pass keeps the context already entered.
 */
export function requestContextMiddleware(req: Request, res: Response, next: NextFunction): void {
  if (TenantContext.maybeStore()) return next();
  const incoming = req.header('x-request-id');
  const requestId = incoming && /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', requestId);
  TenantContext.run({ requestId, ip: req.ip ?? null, userAgent: req.header('user-agent')?.slice(0, 300) ?? null }, () => next());
}

/**
 * What every portal route needs before its guard runs, applied by the portal's HTTP modules to their own
 * routes (so an embedding host need not install anything): cookies parsed (sessions), the request context,
 * and `Cache-Control: no-store`.
 */
export const PORTAL_ROUTE_MIDDLEWARE = [cookieParser(), requestContextMiddleware, noStore];

/** Portal answers are per caller (and often confidential): no shared or browser cache keeps them. */
function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
