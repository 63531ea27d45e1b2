import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SLA records nobody can rewrite (hardening issue, item 7).
 *
 * - `incidents.calendar`: the tenant's business calendar as it was when the incident was declared; a later
 *   edit of the tenant calendar applies to incidents declared after it. Incidents declared before this
 *   migration get the tenant calendar of the moment the migration runs (earlier versions were not kept).
 * - `incidents.severity_changes` (`[{at, from, to, reason, by}]`) and `incidents.resolved_periods`
 *   (`[{from, to}]`): what the clocks need to start a new run at a severity change and to pause restoration
 *   while a reopened incident was resolved. Backfilled from the audit trail where it tells a consistent story.
 * - `sla_breaches.owned` / `severity`: a breach of a clock the vendor does not own (Mode C data plane) is
 *   informational; the severity is the one whose target was breached (null for breaches recorded before).
 * - Append-only, for every role including the owner: a trigger refuses to change the declaration instant,
 *   the calendar snapshot, a recorded acknowledgement, or to rewrite or drop an entry of severity_changes,
 *   resolved_periods or sla_pauses (an open pause may only be closed); a severity change must append its
 *   record with a reason. sla_breaches rows can no longer be updated or deleted.
 *   A data fix must `alter table … disable trigger …` in its own reviewed migration.
 */
export class SlaHistory1763900000005 implements MigrationInterface {
  name = 'SlaHistory1763900000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- The migration owner is subject to FORCE ROW LEVEL SECURITY unless it is a superuser: see every tenant.
      select set_config('app.scope', 'system', true);
      select set_config('app.tenant_ids', coalesce((select string_agg(id::text, ',') from tenants), ''), true);

      alter table incidents
        add column calendar jsonb,
        add column severity_changes jsonb not null default '[]',
        add column resolved_periods jsonb not null default '[]';
      update incidents i set calendar = t.calendar from tenants t where t.id = i.tenant_id;
      alter table incidents alter column calendar set not null;

      -- Severity changes from the audit trail, when the chain links up and ends at the current severity.
      with ev as (
        select g.incident_id, g.id, g.occurred_at, g.details->>'from' as f, g.details->>'to' as t, g.details->>'reason' as reason,
               g.actor_kind, g.actor_id, g.actor_label,
               lag(g.details->>'to') over (partition by g.incident_id order by g.occurred_at, g.id) as prev_to,
               row_number() over (partition by g.incident_id order by g.occurred_at desc, g.id desc) as from_end
        from governance_events g
        where g.action = 'incident.severity_changed' and g.incident_id is not null
      ), chains as (
        select incident_id,
               jsonb_agg(jsonb_build_object(
                 'at', to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'from', f, 'to', t,
                 'reason', coalesce(reason, '(recorded before reasons were required)'),
                 'by', jsonb_build_object('kind', actor_kind, 'id', actor_id, 'label', actor_label)) order by occurred_at, id) as changes,
               bool_and(prev_to is null or prev_to = f) as linked,
               max(t) filter (where from_end = 1) as last_to,
               min(occurred_at) as first_at
        from ev group by incident_id
      )
      update incidents i set severity_changes = c.changes
      from chains c
      where c.incident_id = i.id and c.linked and c.last_to = i.severity and c.first_at >= i.declared_at;

