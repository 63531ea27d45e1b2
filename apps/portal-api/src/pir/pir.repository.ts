import { Injectable } from '@nestjs/common';
import type { PirSearchHit, SearchPirsQuery, PirActionItem, PirHubRecord, PirSectionKey, PirSlaOutcome, PirStatus, PirTimelineEntry } from '@portal/contracts';
import type { EntityManager } from 'typeorm';
import { sql } from '../database/sql';

export interface ActorRef {
  kind: string;
  id: string;
  label: string;
}

export interface PirRecord {
  id: string;
  tenantId: string;
  incidentId: string;
  status: PirStatus;
  version: number;
  sections: Record<PirSectionKey, string>;
  timeline: PirTimelineEntry[];
  actionItems: PirActionItem[];
  slaOutcomes: PirSlaOutcome[];
  waiverReason: string | null;
  createdBy: ActorRef;
  createdAt: Date;
  updatedBy: ActorRef;
  updatedAt: Date;
  publishedAt: Date | null;
  publishedBy: ActorRef | null;
  hubRecord: PirHubRecord | null;
  pdfStorageKey: string | null;
  pdfSha256: string | null;
  pdfContentHash: string | null;
  pdfSizeBytes: number | null;
  pdfVersion: number | null;
}

function toRecord(r: Record<string, any>): PirRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    incidentId: r.incident_id,
    status: r.status,
    version: r.version,
    sections: r.sections,
    timeline: r.timeline,
    actionItems: r.action_items,
    slaOutcomes: r.sla_outcomes,
    waiverReason: r.waiver_reason,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
    publishedAt: r.published_at,
    publishedBy: r.published_by,
    hubRecord: r.hub_record,
    pdfStorageKey: r.pdf_storage_key,
    pdfSha256: r.pdf_sha256,
    pdfContentHash: r.pdf_content_hash,
    pdfSizeBytes: r.pdf_size_bytes === null ? null : Number(r.pdf_size_bytes),
    pdfVersion: r.pdf_version,
  };
}

export type NewPir = Pick<PirRecord, 'tenantId' | 'incidentId' | 'status' | 'sections' | 'timeline' | 'actionItems' | 'slaOutcomes' | 'waiverReason'> & {
  by: ActorRef;
  at: Date;
};

export type PirChange = Partial<Pick<PirRecord, 'status' | 'sections' | 'timeline' | 'actionItems' | 'slaOutcomes' | 'waiverReason' | 'hubRecord'>> & {
  publishedAt?: Date;
  publishedBy?: ActorRef;
};

const COLUMNS = `id, tenant_id, incident_id, status, version, sections, timeline, action_items, sla_outcomes, waiver_reason, created_by,
  created_at, updated_by, updated_at, published_at, published_by, hub_record, pdf_storage_key, pdf_sha256, pdf_content_hash, pdf_size_bytes, pdf_version`;

/**
 * The archive search. With words, the match is `search @@ <the query>` on its own (no `… is null or …`), so the
 * planner can take the GIN index `pirs_search`; without words, no text condition at all (newest first).
 */
const searchSql = (withWords: boolean) => {
  const query = `websearch_to_tsquery('english', $1)`;
  return `select p.id, p.incident_id, p.published_at, i.number, i.title, i.severity, i.services, t.slug, t.display_name, t.reference_key,
              ts_headline('english', (select string_agg(v, ' ') from jsonb_each_text(p.sections) as s(k, v)), ${withWords ? query : `to_tsquery('english', '')`},
                'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxFragments=2, MaxWords=24, MinWords=8, FragmentDelimiter=" … "') as snippet,
              ${withWords ? `ts_rank(p.search, ${query})` : '0'} as rank
       from pirs p
       join incidents i on i.id = p.incident_id and i.tenant_id = p.tenant_id
       join tenants t on t.id = p.tenant_id
       where p.status = 'published'
         and ${withWords ? `p.search @@ ${query}` : '$1::text is null'}
         and ($2::text is null or $2 = any (i.services))
         and ($3::text is null or i.severity = $3)
         and ($4::date is null or p.published_at >= $4::date)
         and ($5::date is null or p.published_at < $5::date + 1)
       order by rank desc, p.published_at desc, p.id
       limit $6`;
};
const wordsOf = (q: SearchPirsQuery) => (q.q && q.q.trim() !== '' ? q.q : null);
const searchParams = (q: SearchPirsQuery) => [wordsOf(q), q.service ?? null, q.severity ?? null, q.from ?? null, q.to ?? null, q.limit ?? 25];

