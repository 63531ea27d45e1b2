import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EscalationStep } from '@portal/contracts';

export interface VendorNotificationSettingsRecord {
  escalation: EscalationStep[];
  pagerDutySeverities: string[];
  pagerDutyKeyCiphertext: string | null;
  pagerDutyKeyKeyId: string | null;
  pagerDutyKeyHint: string | null;
  updatedAt: Date;
  updatedBy: string;
}

/** The one row of vendor-wide escalation and paging settings (system scope only). */
@Injectable()
export class VendorNotificationSettingsRepository {
  async get(em: EntityManager): Promise<VendorNotificationSettingsRecord | null> {
    const rows: Record<string, unknown>[] = await em.query(
      `select escalation, pagerduty_severities, pagerduty_key_ciphertext, pagerduty_key_key_id, pagerduty_key_hint, updated_at, updated_by
         from vendor_notification_settings where id = 1`,
    );
    const r = rows[0];
    if (!r) return null;
    return {
      escalation: r.escalation as EscalationStep[],
      pagerDutySeverities: r.pagerduty_severities as string[],
      pagerDutyKeyCiphertext: (r.pagerduty_key_ciphertext as string | null) ?? null,
      pagerDutyKeyKeyId: (r.pagerduty_key_key_id as string | null) ?? null,
      pagerDutyKeyHint: (r.pagerduty_key_hint as string | null) ?? null,
      updatedAt: r.updated_at as Date,
      updatedBy: r.updated_by as string,
    };
  }

  async put(em: EntityManager, s: VendorNotificationSettingsRecord): Promise<void> {
    await em.query(
      `insert into vendor_notification_settings
         (id, escalation, pagerduty_severities, pagerduty_key_ciphertext, pagerduty_key_key_id, pagerduty_key_hint, updated_at, updated_by)
       values (1, $1::jsonb, $2, $3, $4, $5, $6, $7)
       on conflict (id) do update set escalation = excluded.escalation, pagerduty_severities = excluded.pagerduty_severities,
         pagerduty_key_ciphertext = excluded.pagerduty_key_ciphertext, pagerduty_key_key_id = excluded.pagerduty_key_key_id,
         pagerduty_key_hint = excluded.pagerduty_key_hint, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [JSON.stringify(s.escalation), s.pagerDutySeverities, s.pagerDutyKeyCiphertext, s.pagerDutyKeyKeyId, s.pagerDutyKeyHint, s.updatedAt, s.updatedBy],
    );
  }

  async remove(em: EntityManager): Promise<boolean> {
    const rows: unknown[] = await em.query(`delete from vendor_notification_settings where id = 1 returning id`);
    return rows.length > 0;
  }
}
