import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { Db } from '../database/db.service';
import { PgListener } from '../database/pg-listener';
import type { Principal } from './principal';

/** The channel the `principal-cache` migration's triggers notify on. */
export const PRINCIPALS_CHANNEL = 'portal_principals';
const RELISTEN_MS = 2_000;
const MAX_ENTRIES = 20_000;

interface Entry {
  principal: Principal;
  /** Epoch ms (the domain clock) after which the entry is read again from the database. */
  until: number;
}

/**
 * Resolved sessions, kept for `SESSION_CACHE_MS` (default 5 s) per process, so a burst of requests on one session
 * costs one look-up instead of a transaction each (issue 17). Never longer than the session's own expiry.
 *
 * Invalidation is exact, not left to the time-out: the database notifies `portal_principals` when a session ends or
 * is deleted and when a CSM's tenants change (triggers, so any writer counts), and every process drops what it kept
 * on commit. While this process has no listening connection (not yet connected, lost, reconnecting) it keeps
 * nothing: a notification it could miss must not keep an ended session alive.
 */
@Injectable()
export class PrincipalCache implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('PrincipalCache');
  private readonly entries = new Map<string, Entry>();
  private listener: PgListener | null = null;
  private readonly ttlMs: number;

  constructor(
    private readonly db: Db,
    @Inject(PORTAL_CONFIG) config: PortalConfig,
  ) {
    this.ttlMs = config.session.cacheMs;
  }

  onModuleInit(): void {
    const url = (this.db.dataSource.options as { url?: string }).url;
    if (this.ttlMs <= 0 || !url) return;
    this.listener = new PgListener({
      url,
      channel: PRINCIPALS_CHANNEL,
      applicationName: 'portal-principal-cache',
      relistenMs: RELISTEN_MS,
      onNotification: (key) => this.evict(key),
      // Whatever changed while nobody listened is not known: start empty.
      onUp: () => this.entries.clear(),
      onDown: (err) => {
        this.entries.clear();
        this.log.warn({ err: err.message }, 'session cache invalidation connection lost; sessions are read on every request until it is back');
      },
    });
    void this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.entries.clear();
    await this.listener?.stop();
  }

  /** Whether entries are kept now (a listening connection is up). */
  get active(): boolean {
    return this.listener?.up ?? false;
  }

  get(sessionHash: string, now: number): Principal | null {
    if (!this.active) return null;
    const e = this.entries.get(sessionHash);
    if (!e) return null;
    if (e.until <= now) {
      this.entries.delete(sessionHash);
      return null;
    }
    return e.principal;
  }

  /** Keeps a principal read at `now` until the cache's time-out or `notAfter` (the session's expiry), whichever is first. */
  set(sessionHash: string, principal: Principal, now: number, notAfter: number): void {
    if (!this.active) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(sessionHash, { principal, until: Math.min(now + this.ttlMs, notAfter) });
  }

  /** Drops what a notification names: `session:<hash>` or `principal:<id>`; anything else drops everything. */
  evict(key: string): void {
    if (key.startsWith('session:')) {
      this.entries.delete(key.slice('session:'.length));
      return;
    }
    if (key.startsWith('principal:')) {
      const id = key.slice('principal:'.length);
      for (const [hash, e] of this.entries) if (e.principal.actor.id === id) this.entries.delete(hash);
      return;
    }
    this.entries.clear();
  }
}
