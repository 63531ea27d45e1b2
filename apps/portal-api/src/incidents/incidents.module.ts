import { PORTAL_ROUTE_MIDDLEWARE } from '../common/request-context.middleware';
import { Module, MiddlewareConsumer, NestModule } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { IncidentsController } from './incidents.controller';
import { IncidentsRepository } from './incidents.repository';
import { IncidentsService } from './incidents.service';
import { SlaCheckJob } from './jobs/sla-check.job';
import { SlaSweepJob } from './jobs/sla-sweep.job';
import { SlaClocksSubscriber } from './subscribers/sla-clocks.subscriber';

/** Incidents and their SLA clocks. Other modules use IncidentsService; the repository stays inside. */
@Module({
  imports: [TenantsModule],
  providers: [IncidentsRepository, IncidentsService],
  exports: [IncidentsService],
})
export class IncidentsModule {}

@Module({ imports: [IncidentsModule], controllers: [IncidentsController] })
export class IncidentsHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(...PORTAL_ROUTE_MIDDLEWARE).forRoutes(IncidentsController);
  }
}

/** The clocks: scheduling checks when an incident changes (a domain-event subscriber), running them, and the sweep. */
@Module({ imports: [IncidentsModule], providers: [SlaClocksSubscriber, SlaCheckJob, SlaSweepJob] })
export class IncidentsWorkerModule {}
