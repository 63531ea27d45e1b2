import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import type { Role } from '@portal/contracts';
import { PUBLIC_KEY, ROLES_KEY } from '../../apps/portal-api/src/auth/auth.decorators';
import { ApiTokensService } from '../../apps/portal-api/src/auth/api-tokens.service';
import { Accounts } from '../../apps/portal-api/src/auth/accounts.service';
import { SESSION_COOKIE } from '../../apps/portal-api/src/auth/session.service';
import type { Tenant } from '../../apps/portal-api/src/tenants/tenant.types';
import { makePng } from '../evidence-helpers';
import { selfSignedCertificate } from '../sso/pki';
import { TestApp, tokenFor, validIntake } from './test-app';
import { Db } from '../../apps/portal-api/src/database/db.service';
import { sql } from '../../apps/portal-api/src/database/sql';
import { StatusPageService } from '../../apps/portal-api/src/status-page/status-page.service';
// post-incident reviews (issue 15)
import { PirPdfRenderer } from '@portal/pir-pdf';
import { TenantContext } from '@portal/tenancy';
import { PirService } from '../../apps/portal-api/src/pir/pir.service';

// ---- the router ---------------------------------------------------------------------------------------

export interface DiscoveredRoute {
  /** "METHOD /path" with Nest's parameter syntax, e.g. "GET /api/v1/incidents/:id". */
  key: string;
  method: string;
  path: string;
  /** The roles the route names (@Roles), or null for a @Public() route. */
  roles: Role[] | null;
}

const joinPath = (...parts: unknown[]) =>
  (
    '/' +
    parts
      .map((p) => (typeof p === 'string' ? p : Array.isArray(p) && typeof p[0] === 'string' ? p[0] : ''))
      .join('/')
      .replace(/\/+/g, '/')
      .replace(/^\/|\/$/g, '')
  ).replace(/\/+/g, '/');

/** Every route of the running app, read from the controllers' metadata (what Nest itself routes by). */
export function discoverRoutes(app: INestApplication): DiscoveredRoute[] {
  // Built from the module container: not every process role (api) imports the DiscoveryModule.
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const routes: DiscoveredRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as object | undefined;
    if (!instance || !wrapper.metatype) continue;
    const ctrl = wrapper.metatype as object as new (...args: unknown[]) => unknown;
    const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name] as (...args: unknown[]) => unknown;
      const m = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (m === undefined) continue;
      const method = RequestMethod[m];
      const path = joinPath(Reflect.getMetadata(PATH_METADATA, ctrl), Reflect.getMetadata(PATH_METADATA, handler));
      const isPublic = reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [handler, ctrl]);
      const roles = reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [handler, ctrl]);
      routes.push({ key: `${method} ${path}`, method, path, roles: isPublic ? null : (roles ?? []) });
    }
  }
  return routes.sort((a, b) => a.key.localeCompare(b.key));
}

/** A Teams connection for the matrix (issue 14 part C): the test message goes nowhere reachable. */
const MATRIX_TEAMS = {
  directoryId: '00000000-0000-4000-8000-00000000d1d1',
  clientId: '00000000-0000-4000-8000-00000000c1c1',
  clientSecret: 'matrix-secret-0000',
  teamId: '00000000-0000-4000-8000-000000007e7e',
  channelId: '19:matrix0000@thread.tacv2',
};

// h2b-pir-publish: the tenant's Hub (an address the egress guard accepts; nothing listens there in the matrix)
const MATRIX_HUB = { url: 'https://hub.matrix.example/output-records', secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` };

/** "GET /api/v1/incidents/:id" → "GET /api/v1/incidents/{id}" (the OpenAPI document's spelling). */
export const openApiKey = (key: string) => key.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

// ---- callers --------------------------------------------------------------------------------------------

export const MATRIX_ROLES = ['customer_admin', 'customer_viewer', 'support_engineer', 'csm'] as const;
export type MatrixRole = (typeof MATRIX_ROLES)[number];

/** How a request authenticates: an API token, or a session cookie with its CSRF token. */
export interface Caller {
  role: MatrixRole;
  /** Headers for a safe (GET) request. */
  headers: Record<string, string>;
  /** Headers for a change (adds the CSRF token of a session). */
  changeHeaders: Record<string, string>;
}

/** A development sign-in as a plain request (no cookie jar: what the response sets never rides along later). */
export async function sessionCaller(t: TestApp, role: MatrixRole, tenant?: Tenant, email?: string): Promise<Caller & { principalId: string; email: string }> {
  email = email ?? `${role.replace('_', '-')}-${randomUUID().slice(0, 8)}@matrix.example`;
  const res = await t.http.post('/auth/dev/login').send({ email, role, ...(tenant ? { tenant: tenant.slug } : {}) });
  if (res.status !== 200) throw new Error(`sign-in as ${role} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) throw new Error(`sign-in as ${role} set no ${SESSION_COOKIE} cookie`);
  const headers = { Cookie: cookie };
  return { role, headers, changeHeaders: { ...headers, 'x-csrf-token': res.body.csrfToken as string }, principalId: res.body.principal.id as string, email };
}

export async function tokenCaller(t: TestApp, role: 'customer_admin' | 'customer_viewer', tenant: Tenant): Promise<Caller> {
  const headers = { Authorization: `Bearer ${await tokenFor(t.app, tenant.id, role)}` };
  return { role, headers, changeHeaders: headers };
}

// ---- the world the cases build their fixtures in -------------------------------------------------------

export type Ids = Record<string, string>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A value of the same shape that names nothing: a fresh uuid, or a fresh slug-like word. */
export const randomLike = (v: string) => (UUID.test(v) ? randomUUID() : `t-${randomBytes(5).toString('hex')}`);

const ROLE_MAPPING = { claim: 'groups', rules: [{ value: 'admins', role: 'customer_admin' }], defaultRole: 'customer_viewer' };

/**
 * Two tenants (own = A, other = B), callers of every role for A (the CSM is assigned to A only; a support
 * engineer reaches every tenant), and the fixture makers the route cases use. Every id made in B is a marker
 * that must never appear in an answer to a caller who cannot see B.
 */
/** One signing certificate for every test SAML provider (openssl is slow on a busy machine). */
let samlCert: string | undefined;

export class MatrixWorld {
  private readonly made = new Map<string, Set<string>>();

  constructor(
    readonly t: TestApp,
    readonly own: Tenant,
    readonly other: Tenant,
    private readonly admins: Map<string, Caller>,
    /** A support engineer's session, for fixtures that need one (resolving an incident). */
    private readonly support: Caller,
  ) {
    for (const tenant of [own, other]) this.made.set(tenant.id, new Set([tenant.id, tenant.slug, tenant.displayName]));
  }

