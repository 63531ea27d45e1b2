import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each API process keeps a resolved session for a few seconds (issue 17; `PrincipalCache`). What could make a kept
 * one wrong raises a NOTIFY on `portal_principals` in the changing transaction, whatever wrote it (the portal, an
 * operator's SQL, a test): a session ended or deleted (`session:<sha-256 of its id>`), and a CSM's tenants
 * changed (`principal:<staff id>`). Notifications are delivered on commit, so a process never drops an entry
 * before the change is visible to its next read.
 */
export class PrincipalCache1763900000021 implements MigrationInterface {
  name = 'PrincipalCache1763900000021';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create function sessions_principal_changed() returns trigger language plpgsql as $$
      begin
        perform pg_notify('portal_principals', 'session:' || old.id_hash);
        return null;
      end $$;
      create trigger sessions_principal_changed after update of ended_at, expires_at, role, tenant_id or delete on sessions
        for each row execute function sessions_principal_changed();

      create function csm_assignments_principal_changed() returns trigger language plpgsql as $$
      begin
        if tg_op <> 'INSERT' then perform pg_notify('portal_principals', 'principal:' || old.staff_id); end if;
        if tg_op <> 'DELETE' then perform pg_notify('portal_principals', 'principal:' || new.staff_id); end if;
        return null;
      end $$;
      create trigger csm_assignments_principal_changed after insert or update or delete on csm_assignments
        for each row execute function csm_assignments_principal_changed();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop trigger if exists sessions_principal_changed on sessions;
      drop function if exists sessions_principal_changed();
      drop trigger if exists csm_assignments_principal_changed on csm_assignments;
      drop function if exists csm_assignments_principal_changed();
    `);
  }
}
