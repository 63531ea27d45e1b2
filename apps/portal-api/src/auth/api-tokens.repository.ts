import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sql } from '../database/sql';

export interface ApiTokenRow {
  id: string;
  tenantId: string;
  name: string;
  role: 'customer_admin' | 'customer_viewer';
  displayPrefix: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/**
 * Token format `pt_<tenant id hex>_<secret>`: the tenant part lets the look-up run inside that
 * tenant's row-level security; only the SHA-256 of the whole token is stored.
 */
export function formatApiToken(tenantId: string, secret: string): string {
  return `pt_${tenantId.replace(/-/g, '')}_${secret}`;
}
export function parseApiToken(token: string): { tenantId: string } | null {
  const m = /^pt_([0-9a-f]{32})_([A-Za-z0-9_-]{20,200})$/.exec(token);
  if (!m) return null;
  const h = m[1];
  return { tenantId: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` };
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
function toRow(r: Record<string, any>): ApiTokenRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    role: r.role,
    displayPrefix: r.display_prefix,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
    expiresAt: iso(r.expires_at),
    lastUsedAt: iso(r.last_used_at),
    revokedAt: iso(r.revoked_at),
  };
}

@Injectable()
export class ApiTokensRepository {
  async insert(
    em: EntityManager,
    t: { tenantId: string; name: string; role: string; hash: string; displayPrefix: string; createdBy: string; createdAt: Date; expiresAt: Date | null },
  ): Promise<ApiTokenRow> {
    const rows = await sql(
      em,
      `insert into api_tokens (tenant_id, name, role, token_hash, display_prefix, created_by, created_at, expires_at)
       values ($1,$2,$3,$4,$5,$6,$7,$8) returning *`,
      [t.tenantId, t.name, t.role, t.hash, t.displayPrefix, t.createdBy, t.createdAt, t.expiresAt],
    );
    return toRow(rows[0]);
  }
  async findActiveByHash(em: EntityManager, hash: string, now: Date): Promise<ApiTokenRow | null> {
    const rows = await sql(em, `select * from api_tokens where token_hash = $1 and revoked_at is null and (expires_at is null or expires_at > $2)`, [
      hash,
      now,
    ]);
    return rows[0] ? toRow(rows[0]) : null;
  }
  async markUsed(em: EntityManager, id: string, now: Date): Promise<void> {
    await sql(em, `update api_tokens set last_used_at = $2 where id = $1 and (last_used_at is null or last_used_at < $2::timestamptz - interval '1 minute')`, [
      id,
      now,
    ]);
  }
  async list(em: EntityManager, tenantId: string): Promise<ApiTokenRow[]> {
    const rows = await sql(em, `select * from api_tokens where tenant_id = $1 order by created_at desc`, [tenantId]);
    return rows.map(toRow);
  }
  async revoke(em: EntityManager, tenantId: string, id: string, now: Date): Promise<ApiTokenRow | null> {
    const rows = await sql(em, `update api_tokens set revoked_at = coalesce(revoked_at, $3) where tenant_id = $1 and id = $2 returning *`, [tenantId, id, now]);
    return rows[0] ? toRow(rows[0]) : null;
  }
}
