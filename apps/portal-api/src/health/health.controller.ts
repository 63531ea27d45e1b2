import { Controller, Get, HttpException, Inject } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorResult, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/route-access';
import { PORTAL_DATA_SOURCE } from '../database/db.service';
import { RedisConnections } from '../queue/redis-connections';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';

type Check = 'database' | 'redis';

/**
 * Liveness and readiness through @nestjs/terminus: ready when PostgreSQL and Redis answer, 503 naming the
 * one that does not. Standalone processes only (an embedding host keeps its own health endpoint).
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly typeorm: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisConnections,
    @InjectDataSource(PORTAL_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  @Public()
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Public()
  @Get('ready')
  async ready() {
    try {
      // A BYOC data plane uses no Redis (its outbox is relayed from its own database): only the database counts.
      const usesRedis = this.config.role !== 'data-plane';
      const result = await this.health.check([
        () => this.typeorm.pingCheck('database', { connection: this.dataSource, timeout: 1000 }),
        ...(usesRedis ? [() => this.pingRedis()] : []),
      ]);
      return { status: 'ok', checks: statuses(result.details, usesRedis) };
    } catch (err) {
      const details = (err as { response?: { details?: Record<string, { status: string }> } }).response?.details ?? {};
      const checks = statuses(details, this.config.role !== 'data-plane');
      throw new HttpException({ error: 'unavailable', message: `not ready: ${JSON.stringify(checks)}`, status: 'unavailable', checks }, 503);
    }
  }

  private async pingRedis(): Promise<HealthIndicatorResult<'redis'>> {
    const check = this.indicators.check('redis');
    const client = this.redis.client();
    try {
      if (client.status === 'wait' || client.status === 'end') await client.connect().catch(() => undefined);
      const pong = await Promise.race([client.ping(), new Promise<string>((_, rej) => setTimeout(() => rej(new Error('timeout')), 1000).unref())]);
      return pong === 'PONG' ? check.up() : check.down('unexpected answer');
    } catch {
      return check.down('no answer within 1 s');
    }
  }
}

function statuses(details: Record<string, { status: string }>, usesRedis: boolean): Partial<Record<Check, string>> {
  return { database: details.database?.status ?? 'down', ...(usesRedis ? { redis: details.redis?.status ?? 'down' } : {}) };
}
