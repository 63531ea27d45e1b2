import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sql } from '../database/sql';

export interface DigestSubscriptionRow {
  tenantId: string;
  email: string;
  lastDigestAt: Date | null;
}

/** Digest subscriptions and the alerts already sent (tenant tables; the sweep lists subscribers in system scope). */
@Injectable()
export class CredentialHealthRepository {
  async subscription(em: EntityManager, tenantId: string): Promise<DigestSubscriptionRow | null> {
    const [row] = await sql<DigestSubscriptionRow>(
      em,
      `select tenant_id as "tenantId", email, last_digest_at as "lastDigestAt" from credential_digest_subscriptions where tenant_id = $1`,
      [tenantId],
    );
    return row ?? null;
  }

  async upsert(em: EntityManager, s: { tenantId: string; email: string; at: Date; by: string }): Promise<void> {
    await sql(
      em,
      `insert into credential_digest_subscriptions (tenant_id, email, created_at, created_by) values ($1,$2,$3,$4)
       on conflict (tenant_id) do update set email = excluded.email`,
      [s.tenantId, s.email, s.at, s.by],
    );
  }

  async remove(em: EntityManager, tenantId: string): Promise<boolean> {
    return (await sql(em, `delete from credential_digest_subscriptions where tenant_id = $1 returning tenant_id`, [tenantId])).length === 1;
  }

  subscribedTenants(em: EntityManager): Promise<string[]> {
    return sql<{ tenantId: string }>(em, `select tenant_id as "tenantId" from credential_digest_subscriptions order by tenant_id`).then((r) =>
      r.map((x) => x.tenantId),
    );
  }

  async markDigest(em: EntityManager, tenantId: string, at: Date): Promise<void> {
    await sql(em, `update credential_digest_subscriptions set last_digest_at = $2 where tenant_id = $1`, [tenantId, at]);
  }

  async alertsSent(em: EntityManager, tenantId: string): Promise<{ key: string; threshold: number; expiresAt: Date }[]> {
    return sql(em, `select credential_key as key, threshold_days as threshold, expires_at as "expiresAt" from credential_alerts where tenant_id = $1`, [
      tenantId,
    ]);
  }

  /** True when this alert is new (recorded now). */
  async recordAlert(em: EntityManager, a: { tenantId: string; key: string; threshold: number; expiresAt: Date; at: Date }): Promise<boolean> {
    const rows = await sql(
      em,
      `insert into credential_alerts (tenant_id, credential_key, threshold_days, expires_at, sent_at) values ($1,$2,$3,$4,$5)
       on conflict do nothing returning tenant_id`,
      [a.tenantId, a.key, a.threshold, a.expiresAt, a.at],
    );
    return rows.length === 1;
  }
}
