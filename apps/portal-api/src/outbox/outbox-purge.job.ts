import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { JobHandler, JobName } from '../queue/jobs';
import { TaskHandler } from '../queue/task-handler';
import { OutboxRelayService } from './outbox-relay.service';

/** Hourly: relayed outbox rows older than OUTBOX_RETENTION_HOURS are deleted (their jobs live in Redis). */
@Injectable()
@TaskHandler()
export class OutboxPurgeJob implements JobHandler<JobName.OutboxPurge> {
  readonly job = JobName.OutboxPurge;
  readonly repeat = { everyMs: 60 * 60 * 1000, payload: { tenantId: null } };
  private readonly logger = new Logger('OutboxPurge');
  constructor(
    private readonly relay: OutboxRelayService,
    private readonly clock: Clock,
  ) {}
  async handle(): Promise<void> {
    const deleted = await this.relay.purgeRelayed(this.clock.now());
    if (deleted) this.logger.log({ deleted }, 'relayed outbox rows purged');
  }
}
