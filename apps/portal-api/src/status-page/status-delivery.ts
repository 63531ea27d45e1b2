import { Injectable } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { GuardedHttp } from '../egress/guarded-http';
import { Mailer } from '../mail/mailer';
import type { DeliveryWork } from './status-page.service';

const label = (s: string) => s.replace(/_/g, ' ');

/** A receiver refused or failed: the job fails and BullMQ retries it with backoff. */
export class StatusDeliveryFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatusDeliveryFailed';
  }
}

/** Sends one public update over one channel: email (RFC 8058 one-click unsubscribe), Slack incoming webhook, signed webhook. */
@Injectable()
export class StatusDelivery {
  constructor(
    private readonly mailer: Mailer,
    private readonly http: GuardedHttp,
  ) {}

  async send(w: DeliveryWork, links: { page: string; unsubscribe: string; unsubscribePage: string }): Promise<void> {
    const where = w.post.components.map((c) => `${c.service} (${c.region})`).join(', ');
    const headline = `${w.post.title} — ${label(w.update.status)}`;
    if (w.subscriber.channel === 'email') {
      const text = [
        headline,
        '',
        w.update.body,
        '',
        `Affected: ${where}`,
        `Posted: ${w.update.postedAt.replace('T', ' ').slice(0, 16)} UTC`,
        '',
        `Status page: ${links.page}`,
        `Unsubscribe: ${links.unsubscribePage}`,
      ].join('\n');
      await this.mailer.send({
        to: [w.subscriber.email!],
        subject: `[Status] ${headline}`,
        text,
        headers: { 'List-Unsubscribe': `<${links.unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        // Stable per (update, subscriber): a retried send is recognisable as the same message.
        messageId: `<status-${w.update.id}-${w.subscriber.id}@status.portal>`,
      });
      return;
    }
    const event = {
      type: 'status.update_posted',
      timestamp: w.update.postedAt,
      data: {
        post: { id: w.post.id, kind: w.post.kind, title: w.post.title, status: w.post.status, impact: w.post.impact, components: w.post.components },
        update: w.update,
        url: links.page,
      },
    };
    let body: string;
    let headers: Record<string, string> = { 'content-type': 'application/json' };
    if (w.subscriber.channel === 'slack') {
      body = JSON.stringify({ text: `*${headline}*\n${w.update.body}\n_Affected: ${where}_ · <${links.page}|status page>` });
    } else {
      body = JSON.stringify(event);
      const msgId = `msg_${w.update.id}_${w.subscriber.id}`;
      // Standard Webhooks: the timestamp is the wall clock at sending (receivers check it against theirs).
      const sentAt = new Date();
      const signature = new Webhook(w.subscriber.secret!).sign(msgId, sentAt, body);
      const timestamp = String(Math.floor(sentAt.getTime() / 1000));
      headers = { ...headers, 'webhook-id': msgId, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
    }
    const res = await this.http.request(w.subscriber.url!, { method: 'POST', headers, body, maxResponseBytes: 16_384 });
    if (res.status < 200 || res.status >= 300) throw new StatusDeliveryFailed(`receiver answered ${res.status}`);
  }
}
