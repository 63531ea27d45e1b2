import { Controller, Get, HttpException, Inject, OnModuleDestroy } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import Redis from 'ioredis';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { redisOptions } from '../queue/redis-options';
import { Public } from '../auth/auth.decorators';

@ApiTags('health')
@Controller('health')
export class HealthController implements OnModuleDestroy {
  private readonly redis: Redis;
  constructor(private readonly dataSource: DataSource, @Inject(PORTAL_CONFIG) config: PortalConfig) {
    this.redis = new Redis({ ...redisOptions(config.redisUrl), lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(n * 500, 5000) });
    this.redis.on('error', () => undefined);
  }

  @Public()
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Ready when PostgreSQL answers and Redis answers; 503 with which one failed otherwise. */
  @Public()
  @Get('ready')
  async ready() {
    const [database, redis] = await Promise.all([
      this.dataSource.query('select 1').then(() => 'up', () => 'down'),
      this.pingRedis(),
    ]);
    const body = { status: database === 'up' && redis === 'up' ? 'ok' : 'unavailable', checks: { database, redis } };
    if (body.status !== 'ok') throw new HttpException({ error: 'unavailable', message: `not ready: ${JSON.stringify(body.checks)}`, ...body }, 503);
    return body;
  }

  private async pingRedis(): Promise<string> {
    try {
      if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect().catch(() => undefined);
      const pong = await Promise.race([this.redis.ping(), new Promise<string>((_, rej) => setTimeout(() => rej(new Error('timeout')), 1000).unref())]);
      return pong === 'PONG' ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }

  async onModuleDestroy() {
    this.redis.disconnect();
  }
}
