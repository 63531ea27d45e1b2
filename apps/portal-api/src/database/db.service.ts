import { EventEmitter } from 'node:events';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { inContextTransaction, inScopedTransaction, inTenantTransaction } from '@portal/tenancy';

/** The portal's own TypeORM connection name: a host application's default DataSource stays its own. */
export const PORTAL_DATA_SOURCE = 'portal';

/** The only way code reaches PostgreSQL at run time: a transaction with the tenant set inside it. */
@Injectable()
export class Db {
  private readonly logger = new Logger('Database');

  constructor(@InjectDataSource(PORTAL_DATA_SOURCE) readonly dataSource: DataSource) {
    this.guardConnections();
  }

  /**
   * A connection PostgreSQL drops (restart, failover, pg_terminate_backend) emits `error`; between the pool
   * handing it out and TypeORM listening, nobody would catch it and the process would crash. Every pooled
   * connection gets a listener: the request on it fails cleanly (503) and the pool replaces the connection.
   */
  private guardConnections(): void {
    const pool = (this.dataSource.driver as unknown as { master?: EventEmitter & { _clients?: EventEmitter[] } }).master;
    if (!pool || typeof pool.on !== 'function') return;
    const onError = (err: Error) => this.logger.warn({ err: err.message }, 'a database connection was lost; the pool replaces it');
    pool.on('error', onError);
    pool.on('connect', (client: EventEmitter) => client.on('error', onError));
    for (const client of pool._clients ?? []) client.on('error', onError);
  }

  /** A unit of work for the tenants of the current request or job. */
  tx<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return inContextTransaction(this.dataSource, work);
  }
  forTenants<T>(tenantIds: string[], work: (em: EntityManager) => Promise<T>): Promise<T> {
    return inTenantTransaction(this.dataSource, tenantIds, work);
  }
  /** Cross-tenant infrastructure: tenant directory look-ups and the outbox relay. */
  scoped<T>(scope: 'system' | 'directory' | 'status', work: (em: EntityManager) => Promise<T>): Promise<T> {
    return inScopedTransaction(this.dataSource, scope, work);
  }
}
