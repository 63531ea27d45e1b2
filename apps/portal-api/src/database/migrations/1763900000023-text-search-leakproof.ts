import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Under row-level security PostgreSQL evaluates a condition before the policy's own only when its function is
 * LEAKPROOF; `tsvector @@ tsquery` (`ts_match_vq`) is not marked so, so no search could use a GIN index (`pirs_search`,
 * `incidents_search`): every archive search read every review of the tenant and matched it (issue 15's archive bench:
 * p95 137 ms at 10,000 reviews, the index never in the plan, even with sequential scans turned off).
 *
 * `ts_match_vq` only compares its two arguments and returns true or false: it raises no error and reveals nothing of
 * a row it is not shown, which is what LEAKPROOF asks. Marking it needs a superuser: the migration does it when it
 * runs as one (the embedded and the bundled PostgreSQL, most self-managed servers) and otherwise leaves it to the
 * operator (README, Operating), the searches staying correct and slower.
 */
export class TextSearchLeakproof1763900000023 implements MigrationInterface {
  name = 'TextSearchLeakproof1763900000023';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      do $$ begin
        if (select rolsuper from pg_roles where rolname = current_user) then
          alter function pg_catalog.ts_match_vq(tsvector, tsquery) leakproof;
        else
          raise notice 'not a superuser: ts_match_vq stays non-leakproof, text searches cannot use their GIN indexes under RLS';
        end if;
      end $$;
    `);
  }

  async down(): Promise<void> {
    // The function's flag is the database's, not this schema's: left as it is.
  }
}
