import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sql } from '../database/sql';

export interface UserRow {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: string;
}
/** A tenant user with its SSO binding and pending link (sso/). */
export interface SsoUserRow extends UserRow {
  idpConfigId: string | null;
  idpSubject: string | null;
  /** The provider a customer admin authorised for this account's next verified sign-in, until `linkExpiresAt`. */
  linkIdpConfigId: string | null;
  linkExpiresAt: Date | null;
}
const SSO_USER_COLUMNS = 'id, tenant_id, email, name, role, idp_config_id, idp_subject, sso_link_idp_config_id, sso_link_expires_at';
const toSsoUser = (r: Record<string, any>): SsoUserRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  email: r.email,
  name: r.name,
  role: r.role,
  idpConfigId: r.idp_config_id,
  idpSubject: r.idp_subject,
  linkIdpConfigId: r.sso_link_idp_config_id,
  linkExpiresAt: r.sso_link_expires_at ? new Date(r.sso_link_expires_at) : null,
});
export interface StaffRow {
  id: string;
  email: string;
  name: string;
  role: string;
}

/** Tenant users (row-level security) and vendor staff (no tenant). */
@Injectable()
export class UsersRepository {
  /** `keepName`: an existing account keeps its display name (`name` is only used for a new one). */
  async upsertUser(
    em: EntityManager,
    u: { tenantId: string; email: string; name: string; role: string; idpConfigId?: string | null; subject?: string | null; keepName?: boolean },
    now: Date,
  ): Promise<UserRow> {
    const rows = await sql(
      em,
      `insert into users (tenant_id, email, name, role, idp_config_id, idp_subject, last_sign_in_at) values ($1,lower($2),$3,$4,$5,$6,$7)
       on conflict (tenant_id, email) do update set name = case when $8::boolean then users.name else excluded.name end, role = excluded.role,
         idp_config_id = coalesce(excluded.idp_config_id, users.idp_config_id), idp_subject = coalesce(excluded.idp_subject, users.idp_subject),
         last_sign_in_at = excluded.last_sign_in_at
       returning id, tenant_id, email, name, role`,
      [u.tenantId, u.email, u.name, u.role, u.idpConfigId ?? null, u.subject ?? null, now, u.keepName === true],
    );
    const r = rows[0];
    return { id: r.id, tenantId: r.tenant_id, email: r.email, name: r.name, role: r.role };
  }
  /** `keepName`: an existing staff member keeps their display name (`name` is only used for a new one). */
  async upsertStaff(
    em: EntityManager,
    s: { email: string; name: string; role: string; subject?: string | null; keepName?: boolean },
    now: Date,
  ): Promise<StaffRow> {
    const rows = await sql(
      em,
      `insert into staff (email, name, role, idp_subject, last_sign_in_at) values (lower($1),$2,$3,$4,$5)
       on conflict (email) do update set name = case when $6::boolean then staff.name else excluded.name end, role = excluded.role,
         last_sign_in_at = excluded.last_sign_in_at, idp_subject = coalesce(excluded.idp_subject, staff.idp_subject)
       returning id, email, name, role`,
      [s.email, s.name, s.role, s.subject ?? null, now, s.keepName === true],
    );
    return rows[0] as StaffRow;
  }

