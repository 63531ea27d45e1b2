import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { JobHandler, JobName } from '../queue/jobs';
import { TaskHandler } from '../queue/task-handler';
import { SessionService } from './session.service';

/** Hourly: sessions over with for SESSION_RETENTION_DAYS are deleted (sign-ins stay in the audit trail). */
@Injectable()
@TaskHandler()
export class SessionPurgeJob implements JobHandler<JobName.SessionPurge> {
  readonly job = JobName.SessionPurge;
  readonly repeat = { everyMs: 60 * 60 * 1000, payload: { tenantId: null } };
  private readonly logger = new Logger('SessionPurge');
  constructor(
    private readonly sessions: SessionService,
    private readonly clock: Clock,
  ) {}
  async handle(): Promise<void> {
    const deleted = await this.sessions.purgeOld(this.clock.now());
    if (deleted) this.logger.log({ deleted }, 'old sessions purged');
  }
}
