import { Inject, Injectable, Logger } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequests } from '../common/domain-errors';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { RedisConnections } from '../queue/redis-connections';

/**
 * The portal's rate limits, shared by every replica through Redis (rate-limiter-flexible). When Redis is
 * unreachable each process falls back to the same limits in memory: limits hold, per process.
 */
export const RATE_LIMIT_POLICIES = {
  /** Every portal request, per client address: generous, against floods and scrapers. */
  'request:ip': { points: 1200, durationSeconds: 60, what: 'requests from your address' },
  /** Failed token or session authentications per address; spent, the address waits before trying again. */
  'auth-failure:ip': { points: 20, durationSeconds: 300, what: 'failed sign-ins from your address' },
  /** Development sign-in per address. */
  'sign-in:ip': { points: 30, durationSeconds: 60, what: 'sign-in attempts from your address' },
  /**
   * Anonymous SSO requests (start, OIDC/Entra callback, SAML ACS) per address (an IPv6 /64). A browser sign-in
   * makes two or three; refused, the browser is taken to the SSO error page (`rate_limited`).
   */
  'sso:ip': { points: 120, durationSeconds: 60, what: 'sign-in requests from your network' },
  /** Declarations per tenant. */
  'declare:tenant': { points: 60, durationSeconds: 60, what: 'incident declarations for your organisation' },
  /**
   * CSV exports (the incident list with its filters, the SLA report) per signed-in account: each reads every
   * matching incident, so a script looping on them would load the database for everyone.
   */
  'export:principal': { points: 20, durationSeconds: 60, what: 'exports for your account' },
  /** Evidence uploads per tenant. */
  'upload:tenant': { points: 30, durationSeconds: 60, what: 'evidence uploads for your organisation' },
  // status page (issue 14 part B): public routes, no sign-in
  /** Reads of the public page and feeds per address. */
  'status-read:ip': { points: 300, durationSeconds: 60, what: 'status-page requests from your address' },
  /** New subscriptions per address. */
  'subscribe:ip': { points: 10, durationSeconds: 3600, what: 'subscriptions from your address' },
  /** Subscriptions of one email address or URL, whoever asks: no mail bombing of a third party. */
  'subscribe:target': { points: 3, durationSeconds: 86_400, what: 'subscription requests for this address' },
  /** Confirmation and unsubscribe attempts per address. */
  'status-token:ip': { points: 30, durationSeconds: 600, what: 'confirmation or unsubscribe attempts from your address' },
} as const;

export type RateLimitPolicy = keyof typeof RATE_LIMIT_POLICIES;

@Injectable()
export class RateLimits {
  private readonly logger = new Logger('RateLimits');
  private readonly limiters = new Map<RateLimitPolicy, RateLimiterRedis>();

  constructor(
    private readonly redis: RedisConnections,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  get enabled(): boolean {
    return this.config.rateLimits.enabled;
  }

  private limiter(policy: RateLimitPolicy): RateLimiterRedis {
    let l = this.limiters.get(policy);
    if (!l) {
      const { points, durationSeconds } = this.budget(policy);
      const p = { durationSeconds };
      l = new RateLimiterRedis({
        storeClient: this.redis.client(),
        keyPrefix: `${this.redis.keyPrefix}rl:${policy}`,
        points,
        duration: p.durationSeconds,
        // The shared client queues commands while it reconnects; a limit check must not wait for that.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points, duration: p.durationSeconds }),
      });
      this.limiters.set(policy, l);
    }
    return l;
  }

  /** The budget of `policy` per window, after RATE_LIMIT_FACTOR. */
  budget(policy: RateLimitPolicy): { points: number; durationSeconds: number } {
    const p = RATE_LIMIT_POLICIES[policy];
    return { points: Math.max(1, Math.round(p.points * this.config.rateLimits.factor)), durationSeconds: p.durationSeconds };
  }

  /** Spends one point of `policy` for `key`; throws 429 with Retry-After once the budget is spent. */
  async consume(policy: RateLimitPolicy, key: string): Promise<void> {
    const t = await this.take(policy, key);
    if (!t.allowed) throw this.refusal(policy, t.retryAfterSeconds);
  }

  /**
   * Spends one point and says whether the request may go on, for callers that answer a refusal themselves;
   * `firstRefusal` is true for the first request over the budget in its window (to record it once).
   */
  async take(policy: RateLimitPolicy, key: string): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number; firstRefusal: boolean }> {
    if (!this.enabled) return { allowed: true };

    try {
      await this.limiter(policy).consume(key);
      return { allowed: true };
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)),
          firstRefusal: err.consumedPoints === this.budget(policy).points + 1,
        };
      }
      this.logger.warn({ policy, err: (err as Error).message }, 'rate limit check failed; request allowed');
      return { allowed: true };
    }
  }

  /** Refuses at once when `policy` is already spent for `key` (without spending): e.g. before trying a token again. */
  async assertNotSpent(policy: RateLimitPolicy, key: string): Promise<void> {
    if (!this.enabled) return;
    const res = await this.limiter(policy)
      .get(key)
      .catch(() => null);
    if (res && res.remainingPoints <= 0 && res.msBeforeNext > 0) throw this.refusal(policy, Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
  }

  /** Spends a point without refusing this request (a failure counted against the next ones). */
  async penalize(policy: RateLimitPolicy, key: string): Promise<void> {
    if (!this.enabled) return;
    await this.limiter(policy)
      .penalty(key, 1)
      .catch(() => undefined);
  }

  private refusal(policy: RateLimitPolicy, seconds: number): TooManyRequests {
    return new TooManyRequests(`too many ${RATE_LIMIT_POLICIES[policy].what}; try again in ${seconds} s`, seconds);
  }
}
