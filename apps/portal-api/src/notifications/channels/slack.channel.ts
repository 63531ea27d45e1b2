import { Inject, Injectable, Logger } from '@nestjs/common';
import { LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import { PORTAL_CONFIG, PortalConfig } from '../../config/portal-config';
import { EgressRefused, GuardedHttp } from '../../egress/guarded-http';
import type { IncidentMessage } from '../incident-message';

/** Slack's client logs through the portal's logger (never the console); its debug lines are dropped. */
const slackLog = new Logger('SlackClient');
const SLACK_LOGGER: NonNullable<WebClientOptions['logger']> = {
  debug: () => undefined,
  info: () => undefined,
  warn: (...m: unknown[]) => slackLog.warn(m.map(String).join(' ')),
  error: (...m: unknown[]) => slackLog.error(m.map(String).join(' ')),
  setLevel: () => undefined,
  getLevel: () => LogLevel.WARN,
  setName: () => undefined,
};

export class SlackCallFailed extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'SlackCallFailed';
  }
}

/** Slack errors that retrying cannot fix: the tenant must reconnect or invite the app. */
const PERMANENT = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_arguments',
]);

/**
 * The tenant's Slack channel, threaded (seed 000: "Slack/Teams Connect channel gets the same update, threaded"):
 * the declaration is the parent message, every later event a reply (`thread_ts`), and the parent is edited
 * (`chat.update`) to show the current state and clocks. Calls go through the official client with its own
 * retries off (the delivery job retries with backoff) and every request through the egress guard.
 */
@Injectable()
export class SlackChannel {
  constructor(
    private readonly http: GuardedHttp,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  private client(token: string, timeoutMs: number): WebClient {
    return new WebClient(token, {
      slackApiUrl: this.config.notifications.slackApiUrl,
      logger: SLACK_LOGGER,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: timeoutMs,
      allowAbsoluteUrls: false,
      // The DOM lib's Response lacks the iterable Headers type the client declares; at run time it is Node's fetch Response.
      fetch: this.guardedFetch(timeoutMs) as unknown as WebClientOptions['fetch'],
    });
  }

  /** A WHATWG fetch over GuardedHttp: the SSRF rules, the deadline and the response cap apply to Slack's client too. */
  private guardedFetch(timeoutMs: number) {
    return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
      const raw = init?.body;
      const body = raw === undefined || raw === null ? undefined : typeof raw === 'string' ? raw : Buffer.from(await new Response(raw).arrayBuffer());
      const res = await this.http.request(url, { method: 'POST', headers, body, timeoutMs, maxResponseBytes: 64 * 1024 });
      return new Response(new Uint8Array(res.body), { status: res.status, headers: res.headers });
    };
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof EgressRefused) throw new SlackCallFailed(`refused by the egress policy: ${err.message}`, false);
      const e = err as { code?: string; data?: { error?: string }; message?: string; original?: unknown };
      const slackError = e.data?.error;
      if (slackError) throw new SlackCallFailed(`Slack refused the call: ${slackError}`, !PERMANENT.has(slackError));
      const original = e.original as Error | undefined;
      if (original instanceof EgressRefused) throw new SlackCallFailed(`refused by the egress policy: ${original.message}`, false);
      throw new SlackCallFailed(String(original?.message ?? e.message ?? err).slice(0, 300), true);
    }
  }

  async postParent(token: string, channel: string, m: IncidentMessage, timeoutMs: number): Promise<string> {
    const res = await this.call(() =>
      this.client(token, timeoutMs).chat.postMessage({ channel, text: parentText(m), blocks: parentBlocks(m), unfurl_links: false }),
    );
    if (!res.ts) throw new SlackCallFailed('Slack answered without a message ts', true);
    return res.ts;
  }

  async postReply(token: string, channel: string, threadTs: string, m: IncidentMessage, timeoutMs: number): Promise<string> {
    const res = await this.call(() =>
      this.client(token, timeoutMs).chat.postMessage({ channel, thread_ts: threadTs, text: replyText(m), unfurl_links: false }),
    );
    return res.ts ?? threadTs;
  }

  async updateParent(token: string, channel: string, ts: string, m: IncidentMessage, timeoutMs: number): Promise<void> {
    await this.call(() => this.client(token, timeoutMs).chat.update({ channel, ts, text: parentText(m), blocks: parentBlocks(m) }));
  }

  async postTest(token: string, channel: string, tenantName: string, timeoutMs: number): Promise<string> {
    const res = await this.call(() =>
      this.client(token, timeoutMs).chat.postMessage({
        channel,
        text: `Test message from the incident portal for ${tenantName}: incident updates will be posted here.`,
      }),
    );
    return res.ts ?? '';
  }
}

/** Slack mrkdwn: the three characters Slack asks to escape. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function parentText(m: IncidentMessage): string {
  return `${m.reference} · ${m.severity} · ${m.status} — ${m.title}`;
}

function parentBlocks(m: IncidentMessage) {
  const clocks = m.clocks.map((c) => `• ${c.name}: ${c.state}${c.due ? `, due ${c.due}` : ''}`).join('\n');
  return [
    { type: 'section', text: { type: 'mrkdwn', text: `*${esc(m.reference)} · ${esc(m.severity)} · ${esc(m.status)}*\n${esc(m.title)}` } },
    { type: 'section', text: { type: 'mrkdwn', text: esc(clocks || 'No running clocks') } },
    ...(m.hotline ? [{ type: 'section', text: { type: 'mrkdwn', text: `Phone hotline: ${esc(m.hotline)}` } }] : []),
    { type: 'context', elements: [{ type: 'mrkdwn', text: `<${m.link}|Open in the portal> · ${esc(m.tenantName)}` }] },
  ];
}

export function replyText(m: IncidentMessage): string {
  return `${esc(m.headline)}${m.detail ? `\n${esc(m.detail)}` : ''}`;
}
