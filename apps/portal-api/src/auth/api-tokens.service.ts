import { Injectable } from '@nestjs/common';
import type { CreateApiTokenInput } from '@portal/contracts';
import { TenantContext } from '@portal/tenancy';
import { Clock } from '../common/clock';
import { NotFound } from '../common/domain-errors';
import { randomToken, sha256 } from '../common/tokens';
import { Db } from '../database/db.service';
import { DomainEvents } from '../events/domain-events.service';
import { ApiTokenRow, ApiTokensRepository, formatApiToken } from './api-tokens.repository';

@Injectable()
export class ApiTokensService {
  constructor(
    private readonly db: Db,
    private readonly tokens: ApiTokensRepository,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
  ) {}

  /** Creates a token; the plain value is returned once and never stored. */
  async create(tenantId: string, input: CreateApiTokenInput, createdBy: string): Promise<{ token: string; apiToken: ApiTokenRow }> {
    const now = this.clock.now();
    const token = formatApiToken(tenantId, randomToken(32));
    const apiToken = await this.db.forTenants([tenantId], async (em) => {
      const row = await this.tokens.insert(em, {
        tenantId,
        name: input.name,
        role: input.role,
        hash: sha256(token),
        displayPrefix: token.slice(0, 12) + '…' + token.slice(-4),
        createdBy,
        createdAt: now,
        expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86400_000) : null,
      });
      if (TenantContext.maybeStore()) {
        await this.events.emit(em, { tenantId, type: 'api_token.created', subjectId: row.id, payload: { name: row.name, role: row.role } });
      }
      return row;
    });
    return { token, apiToken };
  }

  list(tenantId: string): Promise<ApiTokenRow[]> {
    return this.db.tx((em) => this.tokens.list(em, tenantId));
  }

  async revoke(tenantId: string, id: string): Promise<ApiTokenRow> {
    return this.db.tx(async (em) => {
      const row = await this.tokens.revoke(em, tenantId, id, this.clock.now());
      if (!row) throw new NotFound('API token not found');
      await this.events.emit(em, { tenantId, type: 'api_token.revoked', subjectId: id, payload: { name: row.name } });
      return row;
    });
  }
}
