import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { inContextTransaction, inScopedTransaction, inTenantTransaction } from '@portal/tenancy';

/** The portal's own TypeORM connection name: a host application's default DataSource stays its own. */
export const PORTAL_DATA_SOURCE = 'portal';

/** The only way code reaches PostgreSQL at run time: a transaction with the tenant set inside it. */
@Injectable()
export class Db {
  constructor(@InjectDataSource(PORTAL_DATA_SOURCE) readonly dataSource: DataSource) {}

  /** A unit of work for the tenants of the current request or job. */
  tx<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return inContextTransaction(this.dataSource, work);
  }
  forTenants<T>(tenantIds: string[], work: (em: EntityManager) => Promise<T>): Promise<T> {
    return inTenantTransaction(this.dataSource, tenantIds, work);
  }
  /** Cross-tenant infrastructure: tenant directory look-ups and the outbox relay. */
  scoped<T>(scope: 'system' | 'directory', work: (em: EntityManager) => Promise<T>): Promise<T> {
    return inScopedTransaction(this.dataSource, scope, work);
  }
}
