import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { IncidentsController } from './incidents.controller';
import { IncidentsRepository } from './incidents.repository';
import { IncidentsService } from './incidents.service';
import { SlaCheckJob } from './jobs/sla-check.job';

@Module({
  imports: [TenantsModule],
  controllers: [IncidentsController],
  providers: [IncidentsRepository, IncidentsService, SlaCheckJob],
  exports: [IncidentsService],
})
export class IncidentsModule {}
