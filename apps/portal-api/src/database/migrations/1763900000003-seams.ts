import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE_PLACEHOLDER } from '../migration-support';

/**
 * Seams (issue #12): the outbox learns its workload queue and run time as columns (no longer inside the
 * payload), relayed rows and old sessions can be purged, and `sla.warning` is recorded once per clock and
 * due instant, like breaches. Same tenant wall: RLS enabled and forced, USING + WITH CHECK, and the
 * warning points at (incident, tenant) together so it can never name another tenant's incident.
 */
export class Seams1763900000003 implements MigrationInterface {
  name = 'Seams1763900000003';

  async up(q: QueryRunner): Promise<void> {
    const app = APP_ROLE_PLACEHOLDER();
    await q.query(`
      alter table outbox add column workload text, add column run_at timestamptz;
      update outbox set workload = case when topic = 'sla.check' then 'clocks' else 'maintenance' end,
                        run_at = nullif(payload->>'runAt', '')::timestamptz,
                        payload = payload - 'runAt';
      alter table outbox alter column workload set not null,
        add constraint outbox_workload check (workload in ('clocks', 'notifications', 'rendering', 'maintenance'));
      create index outbox_relayed on outbox (relayed_at) where relayed_at is not null;
      create policy outbox_purge on outbox for delete using ((select app_scope()) = 'system');
      grant delete on outbox to ${app};

      create index sessions_over on sessions (coalesce(ended_at, expires_at));

      create table sla_warnings (
        tenant_id uuid not null references tenants(id),
        incident_id uuid not null,
        clock text not null,
        due_at timestamptz not null,
        warned_at timestamptz not null,
        primary key (tenant_id, incident_id, clock, due_at),
        foreign key (incident_id, tenant_id) references incidents (id, tenant_id)
      );
      alter table sla_warnings enable row level security;
      alter table sla_warnings force row level security;
      create policy sla_warnings_tenant on sla_warnings
        using (tenant_id = any ((select app_tenant_ids())::uuid[]))
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]));
      grant select, insert on sla_warnings to ${app};
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop table if exists sla_warnings;
      drop index if exists sessions_over;
      drop policy if exists outbox_purge on outbox;
      drop index if exists outbox_relayed;
      alter table outbox drop column if exists run_at, drop column if exists workload;
    `);
  }
}
