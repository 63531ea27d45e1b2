import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Role } from '@portal/contracts';
import { TenantContext } from '@portal/tenancy';
import { Forbidden, Unauthenticated } from '../common/domain-errors';
import { safeEqual } from '../common/tokens';
import { PUBLIC_KEY, ROLES_KEY } from './route-access';
import { RateLimits } from '../rate-limits/rate-limits';
import { PrincipalService } from './principal.service';
import { SESSION_COOKIE } from './session.service';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Deny by default: a route is reachable only when it is marked @Public() or names its @Roles().
 * Resolves the caller, checks CSRF for cookie sessions, checks the role, and enters the tenant scope.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly principals: PrincipalService,
    private readonly limits: RateLimits,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const req = ctx.switchToHttp().getRequest<Request>();
    if (isPublic) {
      // Public routes still learn who is calling when they can (sign-out, /me-like pages).
      const p = await this.principals.resolve(req).catch(() => null);
      if (p) {
        req.principal = p;
        TenantContext.enter(p.actor, p.tenantIds);
      }
      return true;
    }
    if (!roles || roles.length === 0) throw new Forbidden('this route has no access rule; it is closed');
    // Credentials that fail count against the address; once spent, they are not even tried (no token guessing).
    const presented = !!req.header('authorization') || typeof req.cookies?.[SESSION_COOKIE] === 'string';
    const ip = req.ip ?? 'unknown';
    if (presented) await this.limits.assertNotSpent('auth-failure:ip', ip);
    const principal = await this.principals.resolve(req).catch(async (err: unknown) => {
      if (presented) await this.limits.penalize('auth-failure:ip', ip);
      throw err;
    });
    if (!principal && presented) await this.limits.penalize('auth-failure:ip', ip);
    if (!principal) throw new Unauthenticated('sign in first, or send an API token as "Authorization: Bearer <token>"');
    if (principal.via === 'session' && !SAFE_METHODS.has(req.method)) {
      const sent = req.header('x-csrf-token') ?? '';
      if (!principal.csrfToken || !safeEqual(sent, principal.csrfToken)) {
        throw new Forbidden('missing or wrong x-csrf-token header for a cookie-authenticated change');
      }
    }
    if (!roles.includes(principal.actor.role as Role)) {
      throw new Forbidden(`this action needs the role ${roles.join(' or ')}; you are ${principal.actor.role}`);
    }
    req.principal = principal;
    TenantContext.enter(principal.actor, principal.tenantIds);
    return true;
  }
}
