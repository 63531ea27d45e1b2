import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { PORTAL_ROUTE_MIDDLEWARE } from '../common/request-context.middleware';
import { EgressModule } from '../egress/guarded-http';
import { IncidentsModule } from '../incidents/incidents.module';
import { MailModule } from '../mail/mailer';
import { StatusConfirmMailJob, StatusDeliverJob, StatusFanoutJob } from './jobs';
import { StatusDelivery } from './status-delivery';
import { StatusFeedsController, StatusPagePublicController, StatusPageStaffController } from './status-page.controller';
import { StatusPageRepository } from './status-page.repository';
import { StatusPageService } from './status-page.service';

/** The vendor's public status page and its subscriptions. Other modules use StatusPageService. */
@Module({
  imports: [IncidentsModule, EgressModule],
  providers: [StatusPageRepository, StatusPageService],
  exports: [StatusPageService],
})
export class StatusPageModule {}

@Module({ imports: [StatusPageModule], controllers: [StatusFeedsController, StatusPagePublicController, StatusPageStaffController] })
export class StatusPageHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(...PORTAL_ROUTE_MIDDLEWARE).forRoutes(StatusFeedsController, StatusPagePublicController, StatusPageStaffController);
  }
}

/** Confirmation mails, fan-out and deliveries (notifications queue). */
@Module({ imports: [StatusPageModule, EgressModule, MailModule], providers: [StatusDelivery, StatusConfirmMailJob, StatusFanoutJob, StatusDeliverJob] })
export class StatusPageWorkerModule {}
