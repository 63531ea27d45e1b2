import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sql } from '../database/sql';

export interface SessionRow {
  idHash: string;
  principalKind: 'user' | 'staff';
  principalId: string;
  tenantId: string | null;
  role: string;
  label: string;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

/** Server-side sessions, keyed by the SHA-256 of the cookie value (the cookie itself is never stored). */
@Injectable()
export class SessionsRepository {
  async insert(em: EntityManager, s: SessionRow): Promise<void> {
    await sql(
      em,
      `insert into sessions (id_hash, principal_kind, principal_id, tenant_id, role, label, csrf_token, created_at, last_seen_at, expires_at)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
      [s.idHash, s.principalKind, s.principalId, s.tenantId, s.role, s.label, s.csrfToken, s.createdAt, s.lastSeenAt, s.expiresAt],
    );
  }
  async findLive(em: EntityManager, idHash: string, now: Date, idleCutoff: Date): Promise<SessionRow | null> {
    const rows = await sql(em, `select * from sessions where id_hash = $1 and ended_at is null and expires_at > $2 and last_seen_at > $3`, [
      idHash,
      now,
      idleCutoff,
    ]);
    const r = rows[0];
    if (!r) return null;
    return {
      idHash: r.id_hash,
      principalKind: r.principal_kind,
      principalId: r.principal_id,
      tenantId: r.tenant_id,
      role: r.role,
      label: r.label,
      csrfToken: r.csrf_token,
      createdAt: r.created_at,
      lastSeenAt: r.last_seen_at,
      expiresAt: r.expires_at,
    };
  }
  async touch(em: EntityManager, idHash: string, now: Date): Promise<void> {
    await sql(em, `update sessions set last_seen_at = $2 where id_hash = $1`, [idHash, now]);
  }
  async end(em: EntityManager, idHash: string, now: Date): Promise<void> {
    await sql(em, `update sessions set ended_at = $2 where id_hash = $1 and ended_at is null`, [idHash, now]);
  }
  /** Sessions that ended, expired or went idle before `cutoff`: nothing can resume them. */
  async purge(em: EntityManager, cutoff: Date): Promise<number> {
    const rows = await sql(em, `delete from sessions where coalesce(ended_at, expires_at) < $1 or last_seen_at < $1 returning id_hash`, [cutoff]);
    return rows.length;
  }
}
