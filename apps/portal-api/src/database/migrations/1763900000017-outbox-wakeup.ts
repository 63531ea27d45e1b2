import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The relay wakes on commit instead of on its poll: every statement inserting into the outbox raises a NOTIFY on
 * `portal_outbox`. A notification is delivered only when the inserting transaction commits (and several in one
 * transaction are folded into one), so the relay never sees a row before it is visible, and a rolled-back change
 * wakes nobody. The poll stays as the fallback (a missed notification, rows whose backoff has expired).
 * The partial index on id serves the relay's `order by id limit n for update skip locked` over pending rows.
 */
export class OutboxWakeup1763900000017 implements MigrationInterface {
  name = 'OutboxWakeup1763900000017';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create function outbox_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('portal_outbox', '');
        return null;
      end $$;
      create trigger outbox_notify after insert on outbox for each statement execute function outbox_notify();
      create index outbox_pending_id on outbox (id) where relayed_at is null;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop trigger if exists outbox_notify on outbox;
      drop function if exists outbox_notify();
      drop index if exists outbox_pending_id;
    `);
  }
}
