import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { isPrivateAddress } from '../egress/addresses';
import { rootCertificates } from 'node:tls';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';

export { ipv6Groups, isPrivateAddress } from '../egress/addresses';

export class SsoUrlRefused extends Error {}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Every call the portal makes to an identity provider (metadata, discovery, keys, token endpoint)
 * goes through these agents: the deployment's extra CA is trusted, and unless the environment allows
 * it, names resolving to private addresses are refused at connect time (the address actually used).
 */
@Injectable()
export class SsoHttp implements OnModuleDestroy {
  readonly httpsAgent: https.Agent;
  readonly httpAgent: http.Agent;
  private readonly timeoutMs = 8000;

  constructor(@Inject(PORTAL_CONFIG) private readonly config: PortalConfig) {
    const allowPrivate = config.sso.allowPrivateNetwork;
    const lookup = (hostname: string, options: { all?: boolean; family?: number } | undefined, cb: LookupCallback) => {
      dnsLookup(hostname, { ...(options ?? {}), all: true }, (err, addresses) => {
        if (err) return cb(err, []);
        const list = addresses;
        if (!allowPrivate && list.some((a) => isPrivateAddress(a.address))) {
          return cb(Object.assign(new Error(`blocked: ${hostname} resolves to a private address`), { code: 'EBLOCKED' }), []);
        }
        if (options?.all) return cb(null, list);
        return cb(null, list[0].address, list[0].family);
      });
    };
    const ca = config.sso.extraCaPem ? [...rootCertificates, config.sso.extraCaPem] : undefined;
    this.httpsAgent = new https.Agent({ ca, lookup: lookup as never, keepAlive: true, maxSockets: 20 });
    this.httpAgent = new http.Agent({ lookup: lookup as never, keepAlive: true, maxSockets: 20 });
  }

  onModuleDestroy(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  /** The URL policy for admin-supplied identity-provider URLs; throws SsoUrlRefused with a reason. */
  checkUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new SsoUrlRefused('is not a URL');
    }
    if (url.username || url.password) throw new SsoUrlRefused('must not contain credentials');
    if (url.protocol === 'http:' && !this.config.sso.allowInsecureHttp) throw new SsoUrlRefused('must use https');
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SsoUrlRefused('must use https');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!this.config.sso.allowPrivateNetwork && (host === 'localhost' || (isIP(host) !== 0 && isPrivateAddress(host)))) {
      throw new SsoUrlRefused('must not point at a private or loopback address');
    }
    return url;
  }

  agentFor(url: string | URL): http.Agent {
    return new URL(url).protocol === 'https:' ? this.httpsAgent : this.httpAgent;
  }

  /** One request with a size cap and a timeout; the body is text. */
  request(
    method: 'GET' | 'POST',
    rawUrl: string,
    opts: { headers?: Record<string, string>; body?: string; maxBytes?: number; timeoutMs?: number } = {},
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const url = this.checkUrl(rawUrl);
    const maxBytes = opts.maxBytes ?? 1024 * 1024;
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method,
          agent: this.agentFor(url),
          headers: {
            'user-agent': 'incident-portal-sso',
            ...(opts.headers ?? {}),
            ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}),
          },
          timeout: opts.timeoutMs ?? this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBytes) {
              req.destroy(new Error(`response larger than ${maxBytes} bytes`));
              return;
            }
            chunks.push(c);
          });
          res.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
            resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }

  async getJson<T>(url: string): Promise<T> {
    const res = await this.request('GET', url, { headers: { accept: 'application/json' } });
    if (res.status !== 200) throw new Error(`expected 200 OK from ${new URL(url).origin}, got ${res.status}`);
    return JSON.parse(res.body) as T;
  }

  /** msal-node's network module on these agents (msal's own uses the global fetch, which trusts no extra CA). */
  msalNetworkModule(): INetworkModule {
    const send = async <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> => {
      const res = await this.request(method, url, { headers: options?.headers, body: options?.body, timeoutMs: timeout });
      let body: unknown;
      try {
        body = res.body ? JSON.parse(res.body) : {};
      } catch {
        throw new Error(`Failed to parse response from ${new URL(url).origin} (status ${res.status})`);
      }
      return { status: res.status, headers: res.headers, body: body as T };
    };
    return {
      sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions, timeout?: number) => send<T>('GET', url, options, timeout),
      sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>('POST', url, options),
    };
  }
}
