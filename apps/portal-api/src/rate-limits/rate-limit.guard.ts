import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { RateLimitPolicy, RateLimits } from './rate-limits';

export const RATE_LIMIT_KEY = 'portal:rate-limit';

/** The route's own limit, besides the per-address request limit every portal route has. */
export const RateLimit = (policy: RateLimitPolicy) => SetMetadata(RATE_LIMIT_KEY, policy);

/**
 * Runs before authentication: the per-address request budget, and the route's per-address limit
 * (sign-ins). Per-tenant limits (declarations, uploads) need the caller and run after the auth guard.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimits,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http' || !this.limits.enabled) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const ip = req.ip ?? 'unknown';
    await this.limits.consume('request:ip', ip);
    const policy = this.reflector.getAllAndOverride<RateLimitPolicy | undefined>(RATE_LIMIT_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (policy?.endsWith(':ip')) await this.limits.consume(policy, ip);
    return true;
  }
}

/** After authentication: the route's per-tenant limit (the caller's home tenant) or per-account limit (the caller). */
@Injectable()
export class TenantRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimits,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http' || !this.limits.enabled) return true;
    const policy = this.reflector.getAllAndOverride<RateLimitPolicy | undefined>(RATE_LIMIT_KEY, [ctx.getHandler(), ctx.getClass()]);
    const actor = ctx.switchToHttp().getRequest<Request>().principal?.actor;
    if (!actor) return true;
    if (policy?.endsWith(':principal')) await this.limits.consume(policy, `${actor.kind}:${actor.id}`);
    else if (policy?.endsWith(':tenant') && actor.homeTenantId) await this.limits.consume(policy, actor.homeTenantId);
    return true;
  }
}
