import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Publishing a post-incident review (issue 15): the tenant's Hub is a connection of kind `hub` (its URL in the
 * settings, its Standard Webhooks secret sealed like the chat tokens), and its deliveries are `hub` deliveries in
 * the same log, with the same retries, as every other channel. Only the two check constraints change.
 */
export class PirPublish1763900000015 implements MigrationInterface {
  name = 'PirPublish1763900000015';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table notification_connections drop constraint notification_connections_kind_check;
      alter table notification_connections add constraint notification_connections_kind_check check (kind in ('slack', 'teams', 'hub'));
      alter table notification_deliveries drop constraint notification_deliveries_channel_check;
      alter table notification_deliveries add constraint notification_deliveries_channel_check
        check (channel in ('slack', 'teams', 'email', 'pagerduty', 'webhook', 'hub'));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      delete from notification_deliveries where channel = 'hub';
      delete from notification_connections where kind = 'hub';
      alter table notification_deliveries drop constraint notification_deliveries_channel_check;
      alter table notification_deliveries add constraint notification_deliveries_channel_check
        check (channel in ('slack', 'teams', 'email', 'pagerduty', 'webhook'));
      alter table notification_connections drop constraint notification_connections_kind_check;
      alter table notification_connections add constraint notification_connections_kind_check check (kind in ('slack', 'teams'));
    `);
  }
}
