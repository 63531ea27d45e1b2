import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TenantsModule } from '../tenants/tenants.module';
import { ApiTokensController } from './api-tokens.controller';
import { ApiTokensRepository } from './api-tokens.repository';
import { ApiTokensService } from './api-tokens.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { DevLoginController } from './dev-login.controller';
import { PrincipalService } from './principal.service';
import { SessionService } from './session.service';
import { SessionsRepository } from './sessions.repository';
import { SignInOptionsService } from './sign-in-options.service';
import { UsersRepository } from './users.repository';

@Module({})
export class AuthModule {
  /** The development sign-in route exists only when enabled. */
  static forRoot(opts: { devLogin: boolean }): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [TenantsModule],
      controllers: [AuthController, ApiTokensController, ...(opts.devLogin ? [DevLoginController] : [])],
      providers: [
        ApiTokensRepository,
        ApiTokensService,
        PrincipalService,
        SessionService,
        SessionsRepository,
        SignInOptionsService,
        UsersRepository,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [ApiTokensService, SessionService, SignInOptionsService, UsersRepository, PrincipalService],
    };
  }
}
