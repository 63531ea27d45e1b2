import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE_PLACEHOLDER } from '../migration-support';

/**
 * Evidence attachments (issue #5). Same tenant wall as the foundation: tenant_id, RLS enabled and forced,
 * one policy with USING and WITH CHECK against app_tenant_ids(). The file itself lives in evidence storage
 * under a server-generated key; the row holds only sanitized metadata (display name, redaction report,
 * insights). Rows are never deleted, they are tombstoned (deleted_at) when the file is removed, so the
 * audit trail keeps pointing at something; the app role gets no DELETE.
 */
export class Evidence1763900000002 implements MigrationInterface {
  name = 'Evidence1763900000002';

  async up(q: QueryRunner): Promise<void> {
    const app = APP_ROLE_PLACEHOLDER();
    await q.query(`
      -- lets an attachment reference (incident, tenant) together: it cannot point at another tenant's incident
      alter table incidents add constraint incidents_id_tenant unique (id, tenant_id);

      create table attachments (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenants(id),
        incident_id uuid not null,
        kind text not null check (kind in ('har', 'governance-events', 'screenshot')),
        display_name text not null check (length(display_name) between 1 and 255),
        storage_key text not null unique,
        content_type text not null,
        size_bytes bigint not null check (size_bytes >= 0),
        sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
        redaction_report jsonb not null default '{}',
        insights jsonb not null default '{}',
        uploaded_by jsonb not null,
        uploaded_at timestamptz not null,
        deleted_at timestamptz,
        deleted_by jsonb,
        deletion_reason text check (deletion_reason in ('deleted', 'retention')),
        foreign key (incident_id, tenant_id) references incidents (id, tenant_id),
        check ((deleted_at is null) = (deletion_reason is null))
      );
      create index attachments_incident on attachments (tenant_id, incident_id, uploaded_at desc);
      create index attachments_live on attachments (tenant_id, incident_id) where deleted_at is null;

      alter table attachments enable row level security;
      alter table attachments force row level security;
      create policy attachments_tenant on attachments
        using (tenant_id = any ((select app_tenant_ids())::uuid[]))
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]));

      grant select, insert, update on attachments to ${app};
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop table if exists attachments;
      alter table incidents drop constraint if exists incidents_id_tenant;
    `);
  }
}
