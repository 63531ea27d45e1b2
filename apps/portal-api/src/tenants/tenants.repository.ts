import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sql } from '../database/sql';
import type { IncidentContact } from '@portal/contracts';
import type { Tenant } from './tenant.types';

function toTenant(r: Record<string, any>): Tenant {
  return {
    id: r.id,
    slug: r.slug,
    displayName: r.display_name,
    serviceMode: r.service_mode,
    timezone: r.timezone,
    calendar: r.calendar,
    regions: r.regions,
    contacts: r.contacts,
    country: r.country,
  };
}

@Injectable()
export class TenantsRepository {
  async findById(em: EntityManager, id: string): Promise<Tenant | null> {
    const rows = await sql(em, 'select * from tenants where id = $1', [id]);
    return rows[0] ? toTenant(rows[0]) : null;
  }
  async findBySlug(em: EntityManager, slug: string): Promise<Tenant | null> {
    const rows = await sql(em, 'select * from tenants where slug = $1', [slug]);
    return rows[0] ? toTenant(rows[0]) : null;
  }
  async list(em: EntityManager): Promise<Tenant[]> {
    const rows = await sql(em, 'select * from tenants order by display_name');
    return rows.map(toTenant);
  }
  async allIds(em: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await sql(em, 'select id from tenants');
    return rows.map((r) => r.id);
  }
  async updateContacts(em: EntityManager, id: string, contacts: IncidentContact[]): Promise<void> {
    await sql(em, 'update tenants set contacts = $2 where id = $1', [id, JSON.stringify(contacts)]);
  }
  async updateCalendar(em: EntityManager, id: string, calendar: Tenant['calendar']): Promise<void> {
    await sql(em, 'update tenants set calendar = $2 where id = $1', [id, JSON.stringify(calendar)]);
  }
  async insert(em: EntityManager, t: Omit<Tenant, 'id'>): Promise<Tenant> {
    const rows = await sql(
      em,
      `insert into tenants (slug, display_name, service_mode, timezone, calendar, regions, contacts, country)
       values ($1,$2,$3,$4,$5,$6,$7,$8) returning *`,
      [t.slug, t.displayName, t.serviceMode, t.timezone, JSON.stringify(t.calendar), JSON.stringify(t.regions), JSON.stringify(t.contacts), t.country],
    );
    return toTenant(rows[0]);
  }
}
