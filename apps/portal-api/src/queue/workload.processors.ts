import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { connectionIsUp } from './redis-connections';
import { TaskRegistry } from './task-registry';
import { queueNameOf, Workload, workloadPolicy } from './workloads';

/** Dispatches each job of one workload queue to its one handler. Delivery is at least once; handlers are idempotent. */
abstract class WorkloadProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected abstract readonly workload: Workload;
  private readonly logger = new Logger('Worker');

  constructor(
    private readonly registry: TaskRegistry,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = workloadPolicy(this.workload, this.config.queueConcurrency).concurrency;
  }

  /**
   * With Redis away, closing the worker would wait for it without limit: close it by force (its connections are
   * dropped, not quit), so the process exits.
   * A job it was running is not lost: its lock expires and BullMQ hands it to another worker (at least once).
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (!(await connectionIsUp(this.worker.client))) await this.worker.close(true);
  }

  private lastWarnedAt = 0;

  @OnWorkerEvent('error')
  onError(err: Error): void {
    // Once a minute at most: while Redis is away, every reconnection attempt fails.
    if (Date.now() - this.lastWarnedAt < 60_000) return;
    this.lastWarnedAt = Date.now();
    this.logger.warn({ queue: this.workload, err: err.message }, 'queue worker error');
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.logger.warn({ queue: this.workload, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed');
  }

  async process(job: Job): Promise<void> {
    const task = this.registry.get(job.name);
    if (!task) throw new Error(`no handler for ${job.name} on the ${this.workload} queue`);
    await task.run(job.data);
  }
}

@Processor(queueNameOf('clocks'))
export class ClocksProcessor extends WorkloadProcessor {
  protected readonly workload = 'clocks';
}

@Processor(queueNameOf('notifications'))
export class NotificationsProcessor extends WorkloadProcessor {
  protected readonly workload = 'notifications';
}

@Processor(queueNameOf('rendering'))
export class RenderingProcessor extends WorkloadProcessor {
  protected readonly workload = 'rendering';
}

@Processor(queueNameOf('maintenance'))
export class MaintenanceProcessor extends WorkloadProcessor {
  protected readonly workload = 'maintenance';
}

export const WORKLOAD_PROCESSORS = [ClocksProcessor, NotificationsProcessor, RenderingProcessor, MaintenanceProcessor];
