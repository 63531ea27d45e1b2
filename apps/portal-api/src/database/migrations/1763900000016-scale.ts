import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scale (issue 17).
 *
 * - Every tenant as a scope: a support engineer's transaction sets `app.scope = 'all_tenants'` instead of sending
 *   every tenant id in `app.tenant_ids`. Every policy that reads `app_tenant_ids()` now also admits that scope
 *   (USING and WITH CHECK alike, so the same rows are visible and writable as with the full list before). The
 *   setting is still read once per statement as an InitPlan; unset still means no row (fail closed). No other
 *   scope (system, directory, status) gains anything. A table created later must write its policy the same way:
 *   `tenant_id = any ((select app_tenant_ids())::uuid[]) or (select app_scope()) = 'all_tenants'`
 *   (test/rls.e2e-spec.ts checks every policy).
 * - The policy is the guarantee, the query's own predicate is the plan: the incident list carries the tenant from
 *   the context (`tenant_id = $1` / `= any($1)`), which leads the (tenant_id, …) indexes; queries by incident id
 *   get indexes led by incident_id, since the policy (now an OR) no longer supplies an index condition.
 * - Indexes for the lists: a tenant's newest active incidents, and the vendor view's newest (active) incidents
 *   across every tenant, both in the keyset order (declared_at desc, id desc) so page 1,000 costs what page 1 does.
 * - `incidents.sla_due_at`: the earliest due instant of a clock that is running or breached without a recorded
 *   breach; the breach sweep reads it through a partial index. Incidents that are not closed start with their
 *   declaration instant, so the first sweep checks each of them once and sets the real instant.
 */
export class Scale1763900000016 implements MigrationInterface {
  name = 'Scale1763900000016';

  async up(q: QueryRunner): Promise<void> {
    const policies: { tablename: string; policyname: string; qual: string | null; with_check: string | null }[] = await q.query(
      `select tablename, policyname, qual, with_check from pg_policies
       where schemaname = current_schema() and (qual like '%app_tenant_ids()%' or with_check like '%app_tenant_ids()%')
       order by tablename, policyname`,
    );
    for (const p of policies) {
      const widen = (expr: string | null) => (expr === null || expr.includes('all_tenants') ? null : `(${expr}) or (select app_scope()) = 'all_tenants'`);
      const using = widen(p.qual);
      const check = widen(p.with_check);
      if (!using && !check) continue;
      await q.query(
        `alter policy ${quoteIdent(p.policyname)} on ${quoteIdent(p.tablename)}${using ? ` using (${using})` : ''}${check ? ` with check (${check})` : ''}`,
      );
    }

    await q.query(`
      -- The migration owner is subject to FORCE ROW LEVEL SECURITY unless it is a superuser: see every tenant.
      select set_config('app.scope', 'all_tenants', true);

      create index incidents_tenant_active_declared on incidents (tenant_id, declared_at desc, id desc)
        where status not in ('resolved', 'closed');
      create index incidents_declared on incidents (declared_at desc, id desc);
      create index incidents_active_declared on incidents (declared_at desc, id desc) where status not in ('resolved', 'closed');

      create index impacted_user_counts_by_incident on impacted_user_counts (incident_id, recorded_at);
      create index status_updates_by_incident on status_updates (incident_id, created_at);
      create index customer_replies_by_incident on customer_replies (incident_id, created_at);
      create index governance_events_by_incident on governance_events (incident_id, occurred_at) where incident_id is not null;
      create index attachments_by_incident on attachments (incident_id, uploaded_at desc);

      alter table incidents add column sla_due_at timestamptz;
      update incidents set sla_due_at = declared_at where status <> 'closed';
      create index incidents_sla_due on incidents (sla_due_at) where sla_due_at is not null;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop index if exists incidents_sla_due;
      alter table incidents drop column if exists sla_due_at;
      drop index if exists attachments_by_incident;
      drop index if exists governance_events_by_incident;
      drop index if exists customer_replies_by_incident;
      drop index if exists status_updates_by_incident;
      drop index if exists impacted_user_counts_by_incident;
      drop index if exists incidents_active_declared;
      drop index if exists incidents_declared;
      drop index if exists incidents_tenant_active_declared;
    `);
    const policies: { tablename: string; policyname: string; qual: string | null; with_check: string | null }[] = await q.query(
      `select tablename, policyname, qual, with_check from pg_policies
       where schemaname = current_schema() and (qual like '%all_tenants%' or with_check like '%all_tenants%')`,
    );
    // PostgreSQL stores `(x) or (select app_scope()) = 'all_tenants'` as `((x) OR ((SELECT app_scope() ...) = 'all_tenants'::text))`.
    const narrow = (expr: string | null) => {
      if (expr === null) return null;
      const m = /^\(\((.*)\) OR \(\( SELECT app_scope\(\) AS app_scope\) = 'all_tenants'::text\)\)$/s.exec(expr);
      return m ? m[1] : null;
    };
    for (const p of policies) {
      const using = narrow(p.qual);
      const check = narrow(p.with_check);
      if (!using && !check) continue;
      await q.query(
        `alter policy ${quoteIdent(p.policyname)} on ${quoteIdent(p.tablename)}${using ? ` using (${using})` : ''}${check ? ` with check (${check})` : ''}`,
      );
    }
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
