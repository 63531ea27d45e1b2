import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { Db } from '../database/db.service';
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
  private listener: Client | null = null;
  private stopped = false;
  private readonly ttlMs: number;

  constructor(
    private readonly db: Db,
    @Inject(PORTAL_CONFIG) config: PortalConfig,
  ) {
    this.ttlMs = config.session.cacheMs;
  }

  onModuleInit(): void {
    if (this.ttlMs > 0) void this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    const l = this.listener;
    this.listener = null;
    this.entries.clear();
    await l?.end().catch(() => undefined);
  }

  /** Whether entries are kept now (a listening connection is up). */
  get active(): boolean {
    return this.listener !== null;
  }

  get(sessionHash: string, now: number): Principal | null {
    if (!this.listener) return null;
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
    if (!this.listener) return;
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

  /** A dedicated connection (LISTEN is per session); lost, the cache empties and stays off until it is back. */
  private async listen(): Promise<void> {
    const url = (this.db.dataSource.options as { url?: string }).url;
    if (!url || this.stopped) return;
    const client = new Client({ connectionString: url, application_name: 'portal-principal-cache' });
    let dropped = false;
    const drop = (err: Error) => {
      if (dropped) return;
      dropped = true;
      if (this.listener === client) this.listener = null;
      this.entries.clear();
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.log.warn({ err: err.message }, 'session cache invalidation connection lost; sessions are read on every request until it is back');
      setTimeout(() => void this.listen(), RELISTEN_MS).unref();
    };
    client.on('notification', (n) => this.evict(n.payload ?? ''));
    client.on('error', drop);
    client.on('end', () => drop(new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`listen ${PRINCIPALS_CHANNEL}`);
      if (this.stopped) return void client.end().catch(() => undefined);
      this.entries.clear();
      this.listener = client;
    } catch (err) {
      drop(err as Error);
    }
  }
}