  static async create(t: TestApp, own: Tenant, other: Tenant): Promise<MatrixWorld> {
    const admins = new Map<string, Caller>();
    for (const tenant of [own, other]) admins.set(tenant.id, await tokenCaller(t, 'customer_admin', tenant));
    return new MatrixWorld(t, own, other, admins, await sessionCaller(t, 'support_engineer'));
  }

  /** Everything of `tenant` the world made: its id, slug, display name and every fixture id. */
  markers(tenant: Tenant): string[] {
    return [...(this.made.get(tenant.id) ?? [])];
  }

  private remember<T extends string>(tenant: Tenant, v: T): T {
    this.made.get(tenant.id)?.add(v);
    return v;
  }

  admin(tenant: Tenant): Caller {
    return this.admins.get(tenant.id)!;
  }

  private async expect(what: string, res: { status: number; body: unknown }, ok: number[]) {
    if (!ok.includes(res.status)) throw new Error(`fixture ${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Record<string, any>;
  }

  async incident(tenant: Tenant, opts: { resolved?: boolean; idempotencyKey?: string; body?: Record<string, unknown> } = {}): Promise<string> {
    let req = this.t.http
      .post('/api/v1/incidents')
      .set(this.admin(tenant).changeHeaders)
      .send(opts.body ?? validIntake({ title: `Incident of ${tenant.slug}`, symptoms: `Symptoms seen at ${tenant.displayName}` }));
    if (opts.idempotencyKey) req = req.set('Idempotency-Key', opts.idempotencyKey);
    const id = this.remember(tenant, (await this.expect('declare', await req, [201])).id as string);
    if (opts.resolved) {
      await this.expect(
        'resolve',
        await this.t.http
          .post(`/api/v1/incidents/${id}/resolve`)
          .set(this.support.changeHeaders)
          .send({ summary: `Fixed for ${tenant.slug}` }),
        [200],
      );
    }
    return id;
  }

  async attachment(tenant: Tenant): Promise<{ id: string; attachmentId: string }> {
    const id = await this.incident(tenant);
    const res = await this.t.http
      .post(`/api/v1/incidents/${id}/attachments`)
      .set(this.admin(tenant).changeHeaders)
      .field('kind', 'screenshot')
      .attach('file', makePng(), { filename: `${tenant.slug}.png`, contentType: 'application/octet-stream' });
    const body = await this.expect('upload', res, [201]);
    return { id, attachmentId: this.remember(tenant, body.id as string) };
  }

  async idp(tenant: Tenant, kind: 'saml' | 'oidc' | 'entra'): Promise<string> {
    let body: Record<string, unknown>;
    if (kind === 'saml') {
      samlCert = samlCert ?? selfSignedCertificate('isolation-matrix-idp').cert;
      body = { saml: { entityId: `urn:${tenant.slug}:idp`, ssoUrl: `https://idp.${tenant.slug}.example/sso`, certificate: samlCert } };
    } else if (kind === 'oidc') {
      body = { oidc: { issuer: `https://idp.${tenant.slug}.example`, clientId: `portal-${tenant.slug}`, clientSecret: 'matrix-secret' } };
    } else {
      body = { entra: { directoryId: randomUUID(), clientId: randomUUID(), clientSecret: 'matrix-secret' } };
    }
    const res = await this.t.http
      .post('/api/v1/identity-providers')
      .set(this.admin(tenant).changeHeaders)
      .send({ kind, displayName: `${kind} of ${tenant.slug}`, roleMapping: ROLE_MAPPING, ...body });
    return this.remember(tenant, (await this.expect(`create ${kind} identity provider`, res, [201])).id as string);
  }

  async apiToken(tenant: Tenant): Promise<string> {
    const { apiToken } = await this.t.app.get(ApiTokensService).create(tenant.id, { name: `matrix ${tenant.slug}`, role: 'customer_viewer' }, 'matrix');
    return this.remember(tenant, apiToken.id);
  }

  async user(tenant: Tenant): Promise<string> {
    const u = await this.t.app
      .get(Accounts)
      .upsertUser({ tenantId: tenant.id, email: `person-${randomUUID().slice(0, 8)}@${tenant.slug}.example`, name: 'Person', role: 'customer_viewer' });
    return this.remember(tenant, u.id);
  }

  // ---- incident communications (issue 14, part A) ----
  private readonly endpoints = new Map<string, string>();

  /** A webhook endpoint of the tenant (one kept per tenant; `fresh` makes a new one, for routes that remove it). */
  async webhookEndpoint(tenant: Tenant, fresh = false): Promise<string> {
    if (!fresh && this.endpoints.has(tenant.id)) return this.endpoints.get(tenant.id)!;
    const res = await this.t.http
      .post('/api/v1/webhook-endpoints')
      .set(this.admin(tenant).changeHeaders)
      .send({ url: `https://hooks.${tenant.slug}.example/portal`, description: `hooks of ${tenant.slug}` });
    const id = this.remember(tenant, (await this.expect('create webhook endpoint', res, [201])).id as string);
    if (!fresh) this.endpoints.set(tenant.id, id);
    return id;
  }

  /** A delivery of the tenant: a test event to its webhook endpoint (waiting for its first attempt). */
  async notificationDelivery(tenant: Tenant): Promise<string> {
    const endpoint = await this.webhookEndpoint(tenant);
    const res = await this.t.http.post(`/api/v1/webhook-endpoints/${endpoint}/test`).set(this.admin(tenant).changeHeaders);
    return this.remember(tenant, (await this.expect('send a test event', res, [201])).id as string);
  }

  /** An Idempotency-Key this tenant has already declared an incident with (the body: `validIntake()`, so a retry replays). */
  async usedIdempotencyKey(tenant: Tenant): Promise<string> {
    const key = `key-${randomBytes(8).toString('hex')}`;
    await this.incident(tenant, { idempotencyKey: key, body: validIntake() });
    return this.remember(tenant, key);
  }

  // quick declaration (issue 18, h6-web-outage)
  /** A quick Sev 1 declaration of this tenant (its intake missing), declared with `key` when given. */
  async quickIncident(tenant: Tenant, key?: string): Promise<string> {
    let req = this.t.http.post('/api/v1/incidents/quick').set(this.admin(tenant).changeHeaders).send(quickIntake(tenant));
    if (key) req = req.set('Idempotency-Key', key);
    return this.remember(tenant, (await this.expect('quick declare', await req, [201])).id as string);
  }
  /** An Idempotency-Key this tenant has already quick-declared with (the body: `quickIntake()`, so a retry replays). */
  async usedQuickIdempotencyKey(tenant: Tenant): Promise<string> {
    const key = `quick-${randomBytes(8).toString('hex')}`;
    await this.quickIncident(tenant, key);
    return this.remember(tenant, key);
  }

