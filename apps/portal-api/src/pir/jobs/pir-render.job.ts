import { Injectable, OnModuleInit } from '@nestjs/common';
import { PirPdfRenderer } from '@portal/pir-pdf';
import { TenantContext } from '@portal/tenancy';
import { JobHandler, JobName, JobPayload } from '../../queue/jobs';
import { TaskRegistry } from '../../queue/task-registry';
import { PirService } from '../pir.service';

/**
 * Renders a published review's PDF on the rendering queue (one at a time per worker, retried with backoff: a
 * Chromium crash fails this attempt, the renderer starts a new browser, the retry renders).
 */
@Injectable()
export class PirRenderJob implements JobHandler<JobName.PirRender>, OnModuleInit {
  readonly job = JobName.PirRender;
  constructor(
    private readonly pirs: PirService,
    private readonly renderer: PirPdfRenderer,
    private readonly registry: TaskRegistry,
  ) {}
  onModuleInit(): void {
    this.registry.registerJob(this);
  }
  async handle(payload: JobPayload<JobName.PirRender>): Promise<void> {
    const actor = { kind: 'system' as const, id: 'pir-render', label: 'PIR renderer', role: 'system', homeTenantId: payload.tenantId };
    await TenantContext.runAs(actor, [payload.tenantId], () => this.pirs.renderPdf(payload.pirId, this.renderer));
  }
}
