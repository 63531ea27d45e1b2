import { PORTAL_ROUTE_MIDDLEWARE } from '../common/request-context.middleware';
import { Module, MiddlewareConsumer, NestModule } from '@nestjs/common';
import { GovernanceController } from './governance.controller';

/** The tenant's audit trail over HTTP (GovernanceService itself is a platform service, in CoreModule). */
@Module({ controllers: [GovernanceController] })
export class GovernanceHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(...PORTAL_ROUTE_MIDDLEWARE).forRoutes(GovernanceController);
  }
}
