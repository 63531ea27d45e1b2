import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE_PLACEHOLDER } from '../migration-support';

/**
 * CSM walkthroughs of a post-incident review (issue 15).
 *
 * `csm_working_hours`: one row per CSM (vendor staff, no tenant), the hours they take walkthroughs in their IANA
 * zone; absent means the default (Mon–Fri 09:00–17:00). Like `staff`, visible and written in the directory scope
 * only.
 *
 * `walkthroughs`: one row per booking, in the tenant's wall (tenant_id, RLS enabled and forced, USING and WITH
 * CHECK) with composite foreign keys to the incident and its review. Two bookings can never hold the same CSM at
 * the same time: an exclusion constraint (btree_gist) on the CSM and the booked time range of every active
 * booking, across all tenants (constraints are not subject to RLS), so concurrent requests for one slot leave one
 * row and fail the others with SQLSTATE 23P01. The busy times of a CSM are read in the directory scope (the slot
 * query selects ranges only, never another tenant's booking details).
 */
export class Walkthroughs1763900000014 implements MigrationInterface {
  name = 'Walkthroughs1763900000014';

  async up(q: QueryRunner): Promise<void> {
    const app = APP_ROLE_PLACEHOLDER();
    await q.query(`
      create extension if not exists btree_gist;

      create table csm_working_hours (
        staff_id uuid primary key references staff(id) on delete cascade,
        time_zone text not null check (length(time_zone) between 1 and 64),
        working_days smallint[] not null check (cardinality(working_days) between 1 and 7 and working_days <@ '{1,2,3,4,5,6,7}'::smallint[]),
        day_start text not null check (day_start ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
        day_end text not null check (day_end ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$'),
        updated_at timestamptz not null,
        check (day_start < day_end)
      );
      alter table csm_working_hours enable row level security;
      alter table csm_working_hours force row level security;
      create policy csm_working_hours_directory on csm_working_hours
        using ((select app_scope()) in ('directory', 'system'))
        with check ((select app_scope()) in ('directory', 'system'));

      create table walkthroughs (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenants(id),
        incident_id uuid not null,
        pir_id uuid not null,
        csm_staff_id uuid not null references staff(id),
        csm_name text not null,
        csm_email text not null,
        csm_time_zone text not null,
        attendee_name text not null,
        attendee_email text not null,
        starts_at timestamptz not null,
        ends_at timestamptz not null,
        status text not null check (status in ('booked', 'cancelled')),
        uid text not null unique,
        sequence integer not null default 0 check (sequence >= 0),
        booked_by jsonb not null,
        booked_at timestamptz not null,
        updated_by jsonb not null,
        updated_at timestamptz not null,
        cancelled_at timestamptz,
        unique (id, tenant_id),
        foreign key (incident_id, tenant_id) references incidents (id, tenant_id),
        foreign key (pir_id, tenant_id) references pirs (id, tenant_id),
        check (ends_at = starts_at + interval '30 minutes'),
        check ((status = 'cancelled') = (cancelled_at is not null)),
        constraint walkthroughs_csm_free exclude using gist (csm_staff_id with =, tstzrange(starts_at, ends_at, '[)') with &&)
          where (status = 'booked')
      );
      create unique index walkthroughs_one_per_incident on walkthroughs (tenant_id, incident_id) where status = 'booked';
      alter table walkthroughs enable row level security;
      alter table walkthroughs force row level security;
      create policy walkthroughs_tenant on walkthroughs
        using (tenant_id = any ((select app_tenant_ids())::uuid[]))
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]));
      create policy walkthroughs_busy on walkthroughs for select using ((select app_scope()) = 'directory');

      grant select, insert, update on csm_working_hours to ${app};
      grant select, insert, update on walkthroughs to ${app};
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop table if exists walkthroughs;
      drop table if exists csm_working_hours;
    `);
  }
}
