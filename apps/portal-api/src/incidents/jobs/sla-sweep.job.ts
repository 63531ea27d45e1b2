import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ALL_TENANTS, TenantContext } from '@portal/tenancy';
import { JobHandler, JobName } from '../../queue/jobs';
import { TaskRegistry } from '../../queue/task-registry';
import { IncidentsService } from '../incidents.service';

/**
 * Every minute, beside the per-clock jobs: "a breach is never silent" even for an incident whose check jobs were
 * lost (Redis) or never scheduled (imported). One schedule in Redis, so one worker runs each occurrence; two runs
 * at once would still record and announce a breach once (one row per clock and due instant).
 */
@Injectable()
export class SlaSweepJob implements JobHandler<JobName.SlaSweep>, OnModuleInit {
  readonly job = JobName.SlaSweep;
  readonly repeat = { everyMs: 60 * 1000, payload: { tenantId: null } };
  private readonly logger = new Logger('SlaSweep');
  constructor(
    private readonly incidents: IncidentsService,
    private readonly registry: TaskRegistry,
  ) {}
  onModuleInit(): void {
    this.registry.registerJob(this);
  }
  async handle(): Promise<void> {
    await this.sweep();
  }

  /** One sweep; returns what it checked and recorded (tests and the bench read it). */
  async sweep(): Promise<{ checked: number; breached: number }> {
    // Finding the incidents due reads every tenant; each is then checked in its own tenant's context.
    const actor = { kind: 'system' as const, id: 'sla-sweep', label: 'SLA sweep', role: 'system', homeTenantId: null };
    const r = await TenantContext.runAs(actor, ALL_TENANTS, () => this.incidents.sweepDueClocks());
    if (r.breached) this.logger.warn(r, 'the sweep found breaches no check job had recorded');
    return r;
  }
}
