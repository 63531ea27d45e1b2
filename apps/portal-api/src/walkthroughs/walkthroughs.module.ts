import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { PORTAL_ROUTE_MIDDLEWARE } from '../common/request-context.middleware';
import { IncidentsModule } from '../incidents/incidents.module';
import { MailModule } from '../mail/mailer';
import { PirModule } from '../pir/pir.module';
import { WalkthroughInviteJob } from './jobs/walkthrough-invite.job';
import { WalkthroughsController, WorkingHoursController } from './walkthroughs.controller';
import { WalkthroughsRepository } from './walkthroughs.repository';
import { WalkthroughsService } from './walkthroughs.service';

/** CSM walkthroughs of post-incident reviews. Other modules use WalkthroughsService; the repository stays inside. */
@Module({
  imports: [IncidentsModule, PirModule],
  providers: [WalkthroughsRepository, WalkthroughsService],
  exports: [WalkthroughsService],
})
export class WalkthroughsModule {}

@Module({ imports: [WalkthroughsModule], controllers: [WalkthroughsController, WorkingHoursController] })
export class WalkthroughsHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(...PORTAL_ROUTE_MIDDLEWARE).forRoutes(WalkthroughsController, WorkingHoursController);
  }
}

/** The invite mails (notifications queue). */
@Module({ imports: [WalkthroughsModule, MailModule], providers: [WalkthroughInviteJob] })
export class WalkthroughsWorkerModule {}