  // post-incident reviews (issue 15)
  /** A resolved incident with a review (draft with one action item; published; published with its PDF rendered). */
  async pir(tenant: Tenant, stage: 'draft' | 'published' | 'rendered'): Promise<{ id: string; pirId: string; itemId: string }> {
    const id = await this.incident(tenant, { resolved: true });
    const pirPath = `/api/v1/incidents/${id}/pir`;
    const created = await this.expect('start review', await this.t.http.post(pirPath).set(this.support.changeHeaders), [201]);
    const saved = await this.expect(
      'save review',
      await this.t.http
        .put(pirPath)
        .set(this.support.changeHeaders)
        .send({ version: 1, actionItems: [{ action: `Action for ${tenant.slug}`, owner: 'SRE', priority: 'high' }] }),
      [200],
    );
    if (stage !== 'draft') {
      for (const to of ['in_review', 'published']) {
        await this.expect(`review ${to}`, await this.t.http.post(`${pirPath}/transitions`).set(this.support.changeHeaders).send({ to }), [200]);
      }
    }
    if (stage === 'rendered') {
      const pirs = this.t.app.get(PirService);
      await TenantContext.runAs({ kind: 'system', id: 'matrix', label: 'matrix', role: 'system', homeTenantId: tenant.id }, [tenant.id], () =>
        pirs.renderPdf(created.id as string, this.t.app.get(PirPdfRenderer)),
      );
    }
    return { id, pirId: this.remember(tenant, created.id as string), itemId: this.remember(tenant, saved.actionItems[0].id as string) };
  }

  // CSM walkthroughs (issue 15, h2a-walkthroughs)
  private walkthroughCsm: Promise<void> | null = null;
  private walkthroughSlots = 0;

  /**
   * A different walkthrough slot each call, from tomorrow in the default working hours (Mon–Fri 09:00–17:00 UTC, no CSM
   * of the matrix sets theirs), so fixtures and requests never compete for one slot of a CSM.
   */
  nextWalkthroughSlot(): string {
    let n = this.walkthroughSlots++;
    const day = new Date(this.t.clock.now());
    day.setUTCHours(0, 0, 0, 0);
    for (;;) {
      day.setUTCDate(day.getUTCDate() + 1);
      if (day.getUTCDay() === 0 || day.getUTCDay() === 6) continue;
      if (n < 16) return new Date(day.getTime() + (9 * 60 + 30 * n) * 60_000).toISOString();
      n -= 16;
    }
  }

  private readonly walkthroughReviews = new Map<string, Promise<{ id: string; attendee: string }>>();

  /**
   * The tenant's published review for the walkthrough cases (one per tenant, made once: the cases book, move and cancel
   * on it), with a CSM (one fixture CSM for both tenants) and a customer user to invite; `booked`: with a walkthrough
   * booked now, or none.
   */
  async walkthrough(tenant: Tenant, booked: boolean): Promise<{ id: string; attendee: string }> {
    this.walkthroughCsm ??= (async () => {
      const email = `walkthrough-csm-${randomUUID().slice(0, 8)}@matrix.example`;
      const accounts = this.t.app.get(Accounts);
      await accounts.upsertStaff({ email, name: 'Matrix CSM', role: 'csm' });
      for (const x of [this.own, this.other]) await accounts.assignCsm(email, x.slug, true);
    })();
    await this.walkthroughCsm;
    if (!this.walkthroughReviews.has(tenant.id)) {
      this.walkthroughReviews.set(
        tenant.id,
        (async () => {
          const attendee = `attendee@${tenant.slug}.example`;
          await this.t.app.get(Accounts).upsertUser({ tenantId: tenant.id, email: attendee, name: 'Attendee', role: 'customer_admin' });
          return { id: (await this.pir(tenant, 'published')).id, attendee };
        })(),
      );
    }
    const review = await this.walkthroughReviews.get(tenant.id)!;
    const path = `/api/v1/incidents/${review.id}/walkthrough`;
    const headers = this.admin(tenant).changeHeaders;
    const state = await this.expect('walkthrough state', await this.t.http.get(path).set(headers), [200]);
    if (booked && !state.walkthrough) {
      const res = await this.t.http.post(path).set(headers).send({ startsAt: this.nextWalkthroughSlot(), attendeeEmail: review.attendee });
      this.remember(tenant, (await this.expect('book walkthrough', res, [201])).id as string);
    } else if (!booked && state.walkthrough) {
      await this.expect('cancel walkthrough', await this.t.http.delete(path).set(headers), [200]);
    }
    return review;
  }
}

// ---- the cases -------------------------------------------------------------------------------------------

export interface MatrixRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  json?: unknown;
  /** application/x-www-form-urlencoded (the SAML POST binding). */
  form?: Record<string, string>;
  /** multipart/form-data: the fields first, then one file part named "file". */
  upload?: { fields: Record<string, string>; file: Buffer; filename: string };
}

/**
 * How one route is exercised by the isolation matrix.
 *
 * - `names`: where the route names a tenant's resource. `path`/`query`/`body`/`header`: the three requests differ
 *   only there (own = a fresh resource of tenant A, other = one of tenant B, random = a value of the same shape that
 *   names nothing). `caller`: the route acts on the caller's own tenant and names nothing; its three requests are
 *   the same and the answers are checked for tenant B's data.
 * - `other: 'mixed'`: "other" puts B's id inside an A context (A's incident with B's attachment, A's realm with B's
 *   identity provider, A's idempotency scope with B's key); no role may reach it, support engineers included.
 *   Otherwise "other" is B's resource itself, which a support engineer (every tenant) reaches like A's.
 * - `crossTenantByDesign`: the route answers about any tenant by design (the reason is printed); its "other" must
 *   answer like "own", and is exempt from the leak check.
 */
export interface RouteCase {
  names: 'path' | 'query' | 'body' | 'header' | 'caller';
  other?: 'tenant' | 'mixed';
  fixture?: (w: MatrixWorld, tenant: Tenant) => Promise<Ids>;
  /** Builds "other" and "random" from the two fixtures when they are not simply B's fixture and random values. */
  variants?: (own: Ids, other: Ids) => { other: Ids; random: Ids };
  request: (w: MatrixWorld, ids: Ids) => MatrixRequest;
  crossTenantByDesign?: string;
  /** The route ends or replaces the caller's session: every request gets a principal of its own. */
  freshCaller?: boolean;
}

