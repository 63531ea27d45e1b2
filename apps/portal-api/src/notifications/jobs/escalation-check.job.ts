import { Injectable, OnModuleInit } from '@nestjs/common';
import { TenantContext } from '@portal/tenancy';
import { JobHandler, JobName, JobPayload } from '../../queue/jobs';
import { TaskRegistry } from '../../queue/task-registry';
import { NotificationsService } from '../notifications.service';

/** At a step of the escalation ladder: escalates once if the incident is still unacknowledged / open. */
@Injectable()
export class EscalationCheckJob implements JobHandler<JobName.EscalationCheck>, OnModuleInit {
  readonly job = JobName.EscalationCheck;
  constructor(
    private readonly notifications: NotificationsService,
    private readonly registry: TaskRegistry,
  ) {}
  onModuleInit(): void {
    this.registry.registerJob(this);
  }
  async handle(payload: JobPayload<JobName.EscalationCheck>): Promise<void> {
    const actor = { kind: 'system' as const, id: 'escalation', label: 'Escalation ladder', role: 'system', homeTenantId: payload.tenantId };
    await TenantContext.runAs(actor, [payload.tenantId], () => this.notifications.escalate(payload));
  }
}
