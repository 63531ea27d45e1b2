import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE_PLACEHOLDER } from '../migration-support';

/**
 * Foundation schema. Every tenant-owned table has tenant_id, RLS ENABLED and FORCED, and
 * policies with both USING and WITH CHECK against app_tenant_ids() — the transaction-local
 * setting `app.tenant_ids` (fail closed: unset means no row). See SECURITY.md.
 */
export class Foundation1763900000000 implements MigrationInterface {
  name = 'Foundation1763900000000';

  async up(q: QueryRunner): Promise<void> {
    const app = APP_ROLE_PLACEHOLDER();
    await q.query(`
      create or replace function app_tenant_ids() returns uuid[] language sql stable as $$
        select coalesce(string_to_array(nullif(current_setting('app.tenant_ids', true), ''), ',')::uuid[], '{}'::uuid[])
      $$;
      create or replace function app_scope() returns text language sql stable as $$
        select coalesce(nullif(current_setting('app.scope', true), ''), 'none')
      $$;

      create table tenants (
        id uuid primary key default gen_random_uuid(),
        slug text not null unique check (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
        display_name text not null check (length(display_name) between 1 and 200),
        service_mode char(1) not null check (service_mode in ('A','B','C')),
        timezone text not null,
        calendar jsonb not null,
        regions jsonb not null default '[]',
        contacts jsonb not null default '[]',
        country text,
        created_at timestamptz not null default now()
      );
      alter table tenants enable row level security;
      alter table tenants force row level security;
      create policy tenants_read on tenants for select
        using (id = any ((select app_tenant_ids())::uuid[]) or (select app_scope()) in ('system', 'directory'));
      create policy tenants_update on tenants for update
        using (id = any ((select app_tenant_ids())::uuid[])) with check (id = any ((select app_tenant_ids())::uuid[]));
      create policy tenants_insert on tenants for insert with check ((select app_scope()) = 'system');

      create table staff (
        id uuid primary key default gen_random_uuid(),
        email text not null unique,
        name text not null,
        role text not null check (role in ('support_engineer','csm')),
        idp_subject text unique,
        created_at timestamptz not null default now(),
        last_sign_in_at timestamptz
      );
      create table csm_assignments (
        staff_id uuid not null references staff(id) on delete cascade,
        tenant_id uuid not null references tenants(id) on delete cascade,
        primary key (staff_id, tenant_id)
      );

      create table users (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenants(id),
        email text not null,
        name text not null,
        role text not null check (role in ('customer_admin','customer_viewer')),
        idp_config_id uuid,
        idp_subject text,
        created_at timestamptz not null default now(),
        last_sign_in_at timestamptz,
        unique (tenant_id, email)
      );
      create unique index users_subject on users (tenant_id, idp_config_id, idp_subject) where idp_subject is not null;

      create table sessions (
        id_hash text primary key,
        principal_kind text not null check (principal_kind in ('user','staff')),
        principal_id uuid not null,
        tenant_id uuid references tenants(id),
        role text not null,
        label text not null,
        csrf_token text not null,
        created_at timestamptz not null default now(),
        last_seen_at timestamptz not null default now(),
        expires_at timestamptz not null,
        ended_at timestamptz
      );
      create index sessions_principal on sessions (principal_id);

      create table api_tokens (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenants(id),
        name text not null,
        role text not null check (role in ('customer_admin','customer_viewer')),
        token_hash text not null unique,
        display_prefix text not null,
        created_by text not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz
      );
      create index api_tokens_tenant on api_tokens (tenant_id, created_at desc);

      create table tenant_counters (
        tenant_id uuid primary key references tenants(id),
        incident_seq integer not null default 0
      );

      create table incidents (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenants(id),
        number integer not null,
        title text not null,
        severity text not null check (severity in ('sev1','sev2','sev3','sev4')),
        status text not null check (status in ('declared','acknowledged','investigating','identified','monitoring','waiting_on_customer','resolved','closed')),
        services text[] not null,
        regions text[] not null,
        impacted_users integer not null check (impacted_users >= 0),
        first_noticed_at timestamptz not null,
        first_noticed_tz text not null,
        symptoms text not null,
        recent_changes jsonb not null,
        error_codes text[] not null default '{}',
        reproduction_confirmed boolean not null,
        impacted_user_examples text[] not null default '{}',
        plane text check (plane in ('data_plane','control_plane','not_sure')),
        service_mode char(1) not null,
        declared_at timestamptz not null,
        declared_by jsonb not null,
        acknowledged_at timestamptz,
        acknowledged_by jsonb,
        resolved_at timestamptz,
        resolution_summary text,
        closed_at timestamptz,
        last_status_update_at timestamptz,
        sla_pauses jsonb not null default '[]',
        pir_delivered_at timestamptz,
        intake_redactions jsonb not null default '[]',
        version integer not null default 1,
        idempotency_key text,
        unique (tenant_id, number),
        unique (tenant_id, idempotency_key)
      );
      create index incidents_tenant_declared on incidents (tenant_id, declared_at desc, id desc);
      create index incidents_tenant_status on incidents (tenant_id, status);

      create table impacted_user_counts (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenants(id),
        incident_id uuid not null references incidents(id),
        count integer not null check (count >= 0),
        recorded_at timestamptz not null,
        recorded_by text not null
      );
      create index impacted_user_counts_incident on impacted_user_counts (tenant_id, incident_id, recorded_at);

      create table status_updates (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenants(id),
        incident_id uuid not null references incidents(id),
        state text not null check (state in ('investigating','identified','monitoring','resolved')),
        body text not null,
        author_id text not null,
        author_label text not null,
        created_at timestamptz not null
      );
      create index status_updates_incident on status_updates (tenant_id, incident_id, created_at);

      create table customer_replies (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenants(id),
        incident_id uuid not null references incidents(id),
        body text not null,
        author_id text not null,
        author_label text not null,
        created_at timestamptz not null
      );
      create index customer_replies_incident on customer_replies (tenant_id, incident_id, created_at);

      create table sla_breaches (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenants(id),
        incident_id uuid not null references incidents(id),
        clock text not null,
        due_at timestamptz not null,
        detected_at timestamptz not null,
        unique (incident_id, clock, due_at)
      );

      create table governance_events (
        id bigserial primary key,
        tenant_id uuid references tenants(id),
        occurred_at timestamptz not null default now(),
        actor_kind text not null,
        actor_id text not null,
        actor_label text not null,
        action text not null,
        subject_type text not null,
        subject_id text,
        incident_id uuid,
        ip text,
        user_agent text,
        request_id text,
        details jsonb not null default '{}'
      );
      create index governance_events_tenant on governance_events (tenant_id, occurred_at desc);
      create index governance_events_incident on governance_events (tenant_id, incident_id, occurred_at);

      -- Append-only for everybody, owner included: the audit trail is evidence.
      create or replace function governance_events_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'governance_events is append-only';
      end $$;
      create trigger governance_events_no_change before update or delete on governance_events
        for each row execute function governance_events_append_only();
      create trigger governance_events_no_truncate before truncate on governance_events
        for each statement execute function governance_events_append_only();

      create table outbox (
        id bigserial primary key,
        tenant_id uuid not null references tenants(id),
        topic text not null,
        payload jsonb not null,
        dedup_key text not null,
        created_at timestamptz not null default now(),
        available_at timestamptz not null default now(),
        relayed_at timestamptz,
        attempts integer not null default 0,
        last_error text
      );
      create index outbox_pending on outbox (available_at) where relayed_at is null;
    `);

    // Row-level security on every tenant-owned table, same policy shape.
    for (const table of ['users', 'api_tokens', 'tenant_counters', 'incidents', 'impacted_user_counts', 'status_updates', 'customer_replies', 'sla_breaches']) {
      await q.query(`
        alter table ${table} enable row level security;
        alter table ${table} force row level security;
        create policy ${table}_tenant on ${table}
          using (tenant_id = any ((select app_tenant_ids())::uuid[]))
          with check (tenant_id = any ((select app_tenant_ids())::uuid[]));
      `);
    }
    await q.query(`
      alter table governance_events enable row level security;
      alter table governance_events force row level security;
      create policy governance_events_read on governance_events for select
        using (tenant_id = any ((select app_tenant_ids())::uuid[]));
      create policy governance_events_write on governance_events for insert
        with check (tenant_id is null or tenant_id = any ((select app_tenant_ids())::uuid[]) or (select app_scope()) = 'system');

      -- Outbox: written in the tenant's transaction, read and marked by the relay in system scope.
      alter table outbox enable row level security;
      alter table outbox force row level security;
      create policy outbox_write on outbox for insert with check (tenant_id = any ((select app_tenant_ids())::uuid[]));
      create policy outbox_relay_read on outbox for select using ((select app_scope()) = 'system');
      create policy outbox_relay_update on outbox for update using ((select app_scope()) = 'system') with check ((select app_scope()) = 'system');
    `);

    await q.query(`
      grant usage on schema public to ${app};
      grant select, update on tenants to ${app};
      grant insert on tenants to ${app};
      grant select, insert, update on staff to ${app};
      grant select, insert, delete on csm_assignments to ${app};
      grant select, insert, update on users to ${app};
      grant select, insert, update, delete on sessions to ${app};
      grant select, insert, update on api_tokens to ${app};
      grant select, insert, update on tenant_counters to ${app};
      grant select, insert, update on incidents to ${app};
      grant select, insert on impacted_user_counts to ${app};
      grant select, insert on status_updates to ${app};
      grant select, insert on customer_replies to ${app};
      grant select, insert on sla_breaches to ${app};
      grant select, insert on governance_events to ${app};
      grant usage on sequence governance_events_id_seq to ${app};
      grant select, insert, update on outbox to ${app};
      grant usage on sequence outbox_id_seq to ${app};
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop table if exists outbox, governance_events, sla_breaches, customer_replies, status_updates, impacted_user_counts,
        incidents, tenant_counters, api_tokens, sessions, users, csm_assignments, staff, tenants cascade;
      drop function if exists governance_events_append_only, app_scope, app_tenant_ids;
    `);
  }
}
