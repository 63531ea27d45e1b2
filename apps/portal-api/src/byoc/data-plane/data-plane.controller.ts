import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, StreamableFile, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { Public } from '../../auth/route-access';
import { ApiExceptionFilter } from '../../common/api-exception.filter';
import { UuidOr404Pipe } from '../../common/uuid-param.pipe';
import { contentDisposition } from '../../evidence/upload/file-name';
import { DataPlaneEvidence } from './data-plane-evidence';

const bearer = (req: Request) => {
  const m = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '');
  return m ? m[1] : null;
};

/**
 * The data plane's evidence routes, reached by the customer's browser with a grant from the control plane (no
 * session, no cookie: the grant is the whole credential, so any origin may call them).
 */
@ApiTags('data-plane')
@UseFilters(ApiExceptionFilter)
@Controller('data-plane/v1/evidence')
export class DataPlaneController {
  constructor(private readonly evidence: DataPlaneEvidence) {}

  /** Multipart form like the portal's upload ("kind" first, then "file"), with `Authorization: Bearer <grant>`. */
  @Public()
  @Post(':attachmentId')
  @HttpCode(201)
  upload(@Param('attachmentId', new UuidOr404Pipe('attachment')) attachmentId: string, @Req() req: Request) {
    return this.evidence.upload(attachmentId, bearer(req), req);
  }

  /** `?grant=<grant>` (a link the browser opens) or `Authorization: Bearer <grant>`. */
  @Public()
  @Get(':attachmentId')
  async download(
    @Param('attachmentId', new UuidOr404Pipe('attachment')) attachmentId: string,
    @Query('grant') grant: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const d = await this.evidence.download(attachmentId, bearer(req) ?? (typeof grant === 'string' ? grant : null));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Repr-Digest', `sha-256=:${Buffer.from(d.sha256, 'hex').toString('base64')}:`);
    return new StreamableFile(d.stream, { type: d.contentType, length: d.size, disposition: contentDisposition(d.filename) });
  }
}

/** CORS for the grant routes: the portal's web app (another origin) calls them; no credentials are involved. */
export function dataPlaneCors(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  res.setHeader('Access-Control-Max-Age', '600');
  res.setHeader('Cache-Control', 'no-store');
  if (req.method === 'OPTIONS') {
    res.status(204).end();
    return;
  }
  next();
}
