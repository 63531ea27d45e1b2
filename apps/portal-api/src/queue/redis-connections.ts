import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import Redis, { RedisOptions } from 'ioredis';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';

export function redisOptions(url: string): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname && u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/**
 * The one place Redis connections are made: a shared command connection per process (SSO flows,
 * readiness) and the options BullMQ's queues and workers connect with. Keys carry QUEUE_PREFIX.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private shared: Redis | null = null;
  readonly keyPrefix: string;

  constructor(@Inject(PORTAL_CONFIG) private readonly config: PortalConfig) {
    this.keyPrefix = `${config.queuePrefix}:`;
  }

  /** Connects on first use; errors surface on the command, never as an unhandled event. */
  client(): Redis {
    if (!this.shared) {
      this.shared = new Redis({
        ...redisOptions(this.config.redisUrl),
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        retryStrategy: (n) => Math.min(n * 500, 5000),
      });
      this.shared.on('error', () => undefined);
    }
    return this.shared;
  }

  /**
   * BullMQ's connection for queues and their workers. Adding a job while Redis is down waits in ioredis's
   * offline queue; the outbox relay bounds each add with a timeout and keeps the row until Redis is back
   * (a late add is harmless: same job id).
   */
  bullmq(): ConnectionOptions {
    return { ...redisOptions(this.config.redisUrl), maxRetriesPerRequest: null };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.shared?.quit().catch(() => this.shared?.disconnect());
    this.shared = null;
  }
}

/**
 * True when a BullMQ connection is up. BullMQ's `client` promise resolves only once the connection has been made,
 * so a connection that never reached Redis would keep a caller waiting: it counts as not up after `waitMs`.
 */
export async function connectionIsUp(client: Promise<{ status: string }>, waitMs = 250): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), waitMs)));
  try {
    const c = await Promise.race([client.catch(() => null), late]);
    return c !== null && c.status === 'ready';
  } finally {
    clearTimeout(timer);
  }
}
