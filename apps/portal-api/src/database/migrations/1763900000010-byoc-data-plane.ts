import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE_PLACEHOLDER } from '../migration-support';

/**
 * BYOC (issue 16). One schema for both planes; each plane uses its own tables.
 * Control plane: `attachments.stored_in` says where the bytes are (a `data_plane` row holds metadata only);
 * `data_plane_heartbeats` keeps every heartbeat a tenant's data plane sent over the mTLS link (RLS per tenant,
 * idempotent on the data plane's message id, so a retried message is recorded once).
 * Data plane (its own database, in the customer's cloud): `plane_objects` maps an attachment id (from the grant)
 * to the storage key (RLS per tenant, like attachments); `plane_outbox` holds the messages for the control plane
 * until it has acknowledged them (infrastructure like `outbox`: only the relay's system scope reads it).
 */
export class ByocDataPlane1763900000010 implements MigrationInterface {
  name = 'ByocDataPlane1763900000010';

  async up(q: QueryRunner): Promise<void> {
    const app = APP_ROLE_PLACEHOLDER();
    await q.query(`
      alter table attachments add column stored_in text not null default 'portal' check (stored_in in ('portal', 'data_plane'));

      create table data_plane_heartbeats (
        id bigserial primary key,
        tenant_id uuid not null references tenants(id),
        message_id uuid not null,
        sent_at timestamptz not null,
        received_at timestamptz not null,
        healthy boolean not null,
        public_url text,
        checks jsonb not null default '[]',
        certificate_not_after timestamptz,
        unique (tenant_id, message_id)
      );
      create index data_plane_heartbeats_latest on data_plane_heartbeats (tenant_id, sent_at desc);
      alter table data_plane_heartbeats enable row level security;
      alter table data_plane_heartbeats force row level security;
      create policy data_plane_heartbeats_tenant on data_plane_heartbeats
        using (tenant_id = any ((select app_tenant_ids())::uuid[]))
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]));
      grant select, insert on data_plane_heartbeats to ${app};
      grant usage on sequence data_plane_heartbeats_id_seq to ${app};

      -- every message the control plane processed, per tenant: a retried message is applied once
      create table plane_messages_received (
        tenant_id uuid not null references tenants(id),
        message_id uuid not null,
        type text not null,
        received_at timestamptz not null,
        primary key (tenant_id, message_id)
      );
      alter table plane_messages_received enable row level security;
      alter table plane_messages_received force row level security;
      create policy plane_messages_received_tenant on plane_messages_received
        using (tenant_id = any ((select app_tenant_ids())::uuid[]))
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]));
      grant select, insert on plane_messages_received to ${app};

      create table plane_objects (
        attachment_id uuid primary key,
        tenant_id uuid not null,
        incident_id uuid not null,
        storage_key text not null unique,
        kind text not null,
        display_name text not null,
        content_type text not null,
        size_bytes bigint not null check (size_bytes >= 0),
        sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
        stored_at timestamptz not null,
        deleted_at timestamptz
      );
      create index plane_objects_tenant on plane_objects (tenant_id, incident_id);
      alter table plane_objects enable row level security;
      alter table plane_objects force row level security;
      create policy plane_objects_tenant on plane_objects
        using (tenant_id = any ((select app_tenant_ids())::uuid[]))
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]));
      grant select, insert, update on plane_objects to ${app};

      create table plane_outbox (
        id uuid primary key,
        tenant_id uuid,
        type text not null,
        payload jsonb not null,
        created_at timestamptz not null,
        attempts int not null default 0,
        available_at timestamptz not null,
        last_error text,
        delivered_at timestamptz
      );
      create index plane_outbox_pending on plane_outbox (created_at) where delivered_at is null;
      alter table plane_outbox enable row level security;
      alter table plane_outbox force row level security;
      -- written in the transaction of the change (tenant scope: an upload) or by the heartbeat (system scope);
      -- read and updated only by the relay (system scope)
      create policy plane_outbox_write on plane_outbox for insert
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]) or (select app_scope()) = 'system');
      create policy plane_outbox_relay_read on plane_outbox for select using ((select app_scope()) = 'system');
      create policy plane_outbox_relay_update on plane_outbox for update
        using ((select app_scope()) = 'system') with check ((select app_scope()) = 'system');
      grant select, insert, update on plane_outbox to ${app};
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop table if exists plane_outbox, plane_objects, plane_messages_received, data_plane_heartbeats;
      alter table attachments drop column if exists stored_in;
    `);
  }
}
