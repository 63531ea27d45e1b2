import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Clock, SystemClock } from './common/clock';
import { Db } from './database/db.service';
import { DomainEvents } from './events/domain-events.service';
import { GovernanceService } from './governance/governance.service';
import { OutboxService } from './outbox/outbox.service';
import { RedisConnections } from './queue/redis-connections';
import { TaskRegistry } from './queue/task-registry';
import { RateLimits } from './rate-limits/rate-limits';

/** Platform services every domain module uses (portal-internal tokens only; nothing here touches a host's routes). */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [{ provide: Clock, useClass: SystemClock }, Db, GovernanceService, OutboxService, DomainEvents, TaskRegistry, RedisConnections, RateLimits],
  exports: [Clock, Db, GovernanceService, OutboxService, DomainEvents, TaskRegistry, RedisConnections, RateLimits],
})
export class CoreModule {}
