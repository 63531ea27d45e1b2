import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { PORTAL_ROUTE_MIDDLEWARE } from '../common/request-context.middleware';
import { TenantsModule } from '../tenants/tenants.module';
import { Accounts } from './accounts.service';
import { ApiTokensController } from './api-tokens.controller';
import { ApiTokensRepository } from './api-tokens.repository';
import { ApiTokensService } from './api-tokens.service';
import { AuthController } from './auth.controller';
import { DevLoginController } from './dev-login.controller';
import { PrincipalService } from './principal.service';
import { PrincipalCache } from './principal-cache';
import { SessionPurgeJob } from './session-purge.job';
import { SessionService } from './session.service';
import { SessionsRepository } from './sessions.repository';
import { SignInOptionsService } from './sign-in-options.service';
import { UsersRepository } from './users.repository';

/**
 * Who is calling: API tokens, sessions, users and staff. Global so that the guard every portal controller
 * carries (PortalController) can resolve PrincipalService in any portal module.
 */
@Global()
@Module({
  imports: [TenantsModule],
  providers: [
    ApiTokensRepository,
    ApiTokensService,
    PrincipalCache,
    PrincipalService,
    SessionService,
    SessionsRepository,
    SignInOptionsService,
    UsersRepository,
    Accounts,
  ],
  exports: [ApiTokensService, SessionService, SignInOptionsService, PrincipalService, Accounts],
})
export class AuthModule {}

@Module({})
export class AuthHttpModule implements NestModule {
  /** The development sign-in route exists only when enabled. */
  static forRoot(opts: { devLogin: boolean }): DynamicModule {
    return {
      module: AuthHttpModule,
      imports: [TenantsModule],
      controllers: [AuthController, ApiTokensController, ...(opts.devLogin ? [DevLoginController] : [])],
    };
  }
  configure(consumer: MiddlewareConsumer): void {
    // DevLoginController is listed even when absent: a path without a route never reaches the middleware.
    consumer.apply(...PORTAL_ROUTE_MIDDLEWARE).forRoutes(AuthController, ApiTokensController, DevLoginController);
  }
}

@Module({ providers: [SessionPurgeJob] })
export class AuthWorkerModule {}
