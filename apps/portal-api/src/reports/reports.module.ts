import { Module, MiddlewareConsumer, NestModule } from '@nestjs/common';
import { PORTAL_ROUTE_MIDDLEWARE } from '../common/request-context.middleware';
import { IncidentsModule } from '../incidents/incidents.module';
import { TenantsModule } from '../tenants/tenants.module';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/** SLA reports: computed from the incidents (IncidentsService) by the pure report in libs/sla; no tables of their own. */
@Module({ imports: [IncidentsModule, TenantsModule], providers: [ReportsService], exports: [ReportsService] })
export class ReportsModule {}

@Module({ imports: [ReportsModule], controllers: [ReportsController] })
export class ReportsHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(...PORTAL_ROUTE_MIDDLEWARE).forRoutes(ReportsController);
  }
}
