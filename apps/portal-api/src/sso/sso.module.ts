import { PORTAL_ROUTE_MIDDLEWARE, requestContextMiddleware } from '../common/request-context.middleware';
import { Module, OnModuleInit, MiddlewareConsumer, NestModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { SignInOptionsService } from '../auth/sign-in-options.service';
import { TenantsModule } from '../tenants/tenants.module';
import { EntraSignInService } from './entra-sign-in.service';
import { IdentityProvidersController } from './identity-providers.controller';
import { IdentityProvidersRepository } from './identity-providers.repository';
import { IdentityProvidersService } from './identity-providers.service';
import { OidcSignInService } from './oidc-sign-in.service';
import { SamlSignInService } from './saml-sign-in.service';
import { SsoController } from './sso.controller';
import { SsoFlowStore } from './sso-flow.store';
import { SsoAbuseControls } from './sso-abuse';
import { SsoFlowsService, UnreadableBody } from './sso-flows.service';
import { SsoHttp } from './sso-http';
import { SsoSignInService } from './sso-sign-in.service';
import { SsoUrls } from './sso-urls';

/**
 * Enterprise SSO per tenant: SAML 2.0, OpenID Connect and Microsoft Entra ID, several providers
 * per tenant, plus the vendor's own providers for staff. Sessions are the auth module's.
 */
@Module({
  imports: [TenantsModule],
  providers: [
    SsoHttp,
    SsoUrls,
    SsoFlowStore,
    IdentityProvidersRepository,
    IdentityProvidersService,
    SamlSignInService,
    OidcSignInService,
    EntraSignInService,
    SsoAbuseControls,
    SsoSignInService,
    SsoFlowsService,
  ],
  exports: [IdentityProvidersService, SsoFlowsService],
})
export class SsoModule implements OnModuleInit {
  constructor(
    private readonly signInOptions: SignInOptionsService,
    private readonly providers: IdentityProvidersService,
  ) {}

  onModuleInit(): void {
    this.signInOptions.register({ providersFor: (tenantId: string) => this.providers.providersFor(tenantId) });
  }
}

/** The ACS address, whatever prefix the portal is mounted under. */
const ACS_PATH = /\/sso\/saml\/([^/]+)\/([^/]+)\/acs\/?$/;

const isUnreadableBody = (e: unknown): e is UnreadableBody =>
  typeof e === 'object' && e !== null && 'type' in e && 'status' in e && typeof e.status === 'number' && e.status >= 400 && e.status < 500;

@Module({ imports: [SsoModule], controllers: [SsoController, IdentityProvidersController] })
export class SsoHttpModule implements NestModule, OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly flows: SsoFlowsService,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(...PORTAL_ROUTE_MIDDLEWARE).forRoutes(SsoController, IdentityProvidersController);
  }

  /**
   * A post to the ACS that the body parser refuses (over its limit, bad charset or encoding) fails before any
   * route runs, so no controller sees it. This error handler, for the ACS address only, sends it where every
   * other refused SAML answer goes: the SSO error page, with a governance event. Everything else passes on to
   * the application's own error handling. Registered after the routes, before Nest's own error handler.
   */
  onModuleInit(): void {
    const app = this.adapterHost?.httpAdapter?.getInstance?.<{ use?: (h: unknown) => void } | undefined>();
    if (typeof app?.use !== 'function') return;
    app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
      const m = req.method === 'POST' ? ACS_PATH.exec(req.path) : null;
      if (!m || res.headersSent || !isUnreadableBody(err)) return next(err);
      let realm: string;
      let idp: string;
      try {
        [realm, idp] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
      } catch {
        return next(err);
      }
      requestContextMiddleware(req, res, () => void this.flows.unreadableAcsPost(req, res, realm, idp, err).catch(next));
    });
  }
}
