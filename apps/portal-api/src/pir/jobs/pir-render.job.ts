import { Injectable } from '@nestjs/common';
import { PirPdfRenderer } from '@portal/pir-pdf';
import { systemActor, TenantContext } from '@portal/tenancy';
import { JobHandler, JobName, JobPayload } from '../../queue/jobs';
import { TaskHandler } from '../../queue/task-handler';
import { PirService } from '../pir.service';

/**
 * Renders a published review's PDF on the rendering queue (one at a time per worker, retried with backoff: a
 * Chromium crash fails this attempt, the renderer starts a new browser, the retry renders).
 */
@Injectable()
@TaskHandler()
export class PirRenderJob implements JobHandler<JobName.PirRender> {
  readonly job = JobName.PirRender;
  constructor(
    private readonly pirs: PirService,
    private readonly renderer: PirPdfRenderer,
  ) {}
  async handle(payload: JobPayload<JobName.PirRender>): Promise<void> {
    const actor = systemActor('pir-render', 'PIR renderer', payload.tenantId);
    await TenantContext.runAs(actor, [payload.tenantId], () => this.pirs.renderPdf(payload.pirId, this.renderer));
  }
}
