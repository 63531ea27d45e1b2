import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SSO account binding (hardening issue, item 4). Every SSO account belongs to the provider configuration that
 * created it, and subjects of different protocols live in separate namespaces:
 *
 * - tenant users: the subject gains its protocol — `saml:<entity id>|<NameID>`, `oidc:<issuer>|<sub>`,
 *   `entra:<authority host>/<directory>|<oid>` (the admin-chosen authority is now part of the Entra subject).
 *   Rows are rewritten from their provider configuration; a row whose configuration is gone keeps its old
 *   subject, which no provider asserts any more (an admin links that person again).
 * - a pending, explicit link: a customer admin authorises one account for one provider's next sign-in that
 *   vouches for its email (`sso_link_*`); nothing else links an existing account.
 * - vendor staff: found by (staff provider id, subject). Rows written before this migration have no provider
 *   id: the first staff provider that asserts their old-format subject adopts them (staff providers are
 *   deployment configuration), see SsoSignInService.
 *
 * Users and idp_configs are under forced row-level security; the rewrite lifts FORCE for this transaction only
 * (the owner runs migrations), so it also works for an owner that is neither superuser nor BYPASSRLS.
 */
export class SsoBinding1763900000006 implements MigrationInterface {
  name = 'SsoBinding1763900000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table users add column sso_link_idp_config_id uuid, add column sso_link_expires_at timestamptz,
        add constraint users_sso_link check ((sso_link_idp_config_id is null) = (sso_link_expires_at is null));

      alter table users no force row level security;
      alter table idp_configs no force row level security;
      update users u set idp_subject = 'saml:' || u.idp_subject
        from idp_configs c where c.id = u.idp_config_id and c.tenant_id = u.tenant_id and c.kind = 'saml' and u.idp_subject is not null;
      update users u set idp_subject = 'oidc:' || u.idp_subject
        from idp_configs c where c.id = u.idp_config_id and c.tenant_id = u.tenant_id and c.kind = 'oidc' and u.idp_subject is not null;
      update users u set idp_subject = 'entra:' || regexp_replace(c.settings->>'cloudInstance', '^[A-Za-z]+://([^/]+).*$', '\\1') || '/' || substr(u.idp_subject, 7)
        from idp_configs c where c.id = u.idp_config_id and c.tenant_id = u.tenant_id and c.kind = 'entra' and u.idp_subject like 'entra:%';
      alter table users force row level security;
      alter table idp_configs force row level security;

      -- Found by (tenant, provider configuration, subject) only: users_subject; the subject-only index has no reader left.
      drop index if exists users_tenant_subject;

      alter table staff add column idp_provider_id text;
      alter table staff drop constraint if exists staff_idp_subject_key;
      create unique index staff_subject on staff (idp_provider_id, idp_subject) where idp_subject is not null and idp_provider_id is not null;
      create unique index staff_legacy_subject on staff (idp_subject) where idp_subject is not null and idp_provider_id is null;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop index if exists staff_legacy_subject;
      drop index if exists staff_subject;
      alter table staff drop column if exists idp_provider_id;
      alter table staff add constraint staff_idp_subject_key unique (idp_subject);
      create index if not exists users_tenant_subject on users (tenant_id, idp_subject) where idp_subject is not null;

      alter table users no force row level security;
      update users set idp_subject = substr(idp_subject, 6) where idp_subject like 'saml:%' or idp_subject like 'oidc:%';
      update users set idp_subject = 'entra:' || substr(idp_subject, strpos(idp_subject, '/') + 1)
        where idp_subject ~ '^entra:[^|]*/';
      alter table users force row level security;
      alter table users drop constraint if exists users_sso_link, drop column if exists sso_link_expires_at, drop column if exists sso_link_idp_config_id;
    `);
  }
}
