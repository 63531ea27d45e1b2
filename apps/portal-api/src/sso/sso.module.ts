import { PORTAL_ROUTE_MIDDLEWARE } from '../common/request-context.middleware';
import { Module, OnModuleInit, MiddlewareConsumer, NestModule } from '@nestjs/common';
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
import { SsoFlowsService } from './sso-flows.service';
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

@Module({ imports: [SsoModule], controllers: [SsoController, IdentityProvidersController] })
export class SsoHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(...PORTAL_ROUTE_MIDDLEWARE).forRoutes(SsoController, IdentityProvidersController);
  }
}
