import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sql } from '../database/sql';
import type { EvidenceKind } from './evidence-policy';

export interface ActorRef {
  kind: string;
  id: string;
  label: string;
}

export interface AttachmentRecord {
  id: string;
  tenantId: string;
  incidentId: string;
  kind: EvidenceKind;
  displayName: string;
  storageKey: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  redactionReport: { total: number; byRule: Record<string, number>; summary: string };
  insights: Record<string, unknown>;
  uploadedBy: ActorRef;
  uploadedAt: Date;
  deletedAt: Date | null;
  deletionReason: 'deleted' | 'retention' | null;
  /** `data_plane`: a BYOC tenant's bytes live in its data plane; this row is metadata only. */
  storedIn: 'portal' | 'data_plane';
}

export type NewAttachment = Omit<AttachmentRecord, 'id' | 'deletedAt' | 'deletionReason' | 'storedIn'>;

function toRecord(r: Record<string, any>): AttachmentRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    incidentId: r.incident_id,
    kind: r.kind,
    displayName: r.display_name,
    storageKey: r.storage_key,
    contentType: r.content_type,
    sizeBytes: Number(r.size_bytes),
    sha256: r.sha256,
    redactionReport: r.redaction_report,
    insights: r.insights,
    uploadedBy: r.uploaded_by,
    uploadedAt: r.uploaded_at,
    deletedAt: r.deleted_at,
    deletionReason: r.deletion_reason,
    storedIn: r.stored_in,
  };
}

/** Every attachment query. Row-level security decides which tenants are visible; filters only narrow. */
@Injectable()
export class AttachmentsRepository {
  async insert(em: EntityManager, a: NewAttachment): Promise<AttachmentRecord> {
    const rows = await sql(
      em,
      `insert into attachments (tenant_id, incident_id, kind, display_name, storage_key, content_type, size_bytes, sha256, redaction_report, insights, uploaded_by, uploaded_at)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) returning *`,
      [
        a.tenantId,
        a.incidentId,
        a.kind,
        a.displayName,
        a.storageKey,
        a.contentType,
        a.sizeBytes,
        a.sha256,
        JSON.stringify(a.redactionReport),
        JSON.stringify(a.insights),
        JSON.stringify(a.uploadedBy),
        a.uploadedAt,
      ],
    );
    return toRecord(rows[0]);
  }

  /** BYOC: the metadata of a file its data plane stored, under the id the grant reserved; once per id. */
  async insertFromDataPlane(em: EntityManager, id: string, a: NewAttachment): Promise<AttachmentRecord | null> {
    const rows = await sql(
      em,
      `insert into attachments (id, tenant_id, incident_id, kind, display_name, storage_key, content_type, size_bytes, sha256, redaction_report, insights, uploaded_by, uploaded_at, stored_in)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,'data_plane') on conflict (id) do nothing returning *`,
      [
        id,
        a.tenantId,
        a.incidentId,
        a.kind,
        a.displayName,
        a.storageKey,
        a.contentType,
        a.sizeBytes,
        a.sha256,
        JSON.stringify(a.redactionReport),
        JSON.stringify(a.insights),
        JSON.stringify(a.uploadedBy),
        a.uploadedAt,
      ],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Whether a data plane has linked for this tenant (its heartbeats, written by the byoc module's plane link). */
  async tenantHasDataPlane(em: EntityManager, tenantId: string): Promise<boolean> {
    const rows = await sql(em, `select exists (select 1 from data_plane_heartbeats where tenant_id = $1) as linked`, [tenantId]);
    return rows[0]?.linked === true;
  }

  async listLive(em: EntityManager, incidentId: string): Promise<AttachmentRecord[]> {
    const rows = await sql(em, `select * from attachments where incident_id = $1 and deleted_at is null order by uploaded_at desc, id desc`, [incidentId]);
    return rows.map(toRecord);
  }

  async findLive(em: EntityManager, incidentId: string, id: string, opts: { lock?: boolean } = {}): Promise<AttachmentRecord | null> {
    const rows = await sql(em, `select * from attachments where id = $1 and incident_id = $2 and deleted_at is null${opts.lock ? ' for update' : ''}`, [
      id,
      incidentId,
    ]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async markDeleted(em: EntityManager, id: string, at: Date, by: ActorRef, reason: 'deleted' | 'retention'): Promise<boolean> {
    const rows = await sql(
      em,
      `update attachments set deleted_at = $2, deleted_by = $3, deletion_reason = $4 where id = $1 and deleted_at is null returning id`,
      [id, at, JSON.stringify(by), reason],
    );
    return rows.length > 0;
  }

  /** Live attachments of these incidents, oldest incident first, locked for this sweep. */
  async liveOf(em: EntityManager, incidentIds: string[], limit: number): Promise<AttachmentRecord[]> {
    const rows = await sql(
      em,
      `select * from attachments where deleted_at is null and incident_id = any($1::uuid[]) order by uploaded_at, id limit $2 for update skip locked`,
      [incidentIds, limit],
    );
    return rows.map(toRecord);
  }
}
