import { applyDecorators, Controller, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExceptionFilter } from '../common/api-exception.filter';
import { ApiErrorResponses } from '../common/zod-body.pipe';
import { RateLimitGuard, TenantRateLimitGuard } from '../rate-limits/rate-limit.guard';
import { AuthGuard } from './auth.guard';

export { ALL_ROLES, Public, PUBLIC_KEY, Roles, ROLES_KEY } from './route-access';

/**
 * Every portal controller: rate limits, the deny-by-default guard and the portal's error mapping are bound to the
 * controller, not installed globally, so a host application embedding the portal keeps its own.
 */
export const PortalController = (path: string) =>
  applyDecorators(Controller(path), UseGuards(RateLimitGuard, AuthGuard, TenantRateLimitGuard), UseFilters(ApiExceptionFilter), ApiErrorResponses());
