import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE_PLACEHOLDER } from '../migration-support';

/**
 * The web app in a real outage (issue 18, items 3, 5 and search):
 * - `tenants.reference_key`: the short, unique key that qualifies an incident reference (`ACME-8`) wherever a person
 *   sees more than one tenant. Derived from the slug (letters and digits, at most 6, a leading letter), made unique
 *   with a digit suffix, never `INC` (the old unqualified references stay findable). A trigger fills it for new tenants.
 * - `customer_questions`: what the vendor needs from the customer when it waits on them, shown in the timeline and
 *   the customer's banner; `customer_replies.question_id` links the answer to it. Same tenant wall as every tenant table.
 * - `incidents.search`: full text (the `simple` configuration: error codes and references are not English words)
 *   over title, symptoms and error codes, GIN indexed, for the list's search.
 */
export class WebList1763900000019 implements MigrationInterface {
  name = 'WebList1763900000019';

  async up(q: QueryRunner): Promise<void> {
    const app = APP_ROLE_PLACEHOLDER();
    await q.query(`
      create or replace function tenant_reference_key(p_slug text, p_self uuid) returns text language plpgsql as $$
      declare
        base text := upper(left(regexp_replace(p_slug, '[^a-z0-9]', '', 'g'), 6));
        candidate text;
        n integer := 1;
      begin
        if base !~ '^[A-Z]' then base := left('T' || base, 6); end if;
        candidate := base;
        while candidate = 'INC' or exists (select 1 from tenants where reference_key = candidate and id <> p_self) loop
          n := n + 1;
          candidate := base || n::text;
        end loop;
        return candidate;
      end $$;

      alter table tenants add column reference_key text;
      do $$
      declare r record;
      begin
        for r in select id, slug from tenants order by created_at, id loop
          update tenants set reference_key = tenant_reference_key(r.slug, r.id) where id = r.id;
        end loop;
      end $$;
      alter table tenants alter column reference_key set not null;
      alter table tenants add constraint tenants_reference_key unique (reference_key);
      alter table tenants add constraint tenants_reference_key_format check (reference_key ~ '^[A-Z][A-Z0-9]{0,11}$' and reference_key <> 'INC');

      create or replace function tenants_fill_reference_key() returns trigger language plpgsql as $$
      begin
        if new.reference_key is null then new.reference_key := tenant_reference_key(new.slug, new.id); end if;
        return new;
      end $$;
      create trigger tenants_reference_key before insert on tenants for each row execute function tenants_fill_reference_key();

      create table customer_questions (
        id uuid primary key default gen_random_uuid(),
        tenant_id uuid not null references tenants(id),
        incident_id uuid not null,
        body text not null check (length(body) between 1 and 8000),
        asked_by jsonb not null,
        asked_at timestamptz not null,
        -- answered: a customer reply answered it; withdrawn: the engineer moved on without an answer.
        outcome text check (outcome in ('answered', 'withdrawn')),
        closed_at timestamptz,
        closed_by jsonb,
        unique (id, tenant_id),
        foreign key (incident_id, tenant_id) references incidents (id, tenant_id),
        check ((closed_at is null) = (outcome is null) and (closed_at is null) = (closed_by is null))
      );
      create index customer_questions_incident on customer_questions (tenant_id, incident_id, asked_at);
      create unique index customer_questions_one_open on customer_questions (incident_id) where closed_at is null;
      alter table customer_questions enable row level security;
      alter table customer_questions force row level security;
      -- Support engineers work in the all-tenants scope (migration 1763900000016).
      create policy customer_questions_tenant on customer_questions
        using (tenant_id = any ((select app_tenant_ids())::uuid[]) or (select app_scope()) = 'all_tenants')
        with check (tenant_id = any ((select app_tenant_ids())::uuid[]) or (select app_scope()) = 'all_tenants');

      alter table customer_replies add column question_id uuid;
      alter table customer_replies add constraint customer_replies_question_tenant
        foreign key (question_id, tenant_id) references customer_questions (id, tenant_id);

      -- Punctuation splits words on both sides (AUTH-401 is "auth" and "401"; hub.write is "hub" and "write"), so
      -- a search finds a code by any of its parts and the document and the query always agree.
      create or replace function incident_search_words(p text) returns text language sql immutable parallel safe as $$
        select regexp_replace(coalesce(p, ''), '[^[:alnum:]]+', ' ', 'g')
      $$;
      create or replace function incident_search_document(p_title text, p_symptoms text, p_codes text[]) returns tsvector
        language sql immutable parallel safe as $$
        select setweight(to_tsvector('simple', incident_search_words(p_title)), 'A')
            || setweight(to_tsvector('simple', incident_search_words(array_to_string(p_codes, ' '))), 'A')
            || setweight(to_tsvector('simple', incident_search_words(p_symptoms)), 'B')
      $$;
      -- Every word of the text, each as a prefix ("hub wri" finds "Hub writes failing"); null when there is no word.
      create or replace function incident_search_query(p text) returns tsquery language sql immutable parallel safe as $$
        select to_tsquery('simple', string_agg(quote_literal(lexeme) || ':*', ' & '))
        from unnest(to_tsvector('simple', incident_search_words(p)))
      $$;
      alter table incidents add column search tsvector generated always as (incident_search_document(title, symptoms, error_codes)) stored;
      create index incidents_search on incidents using gin (search);

      grant select, insert on customer_questions to ${app};
      grant update (outcome, closed_at, closed_by) on customer_questions to ${app};
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop index if exists incidents_search;
      alter table incidents drop column if exists search;
      drop function if exists incident_search_document(text, text, text[]);
      drop function if exists incident_search_query(text);
      drop function if exists incident_search_words(text);
      alter table customer_replies drop constraint if exists customer_replies_question_tenant;
      alter table customer_replies drop column if exists question_id;
      drop table if exists customer_questions;
      drop trigger if exists tenants_reference_key on tenants;
      drop function if exists tenants_fill_reference_key();
      alter table tenants drop column if exists reference_key;
      drop function if exists tenant_reference_key(text, uuid);
    `);
  }
}
