import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Pool } from 'pg';
import request from 'supertest';
import type { Response } from 'supertest';
import type { Tenant } from '../apps/portal-api/src/tenants/tenant.types';
import { evidenceTmpDir, filesUnder, makePng } from './evidence-helpers';
import {
  aroundExample,
  hostileAuth,
  hostileCursor,
  hostilePathSegment,
  hostileQueryString,
  hostileRawBody,
  hostileString,
  hostileValue,
  mutated,
  pct,
  tainted,
  TAINTS,
  OpenApiDocument,
  Operation,
  operationsOf,
  RawBody,
  valueArb,
} from './support/openapi';
import { Caller, discoverRoutes, MatrixWorld, sessionCaller, tokenCaller } from './support/route-cases';
import { createTenant, createTestApp, TestApp, validIntake } from './support/test-app';

/**
 * Property-based fuzzing of every operation of the OpenAPI document, from its request schemas and with hostile
 * variants. Properties: no 5xx; no stack trace, SQL or file path in any answer; a refused request (4xx) writes
 * nothing. FUZZ_SEED reproduces a run, FUZZ_REQUESTS and FUZZ_LANES size it.
 */
const TARGET = Number(process.env.FUZZ_REQUESTS ?? 10_200);
const LANES = Number(process.env.FUZZ_LANES ?? 6);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** The audit row of a refused SSO sign-in (sso-abuse.ts: the first rate-limit refusal of a window is recorded). */
const SIGN_IN_REFUSAL = 'auth.sign_in_failed';

/** What an answer must never carry (unless the request itself did: echoing the caller's input is not a leak). */
const FORBIDDEN: [string, RegExp][] = [
  ['stack trace', /\n\s{4}at /],
  ['stack frame', /\bat (?:Object\.|async |new |Module\.|process\.)[\w.<>]*\s*\(/],
  ['SQL select', /\bselect\s+(?:\*|[\w".()]+(?:\s*,\s*[\w".()]+)*)\s+from\b/i],
  ['SQL insert', /\binsert into\b/i],
  ['SQL update', /\bupdate\s+"?\w+"?\s+set\b/i],
  ['QueryFailedError', /QueryFailedError/],
  ['constraint violation', /\bviolates\b/i],
  ['PostgreSQL syntax error', /syntax error at or near/i],
  ['PostgreSQL relation', /relation "\w+"/i],
  ['SQLSTATE', /\bsqlstate\b/i],
  ['source path', /(?:\/work\/|node_modules|apps\/portal-api|\/src\/[\w/-]+\.(?:ts|js))/],
  ['JS error name', /\b(?:TypeError|RangeError|ReferenceError|SyntaxError): /],
];

type Auth = 'valid' | 'none' | Record<string, string>;

interface FuzzRequest {
  kind: string;
  /** A path parameter replaced by a hostile segment (already percent-encoded); the others are the lane's fixtures. */
  pathParam?: [string, string];
  /** A path parameter whose fixture value is spoiled by TAINTS[i]. */
  pathTaint?: [string, number];
  query: string;
  auth: Auth;
  headers: Record<string, string>;
  json?: unknown;
  raw?: RawBody;
  form?: Record<string, string>;
  multipart?: boolean;
}

interface Lane {
  index: number;
  tenant: Tenant;
  admin: Caller;
  world: MatrixWorld;
  /** Fixtures read-only operations share (changes get fresh ones). */
  shared: Promise<Record<string, string>> | null;
  fingerprint: string | null;
  dirty: boolean;
}

const HOSTILE_SAML = [
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>',
  '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><r>&d;&d;&d;&d;</r>',
  '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>',
  `${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}`,
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" Version="2.0"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:Subject><saml:NameID>admin@x</saml:NameID></saml:Subject></saml:Assertion></samlp:Response>',
  '<<<>>>',
  '',
];