/** Every PIR query. Row-level security decides which tenants are visible. */
@Injectable()
export class PirRepository {
  async findByIncident(em: EntityManager, incidentId: string, opts: { lock?: boolean } = {}): Promise<PirRecord | null> {
    const rows = await sql(em, `select ${COLUMNS} from pirs where incident_id = $1 ${opts.lock ? 'for update' : ''}`, [incidentId]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findById(em: EntityManager, id: string): Promise<PirRecord | null> {
    const rows = await sql(em, `select ${COLUMNS} from pirs where id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Inserts version 1 and its snapshot; null when the incident already has a review (unique per incident). */
  async insert(em: EntityManager, p: NewPir): Promise<PirRecord | null> {
    const rows = await sql(
      em,
      `insert into pirs (tenant_id, incident_id, status, version, sections, timeline, action_items, sla_outcomes, waiver_reason,
                         created_by, created_at, updated_by, updated_at)
       values ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9, $10, $9, $10)
       on conflict (tenant_id, incident_id) do nothing
       returning ${COLUMNS}`,
      [
        p.tenantId,
        p.incidentId,
        p.status,
        JSON.stringify(p.sections),
        JSON.stringify(p.timeline),
        JSON.stringify(p.actionItems),
        JSON.stringify(p.slaOutcomes),
        p.waiverReason,
        JSON.stringify(p.by),
        p.at,
      ],
    );
    if (!rows[0]) return null;
    const rec = toRecord(rows[0]);
    await this.snapshot(em, rec, p.by, p.at);
    return rec;
  }

  /** Applies a change as the next version and keeps its snapshot. */
  async update(em: EntityManager, pir: PirRecord, change: PirChange, by: ActorRef, at: Date): Promise<PirRecord> {
    const cols: Record<string, [string, (v: any) => unknown]> = {
      status: ['status', (v) => v],
      sections: ['sections', (v) => JSON.stringify(v)],
      timeline: ['timeline', (v) => JSON.stringify(v)],
      actionItems: ['action_items', (v) => JSON.stringify(v)],
      slaOutcomes: ['sla_outcomes', (v) => JSON.stringify(v)],
      waiverReason: ['waiver_reason', (v) => v],
      hubRecord: ['hub_record', (v) => JSON.stringify(v)],
      publishedAt: ['published_at', (v) => v],
      publishedBy: ['published_by', (v) => JSON.stringify(v)],
    };
    const params: unknown[] = [pir.id, JSON.stringify(by), at];
    const sets = ['version = version + 1', 'updated_by = $2', 'updated_at = $3'];
    for (const [k, v] of Object.entries(change)) {
      if (v === undefined) continue;
      const [col, conv] = cols[k];
      params.push(conv(v));
      sets.push(`${col} = $${params.length}`);
    }
    const rows = await sql(em, `update pirs set ${sets.join(', ')} where id = $1 returning ${COLUMNS}`, params);
    const rec = toRecord(rows[0]);
    await this.snapshot(em, rec, by, at);
    return rec;
  }

  async recordPdf(
    em: EntityManager,
    id: string,
    pdf: { storageKey: string; sha256: string; contentHash: string; sizeBytes: number; version: number; at: Date },
  ): Promise<void> {
    await sql(
      em,
      `update pirs set pdf_storage_key = $2, pdf_sha256 = $3, pdf_content_hash = $4, pdf_size_bytes = $5, pdf_version = $6, rendered_at = $7
       where id = $1`,
      [id, pdf.storageKey, pdf.sha256, pdf.contentHash, pdf.sizeBytes, pdf.version, pdf.at],
    );
  }

  async versions(em: EntityManager, pirId: string): Promise<{ version: number; status: PirStatus; recordedAt: Date; recordedBy: ActorRef }[]> {
    const rows = await sql(em, `select version, status, recorded_at, recorded_by from pir_versions where pir_id = $1 order by version`, [pirId]);
    return rows.map((r) => ({ version: r.version, status: r.status, recordedAt: r.recorded_at, recordedBy: r.recorded_by }));
  }

  /**
   * Published reviews matching a web-search style query (websearch_to_tsquery over the GIN-indexed `search` column),
   * best match first, with a highlighted snippet (ts_headline). Row-level security limits the tenants.
   */
  async search(em: EntityManager, q: SearchPirsQuery): Promise<PirSearchHit[]> {
    await this.preferTextIndex(em, q);
    const rows = await sql(em, searchSql(wordsOf(q) !== null), searchParams(q));
    return rows.map((r) => ({
      pirId: r.id,
      incidentId: r.incident_id,
      reference: `${r.reference_key}-${r.number}`,
      title: r.title,
      severity: r.severity,
      services: r.services,
      tenant: { slug: r.slug, name: r.display_name },
      publishedAt: new Date(r.published_at).toISOString(),
      snippet: r.snippet ?? '',
      rank: Number(r.rank),
    }));
  }

  /** The archive query's plan (the benchmark shows the GIN index is used): the same SQL and parameters as `search`. */
  async searchPlan(em: EntityManager, q: SearchPirsQuery, analyze = false): Promise<string> {
    await this.preferTextIndex(em, q);
    const rows = await sql<{ 'QUERY PLAN': string }>(
      em,
      `explain (${analyze ? 'analyze, buffers, ' : ''}costs) ${searchSql(wordsOf(q) !== null)}`,
      searchParams(q),
    );
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }

  /**
   * With words, the GIN index over the reviews' text rather than a scan of every review: the planner prices the scan
   * by pages and misses that each row's stored tsvector is TOASTed and read back (10,000 reviews: a 78 ms scan reading
   * 35,771 buffers, priced as 1,300). Transaction-local, and the search is its transaction's only statement. The index
   * is usable under row-level security only where `ts_match_vq` is LEAKPROOF (migration 1763900000023).
   */
  private async preferTextIndex(em: EntityManager, q: SearchPirsQuery): Promise<void> {
    if (wordsOf(q) !== null) await sql(em, 'set local enable_seqscan = off');
  }

  private async snapshot(em: EntityManager, p: PirRecord, by: ActorRef, at: Date): Promise<void> {
    const content = { sections: p.sections, timeline: p.timeline, actionItems: p.actionItems, slaOutcomes: p.slaOutcomes, waiverReason: p.waiverReason };
    await sql(em, `insert into pir_versions (tenant_id, pir_id, version, status, content, recorded_by, recorded_at) values ($1, $2, $3, $4, $5, $6, $7)`, [
      p.tenantId,
      p.id,
      p.version,
      p.status,
      JSON.stringify(content),
      JSON.stringify(by),
      at,
    ]);
  }
}
