import { Inject, Injectable } from '@nestjs/common';
import { AuthError, ConfidentialClientApplication, LogLevel, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { PORTAL_CONFIG, PortalConfig } from '../../config/portal-config';
import { EgressRefused, GuardedHttp } from '../../egress/guarded-http';
import type { IncidentMessage } from '../incident-message';

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
/** msal clients kept for their token cache (one per connection); a reconnect makes a new connection id. */
const MAX_CLIENTS = 500;

export class TeamsCallFailed extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'TeamsCallFailed';
  }
}

/** What a Teams connection needs to post: the app registration (client credentials) and the channel. */
export interface TeamsTarget {
  /** Identifies the msal client (and its token cache) to reuse: the connection's id. */
  connectionId: string;
  directoryId: string;
  clientId: string;
  clientSecret: string;
  teamId: string;
  channelId: string;
}

/** Token errors that retrying cannot fix: the tenant must fix the app registration. */
const PERMANENT_TOKEN_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'invalid_request', 'invalid_scope', 'invalid_grant']);

/**
 * The tenant's Microsoft Teams channel, threaded like Slack (seed 000: "Slack/Teams Connect channel gets the same
 * update, threaded"): the declaration is a channel message (`POST /teams/{team}/channels/{channel}/messages`),
 * every later event a reply to it (`…/messages/{id}/replies`). The token comes from the tenant's own app
 * registration by client credentials through msal-node; msal's token requests and every Graph call go through
 * the egress guard (SSRF rules, deadline, response cap). Graph does not let an application edit a message it
 * posted, so unlike Slack's parent the Teams parent is not edited: each reply carries the state and clocks.
 */
@Injectable()
export class TeamsChannel {
  private readonly clients = new Map<string, ConfidentialClientApplication>();

  constructor(
    private readonly http: GuardedHttp,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  /** msal's HTTP through GuardedHttp, with the notification deadline (msal gives POSTs no timeout of its own). */
  private networkModule(timeoutMs: number): INetworkModule {
    const send = async <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
      const res = await this.http.request(url, { method, headers: options?.headers, body: options?.body, timeoutMs, maxResponseBytes: 64 * 1024 });
      let body: unknown;
      try {
        body = res.body.length ? JSON.parse(res.body.toString('utf8')) : {};
      } catch {
        throw new Error(`the token endpoint ${new URL(url).origin} answered ${res.status} with a body that is not JSON`);
      }
      return { status: res.status, headers: res.headers, body: body as T };
    };
    return {
      sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>('GET', url, options),
      sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>('POST', url, options),
    };
  }

  private client(t: TeamsTarget, timeoutMs: number): ConfidentialClientApplication {
    const existing = this.clients.get(t.connectionId);
    if (existing) return existing;
    const hostUrl = this.config.teams.authorityHost;
    const host = new URL(hostUrl).host;
    // msal accepts only an https authority as the directory's name; the token request goes to the endpoint below,
    // on the configured host as written (plain http only where the egress policy allows it: tests and the demo).
    const authority = `https://${host}/${t.directoryId}`;
    const endpoints = `${hostUrl}/${t.directoryId}`;
    const client = new ConfidentialClientApplication({
      auth: {
        clientId: t.clientId,
        clientSecret: t.clientSecret,
        authority,
        knownAuthorities: [host],
        // The endpoints are known: no discovery request (one less call to a configurable host).
        authorityMetadata: JSON.stringify({
          token_endpoint: `${endpoints}/oauth2/v2.0/token`,
          authorization_endpoint: `${endpoints}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${endpoints}/oauth2/v2.0/logout`,
          issuer: `${authority}/v2.0`,
          jwks_uri: `${endpoints}/discovery/v2.0/keys`,
        }),
        cloudDiscoveryMetadata: JSON.stringify({
          tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
          'api-version': '1.1',
          metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
        }),
      },
      system: {
        networkClient: this.networkModule(timeoutMs),
        loggerOptions: { piiLoggingEnabled: false, logLevel: LogLevel.Error, loggerCallback: () => undefined },
      },
    });
    if (this.clients.size >= MAX_CLIENTS) this.clients.clear();
    this.clients.set(t.connectionId, client);
    return client;
  }

  /** Forgets a connection's cached client (and token): on disconnect or reconnect. */
  forget(connectionId: string): void {
    this.clients.delete(connectionId);
  }