const EXAMPLES: Record<string, Record<string, unknown>> = {
  DeclareIncident: validIntake(),
  UpdateIncident: { impactedUsers: 300, severity: 'sev2', reason: 'more users' },
  StatusUpdate: { state: 'investigating', body: 'Looking.' },
  CustomerReply: { body: 'Still failing.' },
  ResolveIncident: { summary: 'Fixed.' },
  ReopenIncident: { reason: 'Back again.' },
  IncidentContacts: { contacts: [{ name: 'Ops', email: 'ops@fuzz.example' }] },
  BusinessCalendar: { workingDays: [1, 2, 3, 4, 5], dayStart: '09:00', dayEnd: '17:00', holidays: [] },
  CreateApiToken: { name: 'fuzz', role: 'customer_viewer' },
  CreateIdentityProvider: {
    kind: 'oidc',
    displayName: 'Fuzz',
    roleMapping: { claim: 'groups', rules: [], defaultRole: 'customer_viewer' },
    oidc: { issuer: 'http://127.0.0.1:1', clientId: 'portal', clientSecret: 's' },
  },
  UpdateIdentityProvider: { displayName: 'Renamed', enabled: false },
};

describe('API fuzzing from the OpenAPI document', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  let doc: OpenApiDocument;
  let ops: Operation[];
  let support: Caller;
  let owner: Pool;
  let evidenceDir: string;
  const roles = new Map<string, string[] | null>();
  const lanes: Lane[] = [];

  beforeAll(async () => {
    // The api role: no queue workers or outbox relay writing in the background, so "a refusal wrote nothing" is exact.
    evidenceDir = evidenceTmpDir();
    t = await createTestApp({ env: { PORTAL_ROLE: 'api', EVIDENCE_DIR: evidenceDir, SESSION_IDLE_MINUTES: '100000' } });
    await t.app.listen(0, '127.0.0.1');
    const port = (t.app.getHttpServer().address() as { port: number }).port;
    http = request(`http://127.0.0.1:${port}`);
    doc = (await http.get('/api/docs-json').expect(200)).body as OpenApiDocument;
    ops = operationsOf(doc);
    for (const r of discoverRoutes(t.app)) roles.set(r.key, r.roles);
    owner = new Pool({ connectionString: process.env.PORTAL_TEST_OWNER_URL, max: LANES + 1 });
    support = await sessionCaller(t, 'support_engineer');
    for (let i = 0; i < LANES; i++) {
      const tenant = await createTenant(t.app, { slug: `fuzz-${i}-${randomBytes(3).toString('hex')}` });
      const spare = await createTenant(t.app);
      lanes.push({
        index: i,
        tenant,
        admin: await tokenCaller(t, 'customer_admin', tenant),
        world: await MatrixWorld.create(t, tenant, spare),
        shared: null,
        fingerprint: null,
        dirty: true,
      });
    }
  });
  afterAll(async () => {
    await owner?.end();
    await t?.close();
  });

  /**
   * Everything a request can change in one tenant: row counts, and the newest row version (xmin) where rows are
   * updated in place. Not counted: a session's or token's last use (touched by every authenticated request) and
   * the audit of a refused SSO sign-in (recorded by design: see the request-id check).
   */
  async function fingerprint(tenantId: string): Promise<string> {
    const counted = ['api_tokens', 'sessions', 'outbox', 'tenant_counters', 'csm_assignments'];
    const versioned = [
      'incidents',
      'attachments',
      'customer_replies',
      'status_updates',
      'impacted_user_counts',
      'idp_configs',
      'users',
      'sla_breaches',
      'sla_warnings',
    ];
    const parts = [
      ...counted.map((tb) => `'${tb}', (select count(*) from ${tb} where tenant_id = $1)`),
      `'revoked', (select count(revoked_at) from api_tokens where tenant_id = $1)`,
      `'events', (select count(*) from governance_events where tenant_id = $1 and action <> '${SIGN_IN_REFUSAL}')`,
      ...versioned.map((tb) => `'${tb}', (select count(*) || '/' || coalesce(max(xmin::text::bigint), 0) from ${tb} where tenant_id = $1)`),
      `'tenant', (select xmin::text from tenants where id = $1)`,
    ];
    const { rows } = await owner.query<{ f: string }>(`select json_build_object(${parts.join(', ')})::text as f`, [tenantId]);
    return rows[0].f;
  }

  /** Values for the operation's path parameters: resources of the lane's tenant (fresh ones for a change). */
  async function pathValues(lane: Lane, op: Operation): Promise<Record<string, string>> {
    if (!op.pathParams.length) return {};
    if (op.method === 'GET') {
      lane.shared = lane.shared ?? makeFixtures(lane, 'GET /shared');
      const shared = await lane.shared;
      const kind = op.path.includes('/oidc/') ? 'oidc' : op.path.includes('/entra/') ? 'entra' : 'saml';
      const v: Record<string, string> = { ...shared, kind, idp: shared[`idp_${kind}`] };
      if (op.path.startsWith('/api/v1/identity-providers/')) v.id = shared.idp_oidc;
      return v;
    }
    return makeFixtures(lane, op.path);
  }

  async function makeFixtures(lane: Lane, path: string): Promise<Record<string, string>> {
    const w = lane.world;
    const v: Record<string, string> = { realm: lane.tenant.slug, slug: lane.tenant.slug, code: 'unknown_provider' };
    if (path === 'GET /shared') {
      Object.assign(v, await w.attachment(lane.tenant));
      for (const kind of ['saml', 'oidc', 'entra'] as const) v[`idp_${kind}`] = await w.idp(lane.tenant, kind);
      return v;
    }
    if (path.includes('{attachmentId}')) Object.assign(v, await w.attachment(lane.tenant));
    // CSM walkthroughs (issue 15, h2a-walkthroughs): a published review with a booking, so changes reach past the 404
    else if (path.startsWith('/api/v1/incidents/{id}/walkthrough')) v.id = (await w.walkthrough(lane.tenant, true)).id;
    else if (path.startsWith('/api/v1/incidents/{id}')) v.id = await w.incident(lane.tenant, { resolved: /\/(reopen|close)$/.test(path) });
    else if (path.startsWith('/api/v1/identity-providers/{id}')) v.id = await w.idp(lane.tenant, 'oidc');
    else if (path.startsWith('/api/v1/api-tokens/{id}')) v.id = await w.apiToken(lane.tenant);
    if (path.includes('{idp}')) {
      v.kind = path.includes('/oidc/') ? 'oidc' : path.includes('/entra/') ? 'entra' : 'saml';
      v.idp = await w.idp(lane.tenant, v.kind as 'saml' | 'oidc' | 'entra');
    }
    return v;
  }

  /** The operation's request generator (built once per operation: fast-check arbitraries are immutable). */
  const arbitraries = new Map<string, fc.Arbitrary<FuzzRequest>>();
  function requestArb(op: Operation): fc.Arbitrary<FuzzRequest> {
    const known = arbitraries.get(op.key);
    if (known) return known;
    const hasBody = op.method !== 'GET' && op.method !== 'DELETE';
    const isUpload = op.contentTypes.some((c) => c.startsWith('multipart/'));
    const isAcs = /\/acs$/.test(op.path);
    const component = op.jsonBody?.$ref?.split('/').pop();
    let validBody: fc.Arbitrary<unknown> | null = op.jsonBody ? valueArb(doc, op.jsonBody) : null;
    if (validBody && component && EXAMPLES[component]) {
      validBody = fc.oneof(validBody, aroundExample(EXAMPLES[component], validBody), fc.constant(EXAMPLES[component]));
    }
    if (isAcs) {
      // The SAML POST binding: a form with a base64 XML document, not in the OpenAPI document.
      validBody = fc.record({
        SAMLResponse: fc.oneof(
          fc.constantFrom(...HOSTILE_SAML).map((x) => Buffer.from(x).toString('base64')),
          hostileString,
          fc.constantFrom(...HOSTILE_SAML),
        ),
        RelayState: fc.oneof(hostileString, fc.constant('')),
      });
    }
    const body = validBody ?? fc.constant({});
    const queryNames = [...op.query.map((q) => q.name), ...(op.path.startsWith('/sso') ? ['returnTo', 'state', 'code', 'error', 'error_description'] : [])];
    const queryRecord: fc.Arbitrary<Record<string, unknown>> = fc.record(
      Object.fromEntries(op.query.map((q) => [q.name, q.name === 'cursor' ? hostileCursor : valueArb(doc, q.schema ?? { type: 'string' })])),
      { requiredKeys: op.query.filter((q) => q.required).map((q) => q.name) },
    );
    const toQuery = (q: unknown) =>
      Object.entries(q as Record<string, unknown>)
        .map(([k, x]) => `${pct(k)}=${pct(String(x))}`)
        .join('&');
    const validQuery: fc.Arbitrary<string> = op.query.length ? fc.oneof(queryRecord.map(toQuery), tainted(queryRecord).map(toQuery)) : fc.constant('');
    const base = (kind: string, extra: Partial<FuzzRequest> = {}): FuzzRequest => ({ kind, query: '', auth: 'valid', headers: {}, ...extra });
    const withBody = (b: unknown): Partial<FuzzRequest> =>
      !hasBody ? {} : isUpload ? { multipart: true } : isAcs ? { form: b as Record<string, string> } : { json: b };

    const kinds: fc.WeightedArbitrary<FuzzRequest>[] = [
      { weight: 3, arbitrary: fc.tuple(body, validQuery).map(([b, q]) => base('valid', { query: q, ...withBody(b) })) },
      {
        weight: op.query.length || op.path.startsWith('/sso') ? 3 : 1,
        arbitrary: hostileQueryString(queryNames).map((q) => base('hostile query', { query: q })),
      },
      { weight: 1, arbitrary: fc.tuple(body, hostileAuth).map(([b, h]) => base('hostile credentials', { auth: h, ...withBody(b) })) },
      { weight: 1, arbitrary: body.map((b) => base('unauthenticated', { auth: 'none', ...withBody(b) })) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            body,
            fc.record(
              {
                'Idempotency-Key': hostileString.map((x) => x.replace(/[^\x20-\x7e]/g, '?').slice(0, 9000)),
                'x-csrf-token': fc.string({ unit: 'grapheme-ascii', maxLength: 100 }),
                'Content-Type': fc.constantFrom('application/json; charset=utf-8; boundary=x', 'application/json;;;', 'application/vnd.api+json', '*/*'),
                Accept: fc.constantFrom('application/xml', '*/*;q=0', 'text/html'),
                'X-Forwarded-For': fc.constantFrom('1.2.3.4, 127.0.0.1', '::1', 'garbage', '%00'),
                'x-request-id': fc.constantFrom('a'.repeat(65), '../../x', '\u00e9'),
              },
              { requiredKeys: [] },
            ),
          )
          .map(([b, h]) => base('hostile headers', { headers: h, ...withBody(b) })),
      },
    ];
    if (op.pathParams.length) {
      kinds.push({
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...op.pathParams), fc.nat(TAINTS.length - 1), body)
          .map(([n, taint, b]) => base('tainted path', { pathTaint: [n, taint], ...withBody(b) })),
      });
      kinds.push({
        weight: 3,
        arbitrary: fc
          .tuple(fc.constantFrom(...op.pathParams), hostilePathSegment, body)
          .map(([n, seg, b]) => base('hostile path', { pathParam: [n, seg], ...withBody(b) })),
      });
    }
    if (hasBody && !isUpload) {
      kinds.push(
        { weight: 4, arbitrary: mutated(body).map((b) => base('mutated body', withBody(b))) },
        { weight: 3, arbitrary: tainted(body).map((b) => base('tainted body', withBody(b))) },
        { weight: 1, arbitrary: hostileValue.map((b) => base('hostile body', { json: b })) },
        { weight: 3, arbitrary: hostileRawBody(body).map((raw) => base(`raw body: ${raw.label}`, { raw })) },
      );
    }
    const arb = fc.oneof(...kinds);
    arbitraries.set(op.key, arb);
    return arb;
  }

  const pathOf = (op: Operation, vals: Record<string, string>, r: FuzzRequest) =>
    op.path.replace(/\{([^}]+)\}/g, (_m, n: string) =>
      r.pathParam?.[0] === n ? r.pathParam[1] : r.pathTaint?.[0] === n ? pct(TAINTS[r.pathTaint[1]](vals[n] ?? 'x')) : encodeURIComponent(vals[n] ?? 'x'),
    );

  function send(lane: Lane, op: Operation, path: string, r: FuzzRequest, requestId: string): Promise<Response> {
    const method = op.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    let req = http[method](`${path}${r.query ? `?${r.query}` : ''}`)
      .redirects(0)
      .timeout(30_000)
      .set('x-request-id', requestId)
      // Each request from its own documentation address: the SSO routes' per-address limit (120 a minute, always
      // on) would otherwise answer most of them with 429 before they reach the code under test.
      .set('X-Forwarded-For', `198.51.100.${Math.floor(Math.random() * 256)}, 203.0.113.${Math.floor(Math.random() * 256)}`);
    const roleList = roles.get(op.key);
    if (r.auth === 'valid') {
      // The route's own role: a tenant admin's token, or a support engineer's session for vendor-only routes.
      const caller = roleList && !roleList.includes('customer_admin') && roleList.includes('support_engineer') ? support : lane.admin;
      req = req.set(op.method === 'GET' ? caller.headers : caller.changeHeaders);
    } else if (r.auth !== 'none') req = req.set(r.auth);
    req = req.set(r.headers);
    if (r.multipart) return req.field('kind', 'screenshot').attach('file', makePng(), { filename: 'fuzz.png', contentType: 'application/octet-stream' });
    if (r.raw) {
      if (r.raw.contentType !== undefined) req = req.set('Content-Type', r.raw.contentType);
      if (r.raw.contentEncoding) req = req.set('Content-Encoding', r.raw.contentEncoding);
      return req.send(r.raw.body);
    }
    if (r.form)
      return req.type('form').send(Object.fromEntries(Object.entries(r.form).map(([k, x]) => [k, typeof x === 'string' ? x : (JSON.stringify(x) ?? '')])));
    if (r.json !== undefined) return req.type('json').send(JSON.stringify(r.json) ?? 'null');
    return req;
  }

  const text = (res: Response) =>
    typeof res.text === 'string' ? res.text : Buffer.isBuffer(res.body) ? res.body.toString('latin1') : JSON.stringify(res.body ?? '');
  const cut = (x: string, n: number) => (x.length > n ? `${x.slice(0, n)}… (${x.length} chars)` : x);
  const describeRequest = (op: Operation, path: string, r: FuzzRequest) => {
    const body = r.raw
      ? `${r.raw.label} (${r.raw.body.length} bytes${r.raw.contentType ? `, ${r.raw.contentType}` : ''}${r.raw.contentEncoding ? `, ${r.raw.contentEncoding}` : ''})`
      : r.json !== undefined
        ? (JSON.stringify(r.json) ?? 'undefined')
        : r.form
          ? JSON.stringify(r.form)
          : '';
    const auth = typeof r.auth === 'string' ? r.auth : cut(JSON.stringify(r.auth), 80);
    const headers = Object.keys(r.headers).length ? `; headers ${cut(JSON.stringify(r.headers), 200)}` : '';
    return `${op.method} ${cut(path, 200)}${r.query ? `?${cut(r.query, 300)}` : ''} [${r.kind}; auth ${auth}${headers}] ${cut(body, 400)}`;
  };

  it(`answers every generated request below 500, without stack, SQL or paths, and writes nothing when it refuses`, async () => {
    const started = Date.now();
    const runsPerOp = Math.ceil(TARGET / (ops.length * LANES));
    let generated = 0;
    const failures: string[] = [];
    const refused = new Map<string, { status: number; request: string }>();
    const statuses = new Map<number, number>();

    const fuzzOperation = async (lane: Lane, op: Operation, opIndex: number) => {
      let vals: Record<string, string>;
      try {
        vals = await pathValues(lane, op);
      } catch (e) {
        failures.push(`${op.key} (lane ${lane.index}): fixture failed: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      lane.dirty = true;
      let n = 0;
      let failure: string | null = null;
      const change = op.method !== 'GET';

      const check = async (r: FuzzRequest) => {
        const requestId = `fz${lane.index}-${opIndex}-${n++}-${randomBytes(4).toString('hex')}`;
        const path = pathOf(op, vals, r);
        if (change && lane.dirty) {
          lane.fingerprint = await fingerprint(lane.tenant.id);
          lane.dirty = false;
        }
        let res: Response;
        try {
          res = await send(lane, op, path, r, requestId);
        } catch (e) {
          throw new Error(`no answer (${e instanceof Error ? e.message : String(e)}) to ${describeRequest(op, path, r)}`, { cause: e });
        } finally {
          generated++;
        }
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const body = text(res);
        if (res.status >= 500) throw new Error(`${res.status} for ${describeRequest(op, path, r)}\n      answer: ${cut(body, 500)}`);
        const sent = `${path}\n${r.query}\n${JSON.stringify(r.json) ?? ''}\n${JSON.stringify(r.form) ?? ''}\n${r.raw?.body.toString('latin1') ?? ''}\n${JSON.stringify(r.headers)}`;
        const hay = `${body}\n${String(res.headers.location ?? '')}`;
        for (const [what, re] of FORBIDDEN) {
          const m = re.exec(hay);
          if (m && !sent.includes(m[0]) && !re.test(sent)) {
            throw new Error(
              `${what} in the answer (${res.status}) to ${describeRequest(op, path, r)}\n      answer: …${hay.slice(Math.max(0, m.index - 200), m.index + 300)}…`,
            );
          }
        }
        if (res.status < 400) {
          lane.dirty = true;
          return;
        }
        refused.set(requestId, { status: res.status, request: `${op.key}: ${cut(describeRequest(op, path, r), 300)}` });
        if (!change) return;
        const after = await fingerprint(lane.tenant.id);
        if (after !== lane.fingerprint) {
          const before = lane.fingerprint;
          lane.fingerprint = after;
          throw new Error(
            `a refused request (${res.status} ${cut(body, 200)}) changed tenant data: ${before} → ${after}; request ${describeRequest(op, path, r)}`,
          );
        }
      };

      const property = fc.asyncProperty(requestArb(op), async (r) => {
        try {
          await check(r);
        } catch (e) {
          failure = e instanceof Error ? e.message : String(e);
          throw e;
        }
      });
      const seed = SEED + lane.index * 1000 + opIndex;
      try {
        // No shrinking: the requests change the tenant's state, so a replayed smaller input is not the same test.
        await fc.assert(property, { numRuns: runsPerOp, seed, endOnFailure: true });
      } catch (e) {
        failures.push(`${op.key} (lane ${lane.index}, seed ${seed}): ${failure ?? (e instanceof Error ? e.message.split('\n')[0] : String(e))}`);
      }
    };

    await Promise.all(
      lanes.map(async (lane) => {
        // Each lane walks the operations from its own starting point, so the lanes do not all hit one route at once.
        for (let k = 0; k < ops.length; k++) {
          const opIndex = (k + lane.index * Math.ceil(ops.length / LANES)) % ops.length;
          await fuzzOperation(lane, ops[opIndex], opIndex);
        }
      }),
    );

    // Nor did a refusal record anything (governance events carry the request id), but the audit row of an SSO
    // sign-in refused for its rate limit, which is recorded by design (once per window and address).
    const { rows } = await owner.query<{ request_id: string; action: string }>(
      'select request_id, action from governance_events where request_id = any($1::text[])',
      [[...refused.keys()]],
    );
    for (const row of rows) {
      const r = refused.get(row.request_id)!;
      if (r.status === 429 && row.action === SIGN_IN_REFUSAL) continue;
      failures.push(`a refused request (${r.status}) recorded the governance event ${row.action}: ${r.request}`);
    }

    // Nor on disk: every stored evidence file belongs to an attachment row, and no upload was left half-written.
    const keys = new Set((await owner.query<{ storage_key: string }>('select storage_key from attachments')).rows.map((x) => x.storage_key));
    for (const f of filesUnder(evidenceDir)) {
      if (!f.startsWith('objects/') || !keys.has(f.slice('objects/'.length))) failures.push(`evidence file without an attachment row: ${f}`);
    }

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([st, c]) => `${st}×${c}`);
    process.stdout.write(
      `api fuzz: ${generated} generated requests (${ops.length} operations × ${LANES} lanes × ${runsPerOp} runs), seed ${SEED} (FUZZ_SEED=${SEED} reproduces), ${seconds} s\n` +
        `api fuzz: statuses ${byStatus.join(' ')}; ${refused.size} refusals checked for writes\n`,
    );
    expect(failures).toEqual([]);
    expect(generated).toBeGreaterThanOrEqual(Math.min(TARGET, 10_000));
  }, 600_000);
});
