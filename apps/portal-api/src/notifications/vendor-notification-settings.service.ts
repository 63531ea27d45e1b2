import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import type { EscalationStep, UpdateVendorNotificationSettingsInput, VendorNotificationSettingsView } from '@portal/contracts';
import { TenantContext } from '@portal/tenancy';
import { Clock } from '../common/clock';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { Db } from '../database/db.service';
import { DomainEvents } from '../events/domain-events.service';
import { openSecret, sealSecret } from '../sso/secret-box';
import { VendorNotificationSettingsRecord, VendorNotificationSettingsRepository } from './vendor-notification-settings.repository';

/** What the notifications module acts on: the ladder, and where (and for which severities) the on-call is paged. */
export interface EffectiveNotificationSettings {
  escalation: readonly EscalationStep[];
  pagerDuty: { routingKey: string | null; severities: readonly string[] };
}

/** Sealed values are bound to their place: the key cannot be moved to another row or table. */
const KEY_AAD = 'vendor_notification_settings:1:pagerduty_key';
/** Another process (a second API or worker) sees a change within this time; this process at once. */
const CACHE_MS = 10_000;

/**
 * Vendor settings → Escalation and paging. The deployment's configuration (ESCALATION_POLICY, PAGERDUTY_*) is the
 * default until a support engineer changes the settings in the portal; from then the stored row applies.
 */
@Injectable()
export class VendorNotificationSettingsService {
  private readonly keys: Map<string, Buffer>;
  private cached: { until: number; value: EffectiveNotificationSettings } | null = null;

  constructor(
    private readonly db: Db,
    private readonly repo: VendorNotificationSettingsRepository,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {
    this.keys = new Map([[config.secretKeyId, config.secretKey]]);
  }

  async effective(): Promise<EffectiveNotificationSettings> {
    if (this.cached && performance.now() < this.cached.until) return this.cached.value;
    const row = await this.db.scoped('system', (em) => this.repo.get(em));
    const value: EffectiveNotificationSettings = row
      ? {
          escalation: row.escalation,
          pagerDuty: {
            routingKey:
              row.pagerDutyKeyCiphertext && row.pagerDutyKeyKeyId
                ? openSecret({ ciphertext: row.pagerDutyKeyCiphertext, keyId: row.pagerDutyKeyKeyId }, this.keys, KEY_AAD)
                : null,
            severities: row.pagerDutySeverities,
          },
        }
      : {
          escalation: this.config.notifications.escalation,
          pagerDuty: { routingKey: this.config.notifications.pagerDuty.routingKey, severities: this.config.notifications.pagerDuty.severities },
        };
    this.cached = { until: performance.now() + CACHE_MS, value };
    return value;
  }

  async view(): Promise<VendorNotificationSettingsView> {
    const row = await this.db.scoped('system', (em) => this.repo.get(em));
    if (row) return viewOf(row);
    const key = this.config.notifications.pagerDuty.routingKey;
    return {
      escalation: [...this.config.notifications.escalation],
      pagerDutySeverities: [...this.config.notifications.pagerDuty.severities],
      pagerDutyKeyHint: key ? `…${key.slice(-4)}` : null,
      source: 'deployment',
      updatedAt: null,
      updatedBy: null,
    };
  }

  async update(input: UpdateVendorNotificationSettingsInput): Promise<VendorNotificationSettingsView> {
    const actor = TenantContext.actor();
    await this.db.scoped('system', async (em) => {
      const before = await this.repo.get(em);
      let ciphertext = before?.pagerDutyKeyCiphertext ?? null;
      let keyId = before?.pagerDutyKeyKeyId ?? null;
      let hint = before?.pagerDutyKeyHint ?? null;
      if (!before && input.pagerDutyRoutingKey === undefined && this.config.notifications.pagerDuty.routingKey) {
        // The first change keeps the deployment's key unless it says otherwise.
        const sealed = sealSecret(this.config.notifications.pagerDuty.routingKey, this.config.secretKey, this.config.secretKeyId, KEY_AAD);
        [ciphertext, keyId, hint] = [sealed.ciphertext, sealed.keyId, this.config.notifications.pagerDuty.routingKey.slice(-4)];
      }
      if (typeof input.pagerDutyRoutingKey === 'string') {
        const sealed = sealSecret(input.pagerDutyRoutingKey, this.config.secretKey, this.config.secretKeyId, KEY_AAD);
        [ciphertext, keyId, hint] = [sealed.ciphertext, sealed.keyId, input.pagerDutyRoutingKey.slice(-4)];
      } else if (input.pagerDutyRoutingKey === null) {
        [ciphertext, keyId, hint] = [null, null, null];
      }
      await this.repo.put(em, {
        escalation: input.escalation,
        pagerDutySeverities: input.pagerDutySeverities,
        pagerDutyKeyCiphertext: ciphertext,
        pagerDutyKeyKeyId: keyId,
        pagerDutyKeyHint: hint,
        updatedAt: this.clock.now(),
        updatedBy: actor.label,
      });
      await this.events.emit(em, {
        type: 'notification.vendor_settings_changed',
        tenantId: null,
        subjectId: null,
        payload: {
          escalationSteps: input.escalation.length,
          pagerDutySeverities: input.pagerDutySeverities,
          pagerDutyKey: input.pagerDutyRoutingKey === undefined ? 'unchanged' : input.pagerDutyRoutingKey === null ? 'removed' : 'set',
        },
      });
    });
    this.cached = null;
    return this.view();
  }

  /** Back to the deployment's configuration (ESCALATION_POLICY, PAGERDUTY_*); the stored key is deleted. */
  async reset(): Promise<VendorNotificationSettingsView> {
    await this.db.scoped('system', async (em) => {
      if (await this.repo.remove(em)) {
        await this.events.emit(em, { type: 'notification.vendor_settings_reset', tenantId: null, subjectId: null, payload: {} });
      }
    });
    this.cached = null;
    return this.view();
  }
}

function viewOf(row: VendorNotificationSettingsRecord): VendorNotificationSettingsView {
  return {
    escalation: row.escalation,
    pagerDutySeverities: row.pagerDutySeverities,
    pagerDutyKeyHint: row.pagerDutyKeyHint ? `…${row.pagerDutyKeyHint}` : null,
    source: 'settings',
    updatedAt: new Date(row.updatedAt).toISOString(),
    updatedBy: row.updatedBy,
  };
}
