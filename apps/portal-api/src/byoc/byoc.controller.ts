import { Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ALL_ROLES, PortalController, Roles } from '../auth/auth.decorators';
import { UuidOr404Pipe } from '../common/uuid-param.pipe';
import { NoBody } from '../common/zod-body.pipe';
import { EVIDENCE_DOWNLOADERS, EVIDENCE_UPLOADERS } from '../evidence/evidence-policy';
import { ByocService } from './byoc.service';

@ApiTags('byoc')
@ApiBearerAuth()
@PortalController('api/v1')
export class ByocController {
  constructor(private readonly byoc: ByocService) {}

  /**
   * Where to send a new file for this incident: `via: portal` (the attachments route), or `via: data_plane` with a
   * grant (at most 5 minutes, one new attachment) when the tenant keeps its evidence in its own data plane (BYOC).
   */
  @Roles(...EVIDENCE_UPLOADERS)
  @Post('incidents/:id/attachments/upload-grants')
  upload(@Param('id', new UuidOr404Pipe('incident')) id: string, @NoBody() _body: unknown) {
    return this.byoc.uploadTarget(id);
  }

  /** Where to fetch this attachment: the portal's download URL, or the tenant's data plane with a grant for this one file. */
  @Roles(...EVIDENCE_DOWNLOADERS)
  @Post('incidents/:id/attachments/:attachmentId/download-grants')
  download(
    @Param('id', new UuidOr404Pipe('incident')) id: string,
    @Param('attachmentId', new UuidOr404Pipe('attachment')) attachmentId: string,
    @NoBody() _body: unknown,
  ) {
    return this.byoc.downloadTarget(id, attachmentId);
  }

  /** Data-plane health of each Mode C tenant the caller may see (signal 2 when failing or silent). */
  @Roles(...ALL_ROLES)
  @Get('data-planes')
  health() {
    return this.byoc.health();
  }
}
