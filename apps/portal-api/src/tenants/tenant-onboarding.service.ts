import { Injectable } from '@nestjs/common';
import Holidays from 'date-holidays';
import { createTenantSchema, isValidTimeZone, zodIssuesToFields } from '@portal/contracts';
import { DEFAULT_CALENDAR } from '@portal/sla';
import { Clock } from '../common/clock';
import { Conflict, NotFound, ValidationFailed } from '../common/domain-errors';
import { Db } from '../database/db.service';
import { sql } from '../database/sql';
import { GovernanceService } from '../governance/governance.service';
import { DEFAULT_REGIONS, Tenant } from './tenant.types';
import { TenantsRepository } from './tenants.repository';

const OPERATOR = { kind: 'system', id: 'cli', label: 'operator (portal CLI)' };

/** Public holidays of a country for this year and the next: the editable start of a tenant calendar. */
export function publicHolidays(country: string, from: Date): string[] {
  const hd = new Holidays(country);
  const y = from.getUTCFullYear();
  return [y, y + 1]
    .flatMap((year) => hd.getHolidays(year) || [])
    .filter((h) => h.type === 'public')
    .map((h) => h.date.slice(0, 10));
}

/** Vendor-side onboarding: new tenants and CSM assignments (operator work, run through the CLI). */
@Injectable()
export class TenantOnboardingService {
  constructor(private readonly db: Db, private readonly tenants: TenantsRepository, private readonly governance: GovernanceService, private readonly clock: Clock) {}

  async create(input: unknown): Promise<Tenant> {
    const parsed = createTenantSchema.safeParse(input);
    if (!parsed.success) throw new ValidationFailed(zodIssuesToFields(parsed.error.issues));
    const t = parsed.data;
    if (!isValidTimeZone(t.timezone)) throw new ValidationFailed([{ field: 'timezone', message: 'must be an IANA time zone such as Europe/Rome' }]);
    if (t.country && !new Holidays().getCountries()[t.country]) throw new ValidationFailed([{ field: 'country', message: 'is not a country date-holidays knows' }]);
    return this.db.scoped('system', async (em) => {
      if (await this.tenants.findBySlug(em, t.slug)) throw new Conflict(`a tenant named ${t.slug} exists already`);
      const tenant = await this.tenants.insert(em, {
        slug: t.slug,
        displayName: t.displayName,
        serviceMode: t.serviceMode,
        timezone: t.timezone,
        calendar: { ...DEFAULT_CALENDAR(t.timezone), holidays: t.country ? publicHolidays(t.country, this.clock.now()) : [] },
        regions: t.regions ?? DEFAULT_REGIONS,
        contacts: [],
        country: t.country ?? null,
      });
      await this.governance.record(em, { tenantId: tenant.id, action: 'tenant.created', subjectType: 'tenant', subjectId: tenant.id, actor: OPERATOR, details: { slug: t.slug, serviceMode: t.serviceMode, timezone: t.timezone } });
      return tenant;
    });
  }

  /** Gives a CSM (by email) the tenants they look after; a support engineer sees every tenant anyway. */
  async assignCsm(email: string, tenantSlug: string, assigned: boolean): Promise<void> {
    await this.db.scoped('system', async (em) => {
      const tenant = await this.tenants.findBySlug(em, tenantSlug);
      if (!tenant) throw new NotFound(`no tenant named ${tenantSlug}`);
      const staff = await sql<{ id: string; role: string }>(em, `select id, role from staff where email = lower($1)`, [email]);
      if (!staff[0]) throw new NotFound(`no staff member ${email}; they appear after their first sign-in`);
      if (staff[0].role !== 'csm') throw new ValidationFailed([{ field: 'email', message: `${email} is a ${staff[0].role}, not a CSM` }]);
      if (assigned) await sql(em, `insert into csm_assignments (staff_id, tenant_id) values ($1,$2) on conflict do nothing`, [staff[0].id, tenant.id]);
      else await sql(em, `delete from csm_assignments where staff_id = $1 and tenant_id = $2`, [staff[0].id, tenant.id]);
      await this.governance.record(em, { tenantId: tenant.id, action: assigned ? 'tenant.csm_assigned' : 'tenant.csm_unassigned', subjectType: 'staff', subjectId: staff[0].id, actor: OPERATOR, details: { email } });
    });
  }
}
