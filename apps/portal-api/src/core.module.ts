import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './common/clock';
import { Db } from './database/db.service';
import { GovernanceService } from './governance/governance.service';
import { OutboxService } from './outbox/outbox.service';
import { JobRegistry } from './queue/job-registry';

/** Platform services every domain module uses. */
@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, Db, GovernanceService, OutboxService, JobRegistry],
  exports: [Clock, Db, GovernanceService, OutboxService, JobRegistry],
})
export class CoreModule {}
