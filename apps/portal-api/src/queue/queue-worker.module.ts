import { BullModule } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { OutboxPurgeJob } from '../outbox/outbox-purge.job';
import { OutboxRelayService } from '../outbox/outbox-relay.service';
import { RedisConnections } from './redis-connections';
import { TaskRegistry } from './task-registry';
import { WORKLOAD_PROCESSORS } from './workload.processors';
import { WorkloadQueues } from './workload-queues';
import { queueNameOf, WORKLOADS } from './workloads';

/** Start-up of a worker: every job and subscriber has its handler; repeatable jobs have their schedule in Redis. */
@Injectable()
export class WorkerStartup implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private retry: NodeJS.Timeout | null = null;
  constructor(
    private readonly registry: TaskRegistry,
    private readonly queues: WorkloadQueues,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.registry.verify();
    // Tests run repeatable jobs by hand with a manual clock.
    if (this.config.env !== 'test') void this.schedule();
  }

  onApplicationShutdown(): void {
    if (this.retry) clearTimeout(this.retry);
  }

  /** Idempotent: every worker may call it; Redis keeps one scheduler per job. */
  async schedule(): Promise<void> {
    try {
      for (const task of this.registry.repeatable()) {
        await this.queues.get(task.workload).upsertJobScheduler(
          task.topic,
          { every: task.repeat!.everyMs },
          {
            name: task.topic,
            data: task.repeat!.payload,
            opts: { removeOnComplete: 100, removeOnFail: 500, attempts: 3, backoff: { type: 'exponential', delay: 60_000 } },
          },
        );
      }
    } catch {
      this.logger.warn('Redis unavailable: repeatable jobs are not scheduled yet; retrying in a minute');
      this.retry = setTimeout(() => void this.schedule(), 60_000);
      this.retry.unref();
    }
  }
}

/**
 * The worker side of the queues: the four workload queues and their processors, the one outbox relay,
 * and the outbox purge. Only worker compositions (roles `worker` and `all`) import it.
 */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [RedisConnections, PORTAL_CONFIG],
      useFactory: (r: RedisConnections, config: PortalConfig) => ({ prefix: config.queuePrefix, connection: r.bullmq() }),
    }),
    ...WORKLOADS.map((w) =>
      BullModule.registerQueueAsync({ name: queueNameOf(w), inject: [RedisConnections], useFactory: (r: RedisConnections) => ({ connection: r.bullmq() }) }),
    ),
  ],
  providers: [WorkloadQueues, OutboxRelayService, OutboxPurgeJob, WorkerStartup, ...WORKLOAD_PROCESSORS],
  exports: [WorkloadQueues, OutboxRelayService],
})
export class QueueWorkerModule {}
