import { Injectable } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { EgressFailed, EgressRefused, GuardedHttp } from '../../egress/guarded-http';
import { AttemptResult, excerpt, failure } from './channel-result';

/**
 * Signed tenant webhooks per Standard Webhooks (https://www.standardwebhooks.com/): `webhook-id` is the delivery's
 * idempotency key (the same on every retry, so a receiver drops duplicates), `webhook-timestamp` and
 * `webhook-signature` (v1, HMAC-SHA256 over id.timestamp.body with the endpoint's `whsec_` secret).
 */
@Injectable()
export class WebhookChannel {
  constructor(private readonly http: GuardedHttp) {}

  async send(o: { url: string; secret: string; messageId: string; body: string; at: Date; timeoutMs: number }): Promise<AttemptResult> {
    const signature = new Webhook(o.secret).sign(o.messageId, o.at, o.body);
    try {
      const res = await this.http.request(o.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'incident-portal-webhooks/1',
          'webhook-id': o.messageId,
          'webhook-timestamp': String(Math.floor(o.at.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: o.body,
        timeoutMs: o.timeoutMs,
        maxResponseBytes: 16 * 1024,
      });
      const ok = res.status >= 200 && res.status < 300;
      return {
        ok,
        // Standard Webhooks: any 2xx is success; everything else is retried (a 4xx may be a receiver mid-deploy).
        retryable: !ok,
        responseStatus: res.status,
        responseExcerpt: excerpt(res.body),
        latencyMs: res.latencyMs,
        error: ok ? null : `the endpoint answered ${res.status}`,
      };
    } catch (err) {
      if (err instanceof EgressRefused) return failure(`refused by the egress policy: ${err.message}`, false);
      if (err instanceof EgressFailed && err.code === 'too_large') return { ...failure(err), retryable: false };
      return failure(err);
    }
  }
}
