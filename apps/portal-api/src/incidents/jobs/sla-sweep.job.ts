import { Injectable, Logger } from '@nestjs/common';
import { ALL_TENANTS, systemActor, TenantContext } from '@portal/tenancy';
import { JobHandler, JobName } from '../../queue/jobs';
import { TaskHandler } from '../../queue/task-handler';
import { IncidentsService } from '../incidents.service';

/**
 * Every minute, beside the per-clock jobs: "a breach is never silent" even for an incident whose check jobs were
 * lost (Redis) or never scheduled (imported). One schedule in Redis, so one worker runs each occurrence; two runs
 * at once would still record and announce a breach once (one row per clock and due instant).
 */
const SWEEP_BATCH = 500;

@Injectable()
@TaskHandler()
export class SlaSweepJob implements JobHandler<JobName.SlaSweep> {
  readonly job = JobName.SlaSweep;
  readonly repeat = { everyMs: 60 * 1000, payload: { tenantId: null } };
  private readonly logger = new Logger('SlaSweep');
  constructor(private readonly incidents: IncidentsService) {}
  async handle(): Promise<void> {
    await this.sweep();
  }

  /**
   * One sweep: batches of 500, oldest due first, until none is left or 45 s have passed (the next run, a minute
   * later, goes on). Returns what it checked and recorded (tests and the bench read it).
   */
  async sweep(budgetMs = 45_000): Promise<{ checked: number; breached: number }> {
    // Finding the incidents due reads every tenant; each is then checked in its own tenant's context.
    const actor = systemActor('sla-sweep', 'SLA sweep', null);
    const started = Date.now();
    const total = { checked: 0, breached: 0 };
    for (;;) {
      const r = await TenantContext.runAs(actor, ALL_TENANTS, () => this.incidents.sweepDueClocks(SWEEP_BATCH));
      total.checked += r.checked;
      total.breached += r.breached;
      if (r.checked < SWEEP_BATCH || Date.now() - started > budgetMs) break;
    }
    if (total.breached) this.logger.warn(total, 'the sweep found breaches no check job had recorded');
    return total;
  }
}