const incidentFixture =
  (opts: { resolved?: boolean } = {}) =>
  async (w: MatrixWorld, tenant: Tenant): Promise<Ids> => ({ id: await w.incident(tenant, opts) });
const attachmentFixture = async (w: MatrixWorld, tenant: Tenant): Promise<Ids> => w.attachment(tenant);
const idpFixture =
  (kind: 'saml' | 'oidc' | 'entra') =>
  async (w: MatrixWorld, tenant: Tenant): Promise<Ids> => ({ realm: w.own.slug, idp: await w.idp(tenant, kind) });
/** A's incident with B's attachment; A's incident with an attachment id that names nothing. */
const childOfOwnParent = (own: Ids, other: Ids) => ({
  other: { id: own.id, attachmentId: other.attachmentId },
  random: { id: own.id, attachmentId: randomUUID() },
});
/** A's realm (tenant slug in the URL) with B's identity provider, or with an id that names nothing. */
const idpInOwnRealm = (own: Ids, other: Ids) => ({
  other: { realm: own.realm, idp: other.idp },
  random: { realm: own.realm, idp: randomUUID() },
});

const inc = (ids: Ids, rest = '') => `/api/v1/incidents/${ids.id}${rest}`;
/** quick declaration (issue 18): what a person knows in twenty seconds; the region is the tenant's first. */
const quickIntake = (tenant: Tenant) => ({
  title: 'Sign-in down',
  severity: 'sev1',
  services: ['Identity'],
  regions: [tenant.regions[0]?.code ?? 'eu-south-1'],
  ...(tenant.serviceMode === 'C' ? { plane: 'not_sure' } : {}),
});
const CALENDAR = { workingDays: [1, 2, 3, 4, 5], dayStart: '09:00', dayEnd: '18:00', holidays: ['2026-12-25'] };

