import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE_PLACEHOLDER } from '../migration-support';

const SERVICES = ['Identity', 'Distribution', 'Hub', 'Telemetry', 'Command Center', 'Onboarding Portal', 'Documentation site'];
const REGIONS = [
  ['eu-south-1', 'Milano'],
  ['eu-central-1', 'Frankfurt'],
];

/**
 * The public status page (issue 14, part B). Its data is the vendor's, not a tenant's, so it has no tenant_id
 * and lives in a scope of its own: every status table is visible and writable only in the `status` scope
 * (`app.scope = 'status'`, set per transaction like the `system`/`directory` scopes). A tenant transaction sees
 * none of it, and a status transaction sees no tenant row (it sets no `app.tenant_ids`). The one tie to tenant
 * data — a public incident linked to a tenant incident — is a composite key (incident_id, tenant_id) to
 * incidents, never shown publicly.
 *
 * Deliveries to subscribers go through the outbox: its rows may now carry no tenant (vendor-wide work),
 * inserted only in the `status` or `system` scope.
 */
export class StatusPage1763900000013 implements MigrationInterface {
  name = 'StatusPage1763900000013';

  async up(q: QueryRunner): Promise<void> {
    const app = APP_ROLE_PLACEHOLDER();
    await q.query(`
      create table status_components (
        id uuid primary key default gen_random_uuid(),
        service text not null,
        region text not null,
        region_name text not null,
        position integer not null,
        state text not null default 'operational'
          check (state in ('operational', 'maintenance', 'degraded', 'partial_outage', 'major_outage')),
        state_since timestamptz not null,
        unique (service, region)
      );
      -- Every state a component entered, for the 90-day uptime history.
      create table status_component_changes (
        id bigserial primary key,
        component_id uuid not null references status_components(id),
        state text not null,
        changed_at timestamptz not null
      );
      create index status_component_changes_at on status_component_changes (component_id, changed_at);

      create table status_posts (
        id uuid primary key default gen_random_uuid(),
        kind text not null check (kind in ('incident', 'maintenance')),
        title text not null,
        status text not null,
        impact text not null,
        starts_at timestamptz not null,
        ends_at timestamptz,
        resolved_at timestamptz,
        created_at timestamptz not null,
        created_by text not null,
        linked_incident_id uuid,
        linked_tenant_id uuid,
        constraint status_posts_link check ((linked_incident_id is null) = (linked_tenant_id is null)),
        constraint status_posts_incident foreign key (linked_incident_id, linked_tenant_id) references incidents (id, tenant_id)
      );
      create index status_posts_recent on status_posts (created_at desc);
      create table status_post_components (
        post_id uuid not null references status_posts(id),
        component_id uuid not null references status_components(id),
        primary key (post_id, component_id)
      );
      create table status_post_updates (
        id uuid primary key default gen_random_uuid(),
        post_id uuid not null references status_posts(id),
        status text not null,
        body text not null,
        posted_at timestamptz not null,
        posted_by text not null
      );
      create index status_post_updates_post on status_post_updates (post_id, posted_at);

      -- Subscribers need no account. Slack and webhook URLs carry credentials: sealed (target_sealed), with a
      -- keyed hash to find duplicates; an email address is stored as typed (it is where mail goes).
      create table status_subscribers (
        id uuid primary key default gen_random_uuid(),
        channel text not null check (channel in ('email', 'slack', 'webhook')),
        email text,
        target_sealed jsonb,
        target_hash text not null,
        secret_sealed jsonb,
        services text[] not null default '{}',
        regions text[] not null default '{}',
        created_at timestamptz not null,
        confirmed_at timestamptz,
        confirm_nonce text,
        confirm_expires_at timestamptz,
        unsubscribed_at timestamptz,
        constraint status_subscribers_target check ((channel = 'email') = (email is not null) and (channel = 'email') = (target_sealed is null))
      );
      create unique index status_subscribers_active on status_subscribers (channel, target_hash) where unsubscribed_at is null;

      -- One row per (update, subscriber): the idempotency record of a delivery.
      create table status_deliveries (
        update_id uuid not null references status_post_updates(id),
        subscriber_id uuid not null references status_subscribers(id),
        created_at timestamptz not null,
        attempts integer not null default 0,
        delivered_at timestamptz,
        skipped text,
        last_error text,
        primary key (update_id, subscriber_id)
      );
    `);
    for (const table of [
      'status_components',
      'status_component_changes',
      'status_posts',
      'status_post_components',
      'status_post_updates',
      'status_subscribers',
      'status_deliveries',
    ]) {
      await q.query(`
        alter table ${table} enable row level security;
        alter table ${table} force row level security;
        create policy ${table}_status on ${table}
          using ((select app_scope()) = 'status') with check ((select app_scope()) = 'status');
      `);
    }
    const values = SERVICES.flatMap((s, i) => REGIONS.map(([code, name], j) => `('${s}', '${code}', '${name}', ${i * 10 + j}, now())`)).join(',\n');
    await q.query(`
      insert into status_components (service, region, region_name, position, state_since) values ${values};
      insert into status_component_changes (component_id, state, changed_at) select id, 'operational', state_since from status_components;

      alter table outbox alter column tenant_id drop not null;
      create policy outbox_vendor_write on outbox for insert
        with check (tenant_id is null and (select app_scope()) in ('status', 'system'));

      grant select, insert, update on status_components to ${app};
      grant select, insert on status_component_changes to ${app};
      grant usage on sequence status_component_changes_id_seq to ${app};
      grant select, insert, update on status_posts to ${app};
      grant select, insert on status_post_components to ${app};
      grant select, insert on status_post_updates to ${app};
      grant select, insert, update on status_subscribers to ${app};
      grant select, insert, update on status_deliveries to ${app};
    `);

    // Credential-health digest (tenant data, the usual tenant policies): one subscription per tenant, and the
    // record of each expiry alert sent, so an alert goes out once per credential, threshold and expiry.
    await q.query(`
      create table credential_digest_subscriptions (
        tenant_id uuid primary key references tenants(id),
        email text not null,
        created_at timestamptz not null,
        created_by text not null,
        last_digest_at timestamptz
      );
      create table credential_alerts (
        tenant_id uuid not null references tenants(id),
        credential_key text not null,
        threshold_days integer not null,
        expires_at timestamptz not null,
        sent_at timestamptz not null,
        primary key (tenant_id, credential_key, threshold_days, expires_at)
      );
      alter table credential_alerts add constraint credential_alerts_subscription foreign key (tenant_id) references credential_digest_subscriptions (tenant_id) on delete cascade;
    `);
    for (const table of ['credential_digest_subscriptions', 'credential_alerts']) {
      await q.query(`
        alter table ${table} enable row level security;
        alter table ${table} force row level security;
        create policy ${table}_tenant on ${table}
          using (tenant_id = any ((select app_tenant_ids())::uuid[]))
          with check (tenant_id = any ((select app_tenant_ids())::uuid[]));
      `);
    }
    await q.query(`
      -- The daily sweep lists the subscribed tenants in system scope, then works in each tenant's own context.
      create policy credential_digest_subscriptions_sweep on credential_digest_subscriptions for select using ((select app_scope()) = 'system');
      grant select, insert, update, delete on credential_digest_subscriptions to ${app};
      grant select, insert, delete on credential_alerts to ${app};
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop policy if exists outbox_vendor_write on outbox;
      delete from outbox where tenant_id is null;
      alter table outbox alter column tenant_id set not null;
      drop table if exists credential_alerts, credential_digest_subscriptions;
      drop table if exists status_deliveries, status_subscribers, status_post_updates, status_post_components, status_posts,
        status_component_changes, status_components;
    `);
  }
}
