import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import Holidays from 'date-holidays';
import { createTenantSchema, isValidTimeZone, zodIssuesToFields } from '@portal/contracts';
import { DEFAULT_CALENDAR } from '@portal/sla';
import { Clock } from '../common/clock';
import { Conflict, ValidationFailed } from '../common/domain-errors';
import { Db } from '../database/db.service';
import { DomainEvents } from '../events/domain-events.service';
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

/** Vendor-side onboarding of new tenants (operator work, run through the CLI). */
@Injectable()
export class TenantOnboardingService {
  constructor(
    private readonly db: Db,
    private readonly tenants: TenantsRepository,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
  ) {}

  async create(input: unknown): Promise<Tenant> {
    const parsed = createTenantSchema.safeParse(input);
    if (!parsed.success) throw new ValidationFailed(zodIssuesToFields(parsed.error.issues));
    const t = parsed.data;
    if (!isValidTimeZone(t.timezone)) throw new ValidationFailed([{ field: 'timezone', message: 'must be an IANA time zone such as Europe/Rome' }]);
    if (t.country && !new Holidays().getCountries()[t.country])
      throw new ValidationFailed([{ field: 'country', message: 'is not a country date-holidays knows' }]);
    return this.db.scoped('system', async (em) => {
      if (await this.tenants.findBySlug(em, t.slug)) throw new Conflict(`a tenant named ${t.slug} exists already`);
      return this.insert(em, {
        slug: t.slug,
        displayName: t.displayName,
        serviceMode: t.serviceMode,
        timezone: t.timezone,
        calendar: { ...DEFAULT_CALENDAR(t.timezone), holidays: t.country ? publicHolidays(t.country, this.clock.now()) : [] },
        regions: t.regions ?? DEFAULT_REGIONS,
        contacts: [],
        country: t.country ?? null,
      });
    });
  }

  /** A tenant exactly as given (demo seed, tests); the slug must be free. */
  provision(t: Omit<Tenant, 'id'>): Promise<Tenant> {
    return this.db.scoped('system', (em) => this.insert(em, t));
  }

  private async insert(em: EntityManager, t: Omit<Tenant, 'id'>): Promise<Tenant> {
    const tenant = await this.tenants.insert(em, t);
    await this.events.emit(em, {
      type: 'tenant.created',
      tenantId: tenant.id,
      subjectId: tenant.id,
      actor: OPERATOR,
      payload: { slug: t.slug, serviceMode: t.serviceMode, timezone: t.timezone },
    });
    return tenant;
  }
}
