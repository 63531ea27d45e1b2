import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { Inject, Injectable, Module, OnModuleDestroy } from '@nestjs/common';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { isPrivateAddress } from './addresses';

/** The URL breaks the egress policy (the message says why, e.g. "must use https"). */
export class EgressRefused extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'EgressRefused';
  }
}

/** The call was made and failed: connection refused, DNS, timeout, a response over the size cap. */
export class EgressFailed extends Error {
  constructor(
    message: string,
    readonly code: 'timeout' | 'too_large' | 'blocked' | 'network',
  ) {
    super(message);
    this.name = 'EgressFailed';
  }
}

export type EgressMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface EgressRequest {
  method?: EgressMethod;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Defaults to EGRESS_TIMEOUT_MS: the whole exchange, connect to last byte. */
  timeoutMs?: number;
  /** Defaults to EGRESS_MAX_RESPONSE_BYTES; a longer response fails with code `too_large`. */
  maxResponseBytes?: number;
}

export interface EgressResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Milliseconds from the start of the call to the last byte. */
  latencyMs: number;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Every outbound call to a URL a tenant or the vendor typed in (webhooks, Slack, Teams, PagerDuty, the Hub)
 * goes through this client: http(s) only, no credentials in the URL, and unless the environment allows it
 * (never in production), no name that resolves to a private, loopback or link-local address — checked on the
 * address actually connected to, so DNS rebinding cannot get round it. Each call has a deadline and a cap on
 * the response size. Libraries that make their own requests (Slack's and Graph's clients) get `agentFor(url)`.
 */
@Injectable()
export class GuardedHttp implements OnModuleDestroy {
  readonly httpsAgent: https.Agent;
  readonly httpAgent: http.Agent;

  constructor(@Inject(PORTAL_CONFIG) private readonly config: PortalConfig) {
    const allowPrivate = config.egress.allowPrivateNetwork;
    const lookup = (hostname: string, options: { all?: boolean; family?: number } | undefined, cb: LookupCallback) => {
      dnsLookup(hostname, { ...(options ?? {}), all: true }, (err, addresses) => {
        if (err) return cb(err, []);
        if (!allowPrivate && addresses.some((a) => isPrivateAddress(a.address))) {
          return cb(Object.assign(new Error(`blocked: ${hostname} resolves to a private address`), { code: 'EBLOCKED' }), []);
        }
        if (options?.all) return cb(null, addresses);
        return cb(null, addresses[0].address, addresses[0].family);
      });
    };
    this.httpsAgent = new https.Agent({ lookup: lookup as never, keepAlive: true, maxSockets: 50 });
    this.httpAgent = new http.Agent({ lookup: lookup as never, keepAlive: true, maxSockets: 50 });
  }

  onModuleDestroy(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  /** The URL policy; throws EgressRefused with the reason (for a 400 naming the field). */
  checkUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new EgressRefused('is not a URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EgressRefused('must use https');
    if (url.protocol === 'http:' && !this.config.egress.allowInsecureHttp) throw new EgressRefused('must use https');
    if (url.username || url.password) throw new EgressRefused('must not contain credentials');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!this.config.egress.allowPrivateNetwork && (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isPrivateAddress(host)))) {
      throw new EgressRefused('must not point at a private or loopback address');
    }
    return url;
  }

  agentFor(url: string | URL): http.Agent {
    return new URL(url).protocol === 'https:' ? this.httpsAgent : this.httpAgent;
  }

  /** One call under the policy; resolves with any HTTP status (the caller decides what counts as delivered). */
  request(rawUrl: string, opts: EgressRequest = {}): Promise<EgressResponse> {
    let url: URL;
    try {
      url = this.checkUrl(rawUrl);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new EgressRefused(String(e)));
    }
    const maxBytes = opts.maxResponseBytes ?? this.config.egress.maxResponseBytes;
    const timeoutMs = opts.timeoutMs ?? this.config.egress.timeoutMs;
    const lib = url.protocol === 'https:' ? https : http;
    const started = performance.now();
    return new Promise<EgressResponse>((resolve, reject) => {
      let settled = false;
      const fail = (e: EgressFailed) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        req.destroy();
        reject(e);
      };
      const req = lib.request(url, {
        method: opts.method ?? 'GET',
        agent: this.agentFor(url),
        headers: {
          'user-agent': 'incident-portal',
          ...(opts.headers ?? {}),
          ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}),
        },
      });
      const deadline = setTimeout(() => fail(new EgressFailed(`no complete answer from ${url.origin} within ${timeoutMs} ms`, 'timeout')), timeoutMs);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) return fail(new EgressFailed(`response from ${url.origin} larger than ${maxBytes} bytes`, 'too_large'));
          chunks.push(c);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks), latencyMs: Math.round(performance.now() - started) });
        });
        res.on('error', (e) => fail(new EgressFailed(`${url.origin}: ${e.message}`, 'network')));
      });
      req.on('error', (e: NodeJS.ErrnoException) =>
        fail(new EgressFailed(e.code === 'EBLOCKED' ? e.message : `${url.origin}: ${e.code ?? e.message}`, e.code === 'EBLOCKED' ? 'blocked' : 'network')),
      );
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }
}

/** The guarded client as a module any domain module imports. */
@Module({ providers: [GuardedHttp], exports: [GuardedHttp] })
export class EgressModule {}
