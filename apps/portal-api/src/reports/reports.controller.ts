import { RateLimit } from '../rate-limits/rate-limit.guard';
import { Get, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { slaReportQuerySchema, type SlaReportQuery } from '@portal/contracts';
import type { Response } from 'express';
import { ALL_ROLES, PortalController, Roles } from '../auth/auth.decorators';
import { ZodQuery } from '../common/zod-body.pipe';
import { ReportsService } from './reports.service';

/** SLA reports per tenant and month: figures as JSON, and the same as CSV. */
@ApiTags('reports')
@ApiBearerAuth()
@PortalController('api/v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Roles(...ALL_ROLES)
  @Get('sla')
  sla(@ZodQuery(slaReportQuerySchema) q: SlaReportQuery) {
    return this.reports.sla(q);
  }

  @Roles(...ALL_ROLES)
  @RateLimit('export:principal')
  @Get('sla.csv')
  @ApiProduces('text/csv')
  async slaCsv(@ZodQuery(slaReportQuerySchema) q: SlaReportQuery, @Res({ passthrough: true }) res: Response): Promise<string> {
    const { filename, csv } = await this.reports.slaCsv(q);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    return csv;
  }
}
