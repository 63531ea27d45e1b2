import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE_PLACEHOLDER } from '../migration-support';

/**
 * Post-incident reviews (issue 15). One review per incident (`pirs`), every saved version kept (`pir_versions`,
 * append-only for the app role). Same tenant wall as every tenant table: tenant_id, RLS enabled and forced, one
 * policy with USING and WITH CHECK against app_tenant_ids(), composite foreign keys to the parent so a review
 * cannot point at another tenant's incident. `search` (generated from every section and action item, GIN
 * indexed) serves the archive. `incidents.pir_waived_at`: a Sev 2 review waived by a support engineer.
 */
export class Pir1763900000009 implements MigrationInterface {
  name = 'Pir1763900000009';

  async up(q: QueryRunner): Promise<void> {
    const app = APP_ROLE_PLACEHOLDER();
    await q.query(`
      alter table incidents add column pir_waived_at timestamptz;

      create table pirs (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenants(id),
        incident_id uuid not null,
        status text not null check (status in ('draft', 'in_review', 'published', 'waived')),
        version integer not null check (version >= 1),
        sections jsonb not null,
        timeline jsonb not null default '[]',
        action_items jsonb not null default '[]',
        sla_outcomes jsonb not null default '[]',
        waiver_reason text check (waiver_reason is null or length(waiver_reason) between 1 and 2000),
        created_by jsonb not null,
        created_at timestamptz not null,
        updated_by jsonb not null,
        updated_at timestamptz not null,
        published_at timestamptz,
        published_by jsonb,
        hub_record jsonb,
        pdf_storage_key text unique,
        pdf_sha256 text check (pdf_sha256 ~ '^[0-9a-f]{64}$'),
        pdf_content_hash text check (pdf_content_hash ~ '^[0-9a-f]{64}$'),
        pdf_size_bytes bigint,
        pdf_version integer,
        rendered_at timestamptz,
        search tsvector generated always as (
          jsonb_to_tsvector('english', sections, '["string"]') || jsonb_to_tsvector('english', action_items, '["string"]')
        ) stored,
        unique (tenant_id, incident_id),
        unique (id, tenant_id),
        foreign key (incident_id, tenant_id) references incidents (id, tenant_id),
        check ((status = 'waived') = (waiver_reason is not null)),
        check ((status = 'published') = (published_at is not null))
      );
      create index pirs_search on pirs using gin (search);
      create index pirs_published on pirs (tenant_id, published_at desc) where status = 'published';

      alter table pirs enable row level security;
      alter table pirs force row level security;
      create policy pirs_tenant on pirs
        using (tenant_id = any ((select app_tenant_ids())::uuid[]))
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]));

      create table pir_versions (
        tenant_id uuid not null references tenants(id),
        pir_id uuid not null,
        version integer not null,
        status text not null,
        content jsonb not null,
        recorded_by jsonb not null,
        recorded_at timestamptz not null,
        primary key (pir_id, version),
        foreign key (pir_id, tenant_id) references pirs (id, tenant_id)
      );
      alter table pir_versions enable row level security;
      alter table pir_versions force row level security;
      create policy pir_versions_tenant on pir_versions
        using (tenant_id = any ((select app_tenant_ids())::uuid[]))
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]));

      grant select, insert, update on pirs to ${app};
      grant select, insert on pir_versions to ${app};
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop table if exists pir_versions;
      drop table if exists pirs;
      alter table incidents drop column if exists pir_waived_at;
    `);
  }
}
