import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from '@portal/tenancy';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { Clock } from '../common/clock';
import { sha256 } from '../common/tokens';
import { Db } from '../database/db.service';
import { TenantDirectory } from '../tenants/tenant-directory.service';
import { UsersRepository } from './users.repository';
import { ApiTokensRepository, parseApiToken } from './api-tokens.repository';
import { SessionsRepository } from './sessions.repository';
import { SESSION_COOKIE } from './session.service';
import type { Principal } from './principal';
import { Unauthenticated } from '../common/domain-errors';

/** Resolves who is calling (API token or session) and which tenants they may see. */
@Injectable()
export class PrincipalService {
  constructor(
    private readonly db: Db,
    private readonly tokens: ApiTokensRepository,
    private readonly sessions: SessionsRepository,
    private readonly tenants: TenantDirectory,
    private readonly users: UsersRepository,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  async resolve(req: Request): Promise<Principal | null> {
    const auth = req.header('authorization');
    if (auth) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      if (!m) throw new Unauthenticated('Authorization must be "Bearer <api token>"');
      const p = await this.fromApiToken(m[1]);
      if (!p) throw new Unauthenticated('the API token is unknown, revoked or expired');
      return p;
    }
    const sid = req.cookies?.[SESSION_COOKIE];
    if (typeof sid === 'string' && sid.length > 0 && sid.length < 200) return this.fromSession(sid);
    return null;
  }

  private async fromApiToken(token: string): Promise<Principal | null> {
    const parsed = parseApiToken(token);
    if (!parsed) return null;
    const now = this.clock.now();
    const row = await this.db.forTenants([parsed.tenantId], async (em) => {
      const t = await this.tokens.findActiveByHash(em, sha256(token), now);
      if (t) await this.tokens.markUsed(em, t.id, now);
      return t;
    });
    if (!row || row.tenantId !== parsed.tenantId) return null;
    const actor: Actor = { kind: 'api_token', id: row.id, label: `API token "${row.name}"`, role: row.role, homeTenantId: row.tenantId };
    return { actor, tenantIds: [row.tenantId], via: 'api_token' };
  }

  private async fromSession(sid: string): Promise<Principal | null> {
    const now = this.clock.now();
    const idleCutoff = new Date(now.getTime() - this.config.session.idleMinutes * 60_000);
    return this.db.scoped('directory', async (em) => {
      const s = await this.sessions.findLive(em, sha256(sid), now, idleCutoff);
      if (!s) return null;
      await this.sessions.touch(em, s.idHash, now);
      const actor: Actor = { kind: s.principalKind, id: s.principalId, label: s.label, role: s.role, homeTenantId: s.tenantId };
      let tenantIds: string[];
      if (s.principalKind === 'user') tenantIds = s.tenantId ? [s.tenantId] : [];
      else if (s.role === 'support_engineer') tenantIds = await this.tenants.allIds(em);
      else tenantIds = await this.users.csmTenantIds(em, s.principalId);
      return { actor, tenantIds, via: 'session' as const, sessionIdHash: s.idHash, csrfToken: s.csrfToken };
    });
  }
}
