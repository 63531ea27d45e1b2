import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobRegistry } from './job-registry';
import { PORTAL_QUEUE } from './jobs';

/** The worker side: dispatches each job to its one handler. Delivery is at least once; handlers are idempotent. */
@Processor(PORTAL_QUEUE)
export class PortalQueueProcessor extends WorkerHost {
  constructor(private readonly registry: JobRegistry) {
    super();
  }
  private readonly logger = new Logger('PortalQueue');

  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.logger.warn({ err: err.message }, 'queue worker error');
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    this.logger.warn({ job: job?.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed');
  }

  async process(job: Job): Promise<void> {
    const handler = this.registry.get(job.name);
    if (!handler) throw new Error(`no handler for job ${job.name}`);
    await handler.handle(job.data);
  }
}
