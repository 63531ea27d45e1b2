import { isIP } from 'node:net';
import { Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { RedisConnections } from '../queue/redis-connections';
import { RateLimits } from '../rate-limits/rate-limits';
import { ipv6Groups } from './sso-http';

/** Refusals with no verified identity are counted per (tenant, provider, code) over this window. */
export const SSO_FAILURE_WINDOW_SECONDS = 600;

/** INCR with the window set by the first hit; returns the count and the milliseconds left in the window. */
const COUNT_IN_WINDOW = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`;

/**
 * The audit rows of a window: the 1st, 10th, 100th, 1000th… refusal, each with the count so far, so a flood of
 * forged answers writes a handful of rows (1 + log10 n) instead of one per request, and still says how many.
 */
export const isAuditedOccurrence = (n: number): boolean => n >= 1 && /^10*$/.test(String(n));

export type Admission = { allowed: true } | { allowed: false; retryAfterSeconds: number; firstRefusal: boolean };

/**
 * What bounds anonymous SSO traffic (hardening issue, item 5): a rate limit per client address, and the counters
 * that aggregate repeated anonymous refusals into a few governance rows. Counters live in Redis (the shared
 * connection, keys under QUEUE_PREFIX) and expire with their window, so their number is bounded by the clients
 * and tenant providers active in a window. When Redis cannot answer, sign-ins are not refused for it (they need
 * Redis anyway) and every refusal is recorded.
 */
@Injectable()
export class SsoAbuseControls {
  private readonly logger = new Logger('SsoAbuse');
  private readonly prefix: string;

  constructor(
    private readonly connections: RedisConnections,
    private readonly rateLimits: RateLimits,
  ) {
    this.prefix = `${connections.keyPrefix}sso:`;
  }

  private async count(key: string, windowSeconds: number): Promise<{ n: number; ttlMs: number } | null> {
    try {
      const [n, ttlMs] = (await this.connections.client().eval(COUNT_IN_WINDOW, 1, key, String(windowSeconds * 1000))) as [number, number];
      return { n, ttlMs };
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'SSO abuse counter unavailable');
      return null;
    }
  }

  /**
   * Counts this request against its client's allowance: the `sso:ip` policy of the portal's rate limits (shared by
   * replicas, scaled by RATE_LIMIT_FACTOR, off with RATE_LIMITS_ENABLED=false, held in memory while Redis is away).
   */
  get budget(): { points: number; durationSeconds: number } {
    return this.rateLimits.budget('sso:ip');
  }

  admit(req: Request): Promise<Admission> {
    return this.rateLimits.take('sso:ip', clientKey(req.ip));
  }

  /**
   * Counts an anonymous refusal of (`scope`: tenant id, `staff` or `-`; `idp`: a resolved provider id or `-`; `code`)
   * in its window; null when the counter is unavailable (then the caller records the refusal anyway).
   */
  async countFailure(scope: string, idp: string, code: string): Promise<number | null> {
    return (await this.count(`${this.prefix}fail:${scope}:${idp}:${code}`, SSO_FAILURE_WINDOW_SECONDS))?.n ?? null;
  }
}

/** Whom a rate limit counts: an IPv4 address, or an IPv6 /64 (one subscriber's usual allocation). */
export function clientKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (isIP(ip) === 4) return ip;
  const g = ipv6Groups(ip);
  return g
    ? `${g
        .slice(0, 4)
        .map((x) => x.toString(16))
        .join(':')}::/64`
    : 'unknown';
}
