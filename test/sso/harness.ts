import { createServer, AddressInfo } from 'node:net';
import { Client } from 'pg';
import { createTestApp, TestApp } from '../support/test-app';

export interface SsoTestApp extends TestApp {
  /** The portal's public base URL (it listens there, so identity providers can redirect back). */
  base: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The real app, listening on a loopback port that is also its PUBLIC_URL, with the manual clock at
 * the real time: identity providers in these tests sign with the real clock, and node-saml and
 * openid-client read the system clock.
 */
export async function startSsoApp(env: Record<string, string> = {}, port?: number): Promise<SsoTestApp> {
  port = port ?? (await freePort());
  const base = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ now: new Date().toISOString(), env: { PUBLIC_URL: base, PORT: String(port), ...env } });
  await t.app.listen(port, '127.0.0.1');
  return { ...t, base };
}

export interface EventRow {
  tenant_id: string | null;
  action: string;
  actor_kind: string;
  actor_id: string;
  actor_label: string;
  subject_id: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, any>;
}

/** Governance events as the owner sees them (tenant-less failures are invisible to the RLS role by design). */
export async function governanceEvents(where: { tenantId?: string | null; action?: string; since?: number }): Promise<EventRow[]> {
  const c = new Client({ connectionString: process.env.PORTAL_TEST_OWNER_URL });
  await c.connect();
  try {
    const params: unknown[] = [];
    const conds: string[] = [];
    if (where.tenantId !== undefined) {
      if (where.tenantId === null) conds.push('tenant_id is null');
      else {
        params.push(where.tenantId);
        conds.push(`tenant_id = $${params.length}`);
      }
    }
    if (where.action) {
      params.push(where.action);
      conds.push(`action = $${params.length}`);
    }
    if (where.since) {
      params.push(where.since);
      conds.push(`id > $${params.length}`);
    }
    const r = await c.query(`select * from governance_events ${conds.length ? `where ${conds.join(' and ')}` : ''} order by id`, params);
    return r.rows;
  } finally {
    await c.end();
  }
}

export async function lastEventId(): Promise<number> {
  const c = new Client({ connectionString: process.env.PORTAL_TEST_OWNER_URL });
  await c.connect();
  try {
    const r = await c.query('select coalesce(max(id), 0)::int as id from governance_events');
    return r.rows[0].id;
  } finally {
    await c.end();
  }
}

export async function ownerQuery<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: process.env.PORTAL_TEST_OWNER_URL });
  await c.connect();
  try {
    return (await c.query(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** The error page address the portal redirected to, decoded. */
export function errorRedirect(location: URL | null): { code: string | null; cid: string | null; tenant: string | null } {
  if (!location || location.pathname !== '/sign-in/error') throw new Error(`expected a redirect to the SSO error page, got ${location?.toString() ?? 'none'}`);
  return { code: location.searchParams.get('code'), cid: location.searchParams.get('cid'), tenant: location.searchParams.get('tenant') };
}
