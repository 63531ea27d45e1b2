import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE_PLACEHOLDER } from '../migration-support';

/**
 * Incident communications (issue 14, part A). Every table is a tenant's: tenant_id, row-level security enabled
 * and forced, one policy with USING and WITH CHECK, and composite foreign keys (x_id, tenant_id) so a row can
 * never point at another tenant's incident or endpoint.
 *
 * - notification_connections: the tenant's chat app (Slack bot token + channel), the token sealed at rest.
 * - webhook_endpoints: signed webhooks; the signing secret sealed; soft-deleted (deliveries keep pointing at it).
 * - notification_deliveries: one row per (event, channel or endpoint), unique idempotency key; the delivery log.
 * - incident_threads: per incident and chat channel, the parent message the later updates reply to.
 * - notification_marks: once-only marks (an escalation step fired, a status-update reminder sent).
 */
export class Notifications1763900000008 implements MigrationInterface {
  name = 'Notifications1763900000008';

  async up(q: QueryRunner): Promise<void> {
    const app = APP_ROLE_PLACEHOLDER();
    await q.query(`
      create table notification_connections (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenants(id),
        kind text not null check (kind in ('slack', 'teams')),
        settings jsonb not null default '{}',
        secret_ciphertext text not null,
        secret_key_id text not null,
        token_hint text not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (tenant_id, kind),
        unique (id, tenant_id)
      );

      create table webhook_endpoints (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenants(id),
        url text not null check (length(url) between 1 and 2048),
        description text not null default '' check (length(description) <= 200),
        events text[] not null,
        secret_ciphertext text not null,
        secret_key_id text not null,
        enabled boolean not null default true,
        disabled_reason text,
        consecutive_failures int not null default 0 check (consecutive_failures >= 0),
        backoff_until timestamptz,
        created_by jsonb not null,
        created_at timestamptz not null,
        deleted_at timestamptz,
        unique (id, tenant_id)
      );
      create index webhook_endpoints_live on webhook_endpoints (tenant_id) where deleted_at is null;

      create table notification_deliveries (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenants(id),
        incident_id uuid,
        endpoint_id uuid,
        event_id text not null,
        event_type text not null,
        channel text not null check (channel in ('slack', 'teams', 'email', 'pagerduty', 'webhook')),
        target text not null default '',
        idempotency_key text not null,
        status text not null check (status in ('pending', 'retrying', 'delivered', 'failed', 'skipped')),
        attempts int not null default 0 check (attempts >= 0),
        last_error text,
        response_status int,
        response_excerpt text,
        latency_ms int,
        payload jsonb not null,
        created_at timestamptz not null,
        last_attempt_at timestamptz,
        delivered_at timestamptz,
        next_attempt_at timestamptz,
        unique (tenant_id, idempotency_key),
        unique (id, tenant_id),
        foreign key (incident_id, tenant_id) references incidents (id, tenant_id),
        foreign key (endpoint_id, tenant_id) references webhook_endpoints (id, tenant_id),
        check ((channel = 'webhook') = (endpoint_id is not null))
      );
      create index notification_deliveries_incident on notification_deliveries (tenant_id, incident_id, created_at);
      create index notification_deliveries_endpoint on notification_deliveries (tenant_id, endpoint_id, created_at desc) where endpoint_id is not null;

      create table incident_threads (
        tenant_id uuid not null references tenants(id),
        incident_id uuid not null,
        channel text not null check (channel in ('slack', 'teams')),
        target text not null,
        thread_ref text,
        updated_at timestamptz not null,
        primary key (tenant_id, incident_id, channel),
        foreign key (incident_id, tenant_id) references incidents (id, tenant_id)
      );

      -- Once-only marks: an escalation step or a status-update reminder fires once per incident, step and instant.
      create table notification_marks (
        tenant_id uuid not null references tenants(id),
        incident_id uuid not null,
        mark text not null,
        created_at timestamptz not null,
        primary key (tenant_id, incident_id, mark),
        foreign key (incident_id, tenant_id) references incidents (id, tenant_id)
      );

      alter table notification_marks enable row level security;
      alter table notification_marks force row level security;
      create policy notification_marks_tenant on notification_marks
        using (tenant_id = any ((select app_tenant_ids())::uuid[]))
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]));
      alter table notification_connections enable row level security;
      alter table notification_connections force row level security;
      create policy notification_connections_tenant on notification_connections
        using (tenant_id = any ((select app_tenant_ids())::uuid[]))
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]));
      alter table webhook_endpoints enable row level security;
      alter table webhook_endpoints force row level security;
      create policy webhook_endpoints_tenant on webhook_endpoints
        using (tenant_id = any ((select app_tenant_ids())::uuid[]))
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]));
      alter table notification_deliveries enable row level security;
      alter table notification_deliveries force row level security;
      create policy notification_deliveries_tenant on notification_deliveries
        using (tenant_id = any ((select app_tenant_ids())::uuid[]))
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]));
      alter table incident_threads enable row level security;
      alter table incident_threads force row level security;
      create policy incident_threads_tenant on incident_threads
        using (tenant_id = any ((select app_tenant_ids())::uuid[]))
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]));

      grant select, insert, update, delete on notification_connections to ${app};
      grant select, insert, update on webhook_endpoints to ${app};
      grant select, insert, update on notification_deliveries to ${app};
      grant select, insert, update on incident_threads to ${app};
      grant select, insert on notification_marks to ${app};
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop table if exists notification_marks;
      drop table if exists incident_threads;
      drop table if exists notification_deliveries;
      drop table if exists webhook_endpoints;
      drop table if exists notification_connections;
    `);
  }
}
