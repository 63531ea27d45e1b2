import { Delete, Get, HttpCode, Param, Post, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ALL_ROLES, PortalController, Roles } from '../auth/auth.decorators';
import { UnsupportedMediaType } from '../common/domain-errors';
import { UuidOr404Pipe } from '../common/uuid-param.pipe';
import { MultipartBody, NoBody } from '../common/zod-body.pipe';
import { RateLimit } from '../rate-limits/rate-limit.guard';
import { EVIDENCE_DELETERS, EVIDENCE_DOWNLOADERS, EVIDENCE_KINDS, EVIDENCE_UPLOADERS } from './evidence-policy';
import { EvidenceService } from './evidence.service';
import { contentDisposition } from './upload/file-name';

const IncidentId = () => Param('id', new UuidOr404Pipe('incident'));
const AttachmentId = () => Param('attachmentId', new UuidOr404Pipe('attachment'));

@ApiTags('evidence')
@ApiBearerAuth()
@PortalController('api/v1/incidents/:id/attachments')
export class EvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  @Roles(...EVIDENCE_UPLOADERS)
  @RateLimit('upload:tenant')
  @MultipartBody()
  @Post()
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description:
      'The "kind" field first, then one file part named "file". HAR (.har, .har.gz) is sanitized while it streams; only the sanitized copy is stored. ' +
      'Refusals name their rule in "error": 400 (not_json, not_har, truncated, empty, ...), 413 (file_too_large, inflated_too_large, ...), 415 (wrong_content_type, ...).',
    schema: {
      type: 'object',
      required: ['kind', 'file'],
      properties: { kind: { type: 'string', enum: [...EVIDENCE_KINDS] }, file: { type: 'string', format: 'binary' } },
    },
  })
  upload(@IncidentId() id: string, @Req() req: Request) {
    // The multipart stream is read as sent: a compressed request body is refused, not misread as a broken form
    // (a gzipped HAR goes inside the form as a .har.gz file part).
    const encoding = req.header('content-encoding');
    if (encoding && !/^\s*identity\s*$/i.test(encoding)) {
      throw new UnsupportedMediaType(
        `Content-Encoding "${encoding.slice(0, 40)}" is not accepted on uploads; send the form uncompressed (a .har.gz file part is fine)`,
        [{ field: 'content-encoding', message: 'must be absent or identity for multipart uploads' }],
      );
    }
    return this.evidence.upload(id, req);
  }

  @Roles(...ALL_ROLES)
  @Get()
  list(@IncidentId() id: string) {
    return this.evidence.list(id);
  }

  @Roles(...EVIDENCE_DOWNLOADERS)
  @Get(':attachmentId/download')
  @ApiProduces('application/octet-stream')
  async download(@IncidentId() id: string, @AttachmentId() attachmentId: string, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    const d = await this.evidence.download(id, attachmentId);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Repr-Digest', `sha-256=:${Buffer.from(d.sha256, 'hex').toString('base64')}:`);
    return new StreamableFile(d.stream, { type: d.contentType, length: d.size, disposition: contentDisposition(d.filename) });
  }

  @Roles(...EVIDENCE_DELETERS)
  @Delete(':attachmentId')
  @HttpCode(204)
  async remove(@IncidentId() id: string, @AttachmentId() attachmentId: string, @NoBody() _body: unknown): Promise<void> {
    await this.evidence.remove(id, attachmentId);
  }
}
