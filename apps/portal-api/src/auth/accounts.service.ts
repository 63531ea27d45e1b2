import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { NotFound, ValidationFailed } from '../common/domain-errors';
import { Db } from '../database/db.service';
import { DomainEvents } from '../events/domain-events.service';
import { TenantDirectory } from '../tenants/tenant-directory.service';
import { StaffRow, UserRow, UsersRepository } from './users.repository';

const OPERATOR = { kind: 'system', id: 'cli', label: 'operator (portal CLI)' };

/**
 * The auth module's face for the rest of the portal: tenant users, vendor staff and CSM assignments.
 * The SSO look-ups take the caller's EntityManager so they run in its unit of work.
 */
@Injectable()
export class Accounts {
  constructor(
    private readonly db: Db,
    private readonly users: UsersRepository,
    private readonly tenants: TenantDirectory,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
  ) {}

  readonly findUserBySubject: UsersRepository['findUserBySubject'] = (...a) => this.users.findUserBySubject(...a);
  readonly findUserByEmail: UsersRepository['findUserByEmail'] = (...a) => this.users.findUserByEmail(...a);
  readonly findUserById: UsersRepository['findUserById'] = (...a) => this.users.findUserById(...a);
  readonly linkSsoUser: UsersRepository['linkSsoUser'] = (...a) => this.users.linkSsoUser(...a);
  readonly saveSsoUser: UsersRepository['saveSsoUser'] = (...a) => this.users.saveSsoUser(...a);
  readonly findStaffBySubject: UsersRepository['findStaffBySubject'] = (...a) => this.users.findStaffBySubject(...a);
  readonly findLegacyStaffBySubject: UsersRepository['findLegacyStaffBySubject'] = (...a) => this.users.findLegacyStaffBySubject(...a);
  readonly findStaffByEmail: UsersRepository['findStaffByEmail'] = (...a) => this.users.findStaffByEmail(...a);
  readonly saveSsoStaff: UsersRepository['saveSsoStaff'] = (...a) => this.users.saveSsoStaff(...a);

  /** A tenant user by email, created or refreshed (development sign-in, demo seed); `keepName`: an existing one keeps its name. */
  upsertUser(u: { tenantId: string; email: string; name: string; role: string; keepName?: boolean }): Promise<UserRow> {
    return this.db.forTenants([u.tenantId], (em) => this.users.upsertUser(em, u, this.clock.now()));
  }

  /** A vendor staff member by email, created or refreshed (development sign-in, demo seed); `keepName` as for users. */
  upsertStaff(s: { email: string; name: string; role: string; keepName?: boolean }): Promise<StaffRow> {
    return this.db.scoped('directory', (em) => this.users.upsertStaff(em, s, this.clock.now()));
  }

  // CSM walkthroughs (issue 15, h2a-walkthroughs)
  /** The customer success managers assigned to a tenant (first by email when there are several). */
  tenantCsms(tenantId: string): Promise<StaffRow[]> {
    return this.db.scoped('directory', (em) => this.users.tenantCsms(em, tenantId));
  }

  /** A user of the tenant, by id or by email; null when the tenant has no such user. */
  tenantUser(tenantId: string, by: { id: string } | { email: string }): Promise<UserRow | null> {
    return this.db.forTenants([tenantId], (em) =>
      'id' in by ? this.users.findUserById(em, tenantId, by.id) : this.users.findUserByEmail(em, tenantId, by.email),
    );
  }

  /** Gives a CSM (by email) a tenant they look after, or takes it back; a support engineer sees every tenant anyway. */
  async assignCsm(email: string, tenantSlug: string, assigned: boolean): Promise<void> {
    const tenant = await this.tenants.findBySlug(tenantSlug);
    if (!tenant) throw new NotFound(`no tenant named ${tenantSlug}`);
    await this.db.scoped('system', async (em) => {
      const staff = await this.users.findStaff(em, email);
      if (!staff) throw new NotFound(`no staff member ${email}; they appear after their first sign-in`);
      if (staff.role !== 'csm') throw new ValidationFailed([{ field: 'email', message: `${email} is a ${staff.role}, not a CSM` }]);
      await this.users.setCsmAssignment(em, staff.id, tenant.id, assigned);
      await this.events.emit(em, {
        type: assigned ? 'tenant.csm_assigned' : 'tenant.csm_unassigned',
        tenantId: tenant.id,
        subjectId: staff.id,
        actor: OPERATOR,
        payload: { email },
      });
    });
  }
}
