import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { Mailer, MailNotConfigured } from '../../mail/mailer';
import type { IncidentMessage } from '../incident-message';
import { AttemptResult, failure } from './channel-result';

// Templates are the portal's own (never a user's); {{ }} escapes every value.
const html = Handlebars.compile<IncidentMessage>(
  `<!doctype html><html><body style="font-family:Inter,Arial,sans-serif;color:#1a1b1e">
<p style="color:#555">{{tenantName}} · incident notification</p>
<h1 style="font-size:20px">{{reference}} · {{severity}} · {{status}}</h1>
<p style="font-size:16px"><strong>{{headline}}</strong></p>
{{#if detail}}<p>{{detail}}</p>{{/if}}
<p>{{title}}</p>
{{#if hotline}}<p><strong>Phone hotline:</strong> {{hotline}}</p>{{/if}}
<table cellpadding="4" style="border-collapse:collapse">
<caption style="text-align:left">Clocks ({{timezone}})</caption>
{{#each clocks}}<tr><td>{{name}}</td><td>{{state}}</td><td>{{#if due}}due {{due}}{{/if}}</td></tr>{{/each}}
</table>
<p><a href="{{link}}">Open {{reference}} in the portal</a></p>
</body></html>`,
  { strict: false },
);
const text = Handlebars.compile<IncidentMessage>(
  `{{tenantName}} · incident notification

{{reference}} · {{severity}} · {{status}}
{{headline}}
{{#if detail}}{{detail}}
{{/if}}
{{title}}
{{#if hotline}}
Phone hotline: {{hotline}}
{{/if}}

Clocks ({{timezone}}):
{{#each clocks}}- {{name}}: {{state}}{{#if due}}, due {{due}}{{/if}}
{{/each}}
Open in the portal: {{link}}
`,
  { noEscape: true },
);

/** Email to the tenant's incident contacts (Settings → Contacts): HTML and text parts, one message per event. */
@Injectable()
export class EmailChannel {
  constructor(private readonly mailer: Mailer) {}

  render(m: IncidentMessage): { subject: string; html: string; text: string } {
    return { subject: `[${m.tenantName}] ${m.reference} ${m.severity}: ${m.headline}`, html: html(m), text: text(m) };
  }

  async send(o: { to: string[]; message: IncidentMessage; messageId: string }): Promise<AttemptResult> {
    if (!o.to.length) return { ...failure('the tenant has no incident contacts (Settings → Contacts)', false), target: '' };
    const started = Date.now();
    const r = this.render(o.message);
    try {
      const res = await this.mailer.send({ to: o.to, subject: r.subject, text: r.text, html: r.html, messageId: o.messageId });
      return {
        ok: true,
        retryable: false,
        responseStatus: 250,
        responseExcerpt: `accepted ${res.accepted.length} of ${o.to.length}`,
        latencyMs: Date.now() - started,
        error: null,
        target: o.to.join(', '),
      };
    } catch (err) {
      if (err instanceof MailNotConfigured) return { ...failure('email is not configured (SMTP_URL)', false), target: o.to.join(', ') };
      return { ...failure(err), latencyMs: Date.now() - started, target: o.to.join(', ') };
    }
  }
}
