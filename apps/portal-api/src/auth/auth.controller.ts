import { Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { TENANT_SLUG } from '@portal/contracts';
import { Forbidden } from '../common/domain-errors';
import { safeEqual } from '../common/tokens';
import { NoBody } from '../common/zod-body.pipe';
import { PortalController, Public } from './auth.decorators';
import { SessionService } from './session.service';
import { SignInOptionsService } from './sign-in-options.service';
import { Db } from '../database/db.service';
import { DomainEvents } from '../events/domain-events.service';

@ApiTags('auth')
@PortalController('auth')
export class AuthController {
  constructor(
    private readonly sessions: SessionService,
    private readonly options: SignInOptionsService,
    private readonly db: Db,
    private readonly events: DomainEvents,
  ) {}

  /** The sign-in page's options for a tenant: its name and the ways to sign in. */
  @Public()
  @Get('tenants/:slug')
  signInOptions(@Param('slug') slug: string) {
    return this.options.forTenant(TENANT_SLUG.safeParse(slug).success ? slug : '');
  }

  @Public()
  @Post('logout')
  @HttpCode(200)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response, @NoBody() _body: unknown) {
    const p = req.principal;
    // A cross-site form cannot sign a user out: a live session must send its CSRF token, like any change.
    if (p?.via === 'session' && !(p.csrfToken && safeEqual(req.header('x-csrf-token') ?? '', p.csrfToken))) {
      throw new Forbidden('missing or wrong x-csrf-token header for a cookie-authenticated change');
    }
    const ended = await this.sessions.end(req, res);
    if (ended && p) {
      await this.db.forTenants(Array.isArray(p.tenantIds) && p.tenantIds.length === 1 ? p.tenantIds : [], (em) =>
        this.events.emit(em, { tenantId: p.actor.homeTenantId, type: 'auth.sign_out', subjectType: p.actor.kind, subjectId: p.actor.id, payload: {} }),
      );
    }
    return { signedOut: true };
  }
}
