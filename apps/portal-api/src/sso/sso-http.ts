import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';

/** Loopback, private, link-local and other non-public ranges: an admin-typed URL must not reach them (SSRF). */
const PRIVATE_V4 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE_V4.addSubnet(net, bits, 'ipv4');
}
/** IPv6 ranges refused whole: unique-local, link-local, site-local, multicast, discard, documentation, Teredo, local-use NAT64. */
const PRIVATE_V6 = new BlockList();
for (const [net, bits] of [
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['100::', 64],
  ['2001:db8::', 32],
  ['2001::', 32],
  ['64:ff9b:1::', 48],
] as const) {
  PRIVATE_V6.addSubnet(net, bits, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a dotted IPv4 tail converted, zone dropped); null if it is not one. */
export function ipv6Groups(address: string): number[] | null {
  let a = address.split('%')[0].toLowerCase();
  if (isIP(a) !== 6) return null;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (dotted) {
    const [b0, b1, b2, b3] = dotted.slice(1).map(Number);
    a = `${a.slice(0, dotted.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = a.includes('::') ? a.split('::') : [a, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(tail === null ? 0 : 8 - h.length - t.length).fill('0'), ...t].map((x) => parseInt(x, 16));
  return groups.length === 8 && groups.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff) ? groups : null;
}

const embeddedV4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * True for addresses the portal must not call: private, loopback, link-local and reserved IPv4, their IPv6
 * equivalents, and every IPv6 form that carries an IPv4 address — IPv4-mapped (`::ffff:0:0/96`), IPv4-translated
 * (`::ffff:0:0:0/96`), NAT64 (`64:ff9b::/96`) and 6to4 (`2002::/16`) when the embedded address is private, and
 * `::/96` (unspecified, loopback, deprecated IPv4-compatible) always.
 */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address.split('%')[0]);
  if (family === 4) return PRIVATE_V4.check(address, 'ipv4');
  if (family !== 6) return false;
  const g = ipv6Groups(address);
  if (!g) return true;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 6)) return true; // ::/96
  if (zeros(0, 5) && g[5] === 0xffff) return PRIVATE_V4.check(embeddedV4(g[6], g[7]), 'ipv4'); // ::ffff:a.b.c.d
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return PRIVATE_V4.check(embeddedV4(g[6], g[7]), 'ipv4'); // ::ffff:0:a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return PRIVATE_V4.check(embeddedV4(g[6], g[7]), 'ipv4'); // NAT64
  if (g[0] === 0x2002) return PRIVATE_V4.check(embeddedV4(g[1], g[2]), 'ipv4'); // 6to4
  return PRIVATE_V6.check(g.map((x) => x.toString(16)).join(':'), 'ipv6');
}

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
