import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Db } from '../database/db.service';
import type { Tenant } from './tenant.types';
import { TenantsRepository } from './tenants.repository';

/**
 * The tenants module's face for other modules: look-ups by id or slug. Methods taking an EntityManager run
 * in the caller's unit of work (its row-level-security scope); the others open a directory-scoped one.
 */
@Injectable()
export class TenantDirectory {
  constructor(
    private readonly db: Db,
    private readonly tenants: TenantsRepository,
  ) {}

  findById(em: EntityManager, id: string): Promise<Tenant | null> {
    return this.tenants.findById(em, id);
  }

  findBySlug(slug: string): Promise<Tenant | null> {
    return this.db.scoped('directory', (em) => this.tenants.findBySlug(em, slug));
  }

  /** Every tenant id: for vendor-wide scopes and per-tenant sweeps (system or directory scope only). */
  allIds(em: EntityManager): Promise<string[]> {
    return this.tenants.allIds(em);
  }

  /** The tenants the current scope may see. */
  visible(em: EntityManager): Promise<Tenant[]> {
    return this.tenants.list(em);
  }
}