  /*
   * SSO accounts (sso/). Bound to the provider configuration that created them: found by (tenant, provider
   * configuration, subject) — staff by (staff provider id, subject) — never by the subject alone, and never by
   * email alone ("nOAuth"). An existing account reaches another provider only through an explicit link a
   * customer admin made (sso.account_linked). The caller decides; these are the queries.
   */
  /** The account a provider configuration created for a subject: (tenant, provider, subject), never the subject alone. */
  async findUserBySubject(em: EntityManager, tenantId: string, idpConfigId: string, subject: string): Promise<UserRow | null> {
    const rows = await sql(em, `select id, tenant_id, email, name, role from users where tenant_id = $1 and idp_config_id = $2 and idp_subject = $3`, [
      tenantId,
      idpConfigId,
      subject,
    ]);
    const r = rows[0];
    return r ? { id: r.id, tenantId: r.tenant_id, email: r.email, name: r.name, role: r.role } : null;
  }
  async findUserByEmail(em: EntityManager, tenantId: string, email: string): Promise<SsoUserRow | null> {
    const rows = await sql(em, `select ${SSO_USER_COLUMNS} from users where tenant_id = $1 and email = lower($2)`, [tenantId, email]);
    return rows[0] ? toSsoUser(rows[0]) : null;
  }
  async findUserById(em: EntityManager, tenantId: string, id: string): Promise<SsoUserRow | null> {
    const rows = await sql(em, `select ${SSO_USER_COLUMNS} from users where tenant_id = $1 and id = $2`, [tenantId, id]);
    return rows[0] ? toSsoUser(rows[0]) : null;
  }
  /**
   * Inserts, or updates `id`, with the SSO binding; a clash on (tenant, email) surfaces as a unique violation (23505).
   * `consumeLink`: the sign-in used the account's pending link, which is spent.
   */
  async saveSsoUser(
    em: EntityManager,
    u: { id: string | null; tenantId: string; email: string; name: string; role: string; idpConfigId: string; subject: string; consumeLink?: boolean },
    now: Date,
  ): Promise<UserRow> {
    const rows = u.id
      ? await sql(
          em,
          `update users set email = lower($3), name = $4, role = $5, idp_config_id = $6, idp_subject = $7, last_sign_in_at = $8,
             sso_link_idp_config_id = case when $9 then null else sso_link_idp_config_id end,
             sso_link_expires_at = case when $9 then null else sso_link_expires_at end
           where tenant_id = $1 and id = $2 returning id, tenant_id, email, name, role`,
          [u.tenantId, u.id, u.email, u.name, u.role, u.idpConfigId, u.subject, now, u.consumeLink === true],
        )
      : await sql(
          em,
          `insert into users (tenant_id, email, name, role, idp_config_id, idp_subject, last_sign_in_at) values ($1,lower($2),$3,$4,$5,$6,$7)
           returning id, tenant_id, email, name, role`,
          [u.tenantId, u.email, u.name, u.role, u.idpConfigId, u.subject, now],
        );
    const r = rows[0];
    return { id: r.id, tenantId: r.tenant_id, email: r.email, name: r.name, role: r.role };
  }
  /**
   * An admin's explicit link (sso/): binds the account to (provider, subject) at once, or — `subject` null —
   * authorises that provider's next sign-in vouching for the account's email until `expiresAt`. A clash with
   * another account's binding surfaces as a unique violation (23505).
   */
  async linkSsoUser(
    em: EntityManager,
    l: { tenantId: string; userId: string; idpConfigId: string; subject: string | null; expiresAt: Date | null },
  ): Promise<void> {
    if (l.subject !== null) {
      await sql(
        em,
        `update users set idp_config_id = $3, idp_subject = $4, sso_link_idp_config_id = null, sso_link_expires_at = null where tenant_id = $1 and id = $2`,
        [l.tenantId, l.userId, l.idpConfigId, l.subject],
      );
    } else {
      await sql(em, `update users set sso_link_idp_config_id = $3, sso_link_expires_at = $4 where tenant_id = $1 and id = $2`, [
        l.tenantId,
        l.userId,
        l.idpConfigId,
        l.expiresAt,
      ]);
    }
  }
  async findStaffBySubject(em: EntityManager, providerId: string, subject: string): Promise<StaffRow | null> {
    const rows = await sql(em, `select id, email, name, role from staff where idp_provider_id = $1 and idp_subject = $2`, [providerId, subject]);
    return (rows[0] as StaffRow | undefined) ?? null;
  }
  /** A staff row bound before subjects were namespaced per provider (no provider id yet), by its old-format subject. */
  async findLegacyStaffBySubject(em: EntityManager, legacySubject: string): Promise<StaffRow | null> {
    const rows = await sql(em, `select id, email, name, role from staff where idp_provider_id is null and idp_subject = $1`, [legacySubject]);
    return (rows[0] as StaffRow | undefined) ?? null;
  }
  async findStaffByEmail(em: EntityManager, email: string): Promise<(StaffRow & { idpSubject: string | null; idpProviderId: string | null }) | null> {
    const rows = await sql(em, `select id, email, name, role, idp_subject, idp_provider_id from staff where email = lower($1)`, [email]);
    const r = rows[0];
    return r ? { id: r.id, email: r.email, name: r.name, role: r.role, idpSubject: r.idp_subject, idpProviderId: r.idp_provider_id } : null;
  }
  async saveSsoStaff(
    em: EntityManager,
    s: { id: string | null; email: string; name: string; role: string; providerId: string; subject: string },
    now: Date,
  ): Promise<StaffRow> {
    const rows = s.id
      ? await sql(
          em,
          `update staff set email = lower($2), name = $3, role = $4, idp_provider_id = $5, idp_subject = $6, last_sign_in_at = $7 where id = $1
           returning id, email, name, role`,
          [s.id, s.email, s.name, s.role, s.providerId, s.subject, now],
        )
      : await sql(
          em,
          `insert into staff (email, name, role, idp_provider_id, idp_subject, last_sign_in_at) values (lower($1),$2,$3,$4,$5,$6) returning id, email, name, role`,
          [s.email, s.name, s.role, s.providerId, s.subject, now],
        );
    return rows[0] as StaffRow;
  }

  /* CSM assignments: which tenants a customer success manager looks after. */
  async csmTenantIds(em: EntityManager, staffId: string): Promise<string[]> {
    const rows = await sql<{ tenant_id: string }>(em, 'select tenant_id from csm_assignments where staff_id = $1', [staffId]);
    return rows.map((r) => r.tenant_id);
  }
  async findStaff(em: EntityManager, email: string): Promise<StaffRow | null> {
    const rows = await sql<StaffRow>(em, `select id, email, name, role from staff where email = lower($1)`, [email]);
    return rows[0] ?? null;
  }
  // CSM walkthroughs (issue 15, h2a-walkthroughs)
  /** The CSMs assigned to a tenant, by email. */
  async tenantCsms(em: EntityManager, tenantId: string): Promise<StaffRow[]> {
    return sql<StaffRow>(
      em,
      `select s.id, s.email, s.name, s.role from csm_assignments a join staff s on s.id = a.staff_id where a.tenant_id = $1 and s.role = 'csm' order by s.email`,
      [tenantId],
    );
  }
  async setCsmAssignment(em: EntityManager, staffId: string, tenantId: string, assigned: boolean): Promise<void> {
    if (assigned) await sql(em, `insert into csm_assignments (staff_id, tenant_id) values ($1,$2) on conflict do nothing`, [staffId, tenantId]);
    else await sql(em, `delete from csm_assignments where staff_id = $1 and tenant_id = $2`, [staffId, tenantId]);
  }
}