/** Keyed by "METHOD /path" as discovered from the router; a route without a case fails the matrix. */
export const ROUTE_CASES: Record<string, RouteCase> = {
  // platform
  'GET /health/live': { names: 'caller', request: () => ({ method: 'GET', path: '/health/live' }) },
  'GET /health/ready': { names: 'caller', request: () => ({ method: 'GET', path: '/health/ready' }) },
  'GET /metrics': { names: 'caller', request: () => ({ method: 'GET', path: '/metrics' }) },

  // sign-in and sessions
  'GET /auth/tenants/:slug': {
    names: 'path',
    fixture: async (_w, tenant) => ({ slug: tenant.slug }),
    request: (_w, ids) => ({ method: 'GET', path: `/auth/tenants/${ids.slug}` }),
    crossTenantByDesign: "the sign-in page of any tenant is public (its name and sign-in buttons), like the tenant's own login URL",
  },
  'POST /auth/dev/login': {
    names: 'body',
    fixture: async (_w, tenant) => ({ tenant: tenant.slug }),
    request: (_w, ids) => ({
      method: 'POST',
      path: '/auth/dev/login',
      json: { email: `dev-${randomUUID().slice(0, 8)}@matrix.example`, role: 'customer_viewer', tenant: ids.tenant },
    }),
    crossTenantByDesign: 'development sign-in names its tenant (DEV_LOGIN_ENABLED only; refused at start-up with NODE_ENV=production)',
    freshCaller: true,
  },
  'POST /auth/logout': { names: 'caller', freshCaller: true, request: () => ({ method: 'POST', path: '/auth/logout' }) },

  // tenant
  'GET /api/v1/me': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/me' }) },
  'GET /api/v1/tenant': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/tenant' }) },
  'PUT /api/v1/tenant/contacts': {
    names: 'caller',
    request: () => ({ method: 'PUT', path: '/api/v1/tenant/contacts', json: { contacts: [{ name: 'Ops', email: 'ops@matrix.example' }] } }),
  },
  'PUT /api/v1/tenant/calendar': { names: 'caller', request: () => ({ method: 'PUT', path: '/api/v1/tenant/calendar', json: CALENDAR }) },
  'GET /api/v1/governance-events': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/governance-events', query: { limit: '1000' } }) },

  // API tokens
  'GET /api/v1/api-tokens': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/api-tokens' }) },
  'POST /api/v1/api-tokens': {
    names: 'caller',
    request: () => ({ method: 'POST', path: '/api/v1/api-tokens', json: { name: 'matrix', role: 'customer_viewer' } }),
  },
  'DELETE /api/v1/api-tokens/:id': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: await w.apiToken(tenant) }),
    request: (_w, ids) => ({ method: 'DELETE', path: `/api/v1/api-tokens/${ids.id}` }),
  },

  // incidents
  'POST /api/v1/incidents': {
    names: 'header',
    other: 'mixed',
    fixture: async (w, tenant) => ({ key: await w.usedIdempotencyKey(tenant) }),
    request: (_w, ids) => ({ method: 'POST', path: '/api/v1/incidents', headers: { 'Idempotency-Key': ids.key }, json: validIntake() }),
  },
  // quick declaration (issue 18, h6-web-outage)
  'POST /api/v1/incidents/quick': {
    names: 'header',
    other: 'mixed',
    fixture: async (w, tenant) => ({ key: await w.usedQuickIdempotencyKey(tenant) }),
    request: (w, ids) => ({ method: 'POST', path: '/api/v1/incidents/quick', headers: { 'Idempotency-Key': ids.key }, json: quickIntake(w.own) }),
  },
  'PUT /api/v1/incidents/:id/intake': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: await w.quickIncident(tenant) }),
    request: (_w, ids) => ({ method: 'PUT', path: inc(ids, '/intake'), json: { symptoms: 'Every sign-in fails after the IdP redirect.', impactedUsers: 120 } }),
  },
  'GET /api/v1/incidents': {
    names: 'query',
    fixture: async (w, tenant) => ({ tenant: tenant.slug, incident: await w.incident(tenant) }),
    request: (_w, ids) => ({ method: 'GET', path: '/api/v1/incidents', query: { tenant: ids.tenant, limit: '100' } }),
  },
  // h7a-web-list (issue 18): the list as CSV with the list's filters
  'GET /api/v1/incidents/export.csv': {
    names: 'query',
    fixture: async (w, tenant) => ({ tenant: tenant.slug, incident: await w.incident(tenant) }),
    request: (_w, ids) => ({ method: 'GET', path: '/api/v1/incidents/export.csv', query: { tenant: ids.tenant } }),
  },
  'GET /api/v1/incidents/:id': { names: 'path', fixture: incidentFixture(), request: (_w, ids) => ({ method: 'GET', path: inc(ids) }) },
  'PATCH /api/v1/incidents/:id': {
    names: 'path',
    fixture: incidentFixture(),
    request: (_w, ids) => ({ method: 'PATCH', path: inc(ids), json: { impactedUsers: 4242, reason: 'more users affected' } }),
  },
  'POST /api/v1/incidents/:id/acknowledge': {
    names: 'path',
    fixture: incidentFixture(),
    request: (_w, ids) => ({ method: 'POST', path: inc(ids, '/acknowledge') }),
  },
  'POST /api/v1/incidents/:id/status-updates': {
    names: 'path',
    fixture: incidentFixture(),
    request: (_w, ids) => ({ method: 'POST', path: inc(ids, '/status-updates'), json: { state: 'investigating', body: 'Looking into it.' } }),
  },
  'POST /api/v1/incidents/:id/replies': {
    names: 'path',
    fixture: incidentFixture(),
    request: (_w, ids) => ({ method: 'POST', path: inc(ids, '/replies'), json: { body: 'Still failing for us.' } }),
  },
  'POST /api/v1/incidents/:id/resolve': {
    names: 'path',
    fixture: incidentFixture(),
    request: (_w, ids) => ({ method: 'POST', path: inc(ids, '/resolve'), json: { summary: 'Rolled back the change.' } }),
  },
  'POST /api/v1/incidents/:id/reopen': {
    names: 'path',
    fixture: incidentFixture({ resolved: true }),
    request: (_w, ids) => ({ method: 'POST', path: inc(ids, '/reopen'), json: { reason: 'It is back.' } }),
  },
  'POST /api/v1/incidents/:id/close': {
    names: 'path',
    fixture: incidentFixture({ resolved: true }),
    request: (_w, ids) => ({ method: 'POST', path: inc(ids, '/close') }),
  },
  'GET /api/v1/incidents/:id/events': { names: 'path', fixture: incidentFixture(), request: (_w, ids) => ({ method: 'GET', path: inc(ids, '/events') }) },

  // evidence
  'POST /api/v1/incidents/:id/attachments': {
    names: 'path',
    fixture: incidentFixture(),
    request: (_w, ids) => ({
      method: 'POST',
      path: inc(ids, '/attachments'),
      upload: { fields: { kind: 'screenshot' }, file: makePng(), filename: 'screen.png' },
    }),
  },
  'GET /api/v1/incidents/:id/attachments': {
    names: 'path',
    fixture: incidentFixture(),
    request: (_w, ids) => ({ method: 'GET', path: inc(ids, '/attachments') }),
  },
  'GET /api/v1/incidents/:id/attachments/:attachmentId/download': {
    names: 'path',
    other: 'mixed',
    fixture: attachmentFixture,
    variants: childOfOwnParent,
    request: (_w, ids) => ({ method: 'GET', path: inc(ids, `/attachments/${ids.attachmentId}/download`) }),
  },
  'DELETE /api/v1/incidents/:id/attachments/:attachmentId': {
    names: 'path',
    other: 'mixed',
    fixture: attachmentFixture,
    variants: childOfOwnParent,
    request: (_w, ids) => ({ method: 'DELETE', path: inc(ids, `/attachments/${ids.attachmentId}`) }),
  },

  // identity providers (admin API)
  'GET /api/v1/identity-providers': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/identity-providers' }) },
  'POST /api/v1/identity-providers': {
    names: 'caller',
    request: () => ({
      method: 'POST',
      path: '/api/v1/identity-providers',
      json: {
        kind: 'oidc',
        displayName: 'Matrix',
        roleMapping: ROLE_MAPPING,
        oidc: { issuer: 'https://idp.matrix.example', clientId: 'portal', clientSecret: 'matrix-secret' },
      },
    }),
  },
  'GET /api/v1/identity-providers/:id': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: await w.idp(tenant, 'oidc') }),
    request: (_w, ids) => ({ method: 'GET', path: `/api/v1/identity-providers/${ids.id}` }),
  },
  'PATCH /api/v1/identity-providers/:id': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: await w.idp(tenant, 'oidc') }),
    request: (_w, ids) => ({ method: 'PATCH', path: `/api/v1/identity-providers/${ids.id}`, json: { displayName: 'Renamed' } }),
  },
  'DELETE /api/v1/identity-providers/:id': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: await w.idp(tenant, 'oidc') }),
    request: (_w, ids) => ({ method: 'DELETE', path: `/api/v1/identity-providers/${ids.id}` }),
  },
  'POST /api/v1/identity-providers/:id/links': {
    names: 'body',
    other: 'mixed',
    // A's provider in the path; the account in the body is A's, B's, or nobody's.
    fixture: async (w, tenant) => ({ id: tenant.id === w.own.id ? await w.idp(tenant, 'oidc') : '', userId: await w.user(tenant) }),
    variants: (own, other) => ({ other: { id: own.id, userId: other.userId }, random: { id: own.id, userId: randomUUID() } }),
    request: (_w, ids) => ({ method: 'POST', path: `/api/v1/identity-providers/${ids.id}/links`, json: { userId: ids.userId } }),
  },

  // SSO (browser side): A's realm in the URL, with A's provider, B's provider or an id that names nothing
  'GET /sso/saml/:realm/:idp/metadata': {
    names: 'path',
    other: 'mixed',
    fixture: idpFixture('saml'),
    variants: idpInOwnRealm,
    request: (_w, ids) => ({ method: 'GET', path: `/sso/saml/${ids.realm}/${ids.idp}/metadata` }),
  },
  'GET /sso/:kind/:realm/:idp/start': {
    names: 'path',
    other: 'mixed',
    fixture: idpFixture('saml'),
    variants: idpInOwnRealm,
    request: (_w, ids) => ({ method: 'GET', path: `/sso/saml/${ids.realm}/${ids.idp}/start`, query: { returnTo: '/incidents' } }),
  },
  'POST /sso/saml/:realm/:idp/acs': {
    names: 'path',
    other: 'mixed',
    fixture: idpFixture('saml'),
    variants: idpInOwnRealm,
    request: (_w, ids) => ({
      method: 'POST',
      path: `/sso/saml/${ids.realm}/${ids.idp}/acs`,
      form: { SAMLResponse: Buffer.from('<samlp:Response/>').toString('base64'), RelayState: 'x' },
    }),
  },
  'GET /sso/oidc/:realm/:idp/callback': {
    names: 'path',
    other: 'mixed',
    fixture: idpFixture('oidc'),
    variants: idpInOwnRealm,
    request: (_w, ids) => ({ method: 'GET', path: `/sso/oidc/${ids.realm}/${ids.idp}/callback`, query: { state: 'matrix-state', code: 'matrix-code' } }),
  },
  'GET /sso/entra/:realm/:idp/callback': {
    names: 'path',
    other: 'mixed',
    fixture: idpFixture('entra'),
    variants: idpInOwnRealm,
    request: (_w, ids) => ({ method: 'GET', path: `/sso/entra/${ids.realm}/${ids.idp}/callback`, query: { state: 'matrix-state', code: 'matrix-code' } }),
  },
  'GET /sso/errors/:code': { names: 'caller', request: () => ({ method: 'GET', path: '/sso/errors/unknown_provider' }) },
  'GET /sso/staff/providers': { names: 'caller', request: () => ({ method: 'GET', path: '/sso/staff/providers' }) },

  // incident communications (issue 14, part A)
  'GET /api/v1/incidents/:id/notifications': {
    names: 'path',
    fixture: incidentFixture(),
    request: (_w, ids) => ({ method: 'GET', path: inc(ids, '/notifications') }),
  },
  'POST /api/v1/notification-deliveries/:id/retry': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: await w.notificationDelivery(tenant) }),
    request: (_w, ids) => ({ method: 'POST', path: `/api/v1/notification-deliveries/${ids.id}/retry` }),
  },
  'GET /api/v1/integrations/slack': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/integrations/slack' }) },
  'PUT /api/v1/integrations/slack': {
    names: 'caller',
    request: () => ({ method: 'PUT', path: '/api/v1/integrations/slack', json: { botToken: 'xoxb-matrix-000000', channelId: 'C0MATRIX0' } }),
  },
  'DELETE /api/v1/integrations/slack': {
    names: 'caller',
    // connects first, so each request has a connection to remove
    fixture: async (w, tenant) => {
      const res = await w.t.http
        .put('/api/v1/integrations/slack')
        .set(w.admin(w.own).changeHeaders)
        .send({ botToken: 'xoxb-matrix-000000', channelId: 'C0MATRIX0' });
      if (res.status !== 200) throw new Error(`fixture connect Slack: ${res.status}`);
      return { tenant: tenant.id };
    },
    request: () => ({ method: 'DELETE', path: '/api/v1/integrations/slack' }),
  },
  'POST /api/v1/integrations/slack/test': {
    names: 'caller',
    fixture: async (w, tenant) => {
      const res = await w.t.http
        .put('/api/v1/integrations/slack')
        .set(w.admin(w.own).changeHeaders)
        .send({ botToken: 'xoxb-matrix-000000', channelId: 'C0MATRIX0' });
      if (res.status !== 200) throw new Error(`fixture connect Slack: ${res.status}`);
      return { tenant: tenant.id };
    },
    request: () => ({ method: 'POST', path: '/api/v1/integrations/slack/test' }),
  },
  'GET /api/v1/webhook-endpoints': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/webhook-endpoints' }) },
  'POST /api/v1/webhook-endpoints': {
    names: 'caller',
    request: () => ({ method: 'POST', path: '/api/v1/webhook-endpoints', json: { url: 'https://hooks.matrix.example/new', events: ['incident.declared'] } }),
  },
  'PATCH /api/v1/webhook-endpoints/:id': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: await w.webhookEndpoint(tenant) }),
    request: (_w, ids) => ({ method: 'PATCH', path: `/api/v1/webhook-endpoints/${ids.id}`, json: { description: 'renamed' } }),
  },
  'DELETE /api/v1/webhook-endpoints/:id': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: await w.webhookEndpoint(tenant, true) }),
    request: (_w, ids) => ({ method: 'DELETE', path: `/api/v1/webhook-endpoints/${ids.id}` }),
  },
  'GET /api/v1/webhook-endpoints/:id/deliveries': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: await w.webhookEndpoint(tenant) }),
    request: (_w, ids) => ({ method: 'GET', path: `/api/v1/webhook-endpoints/${ids.id}/deliveries` }),
  },
  'POST /api/v1/webhook-endpoints/:id/test': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: await w.webhookEndpoint(tenant) }),
    request: (_w, ids) => ({ method: 'POST', path: `/api/v1/webhook-endpoints/${ids.id}/test` }),
  },
  // status page (issue 14 part B): vendor-wide data, public or vendor-staff only; never a tenant's
  'GET /api/v1/status': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/status' }) },
  'GET /status/history.rss': { names: 'caller', request: () => ({ method: 'GET', path: '/status/history.rss', query: { service: 'Hub' } }) },
  'GET /status/history.atom': { names: 'caller', request: () => ({ method: 'GET', path: '/status/history.atom', query: { region: 'eu-south-1' } }) },
  'POST /api/v1/status/subscriptions': {
    names: 'caller',
    request: () => ({
      method: 'POST',
      path: '/api/v1/status/subscriptions',
      json: { channel: 'email', email: `s-${randomUUID().slice(0, 8)}@matrix.example`, services: ['Hub'] },
    }),
  },
  'POST /api/v1/status/subscriptions/confirm': {
    names: 'body',
    fixture: async (w) => ({ token: await statusConfirmToken(w) }),
    request: (_w, ids) => ({ method: 'POST', path: '/api/v1/status/subscriptions/confirm', json: { token: ids.token } }),
    crossTenantByDesign: 'status-page subscriptions belong to no tenant: the token alone names the subscriber',
  },
  'POST /api/v1/status/subscriptions/unsubscribe': {
    names: 'query',
    fixture: async (w) => ({ token: await statusUnsubscribeToken(w) }),
    request: (_w, ids) => ({
      method: 'POST',
      path: '/api/v1/status/subscriptions/unsubscribe',
      query: { token: ids.token },
      form: { 'List-Unsubscribe': 'One-Click' },
    }),
    crossTenantByDesign: 'status-page subscriptions belong to no tenant: the token alone names the subscriber',
  },
  'GET /api/v1/status-page/posts': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/status-page/posts' }) },
  // --- vendor notification settings (lead): vendor-wide, support engineers only ---
  'GET /api/v1/vendor/notification-settings': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/vendor/notification-settings' }) },
  'PUT /api/v1/vendor/notification-settings': {
    names: 'caller',
    request: () => ({
      method: 'PUT',
      path: '/api/v1/vendor/notification-settings',
      json: {
        escalation: [{ severity: 'sev1', condition: 'unacknowledged', afterMinutes: 5, target: 'Backup on-call' }],
        pagerDutySeverities: ['sev1', 'sev2'],
      },
    }),
  },
  'DELETE /api/v1/vendor/notification-settings': {
    names: 'caller',
    request: () => ({ method: 'DELETE', path: '/api/v1/vendor/notification-settings' }),
  },
  // --- end vendor notification settings ---
  'PUT /api/v1/status-page/components/:id': {
    names: 'path',
    fixture: async (w) => ({ id: (await w.t.http.get('/api/v1/status')).body.services[6].components[0].id as string }),
    request: (_w, ids) => ({ method: 'PUT', path: `/api/v1/status-page/components/${ids.id}`, json: { state: 'operational' } }),
    crossTenantByDesign: 'status-page components are the vendor’s services, not a tenant’s',
  },
  'POST /api/v1/status-page/incidents': {
    names: 'caller',
    request: () => ({
      method: 'POST',
      path: '/api/v1/status-page/incidents',
      json: { title: 'Matrix', body: 'Matrix incident', impact: 'degraded', components: [{ service: 'Documentation site', region: 'eu-south-1' }] },
    }),
  },
  'POST /api/v1/status-page/incidents/:id/updates': {
    names: 'path',
    fixture: async (w) => ({ id: await statusPost(w, 'incident') }),
    request: (_w, ids) => ({ method: 'POST', path: `/api/v1/status-page/incidents/${ids.id}/updates`, json: { status: 'monitoring', body: 'Watching.' } }),
    crossTenantByDesign: 'public incidents are the vendor’s, not a tenant’s',
  },
  'POST /api/v1/status-page/maintenance': {
    names: 'caller',
    request: () => ({
      method: 'POST',
      path: '/api/v1/status-page/maintenance',
      json: {
        startsAt: '2030-01-01T22:00:00Z',
        endsAt: '2030-01-01T23:00:00Z',
        components: [{ service: 'Hub', region: 'eu-south-1' }],
        expectedImpact: 'None.',
      },
    }),
  },
  'POST /api/v1/status-page/maintenance/:id/updates': {
    names: 'path',
    fixture: async (w) => ({ id: await statusPost(w, 'maintenance') }),
    request: (_w, ids) => ({ method: 'POST', path: `/api/v1/status-page/maintenance/${ids.id}/updates`, json: { status: 'in_progress', body: 'Started.' } }),
    crossTenantByDesign: 'maintenance windows are the vendor’s, not a tenant’s',
  },

  // credential-health digest (issue 14 part B): the caller's own tenant
  'GET /api/v1/credential-health': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/credential-health' }) },
  'PUT /api/v1/credential-health/subscription': {
    names: 'caller',
    request: () => ({ method: 'PUT', path: '/api/v1/credential-health/subscription', json: { email: 'it@matrix.example' } }),
  },
  'DELETE /api/v1/credential-health/subscription': { names: 'caller', request: () => ({ method: 'DELETE', path: '/api/v1/credential-health/subscription' }) },
  // BYOC data plane (issue 16b): where evidence goes / comes from (the portal here; a data plane with a grant in
  // test/byoc-planes.e2e-spec.ts); health answers about the caller's tenants
  'POST /api/v1/incidents/:id/attachments/upload-grants': {
    names: 'path',
    fixture: incidentFixture(),
    request: (_w, ids) => ({ method: 'POST', path: inc(ids, '/attachments/upload-grants') }),
  },
  'POST /api/v1/incidents/:id/attachments/:attachmentId/download-grants': {
    names: 'path',
    other: 'mixed',
    fixture: attachmentFixture,
    variants: childOfOwnParent,
    request: (_w, ids) => ({ method: 'POST', path: inc(ids, `/attachments/${ids.attachmentId}/download-grants`) }),
  },
  'GET /api/v1/data-planes': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/data-planes' }) },
  // post-incident reviews (issue 15)
  'GET /api/v1/incidents/:id/pir': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: (await w.pir(tenant, 'published')).id }),
    request: (_w, ids) => ({ method: 'GET', path: inc(ids, '/pir') }),
  },
  'POST /api/v1/incidents/:id/pir': {
    names: 'path',
    fixture: incidentFixture({ resolved: true }),
    request: (_w, ids) => ({ method: 'POST', path: inc(ids, '/pir') }),
  },
  'PUT /api/v1/incidents/:id/pir': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: (await w.pir(tenant, 'draft')).id }),
    request: (_w, ids) => ({ method: 'PUT', path: inc(ids, '/pir'), json: { version: 2, sections: { lessons: 'Check the whole chain.' } } }),
  },
  'POST /api/v1/incidents/:id/pir/transitions': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: (await w.pir(tenant, 'draft')).id }),
    request: (_w, ids) => ({ method: 'POST', path: inc(ids, '/pir/transitions'), json: { to: 'in_review' } }),
  },
  'PATCH /api/v1/incidents/:id/pir/action-items/:itemId': {
    names: 'path',
    other: 'mixed',
    fixture: async (w, tenant) => {
      const p = await w.pir(tenant, 'draft');
      return { id: p.id, itemId: p.itemId };
    },
    variants: (own, other) => ({ other: { id: own.id, itemId: other.itemId }, random: { id: own.id, itemId: randomUUID() } }),
    request: (_w, ids) => ({ method: 'PATCH', path: inc(ids, `/pir/action-items/${ids.itemId}`), json: { status: 'in_progress' } }),
  },
  'GET /api/v1/pirs': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/pirs', query: { limit: '100' } }) },
  'GET /api/v1/incidents/:id/pir.pdf': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: (await w.pir(tenant, 'rendered')).id }),
    request: (_w, ids) => ({ method: 'GET', path: inc(ids, '/pir.pdf') }),
  },
  // CSM walkthroughs (issue 15, h2a-walkthroughs): the review's booking; slots, book, reschedule, cancel; a CSM's own hours
  'GET /api/v1/incidents/:id/walkthrough': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: (await w.walkthrough(tenant, true)).id }),
    request: (_w, ids) => ({ method: 'GET', path: inc(ids, '/walkthrough') }),
  },
  'GET /api/v1/incidents/:id/walkthrough/slots': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: (await w.walkthrough(tenant, false)).id }),
    request: (_w, ids) => ({ method: 'GET', path: inc(ids, '/walkthrough/slots'), query: { days: '2' } }),
  },
  'POST /api/v1/incidents/:id/walkthrough': {
    names: 'path',
    fixture: async (w, tenant) => w.walkthrough(tenant, false),
    // the attendee is a valid address in every variant: only the incident differs
    variants: (own, other) => ({ other, random: { id: randomUUID(), attendee: own.attendee } }),
    request: (w, ids) => ({ method: 'POST', path: inc(ids, '/walkthrough'), json: { startsAt: w.nextWalkthroughSlot(), attendeeEmail: ids.attendee } }),
  },
  'PATCH /api/v1/incidents/:id/walkthrough': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: (await w.walkthrough(tenant, true)).id }),
    request: (w, ids) => ({ method: 'PATCH', path: inc(ids, '/walkthrough'), json: { startsAt: w.nextWalkthroughSlot() } }),
  },
  'DELETE /api/v1/incidents/:id/walkthrough': {
    names: 'path',
    fixture: async (w, tenant) => ({ id: (await w.walkthrough(tenant, true)).id }),
    request: (_w, ids) => ({ method: 'DELETE', path: inc(ids, '/walkthrough') }),
  },
  'GET /api/v1/me/working-hours': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/me/working-hours' }) },
  'PUT /api/v1/me/working-hours': {
    names: 'caller',
    // the default hours, so the matrix CSM's slots stay what nextWalkthroughSlot() assumes
    request: () => ({
      method: 'PUT',
      path: '/api/v1/me/working-hours',
      json: { timeZone: 'UTC', workingDays: [1, 2, 3, 4, 5], dayStart: '09:00', dayEnd: '17:00' },
    }),
  },
  // SLA reports (issue 15b): the month of the matrix clock, with an incident of the tenant in it
  'GET /api/v1/reports/sla': {
    names: 'query',
    fixture: async (w, tenant) => {
      await w.incident(tenant);
      return { tenantId: tenant.id };
    },
    request: (w, ids) => ({ method: 'GET', path: '/api/v1/reports/sla', query: { month: reportMonth(w), tenantId: ids.tenantId } }),
  },
  'GET /api/v1/reports/sla.csv': {
    names: 'query',
    fixture: async (w, tenant) => {
      await w.incident(tenant);
      return { tenantId: tenant.id };
    },
    request: (w, ids) => ({ method: 'GET', path: '/api/v1/reports/sla.csv', query: { month: reportMonth(w), tenantId: ids.tenantId } }),
  },
  // Microsoft Teams (issue 14 part C): the caller's own tenant's connection
  'GET /api/v1/integrations/teams': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/integrations/teams' }) },
  'PUT /api/v1/integrations/teams': {
    names: 'caller',
    request: () => ({ method: 'PUT', path: '/api/v1/integrations/teams', json: MATRIX_TEAMS }),
  },
  'DELETE /api/v1/integrations/teams': {
    names: 'caller',
    // connects first, so each request has a connection to remove
    fixture: async (w, tenant) => {
      const res = await w.t.http.put('/api/v1/integrations/teams').set(w.admin(w.own).changeHeaders).send(MATRIX_TEAMS);
      if (res.status !== 200) throw new Error(`fixture connect Teams: ${res.status}`);
      return { tenant: tenant.id };
    },
    request: () => ({ method: 'DELETE', path: '/api/v1/integrations/teams' }),
  },
  'POST /api/v1/integrations/teams/test': {
    names: 'caller',
    fixture: async (w, tenant) => {
      const res = await w.t.http.put('/api/v1/integrations/teams').set(w.admin(w.own).changeHeaders).send(MATRIX_TEAMS);
      if (res.status !== 200) throw new Error(`fixture connect Teams: ${res.status}`);
      return { tenant: tenant.id };
    },
    request: () => ({ method: 'POST', path: '/api/v1/integrations/teams/test' }),
  },
  // h2b-pir-publish: the tenant's Hub (issue 15), the caller's own tenant's connection
  'GET /api/v1/integrations/hub': { names: 'caller', request: () => ({ method: 'GET', path: '/api/v1/integrations/hub' }) },
  'PUT /api/v1/integrations/hub': {
    names: 'caller',
    request: () => ({ method: 'PUT', path: '/api/v1/integrations/hub', json: MATRIX_HUB }),
  },
  'DELETE /api/v1/integrations/hub': {
    names: 'caller',
    // connects first, so each request has a connection to remove
    fixture: async (w, tenant) => {
      const res = await w.t.http.put('/api/v1/integrations/hub').set(w.admin(w.own).changeHeaders).send(MATRIX_HUB);
      if (res.status !== 200) throw new Error(`fixture connect Hub: ${res.status}`);
      return { tenant: tenant.id };
    },
    request: () => ({ method: 'DELETE', path: '/api/v1/integrations/hub' }),
  },
};

