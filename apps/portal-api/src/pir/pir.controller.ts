import { Get, HttpCode, Param, Patch, Post, Put, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  searchPirsQuerySchema,
  type SearchPirsQuery,
  pirTransitionSchema,
  updateActionItemSchema,
  updatePirSchema,
  type PirTransitionInput,
  type UpdateActionItemInput,
  type UpdatePirInput,
} from '@portal/contracts';
import type { Response } from 'express';
import { ALL_ROLES, PortalController, Roles } from '../auth/auth.decorators';
import { UuidOr404Pipe } from '../common/uuid-param.pipe';
import { API_ERROR_SCHEMA, NoBody, ZodBody, ZodQuery } from '../common/zod-body.pipe';
import { PirService } from './pir.service';

const IncidentId = () => Param('id', new UuidOr404Pipe('incident'));
const ItemId = () => Param('itemId', new UuidOr404Pipe('action item'));

/** A review of one incident: read by every role that sees the incident (tenant users once published), written by support. */
@ApiTags('post-incident reviews')
@ApiBearerAuth()
@ApiConflictResponse({ description: 'the review is not in a state that allows this, or was changed meanwhile', schema: API_ERROR_SCHEMA })
@PortalController('api/v1/incidents/:id')
export class PirController {
  constructor(private readonly pirs: PirService) {}

  @Roles(...ALL_ROLES)
  @Get('pir')
  get(@IncidentId() id: string) {
    return this.pirs.get(id);
  }

  @Roles('support_engineer')
  @Post('pir')
  create(@IncidentId() id: string, @NoBody() _body: unknown) {
    return this.pirs.create(id);
  }

  @Roles('support_engineer')
  @Put('pir')
  update(@IncidentId() id: string, @ZodBody(updatePirSchema, 'UpdatePir') body: UpdatePirInput) {
    return this.pirs.update(id, body);
  }

  @Roles('support_engineer')
  @Post('pir/transitions')
  @HttpCode(200)
  transition(@IncidentId() id: string, @ZodBody(pirTransitionSchema, 'PirTransition') body: PirTransitionInput) {
    return this.pirs.transition(id, body);
  }

  @Roles('support_engineer')
  @Patch('pir/action-items/:itemId')
  updateActionItem(@IncidentId() id: string, @ItemId() itemId: string, @ZodBody(updateActionItemSchema, 'UpdatePirActionItem') body: UpdateActionItemInput) {
    return this.pirs.updateActionItem(id, itemId, body);
  }

  @Roles(...ALL_ROLES)
  @Get('pir.pdf')
  @ApiProduces('application/pdf')
  async pdf(@IncidentId() id: string, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    const d = await this.pirs.downloadPdf(id);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Digest', `sha-256=${Buffer.from(d.sha256, 'hex').toString('base64')}`);
    return new StreamableFile(d.stream, { type: 'application/pdf', length: d.size, disposition: `attachment; filename="${d.filename}"` });
  }
}

/** The archive of published reviews (the tenant's own; vendor staff across the tenants they reach). */
@ApiTags('post-incident reviews')
@ApiBearerAuth()
@PortalController('api/v1/pirs')
export class PirArchiveController {
  constructor(private readonly pirs: PirService) {}

  @Roles(...ALL_ROLES)
  @Get()
  search(@ZodQuery(searchPirsQuerySchema) q: SearchPirsQuery) {
    return this.pirs.search(q);
  }
}
