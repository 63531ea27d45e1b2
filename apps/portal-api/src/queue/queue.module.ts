import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import type { PortalConfig } from '../config/portal-config';
import { OutboxRelayService } from '../outbox/outbox-relay.service';
import { PORTAL_QUEUE } from './jobs';
import { PortalQueueProcessor } from './portal-queue.processor';
import { redisOptions } from './redis-options';

/** BullMQ on Redis. The worker runs in roles 'all' and 'worker'; the outbox relay in 'all' and 'api'. */
@Global()
@Module({})
export class QueueModule {
  static forRoot(config: PortalConfig): DynamicModule {
    const base = redisOptions(config.redisUrl);
    const worker = config.role === 'all' || config.role === 'worker';
    return {
      module: QueueModule,
      imports: [
        BullModule.forRoot({ prefix: config.queuePrefix, connection: { ...base, maxRetriesPerRequest: null } }),
        // The producer fails fast while Redis is down; the outbox keeps the job until it is back.
        BullModule.registerQueue({ name: PORTAL_QUEUE, connection: { ...base, enableOfflineQueue: false, maxRetriesPerRequest: null } }),
      ],
      providers: [OutboxRelayService, ...(worker ? [PortalQueueProcessor] : [])],
      exports: [BullModule, OutboxRelayService],
    };
  }
}
