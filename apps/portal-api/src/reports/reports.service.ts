import { Injectable } from '@nestjs/common';
import type { SlaReportQuery } from '@portal/contracts';
import { monthWindow, slaReport, slaReportCsv, type SlaReport } from '@portal/sla';
import { TenantContext } from '@portal/tenancy';
import { Clock } from '../common/clock';
import { NotFound, ValidationFailed } from '../common/domain-errors';
import { Db } from '../database/db.service';
import { IncidentsService } from '../incidents/incidents.service';
import { TenantDirectory } from '../tenants/tenant-directory.service';

export class TenantNotFound extends NotFound {
  constructor() {
    super('tenant not found');
  }
}

export interface TenantSlaReport extends SlaReport {
  tenant: { id: string; slug: string; displayName: string };
}

/**
 * SLA reports per tenant and calendar month (issue 15): tenant users read their own tenant's, CSMs their
 * assigned tenants', support engineers any tenant's. A tenant outside the caller's reach answers 404.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly db: Db,
    private readonly incidents: IncidentsService,
    private readonly tenants: TenantDirectory,
    private readonly clock: Clock,
  ) {}

  async sla(q: SlaReportQuery): Promise<TenantSlaReport> {
    const tenantId = this.tenantOf(q);
    const tenant = await this.db.tx((em) => this.tenants.findById(em, tenantId));
    if (!tenant) throw new TenantNotFound();
    const { from, to } = monthWindow(q.month, tenant.timezone);
    const incidents = await this.incidents.slaReportFacts(tenant.id, from, to);
    const report = slaReport({ month: q.month, timezone: tenant.timezone, incidents, now: this.clock.now() });
    return { tenant: { id: tenant.id, slug: tenant.slug, displayName: tenant.displayName }, ...report };
  }

  async slaCsv(q: SlaReportQuery): Promise<{ filename: string; csv: string }> {
    const report = await this.sla(q);
    return { filename: `sla-report-${report.tenant.slug}-${report.month}.csv`, csv: slaReportCsv(report, report.tenant.displayName) };
  }

  /** The tenant the report is about: a tenant caller's own; vendor staff must name one they reach. */
  private tenantOf(q: SlaReportQuery): string {
    const actor = TenantContext.actor();
    if (actor.homeTenantId) {
      if (q.tenantId && q.tenantId !== actor.homeTenantId) throw new TenantNotFound();
      return actor.homeTenantId;
    }
    if (!q.tenantId) throw new ValidationFailed([{ field: 'tenantId', message: 'is required for vendor staff' }]);
    if (!TenantContext.reaches(q.tenantId)) throw new TenantNotFound();
    return q.tenantId;
  }
}
