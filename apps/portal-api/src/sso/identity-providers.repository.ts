import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TenantRole } from '@portal/contracts';
import { sql } from '../database/sql';
import type { IdpKind, IdpSettings, RoleMapping, TenantIdpConfig } from './sso.types';

export interface IdpConfigWrite {
  id: string;
  tenantId: string;
  kind: IdpKind;
  displayName: string;
  enabled: boolean;
  jitProvisioning: boolean;
  settings: unknown;
  roleMapping: RoleMapping<TenantRole>;
  secretCiphertext: string | null;
  secretKeyId: string | null;
  actor: string;
  now: Date;
}

function toConfig(r: Record<string, any>): TenantIdpConfig {
  const kind = r.kind as IdpKind;
  const settings = { kind, [kind]: r.settings } as IdpSettings;
  return {
    ...settings,
    id: r.id,
    tenantId: r.tenant_id,
    displayName: r.display_name,
    enabled: r.enabled,
    jitProvisioning: r.jit_provisioning,
    roleMapping: r.role_mapping,
    hasSecret: r.secret_ciphertext !== null,
    secretCiphertext: r.secret_ciphertext,
    secretKeyId: r.secret_key_id,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    createdBy: r.created_by,
    updatedBy: r.updated_by,
  };
}

/** A tenant's identity-provider configurations (row-level security on tenant_id). */
@Injectable()
export class IdentityProvidersRepository {
  async list(em: EntityManager, tenantId: string): Promise<TenantIdpConfig[]> {
    const rows = await sql(em, `select * from idp_configs where tenant_id = $1 order by created_at, id`, [tenantId]);
    return rows.map(toConfig);
  }

  async find(em: EntityManager, tenantId: string, id: string): Promise<TenantIdpConfig | null> {
    const rows = await sql(em, `select * from idp_configs where tenant_id = $1 and id = $2`, [tenantId, id]);
    return rows[0] ? toConfig(rows[0]) : null;
  }

  async insert(em: EntityManager, c: IdpConfigWrite): Promise<TenantIdpConfig> {
    const rows = await sql(
      em,
      `insert into idp_configs (id, tenant_id, kind, display_name, enabled, jit_provisioning, settings, role_mapping, secret_ciphertext, secret_key_id, created_at, created_by, updated_at, updated_by)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$11,$12) returning *`,
      [
        c.id,
        c.tenantId,
        c.kind,
        c.displayName,
        c.enabled,
        c.jitProvisioning,
        JSON.stringify(c.settings),
        JSON.stringify(c.roleMapping),
        c.secretCiphertext,
        c.secretKeyId,
        c.now,
        c.actor,
      ],
    );
    return toConfig(rows[0]);
  }

  async update(em: EntityManager, c: IdpConfigWrite): Promise<TenantIdpConfig | null> {
    const rows = await sql(
      em,
      `update idp_configs set display_name = $3, enabled = $4, jit_provisioning = $5, settings = $6, role_mapping = $7,
         secret_ciphertext = $8, secret_key_id = $9, updated_at = $10, updated_by = $11
       where tenant_id = $1 and id = $2 returning *`,
      [
        c.tenantId,
        c.id,
        c.displayName,
        c.enabled,
        c.jitProvisioning,
        JSON.stringify(c.settings),
        JSON.stringify(c.roleMapping),
        c.secretCiphertext,
        c.secretKeyId,
        c.now,
        c.actor,
      ],
    );
    return rows[0] ? toConfig(rows[0]) : null;
  }

  async delete(em: EntityManager, tenantId: string, id: string): Promise<TenantIdpConfig | null> {
    const rows = await sql(em, `delete from idp_configs where tenant_id = $1 and id = $2 returning *`, [tenantId, id]);
    return rows[0] ? toConfig(rows[0]) : null;
  }
}
