import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE_PLACEHOLDER } from '../migration-support';

/**
 * Escalation and paging settings of the vendor (issue 14, "Vendor settings: escalation policy, PagerDuty routing
 * key"): one row for the whole deployment, changed by support engineers in the portal. Until the first change the
 * deployment's configuration (ESCALATION_POLICY, PAGERDUTY_ROUTING_KEY, PAGERDUTY_SEVERITIES) applies.
 * Not a tenant's table: visible and writable only in the `system` scope; the routing key is sealed at rest.
 */
export class VendorNotificationSettings1763900000020 implements MigrationInterface {
  name = 'VendorNotificationSettings1763900000020';

  async up(q: QueryRunner): Promise<void> {
    const app = APP_ROLE_PLACEHOLDER();
    await q.query(`
      create table vendor_notification_settings (
        id smallint primary key default 1 check (id = 1),
        escalation jsonb not null check (jsonb_typeof(escalation) = 'array'),
        pagerduty_severities text[] not null,
        pagerduty_key_ciphertext text,
        pagerduty_key_key_id text,
        pagerduty_key_hint text,
        updated_at timestamptz not null,
        updated_by text not null,
        check ((pagerduty_key_ciphertext is null) = (pagerduty_key_key_id is null))
      );
      alter table vendor_notification_settings enable row level security;
      alter table vendor_notification_settings force row level security;
      create policy vendor_notification_settings_system on vendor_notification_settings
        using ((select app_scope()) = 'system') with check ((select app_scope()) = 'system');
      grant select, insert, update, delete on vendor_notification_settings to ${app};
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists vendor_notification_settings`);
  }
}
