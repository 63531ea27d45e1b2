import type { Response } from 'supertest';
import { Accounts } from '../apps/portal-api/src/auth/accounts.service';
import type { Tenant } from '../apps/portal-api/src/tenants/tenant.types';
import { evidenceTmpDir } from './evidence-helpers';
import {
  Caller,
  discoverRoutes,
  DiscoveredRoute,
  Ids,
  MATRIX_ROLES,
  MatrixRequest,
  MatrixRole,
  MatrixWorld,
  randomLike,
  ROUTE_CASES,
  sessionCaller,
  tokenCaller,
} from './support/route-cases';
import { createTenant, createTestApp, TestApp } from './support/test-app';

const VARIANTS = ['own', 'other', 'random'] as const;
type Variant = (typeof VARIANTS)[number];

/** What a caller learns from an answer: status, error code, message and where it redirects (correlation ids cut). */
interface Answer {
  status: number;
  error: string | null;
  message: string | null;
  location: string | null;
}

function bodyText(res: Response): string {
  if (typeof res.text === 'string') return res.text;
  if (Buffer.isBuffer(res.body)) return res.body.toString('latin1');
  return JSON.stringify(res.body ?? null);
}

/** The answer with the ids the request named replaced by a placeholder (an echoed id is the caller's own input). */
function answerOf(res: Response, ids: Ids): Answer {
  const hide = (s: string | null) => {
    if (s === null) return null;
    let out = s;
    for (const v of Object.values(ids)) if (v) out = out.split(v).join('<id>');
    return out;
  };
  const loc = typeof res.headers.location === 'string' ? new URL(res.headers.location, 'http://portal.invalid') : null;
  loc?.searchParams.delete('cid');
  const body = (res.body ?? {}) as { error?: unknown; message?: unknown };
  return {
    status: res.status,
    error: typeof body.error === 'string' ? body.error : (loc?.searchParams.get('code') ?? null),
    message: hide(typeof body.message === 'string' ? body.message : null),
    location: hide(loc ? `${loc.pathname}${loc.search}` : null),
  };
}

const show = (a: Answer) => `${a.status} ${a.error ?? ''}${a.message ? ` "${a.message.slice(0, 120)}"` : ''}${a.location ? ` → ${a.location}` : ''}`;

