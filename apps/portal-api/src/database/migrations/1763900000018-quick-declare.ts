import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Quick declaration (issue 18): a Sev 1/Sev 2 may be declared with title, severity, services, regions (and the
 * plane in Mode C); the rest of the intake arrives later. Those columns may now be empty, but only for a quick
 * declaration (`intake = 'quick'`): a full declaration still has every field, checked by the database itself.
 */
export class QuickDeclare1763900000018 implements MigrationInterface {
  name = 'QuickDeclare1763900000018';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table incidents
        add column intake text not null default 'full' check (intake in ('full', 'quick')),
        alter column impacted_users drop not null,
        alter column first_noticed_at drop not null,
        alter column first_noticed_tz drop not null,
        alter column symptoms drop not null,
        alter column recent_changes drop not null,
        alter column reproduction_confirmed drop not null,
        add constraint incidents_full_intake check (
          intake = 'quick' or (impacted_users is not null and first_noticed_at is not null and first_noticed_tz is not null
            and symptoms is not null and recent_changes is not null and reproduction_confirmed is not null)
        ),
        add constraint incidents_first_noticed_with_zone check ((first_noticed_at is null) = (first_noticed_tz is null))
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table incidents
        drop constraint if exists incidents_first_noticed_with_zone,
        drop constraint if exists incidents_full_intake,
        drop column if exists intake
    `);
  }
}