/** SLA reports (issue 15b): the calendar month the matrix clock is in (UTC; fixtures are declared mid-month). */
const reportMonth = (w: MatrixWorld) => w.t.clock.now().toISOString().slice(0, 7);

// ---- status-page fixtures (vendor-wide: made through the service, no tenant involved) ----------------------

async function statusPost(w: MatrixWorld, kind: 'incident' | 'maintenance'): Promise<string> {
  const status = w.t.app.get(StatusPageService);
  const components = [{ service: 'Documentation site' as const, region: 'eu-central-1' as const }];
  const post =
    kind === 'incident'
      ? await status.createIncident({ title: 'Matrix fixture', body: 'Fixture.', status: 'investigating', impact: 'degraded', components })
      : await status.scheduleMaintenance({ startsAt: '2030-01-01T22:00:00Z', endsAt: '2030-01-01T23:00:00Z', components, expectedImpact: 'None.' });
  return post.id;
}

async function statusConfirmToken(w: MatrixWorld): Promise<string> {
  const email = `c-${randomUUID().slice(0, 8)}@matrix.example`;
  await w.t.app.get(StatusPageService).subscribe({ channel: 'email', email, services: [], regions: [] });
  const [row] = await w.t.app.get(Db).scoped('status', (em) => sql<{ id: string }>(em, 'select id from status_subscribers where email = $1', [email]));
  const pending = await w.t.app.get(StatusPageService).pendingConfirmation(row.id);
  return new URL(pending!.url).searchParams.get('token')!;
}

async function statusUnsubscribeToken(w: MatrixWorld): Promise<string> {
  const created = await w.t.app
    .get(StatusPageService)
    .subscribe({ channel: 'slack', url: `https://hooks.slack.example/services/${randomUUID()}`, services: [], regions: [] });
  return created.unsubscribeToken!;
}
