import { Inject, Injectable } from '@nestjs/common';
import { PORTAL_CONFIG, PortalConfig } from '../../config/portal-config';
import { EgressRefused, GuardedHttp } from '../../egress/guarded-http';
import { VendorNotificationSettingsService } from '../vendor-notification-settings.service';
import { AttemptResult, excerpt, failure } from './channel-result';

export interface PagerDutyEvent {
  action: 'trigger' | 'acknowledge' | 'resolve';
  /** Stable per incident: the trigger, its acknowledgement and its resolution name the same PagerDuty incident. */
  dedupKey: string;
  summary: string;
  severity: 'critical' | 'error' | 'warning' | 'info';
  source: string;
  link: string;
  customDetails: Record<string, unknown>;
}

/** The vendor's on-call through PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/). */
@Injectable()
export class PagerDutyChannel {
  constructor(
    private readonly http: GuardedHttp,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
    private readonly settings: VendorNotificationSettingsService,
  ) {}

  async send(e: PagerDutyEvent, timeoutMs: number): Promise<AttemptResult> {
    const { eventsUrl } = this.config.notifications.pagerDuty;
    // The routing key of the vendor's settings (or the deployment's PAGERDUTY_ROUTING_KEY until they are changed).
    const { routingKey } = (await this.settings.effective()).pagerDuty;
    if (!routingKey) return failure('no PagerDuty routing key is set (Vendor settings → Escalation and paging)', false);
    const body =
      e.action === 'trigger'
        ? {
            routing_key: routingKey,
            event_action: 'trigger',
            dedup_key: e.dedupKey,
            payload: { summary: e.summary.slice(0, 1024), source: e.source, severity: e.severity, custom_details: e.customDetails },
            links: [{ href: e.link, text: 'Incident in the portal' }],
          }
        : { routing_key: routingKey, event_action: e.action, dedup_key: e.dedupKey };
    try {
      const res = await this.http.request(eventsUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        timeoutMs,
        maxResponseBytes: 16 * 1024,
      });
      // 202 accepted; 400 invalid event (retrying cannot help); 429 and 5xx are retried.
      const ok = res.status === 202 || (res.status >= 200 && res.status < 300);
      return {
        ok,
        retryable: !ok && res.status !== 400,
        responseStatus: res.status,
        responseExcerpt: excerpt(res.body),
        latencyMs: res.latencyMs,
        error: ok ? null : `PagerDuty answered ${res.status}`,
        target: 'vendor on-call',
      };
    } catch (err) {
      return failure(err, !(err instanceof EgressRefused));
    }
  }
}
