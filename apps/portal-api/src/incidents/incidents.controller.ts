import { RateLimit } from '../rate-limits/rate-limit.guard';
import { Get, Headers, HttpCode, Param, Patch, Post, Put, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ValidationFailed } from '../common/domain-errors';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { once } from 'node:events';
import {
  declareIncidentSchema,
  DeclareIncidentInput,
  listIncidentsQuerySchema,
  exportIncidentsQuerySchema,
  ExportIncidentsQuery,
  ListIncidentsQuery,
  resolveIncidentSchema,
  ResolveIncidentInput,
  statusUpdateSchema,
  StatusUpdateInput,
  updateIncidentSchema,
  UpdateIncidentInput,
  customerReplySchema,
  CustomerReplyInput,
  reopenIncidentSchema,
  ReopenIncidentInput,
  quickDeclareIncidentSchema,
  QuickDeclareIncidentInput,
  completeIntakeSchema,
  CompleteIntakeInput,
} from '@portal/contracts';
import { ALL_ROLES, PortalController, Roles } from '../auth/auth.decorators';
import { UuidOr404Pipe } from '../common/uuid-param.pipe';
import { NoBody, ZodBody, ZodQuery } from '../common/zod-body.pipe';
import { IncidentsService } from './incidents.service';

const Id = () => Param('id', new UuidOr404Pipe('incident'));

function idempotencyKey(key: string | undefined): string | null {
  if (key !== undefined && !/^[A-Za-z0-9._:-]{8,128}$/.test(key)) {
    throw new ValidationFailed([{ field: 'Idempotency-Key', message: 'must be 8-128 characters of letters, digits, . _ : -' }]);
  }
  return key ?? null;
}

@ApiTags('incidents')
@ApiBearerAuth()
@PortalController('api/v1/incidents')
export class IncidentsController {
  constructor(private readonly incidents: IncidentsService) {}

  @Roles('customer_admin')
  @RateLimit('declare:tenant')
  @Post()
  async declare(
    @ZodBody(declareIncidentSchema, 'DeclareIncident') body: DeclareIncidentInput,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { replayed, ...incident } = await this.incidents.declare(body, idempotencyKey(key));
    if (replayed) res.status(200).setHeader('Idempotent-Replayed', 'true');
    return incident;
  }

  // h6-web-outage (issue 18): quick declaration of a Sev 1/Sev 2; the rest of the intake follows (PUT :id/intake).
  @Roles('customer_admin')
  @RateLimit('declare:tenant')
  @Post('quick')
  async quickDeclare(
    @ZodBody(quickDeclareIncidentSchema, 'QuickDeclareIncident') body: QuickDeclareIncidentInput,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { replayed, ...incident } = await this.incidents.quickDeclare(body, idempotencyKey(key));
    if (replayed) res.status(200).setHeader('Idempotent-Replayed', 'true');
    return incident;
  }

  @Roles('customer_admin', 'support_engineer')
  @Put(':id/intake')
  completeIntake(@Id() id: string, @ZodBody(completeIntakeSchema, 'CompleteIntake') body: CompleteIntakeInput) {
    return this.incidents.completeIntake(id, body);
  }

  @Roles(...ALL_ROLES)
  @Get()
  list(@ZodQuery(listIncidentsQuerySchema) q: ListIncidentsQuery) {
    return this.incidents.list(q);
  }

  /** The list with the same filters as CSV, streamed (formula-safe cells). Declared before `:id`. */
  @Roles(...ALL_ROLES)
  @RateLimit('export:principal')
  @Get('export.csv')
  @ApiProduces('text/csv')
  async exportCsv(@ZodQuery(exportIncidentsQuerySchema) q: ExportIncidentsQuery, @Res() res: Response): Promise<void> {
    const chunks = this.incidents.exportCsv(q);
    // The first page is read before anything is sent: a failure there is an ordinary error response.
    const first = await chunks.next();
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="incidents-${new Date().toISOString().slice(0, 10)}.csv"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    try {
      if (!first.done) await write(res, first.value);
      for await (const chunk of chunks) await write(res, chunk);
      res.end();
    } catch {
      // Mid-stream the status is sent: cut the response so the client sees an incomplete download, not a short file.
      res.destroy();
    }
  }

  @Roles(...ALL_ROLES)
  @Get(':id')
  get(@Id() id: string) {
    return this.incidents.get(id);
  }

  @Roles('customer_admin', 'support_engineer')
  @Patch(':id')
  update(@Id() id: string, @ZodBody(updateIncidentSchema, 'UpdateIncident') body: UpdateIncidentInput) {
    return this.incidents.update(id, body);
  }

  @Roles('support_engineer')
  @Post(':id/acknowledge')
  @HttpCode(200)
  acknowledge(@Id() id: string, @NoBody() _body: unknown) {
    return this.incidents.acknowledge(id);
  }

  @Roles('support_engineer')
  @Post(':id/status-updates')
  postStatusUpdate(@Id() id: string, @ZodBody(statusUpdateSchema, 'StatusUpdate') body: StatusUpdateInput) {
    return this.incidents.postStatusUpdate(id, body);
  }

  @Roles('customer_admin')
  @Post(':id/replies')
  reply(@Id() id: string, @ZodBody(customerReplySchema, 'CustomerReply') body: CustomerReplyInput) {
    return this.incidents.reply(id, body);
  }

  @Roles('support_engineer')
  @Post(':id/resolve')
  @HttpCode(200)
  resolve(@Id() id: string, @ZodBody(resolveIncidentSchema, 'ResolveIncident') body: ResolveIncidentInput) {
    return this.incidents.resolve(id, body);
  }

  @Roles('support_engineer', 'customer_admin')
  @Post(':id/reopen')
  @HttpCode(200)
  reopen(@Id() id: string, @ZodBody(reopenIncidentSchema, 'ReopenIncident') body: ReopenIncidentInput) {
    return this.incidents.reopen(id, body.reason);
  }

  @Roles('support_engineer', 'customer_admin')
  @Post(':id/close')
  @HttpCode(200)
  close(@Id() id: string, @NoBody() _body: unknown) {
    return this.incidents.close(id);
  }

  @Roles(...ALL_ROLES)
  @Get(':id/events')
  events(@Id() id: string) {
    return this.incidents.events(id);
  }
}

/** Writes with backpressure: waits for the socket to drain instead of buffering the whole export. */
async function write(res: Response, chunk: string): Promise<void> {
  if (!res.write(chunk)) await once(res, 'drain');
}
