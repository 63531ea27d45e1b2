import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sql } from '../../database/sql';
import type { PlaneMessage, PlaneMessageType } from '../plane-protocol';

export interface PlaneObject {
  attachmentId: string;
  tenantId: string;
  incidentId: string;
  storageKey: string;
  kind: string;
  displayName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  storedAt: Date;
}

const toObject = (r: Record<string, any>): PlaneObject => ({
  attachmentId: r.attachment_id,
  tenantId: r.tenant_id,
  incidentId: r.incident_id,
  storageKey: r.storage_key,
  kind: r.kind,
  displayName: r.display_name,
  contentType: r.content_type,
  sizeBytes: Number(r.size_bytes),
  sha256: r.sha256,
  storedAt: r.stored_at,
});

export interface PendingMessage {
  id: string;
  type: PlaneMessageType;
  payload: PlaneMessage['payload'];
  createdAt: Date;
  attempts: number;
}

/** Data plane: the objects it stores (tenant RLS) and its outbox towards the control plane (relay: system scope). */
@Injectable()
export class PlaneStoreRepository {
  /** False when an object already exists under this attachment id (an upload grant is good for one file). */
  async insertObject(em: EntityManager, o: PlaneObject): Promise<boolean> {
    const rows = await sql(
      em,
      `insert into plane_objects (attachment_id, tenant_id, incident_id, storage_key, kind, display_name, content_type, size_bytes, sha256, stored_at)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) on conflict (attachment_id) do nothing returning attachment_id`,
      [o.attachmentId, o.tenantId, o.incidentId, o.storageKey, o.kind, o.displayName, o.contentType, o.sizeBytes, o.sha256, o.storedAt],
    );
    return rows.length > 0;
  }

  async exists(em: EntityManager, attachmentId: string): Promise<boolean> {
    const rows = await sql(em, `select 1 from plane_objects where attachment_id = $1`, [attachmentId]);
    return rows.length > 0;
  }

  async findLive(em: EntityManager, attachmentId: string, incidentId: string): Promise<PlaneObject | null> {
    const rows = await sql(em, `select * from plane_objects where attachment_id = $1 and incident_id = $2 and deleted_at is null`, [attachmentId, incidentId]);
    return rows[0] ? toObject(rows[0]) : null;
  }

  async enqueue(em: EntityManager, m: { id: string; tenantId: string | null; type: PlaneMessageType; payload: unknown; at: Date }): Promise<void> {
    await sql(em, `insert into plane_outbox (id, tenant_id, type, payload, created_at, available_at) values ($1,$2,$3,$4,$5,$5)`, [
      m.id,
      m.tenantId,
      m.type,
      JSON.stringify(m.payload),
      m.at,
    ]);
  }

  /** The oldest undelivered messages that are due (system scope). */
  async due(em: EntityManager, now: Date, limit: number): Promise<PendingMessage[]> {
    const rows = await sql(
      em,
      `select id, type, payload, created_at, attempts from plane_outbox where delivered_at is null and available_at <= $1 order by created_at, id limit $2`,
      [now, limit],
    );
    return rows.map((r) => ({ id: r.id, type: r.type, payload: r.payload, createdAt: r.created_at, attempts: r.attempts }));
  }

  async markDelivered(em: EntityManager, ids: string[], at: Date, note: string | null = null): Promise<void> {
    if (ids.length) await sql(em, `update plane_outbox set delivered_at = $2, last_error = $3 where id = any($1::uuid[])`, [ids, at, note]);
  }

  async markFailed(em: EntityManager, ids: string[], retryAt: Date, error: string): Promise<void> {
    if (ids.length)
      await sql(em, `update plane_outbox set attempts = attempts + 1, available_at = $2, last_error = $3 where id = any($1::uuid[])`, [
        ids,
        retryAt,
        error.slice(0, 500),
      ]);
  }

  async pendingCount(em: EntityManager): Promise<number> {
    const rows = await sql(em, `select count(*)::int as n from plane_outbox where delivered_at is null`);
    return rows[0].n;
  }
}
