import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { PORTAL_ROUTE_MIDDLEWARE } from '../common/request-context.middleware';
import { MailModule } from '../mail/mailer';
import { SsoModule } from '../sso/sso.module';
import { CredentialHealthSweepJob } from './credential-health-sweep.job';
import { CredentialHealthController } from './credential-health.controller';
import { CredentialHealthRepository } from './credential-health.repository';
import { CredentialHealthService } from './credential-health.service';

/** The credential-health digest (issue 14 part B). */
@Module({
  imports: [SsoModule, AuthModule, MailModule],
  providers: [CredentialHealthRepository, CredentialHealthService],
  exports: [CredentialHealthService],
})
export class CredentialHealthModule {}

@Module({ imports: [CredentialHealthModule], controllers: [CredentialHealthController] })
export class CredentialHealthHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(...PORTAL_ROUTE_MIDDLEWARE).forRoutes(CredentialHealthController);
  }
}

@Module({ imports: [CredentialHealthModule], providers: [CredentialHealthSweepJob] })
export class CredentialHealthWorkerModule {}
