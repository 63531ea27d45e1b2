import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE_PLACEHOLDER } from '../migration-support';

/**
 * Enterprise SSO: each tenant's identity-provider configurations (SAML, OIDC, Entra ID).
 * Tenant-owned, so the same row-level-security shape as the foundation (SECURITY.md).
 * Secrets (OIDC/Entra client secret, Entra certificate key) are AES-256-GCM ciphertext with the
 * id of the key that sealed them; every other setting is plain JSON the admin API returns.
 * Vendor staff providers are deployment configuration (SSO_STAFF_PROVIDERS), not rows here.
 */
export class Sso1763900000001 implements MigrationInterface {
  name = 'Sso1763900000001';

  async up(q: QueryRunner): Promise<void> {
    const app = APP_ROLE_PLACEHOLDER();
    await q.query(`
      create table idp_configs (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenants(id),
        kind text not null check (kind in ('saml','oidc','entra')),
        display_name text not null check (length(display_name) between 1 and 100),
        enabled boolean not null default true,
        jit_provisioning boolean not null default true,
        settings jsonb not null,
        role_mapping jsonb not null,
        secret_ciphertext text,
        secret_key_id text,
        created_at timestamptz not null default now(),
        created_by text not null,
        updated_at timestamptz not null default now(),
        updated_by text not null,
        check ((secret_ciphertext is null) = (secret_key_id is null))
      );
      create index idp_configs_tenant on idp_configs (tenant_id, created_at);

      alter table idp_configs enable row level security;
      alter table idp_configs force row level security;
      create policy idp_configs_tenant on idp_configs
        using (tenant_id = any ((select app_tenant_ids())::uuid[]))
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]));

      -- SSO accounts are found by (tenant, issuer-qualified subject), whichever config row signed them in.
      create index users_tenant_subject on users (tenant_id, idp_subject) where idp_subject is not null;

      grant select, insert, update, delete on idp_configs to ${app};
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop index if exists users_tenant_subject;
      drop table if exists idp_configs;
    `);
  }
}