      -- Resolved periods from the reopen events (resolved at previouslyResolvedAt, reopened when the event happened).
      with ev as (
        select g.incident_id, g.id, g.occurred_at as reopened_at, (g.details->>'previouslyResolvedAt')::timestamptz as resolved_at,
               lag(g.occurred_at) over (partition by g.incident_id order by g.occurred_at, g.id) as prev_reopened_at
        from governance_events g
        where g.action = 'incident.reopened' and g.incident_id is not null
      ), periods as (
        select incident_id,
               jsonb_agg(jsonb_build_object(
                 'from', to_char(resolved_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                 'to', to_char(reopened_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) order by reopened_at, id) as periods,
               bool_and(resolved_at is not null and resolved_at <= reopened_at and (prev_reopened_at is null or prev_reopened_at <= resolved_at)) as sound
        from ev group by incident_id
      )
      update incidents i set resolved_periods = p.periods from periods p where p.incident_id = i.id and p.sound;

      alter table sla_breaches
        add column owned boolean not null default true,
        add column severity text check (severity in ('sev1','sev2','sev3','sev4'));
      update sla_breaches b set owned = not (i.service_mode = 'C' and coalesce(i.plane, '') = 'data_plane')
      from incidents i where i.id = b.incident_id;

      create or replace function incidents_sla_record_guard() returns trigger language plpgsql as $$
      declare
        n integer;
      begin
        if new.declared_at is distinct from old.declared_at then
          raise exception 'incidents.declared_at is part of the SLA record and cannot change';
        end if;
        if new.calendar is distinct from old.calendar then
          raise exception 'incidents.calendar is the calendar in force at the declaration and cannot change';
        end if;
        if old.acknowledged_at is not null and new.acknowledged_at is distinct from old.acknowledged_at then
          raise exception 'incidents.acknowledged_at cannot change once recorded';
        end if;
        n := jsonb_array_length(old.severity_changes);
        if jsonb_array_length(new.severity_changes) < n
           or (select coalesce(jsonb_agg(e order by k), '[]'::jsonb) from jsonb_array_elements(new.severity_changes) with ordinality x(e, k) where k <= n)
              is distinct from old.severity_changes then
          raise exception 'incidents.severity_changes is append-only';
        end if;
        if new.severity is distinct from old.severity
           and (jsonb_array_length(new.severity_changes) <= n
                or new.severity_changes -> -1 ->> 'to' is distinct from new.severity
                or coalesce(btrim(new.severity_changes -> -1 ->> 'reason'), '') = '') then
          raise exception 'a severity change must append its record, with a reason, to incidents.severity_changes';
        end if;
        n := jsonb_array_length(old.resolved_periods);
        if jsonb_array_length(new.resolved_periods) < n
           or (select coalesce(jsonb_agg(e order by k), '[]'::jsonb) from jsonb_array_elements(new.resolved_periods) with ordinality x(e, k) where k <= n)
              is distinct from old.resolved_periods then
          raise exception 'incidents.resolved_periods is append-only';
        end if;
        if jsonb_array_length(new.sla_pauses) < jsonb_array_length(old.sla_pauses)
           or exists (
             select 1 from jsonb_array_elements(old.sla_pauses) with ordinality o(e, k)
             where (new.sla_pauses -> (k::int - 1)) -> 'from' is distinct from o.e -> 'from'
                or (coalesce(o.e -> 'to', 'null'::jsonb) <> 'null'::jsonb and (new.sla_pauses -> (k::int - 1)) -> 'to' is distinct from o.e -> 'to')) then
          raise exception 'incidents.sla_pauses: a recorded pause can be closed, never changed or removed';
        end if;
        return new;
      end $$;
      create trigger incidents_sla_record before update on incidents
        for each row execute function incidents_sla_record_guard();

      create or replace function sla_breaches_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'sla_breaches is append-only: a breach once recorded stays in the record';
      end $$;
      create trigger sla_breaches_no_change before update or delete on sla_breaches
        for each row execute function sla_breaches_append_only();
      create trigger sla_breaches_no_truncate before truncate on sla_breaches
        for each statement execute function sla_breaches_append_only();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop trigger if exists sla_breaches_no_truncate on sla_breaches;
      drop trigger if exists sla_breaches_no_change on sla_breaches;
      drop function if exists sla_breaches_append_only();
      drop trigger if exists incidents_sla_record on incidents;
      drop function if exists incidents_sla_record_guard();
      alter table sla_breaches drop column if exists severity, drop column if exists owned;
      alter table incidents drop column if exists resolved_periods, drop column if exists severity_changes, drop column if exists calendar;
    `);
  }
}
