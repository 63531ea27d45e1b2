import { Inject, Injectable } from '@nestjs/common';
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import { Clock } from '../common/clock';
import { randomToken } from '../common/tokens';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { RedisConnections } from '../queue/redis-connections';
import { SsoSignInFailed } from './sso-errors';
import type { IdpKind } from './sso.types';

/** A sign-in in progress, between the redirect to the identity provider and its answer. */
export interface SsoFlow {
  /** Random, single use: OIDC `state`, SAML `RelayState`, and the browser-binding cookie's value. */
  id: string;
  kind: IdpKind;
  realmSegment: string;
  idpId: string;
  returnTo: string;
  nonce?: string;
  codeVerifier?: string;
  samlRequestId?: string;
  createdAt: string;
}

/**
 * Sign-ins in progress and SAML request ids, in Redis so every API instance shares them
 * (SECURITY.md: a per-process cache lets a response be replayed against another instance).
 */
@Injectable()
export class SsoFlowStore {
  readonly ttlSeconds: number;
  private readonly prefix: string;

  constructor(
    @Inject(PORTAL_CONFIG) config: PortalConfig,
    private readonly clock: Clock,
    private readonly connections: RedisConnections,
  ) {
    this.ttlSeconds = config.sso.flowTtlSeconds;
    this.prefix = `${connections.keyPrefix}sso:`;
  }

  private get redis() {
    return this.connections.client();
  }

  /**
   * A Redis command whose failure (ioredis gives up after one reconnection attempt) is reported as `unavailable`:
   * the browser is told sign-in is down for a moment, not that its provider's answer was bad.
   */
  private static async answered<T>(command: Promise<T>): Promise<T> {
    try {
      return await command;
    } catch (err) {
      throw new SsoSignInFailed('unavailable', `the sign-in store (Redis) did not answer: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async begin(f: Omit<SsoFlow, 'id' | 'createdAt'>): Promise<SsoFlow> {
    const flow: SsoFlow = { ...f, id: randomToken(24), createdAt: this.clock.now().toISOString() };
    await SsoFlowStore.answered(this.redis.set(`${this.prefix}flow:${flow.id}`, JSON.stringify(flow), 'EX', this.ttlSeconds));
    return flow;
  }

  /** Reads and deletes in one step (GETDEL): a flow finishes once, however many requests race for it. */
  async take(id: string): Promise<SsoFlow | null> {
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(id)) return null;
    const raw = await SsoFlowStore.answered(this.redis.getdel(`${this.prefix}flow:${id}`));
    return raw ? (JSON.parse(raw) as SsoFlow) : null;
  }

  /** Marks a one-time value used; false when it already was (a replay, or a concurrent duplicate). */
  async markUsed(namespace: string, value: string, ttlSeconds: number): Promise<boolean> {
    const ok = await SsoFlowStore.answered(this.redis.set(`${this.prefix}used:${namespace}:${value}`, this.clock.now().toISOString(), 'EX', ttlSeconds, 'NX'));
    return ok === 'OK';
  }

  async wasUsed(namespace: string, value: string): Promise<boolean> {
    return (await SsoFlowStore.answered(this.redis.exists(`${this.prefix}used:${namespace}:${value}`))) === 1;
  }

  /** node-saml's InResponseTo cache, namespaced per tenant identity provider. */
  samlRequestCache(namespace: string): CacheProvider {
    const key = (id: string) => `${this.prefix}saml:${namespace}:req:${id}`;
    const ttl = this.ttlSeconds;
    const redis = this.redis;
    const clock = this.clock;
    return {
      async saveAsync(id: string, value: string): Promise<CacheItem | null> {
        const ok = await SsoFlowStore.answered(redis.set(key(id), value, 'EX', ttl, 'NX'));
        return ok === 'OK' ? { value, createdAt: clock.now().getTime() } : null;
      },
      async getAsync(id: string): Promise<string | null> {
        return SsoFlowStore.answered(redis.get(key(id)));
      },
      async removeAsync(id: string | null): Promise<string | null> {
        if (!id) return null;
        const n = await SsoFlowStore.answered(redis.del(key(id)));
        return n ? id : null;
      },
    };
  }
}
