import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Defence in depth (hardening issue, item 6). The vendor-side tables the app reaches by hash or staff id get
 * policies too, so a repository bug or an injected statement without the right scope finds nothing:
 * `sessions` and `csm_assignments` and `staff` are visible in the `directory`/`system` scopes only (and
 * sessions to their own tenant's context), and only those scopes write them — a CSM can no longer be made a
 * support engineer (every tenant) by a statement running without that scope. The incident's children
 * reference (incident_id, tenant_id) together, as attachments do, so a row can never name another tenant's
 * incident; the audit trail's incident_id gets the same key.
 */
export class DefenceInDepth1763900000004 implements MigrationInterface {
  name = 'DefenceInDepth1763900000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table sessions enable row level security;
      alter table sessions force row level security;
      create policy sessions_directory on sessions
        using ((select app_scope()) in ('directory', 'system') or tenant_id = any ((select app_tenant_ids())::uuid[]))
        with check ((select app_scope()) in ('directory', 'system'));

      alter table staff enable row level security;
      alter table staff force row level security;
      create policy staff_directory on staff
        using ((select app_scope()) in ('directory', 'system'))
        with check ((select app_scope()) in ('directory', 'system'));

      alter table csm_assignments enable row level security;
      alter table csm_assignments force row level security;
      create policy csm_assignments_read on csm_assignments for select using ((select app_scope()) in ('directory', 'system'));
      create policy csm_assignments_insert on csm_assignments for insert with check ((select app_scope()) = 'system');
      create policy csm_assignments_delete on csm_assignments for delete using ((select app_scope()) = 'system');

      alter table status_updates add constraint status_updates_incident_tenant foreign key (incident_id, tenant_id) references incidents (id, tenant_id);
      alter table customer_replies add constraint customer_replies_incident_tenant foreign key (incident_id, tenant_id) references incidents (id, tenant_id);
      alter table impacted_user_counts add constraint impacted_user_counts_incident_tenant foreign key (incident_id, tenant_id) references incidents (id, tenant_id);
      alter table sla_breaches add constraint sla_breaches_incident_tenant foreign key (incident_id, tenant_id) references incidents (id, tenant_id);
      alter table governance_events add constraint governance_events_incident_tenant foreign key (incident_id, tenant_id) references incidents (id, tenant_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table governance_events drop constraint if exists governance_events_incident_tenant;
      alter table sla_breaches drop constraint if exists sla_breaches_incident_tenant;
      alter table impacted_user_counts drop constraint if exists impacted_user_counts_incident_tenant;
      alter table customer_replies drop constraint if exists customer_replies_incident_tenant;
      alter table status_updates drop constraint if exists status_updates_incident_tenant;
      drop policy if exists csm_assignments_delete on csm_assignments;
      drop policy if exists csm_assignments_insert on csm_assignments;
      drop policy if exists csm_assignments_read on csm_assignments;
      alter table csm_assignments no force row level security;
      alter table csm_assignments disable row level security;
      drop policy if exists staff_directory on staff;
      alter table staff no force row level security;
      alter table staff disable row level security;
      drop policy if exists sessions_directory on sessions;
      alter table sessions no force row level security;
      alter table sessions disable row level security;
    `);
  }
}
