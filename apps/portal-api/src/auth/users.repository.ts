import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sql } from '../database/sql';

export interface UserRow { id: string; tenantId: string; email: string; name: string; role: string }
export interface StaffRow { id: string; email: string; name: string; role: string }

/** Tenant users (row-level security) and vendor staff (no tenant). */
@Injectable()
export class UsersRepository {
  async upsertUser(em: EntityManager, u: { tenantId: string; email: string; name: string; role: string; idpConfigId?: string | null; subject?: string | null }, now: Date): Promise<UserRow> {
    const rows = await sql(em,
      `insert into users (tenant_id, email, name, role, idp_config_id, idp_subject, last_sign_in_at) values ($1,lower($2),$3,$4,$5,$6,$7)
       on conflict (tenant_id, email) do update set name = excluded.name, role = excluded.role,
         idp_config_id = coalesce(excluded.idp_config_id, users.idp_config_id), idp_subject = coalesce(excluded.idp_subject, users.idp_subject),
         last_sign_in_at = excluded.last_sign_in_at
       returning id, tenant_id, email, name, role`,
      [u.tenantId, u.email, u.name, u.role, u.idpConfigId ?? null, u.subject ?? null, now],
    );
    const r = rows[0];
    return { id: r.id, tenantId: r.tenant_id, email: r.email, name: r.name, role: r.role };
  }
  async upsertStaff(em: EntityManager, s: { email: string; name: string; role: string; subject?: string | null }, now: Date): Promise<StaffRow> {
    const rows = await sql(em,
      `insert into staff (email, name, role, idp_subject, last_sign_in_at) values (lower($1),$2,$3,$4,$5)
       on conflict (email) do update set name = excluded.name, role = excluded.role, last_sign_in_at = excluded.last_sign_in_at,
         idp_subject = coalesce(excluded.idp_subject, staff.idp_subject)
       returning id, email, name, role`,
      [s.email, s.name, s.role, s.subject ?? null, now],
    );
    return rows[0] as StaffRow;
  }
}
