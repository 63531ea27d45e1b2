import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { JobHandler, JobName } from '../queue/jobs';
import { TaskRegistry } from '../queue/task-registry';
import { OutboxRelayService } from './outbox-relay.service';

/** Hourly: relayed outbox rows older than OUTBOX_RETENTION_HOURS are deleted (their jobs live in Redis). */
@Injectable()
export class OutboxPurgeJob implements JobHandler<JobName.OutboxPurge>, OnModuleInit {
  readonly job = JobName.OutboxPurge;
  readonly repeat = { everyMs: 60 * 60 * 1000, payload: { tenantId: null } };
  private readonly logger = new Logger('OutboxPurge');
  constructor(
    private readonly relay: OutboxRelayService,
    private readonly clock: Clock,
    private readonly registry: TaskRegistry,
  ) {}
  onModuleInit(): void {
    this.registry.registerJob(this);
  }
  async handle(): Promise<void> {
    const deleted = await this.relay.purgeRelayed(this.clock.now());
    if (deleted) this.logger.log({ deleted }, 'relayed outbox rows purged');
  }
}
