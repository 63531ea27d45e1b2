import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ALL_TENANTS, type Actor, type TenantReach } from '@portal/tenancy';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { Clock } from '../common/clock';
import { sha256 } from '../common/tokens';
import { Db } from '../database/db.service';
import { UsersRepository } from './users.repository';
import { ApiTokensRepository, parseApiToken } from './api-tokens.repository';
import { SessionsRepository } from './sessions.repository';
import { SESSION_COOKIE } from './session.service';
import { PrincipalCache } from './principal-cache';
import type { Principal } from './principal';
import { Unauthenticated } from '../common/domain-errors';

/** How often a live session's last-seen instant is written (the idle timeout is counted in minutes). */
const SESSION_TOUCH_MS = 60_000;

/** Resolves who is calling (API token or session) and which tenants they may see. */
@Injectable()
export class PrincipalService {
  constructor(
    private readonly db: Db,
    private readonly tokens: ApiTokensRepository,
    private readonly sessions: SessionsRepository,
    private readonly users: UsersRepository,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
    private readonly cache: PrincipalCache,
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
    const idHash = sha256(sid);
    const kept = this.cache.get(idHash, now.getTime());
    if (kept) return kept;
    const idleMs = this.config.session.idleMinutes * 60_000;
    const idleCutoff = new Date(now.getTime() - idleMs);
    const found = await this.db.scoped('directory', async (em) => {
      const s = await this.sessions.findLive(em, idHash, now, idleCutoff);
      if (!s) return null;
      // Idle time is kept to the minute: a session is written at most once a minute, not on every request.
      const touched = now.getTime() - s.lastSeenAt.getTime() >= SESSION_TOUCH_MS;
      if (touched) await this.sessions.touch(em, s.idHash, now);
      const actor: Actor = { kind: s.principalKind, id: s.principalId, label: s.label, role: s.role, homeTenantId: s.tenantId };
      let tenantIds: TenantReach;
      if (s.principalKind === 'user') tenantIds = s.tenantId ? [s.tenantId] : [];
      // Every tenant as a scope, not a list: no look-up and nothing sent per tenant (issue 17).
      else if (s.role === 'support_engineer') tenantIds = ALL_TENANTS;
      else tenantIds = await this.users.csmTenantIds(em, s.principalId);
      const principal: Principal = { actor, tenantIds, via: 'session' as const, sessionIdHash: s.idHash, csrfToken: s.csrfToken };
      const lastSeen = touched ? now.getTime() : s.lastSeenAt.getTime();
      return { principal, notAfter: Math.min(s.expiresAt.getTime(), lastSeen + idleMs) };
    });
    if (!found) return null;
    this.cache.set(idHash, found.principal, now.getTime(), found.notAfter);
    return found.principal;
  }
}