describe('isolation matrix (every route × {own, other tenant, random} id × every role)', () => {
  let t: TestApp;
  let own: Tenant;
  let other: Tenant;
  let w: MatrixWorld;
  let routes: DiscoveredRoute[];
  const callers = new Map<MatrixRole, Caller>();

  async function makeCaller(role: MatrixRole): Promise<Caller> {
    if (role === 'customer_admin' || role === 'customer_viewer') return tokenCaller(t, role, own);
    const c = await sessionCaller(t, role);
    // A CSM reaches the tenants of their accounts only: A is theirs, B is not.
    if (role === 'csm') await t.app.get(Accounts).assignCsm(c.email, own.slug, true);
    return c;
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { EVIDENCE_DIR: evidenceTmpDir(), SESSION_IDLE_MINUTES: '100000' } });
    own = await createTenant(t.app, { slug: `iso-a-${Date.now().toString(36)}` });
    other = await createTenant(t.app, { slug: `iso-b-${Date.now().toString(36)}` });
    w = await MatrixWorld.create(t, own, other);
    for (const role of MATRIX_ROLES) callers.set(role, await makeCaller(role));
    routes = discoverRoutes(t.app);
  });
  afterAll(() => t?.close());

  function send(req: MatrixRequest, caller: Caller) {
    const method = req.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    const qs = req.query ? `?${new URLSearchParams(req.query).toString()}` : '';
    let r = t.http[method](`${req.path}${qs}`)
      .set(req.method === 'GET' ? caller.headers : caller.changeHeaders)
      .set(req.headers ?? {})
      .redirects(0);
    if (req.upload) {
      for (const [k, v] of Object.entries(req.upload.fields)) r = r.field(k, v);
      return r.attach('file', req.upload.file, { filename: req.upload.filename, contentType: 'application/octet-stream' });
    }
    if (req.form) return r.type('form').send(req.form);
    if (req.json !== undefined) return r.send(req.json as object);
    return r;
  }

  it('has a case generator for every route of the router, and none for a route that is gone', () => {
    const keys = routes.map((r) => r.key);
    const missing = keys.filter((k) => !ROUTE_CASES[k]);
    const stale = Object.keys(ROUTE_CASES).filter((k) => !keys.includes(k));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  it("answers another tenant's id exactly as a random one, for every route and every role", async () => {
    const failures: string[] = [];
    const otherMarkers = () => w.markers(other);
    let requests = 0;
    const cases = routes.filter((r) => ROUTE_CASES[r.key]);
    for (const route of cases) {
      const c = ROUTE_CASES[route.key];
      for (const role of MATRIX_ROLES) {
        const where = `${route.key} as ${role}`;
        try {
          const ownIds = c.fixture ? await c.fixture(w, own) : {};
          const otherIds = c.fixture ? await c.fixture(w, other) : {};
          const v = c.variants
            ? c.variants(ownIds, otherIds)
            : { other: otherIds, random: Object.fromEntries(Object.entries(ownIds).map(([k, x]) => [k, randomLike(x)])) };
          const ids: Record<Variant, Ids> = { own: ownIds, other: v.other, random: v.random };
          const answers = {} as Record<Variant, Answer>;
          for (const variant of VARIANTS) {
            const caller = c.freshCaller ? await makeCaller(role) : callers.get(role)!;
            const res = await send(c.request(w, ids[variant]), caller);
            requests++;
            answers[variant] = answerOf(res, ids[variant]);
            if (res.status >= 500) failures.push(`${where}, ${variant} id: ${show(answers[variant])}`);
            // Never tenant B's data to a caller who cannot see B (its ids, slug, name), unless the request named it.
            const seesEveryTenant = role === 'support_engineer';
            const exempt = seesEveryTenant || (variant === 'other' && !!c.crossTenantByDesign);
            if (!exempt) {
              const named = new Set(Object.values(ids[variant]));
              const text = `${bodyText(res)}\n${String(res.headers.location ?? '')}\n${String(res.headers['content-disposition'] ?? '')}`;
              const leaked = otherMarkers().filter((m) => !named.has(m) && text.includes(m));
              if (leaked.length) failures.push(`${where}, ${variant} id: the answer carries tenant B's ${leaked.join(', ')}: ${text.slice(0, 300)}`);
            }
          }
          const { own: a, other: b, random: r } = answers;
          // The cases must really exercise the route: a role it names gets through with its own id; others get 403.
          const allowed = route.roles === null || route.roles.includes(role);
          if (allowed && a.status >= 400) failures.push(`${where}: own id refused (${show(a)}): the case generator is wrong or the route is`);
          if (!allowed && a.status !== 403) failures.push(`${where}: a role the route does not name got ${show(a)} instead of 403`);
          const same = (x: Answer, y: Answer) => x.status === y.status && x.error === y.error && x.message === y.message && x.location === y.location;
          if (c.crossTenantByDesign) {
            if (b.status !== a.status) failures.push(`${where}: cross-tenant by design, yet other ${show(b)} differs from own ${show(a)}`);
          } else if (role === 'support_engineer' && (c.other ?? 'tenant') === 'tenant' && c.names !== 'caller') {
            // Support engineers work on every tenant: B's resource is as reachable as A's.
            if (b.status !== a.status || b.error !== a.error) failures.push(`${where}: support engineer, other ${show(b)} differs from own ${show(a)}`);
          } else if (!same(b, r)) {
            failures.push(`${where}: another tenant's id answered ${show(b)}, a random id ${show(r)}`);
          }
        } catch (e) {
          failures.push(`${where}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
    const byDesign = cases.filter((r) => ROUTE_CASES[r.key].crossTenantByDesign).map((r) => `  ${r.key}: ${ROUTE_CASES[r.key].crossTenantByDesign}`);
    process.stdout.write(
      `isolation matrix: ${cases.length} routes × ${VARIANTS.length} ids × ${MATRIX_ROLES.length} roles = ${requests} requests\n` +
        (byDesign.length ? `cross-tenant by design (other answers like own):\n${byDesign.join('\n')}\n` : ''),
    );
    expect(requests).toBe(cases.length * VARIANTS.length * MATRIX_ROLES.length);
    expect(failures).toEqual([]);
  }, 300_000);
});