  private async token(t: TeamsTarget, timeoutMs: number): Promise<string> {
    try {
      const res = await this.client(t, timeoutMs).acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] });
      if (!res?.accessToken) throw new TeamsCallFailed('the token endpoint answered without an access token', true);
      return res.accessToken;
    } catch (err) {
      if (err instanceof TeamsCallFailed) throw err;
      if (err instanceof EgressRefused) throw new TeamsCallFailed(`refused by the egress policy: ${err.message}`, false);
      if (err instanceof AuthError) {
        // msal passes the endpoint's `error` through; an endpoint that is not a token endpoint may answer anything there.
        const code = typeof err.errorCode === 'string' ? err.errorCode.slice(0, 100) : 'unexpected_answer';
        this.clients.delete(t.connectionId);
        throw new TeamsCallFailed(`the token request failed: ${code}`, !PERMANENT_TOKEN_ERRORS.has(code));
      }
      throw new TeamsCallFailed(`the token request failed: ${String((err as Error).message ?? err).slice(0, 200)}`, true);
    }
  }

  /** One Graph call; answers the created message's id. */
  private async graphPost(t: TeamsTarget, path: string, html: string, timeoutMs: number): Promise<string> {
    const accessToken = await this.token(t, timeoutMs);
    const url = `${this.config.teams.graphBaseUrl}${path}`;
    let res;
    try {
      res = await this.http.request(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ body: { contentType: 'html', content: html } }),
        timeoutMs,
        maxResponseBytes: 64 * 1024,
      });
    } catch (err) {
      if (err instanceof EgressRefused) throw new TeamsCallFailed(`refused by the egress policy: ${err.message}`, false);
      throw new TeamsCallFailed(String((err as Error).message ?? err).slice(0, 300), true);
    }
    if (res.status === 401) this.clients.delete(t.connectionId);
    if (res.status < 200 || res.status >= 300) {
      let code = '';
      try {
        code = (JSON.parse(res.body.toString('utf8')) as { error?: { code?: string } }).error?.code ?? '';
      } catch {
        code = '';
      }
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500 || res.status === 401;
      throw new TeamsCallFailed(`Microsoft Graph answered ${res.status}${code ? ` ${code}` : ''}`, retryable);
    }
    const id = (JSON.parse(res.body.toString('utf8') || '{}') as { id?: string }).id;
    if (!id) throw new TeamsCallFailed('Microsoft Graph answered without a message id', true);
    return id;
  }

  private channelPath(t: TeamsTarget): string {
    return `/teams/${encodeURIComponent(t.teamId)}/channels/${encodeURIComponent(t.channelId)}/messages`;
  }

  async postParent(t: TeamsTarget, m: IncidentMessage, timeoutMs: number): Promise<string> {
    return this.graphPost(t, this.channelPath(t), parentHtml(m), timeoutMs);
  }

  async postReply(t: TeamsTarget, messageId: string, m: IncidentMessage, timeoutMs: number): Promise<string> {
    return this.graphPost(t, `${this.channelPath(t)}/${encodeURIComponent(messageId)}/replies`, replyHtml(m), timeoutMs);
  }

  async postTest(t: TeamsTarget, tenantName: string, timeoutMs: number): Promise<string> {
    return this.graphPost(
      t,
      this.channelPath(t),
      `<p>Test message from the incident portal for ${esc(tenantName)}: incident updates will be posted here.</p>`,
      timeoutMs,
    );
  }
}

/** HTML text content for Teams' message body. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const clocksHtml = (m: IncidentMessage) =>
  m.clocks.length
    ? `<ul>${m.clocks.map((c) => `<li>${esc(c.name)}: ${esc(c.state)}${c.due ? `, due ${esc(c.due)}` : ''}</li>`).join('')}</ul>`
    : '<p>No running clocks</p>';

export function parentHtml(m: IncidentMessage): string {
  return [
    `<p><b>${esc(m.reference)} · ${esc(m.severity)} · ${esc(m.status)}</b> — ${esc(m.title)}</p>`,
    clocksHtml(m),
    m.hotline ? `<p>Phone hotline: ${esc(m.hotline)}</p>` : '',
    `<p><a href="${esc(m.link)}">Open in the portal</a> · ${esc(m.tenantName)}</p>`,
  ].join('');
}

export function replyHtml(m: IncidentMessage): string {
  return [
    `<p><b>${esc(m.headline)}</b></p>`,
    m.detail ? `<p>${esc(m.detail).replace(/\n/g, '<br>')}</p>` : '',
    `<p>${esc(m.reference)} · ${esc(m.severity)} · ${esc(m.status)}</p>`,
    clocksHtml(m),
  ].join('');
}
