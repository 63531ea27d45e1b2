import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sql } from '../database/sql';
import type { HealthCheck } from './plane-protocol';

export interface HeartbeatRecord {
  tenantId: string;
  sentAt: Date;
  receivedAt: Date;
  healthy: boolean;
  publicUrl: string | null;
  checks: HealthCheck[];
  certificateNotAfter: Date | null;
}

const toHeartbeat = (r: Record<string, any>): HeartbeatRecord => ({
  tenantId: r.tenant_id,
  sentAt: r.sent_at,
  receivedAt: r.received_at,
  healthy: r.healthy,
  publicUrl: r.public_url,
  checks: r.checks,
  certificateNotAfter: r.certificate_not_after,
});

/** Control plane: what data planes sent over the plane link. Row-level security per tenant. */
@Injectable()
export class DataPlaneLinksRepository {
  /** Claims a message id for this tenant; false when it was already applied (a retry). */
  async claimMessage(em: EntityManager, tenantId: string, messageId: string, type: string, at: Date): Promise<boolean> {
    const rows = await sql(
      em,
      `insert into plane_messages_received (tenant_id, message_id, type, received_at) values ($1,$2,$3,$4) on conflict do nothing returning message_id`,
      [tenantId, messageId, type, at],
    );
    return rows.length > 0;
  }

  async insertHeartbeat(em: EntityManager, messageId: string, h: HeartbeatRecord): Promise<void> {
    await sql(
      em,
      `insert into data_plane_heartbeats (tenant_id, message_id, sent_at, received_at, healthy, public_url, checks, certificate_not_after)
       values ($1,$2,$3,$4,$5,$6,$7,$8) on conflict do nothing`,
      [h.tenantId, messageId, h.sentAt, h.receivedAt, h.healthy, h.publicUrl, JSON.stringify(h.checks), h.certificateNotAfter],
    );
  }

  /** The most recent heartbeat (by when the data plane sent it) of each visible tenant, or of one. */
  async latest(em: EntityManager, tenantId?: string): Promise<HeartbeatRecord[]> {
    const rows = await sql(
      em,
      `select distinct on (tenant_id) * from data_plane_heartbeats ${tenantId ? 'where tenant_id = $1' : ''} order by tenant_id, sent_at desc, id desc`,
      tenantId ? [tenantId] : [],
    );
    return rows.map(toHeartbeat);
  }

  async count(em: EntityManager, tenantId: string): Promise<number> {
    const rows = await sql(em, `select count(*)::int as n from data_plane_heartbeats where tenant_id = $1`, [tenantId]);
    return rows[0].n;
  }
}
