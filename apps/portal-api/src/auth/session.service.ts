import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { Clock } from '../common/clock';
import { randomToken, sha256 } from '../common/tokens';
import { Db } from '../database/db.service';
import { SessionsRepository } from './sessions.repository';
import { PrincipalCache } from './principal-cache';

export const SESSION_COOKIE = 'portal_session';
export const CSRF_COOKIE = 'portal_csrf';

export interface NewSession {
  principalKind: 'user' | 'staff';
  principalId: string;
  tenantId: string | null;
  role: string;
  label: string;
}

/**
 * Server-side sessions: httpOnly cookie, SameSite=Lax, Secure outside local dev, a new id at every
 * sign-in (so a planted id is never promoted), idle and absolute timeouts, server-side sign-out.
 * CSRF: a per-session token, readable by the page in its own cookie and echoed in x-csrf-token.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly db: Db,
    private readonly sessions: SessionsRepository,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
    private readonly cache: PrincipalCache,
  ) {}

  async start(req: Request, res: Response, s: NewSession): Promise<{ csrfToken: string }> {
    const now = this.clock.now();
    const previous = req.cookies?.[SESSION_COOKIE];
    const id = randomToken(32);
    const csrfToken = randomToken(24);
    await this.db.scoped('directory', async (em) => {
      if (typeof previous === 'string') await this.sessions.end(em, sha256(previous), now);
      await this.sessions.insert(em, {
        idHash: sha256(id),
        ...s,
        csrfToken,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + this.config.session.absoluteHours * 3600_000),
      });
    });
    // Other processes drop it when the database's notification arrives; this one at once.
    if (typeof previous === 'string') this.cache.evict(`session:${sha256(previous)}`);
    const base = { sameSite: 'lax' as const, secure: this.config.session.cookieSecure, path: '/' };
    res.cookie(SESSION_COOKIE, id, { ...base, httpOnly: true, maxAge: this.config.session.absoluteHours * 3600_000 });
    res.cookie(CSRF_COOKIE, csrfToken, { ...base, httpOnly: false, maxAge: this.config.session.absoluteHours * 3600_000 });
    return { csrfToken };
  }

  async end(req: Request, res: Response): Promise<boolean> {
    const id = req.cookies?.[SESSION_COOKIE];
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.clearCookie(CSRF_COOKIE, { path: '/' });
    if (typeof id !== 'string') return false;
    await this.db.scoped('directory', (em) => this.sessions.end(em, sha256(id), this.clock.now()));
    this.cache.evict(`session:${sha256(id)}`);
    return true;
  }

  /** Deletes sessions over with for SESSION_RETENTION_DAYS (ended, expired or idle past the absolute limit). */
  purgeOld(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.retention.sessionDays * 86_400_000);
    return this.db.scoped('directory', (em) => this.sessions.purge(em, cutoff));
  }
}
