import { randomUUID } from 'node:crypto';
import { createTenant, signIn, tokenFor, validIntake } from './support/test-app';
import { Browser } from './sso/browser';
import { createIdp, linkAccount, oidcDanceToCallback, samlDance, stringsIn, visit } from './sso/flows';
import { errorRedirect, freePort, governanceEvents, lastEventId, ownerQuery, SsoTestApp, startSsoApp } from './sso/harness';
import { OidcProviderHandle, startOidcProvider } from './sso/oidc-provider';
import { TestSamlIdp } from './sso/saml-idp';

const CLIENT_ID = 'incident-portal';
const CLIENT_SECRET = `op-secret-${randomUUID()}`;
const STAFF_CLIENT_ID = 'claresia-staff-portal';

const ACCOUNTS = {
  alice: { password: 'pw', claims: { email: 'alice@acme.example', email_verified: true, name: 'Alice Admin', groups: ['portal-admins', 'everyone'] } },
  victor: { password: 'pw', claims: { email: 'victor@acme.example', email_verified: true, name: 'Victor Viewer', groups: ['portal-users'] } },
  nora: { password: 'pw', claims: { email: 'nora@acme.example', email_verified: true, name: 'Nora Nobody', groups: ['finance'] } },
  sam: { password: 'pw', claims: { email: 'sam@claresia.example', email_verified: true, name: 'Sam Support', groups: ['support'] } },
  carla: { password: 'pw', claims: { email: 'carla@claresia.example', email_verified: true, name: 'Carla CSM', groups: ['csm'] } },
  lee: { password: 'pw', claims: { email: 'lee@claresia.example', email_verified: true, name: 'Lee Legacy', groups: ['support'] } },
};

const roleMapping = {
  claim: 'groups',
  rules: [
    { value: 'portal-admins', role: 'customer_admin' },
    { value: 'portal-users', role: 'customer_viewer' },
  ],
  defaultRole: null,
};

describe('SSO with OpenID Connect, against a real OpenID Provider on loopback', () => {
  let t: SsoTestApp;
  let op: OidcProviderHandle;

  beforeAll(async () => {
    const port = await freePort();
    op = await startOidcProvider({
      redirectPrefix: `http://127.0.0.1:${port}/sso/`,
      clients: [
        { client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
        { client_id: STAFF_CLIENT_ID, client_secret: 'staff-secret' },
      ],
      accounts: ACCOUNTS,
      claims: { openid: ['sub', 'groups'], email: ['email', 'email_verified'], profile: ['name'] },
    });
    // Vendor staff sign in through the vendor's own provider: deployment configuration, not a tenant row.
    const staffProviders = [
      {
        id: 'claresia',
        kind: 'oidc',
        displayName: 'Claresia staff SSO',
        roleMapping: {
          claim: 'groups',
          rules: [
            { value: 'support', role: 'support_engineer' },
            { value: 'csm', role: 'csm' },
          ],
          defaultRole: null,
        },
        oidc: { issuer: op.issuer, clientId: STAFF_CLIENT_ID, clientSecret: 'staff-secret' },
      },
      // A second staff provider asserting the very same subjects (same issuer and client): it must reach no account of the first.
      {
        id: 'claresia-copy',
        kind: 'oidc',
        displayName: 'Claresia staff SSO (copy)',
        roleMapping: { claim: 'groups', rules: [{ value: 'support', role: 'support_engineer' }], defaultRole: null },
        oidc: { issuer: op.issuer, clientId: STAFF_CLIENT_ID, clientSecret: 'staff-secret' },
      },
    ];
    t = await startSsoApp({ SSO_STAFF_PROVIDERS: JSON.stringify(staffProviders) }, port);
  });
  afterAll(async () => {
    await t?.close();
    await op?.stop();
  });

  async function tenantWithOidc(over: Record<string, unknown> = {}) {
    const tenant = await createTenant(t.app);
    const admin = await tokenFor(t.app, tenant.id);
    const idp = await createIdp(t.app, admin, {
      kind: 'oidc',
      displayName: 'Acme Okta',
      roleMapping,
      oidc: { issuer: op.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      ...over,
    });
    return { tenant, admin, idp, start: `${t.base}${idp.startUrl}` };
  }

  async function failedEvent(tenantId: string | null, since: number) {
    const events = await governanceEvents({ tenantId, action: 'auth.sign_in_failed', since });
    expect(events).toHaveLength(1);
    return events[0];
  }

  it('signs a tenant admin in through the provider and lands on the page they asked for', async () => {
    const { tenant, idp, start } = await tenantWithOidc();
    const options = await t.http.get(`/auth/tenants/${tenant.slug}`).expect(200);
    expect(options.body.providers).toEqual([{ id: idp.id, kind: 'oidc', displayName: 'Acme Okta', startUrl: `/sso/oidc/${tenant.slug}/${idp.id}/start` }]);

    const b = new Browser();
    b.setCookie('127.0.0.1', 'portal_session', 'planted-by-an-attacker');
    const callback = await oidcDanceToCallback(b, `${start}?returnTo=/incidents`, 'alice');
    expect(callback.searchParams.get('code')).toBeTruthy();
    const { page, location } = await visit(b, callback);
    expect(page.status).toBe(303);
    expect(location!.toString()).toBe(`${t.base}/incidents`);
    const setCookie = (page.headers['set-cookie'] ?? []).join('\n');
    expect(setCookie).toMatch(/portal_session=[^;]+;[^\n]*HttpOnly/);
    expect(setCookie).toMatch(/portal_session=[^;]+;[^\n]*SameSite=Lax/);
    expect(b.cookie('127.0.0.1', 'portal_session')).not.toBe('planted-by-an-attacker');

    const me = await b.get(`${t.base}/api/v1/me`);
    expect(me.status).toBe(200);
    const body = JSON.parse(me.body);
    expect(body.principal).toMatchObject({ kind: 'user', role: 'customer_admin', label: 'Alice Admin <alice@acme.example>' });
    expect(body.tenant.slug).toBe(tenant.slug);
    expect((await b.get(`${t.base}/api/v1/incidents`)).status).toBe(200);

    const signIns = await governanceEvents({ tenantId: tenant.id, action: 'auth.sign_in' });
    expect(signIns).toHaveLength(1);
    expect(signIns[0].details).toMatchObject({ method: 'oidc', idpId: idp.id, role: 'customer_admin', account: 'created' });
    const users = await ownerQuery('select idp_subject, idp_config_id from users where tenant_id = $1', [tenant.id]);
    expect(users).toEqual([{ idp_subject: `oidc:${op.issuer}|alice`, idp_config_id: idp.id }]);
  });

  it('signs a returning user in to the same account, with the role their groups give today', async () => {
    const { tenant, start } = await tenantWithOidc();
    const first = new Browser();
    expect((await visit(first, await oidcDanceToCallback(first, start, 'victor'))).location!.pathname).toBe('/');
    const me1 = JSON.parse((await first.get(`${t.base}/api/v1/me`)).body);
    expect(me1.principal.role).toBe('customer_viewer');
    const second = new Browser();
    await visit(second, await oidcDanceToCallback(second, start, 'victor'));
    const me2 = JSON.parse((await second.get(`${t.base}/api/v1/me`)).body);
    expect(me2.principal.id).toBe(me1.principal.id);
    const events = await governanceEvents({ tenantId: tenant.id, action: 'auth.sign_in' });
    expect(events.map((e) => e.details.account)).toEqual(['created', 'returning']);
  });

  it('never lets a second provider of the tenant reach an account another provider created, even asserting the same subject', async () => {
    const { tenant, admin, start } = await tenantWithOidc();
    const first = new Browser();
    await visit(first, await oidcDanceToCallback(first, start, 'alice'));
    const owner = JSON.parse((await first.get(`${t.base}/api/v1/me`)).body).principal.id;
    // Same issuer, same client, so the same issuer-qualified subject: a look-alike provider a tenant admin added.
    const lookAlike = await createIdp(t.app, admin, {
      kind: 'oidc',
      displayName: 'Okta (copy)',
      roleMapping,
      oidc: { issuer: op.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    const since = await lastEventId();
    const b = new Browser();
    const { location } = await visit(b, await oidcDanceToCallback(b, `${t.base}${lookAlike.startUrl}`, 'alice'));
    expect(errorRedirect(location).code).toBe('account_conflict');
    expect((await failedEvent(tenant.id, since)).details.code).toBe('account_conflict');
    const [row] = await ownerQuery('select idp_config_id from users where id = $1', [owner]);
    expect(row.idp_config_id).not.toBe(lookAlike.id);
  });

  it('refuses a user whose groups map to no role, and says so', async () => {
    const { tenant, start } = await tenantWithOidc();
    const since = await lastEventId();
    const b = new Browser();
    const { location } = await visit(b, await oidcDanceToCallback(b, start, 'nora'));
    const err = errorRedirect(location);
    expect(err).toMatchObject({ code: 'no_role', tenant: tenant.slug });
    expect(err.cid).toBeTruthy();
    const info = await t.http.get(`/sso/errors/${err.code}`).expect(200);
    expect(info.body.message).toMatch(/none of your groups or roles maps to a portal role/);
    expect(info.body.adminAction).toMatch(/Role mapping/);
    expect((await b.get(`${t.base}/api/v1/me`)).status).toBe(401);
    const e = await failedEvent(tenant.id, since);
    expect(e.details).toMatchObject({ method: 'oidc', code: 'no_role', claim: 'groups', values: ['finance'], correlationId: err.cid });
    expect(e.request_id).toBe(err.cid);
    expect(await ownerQuery('select 1 from users where tenant_id = $1', [tenant.id])).toEqual([]);
  });

  it('gives the default role when the mapping has one', async () => {
    const { start } = await tenantWithOidc({ roleMapping: { ...roleMapping, defaultRole: 'customer_viewer' } });
    const b = new Browser();
    await visit(b, await oidcDanceToCallback(b, start, 'nora'));
    expect(JSON.parse((await b.get(`${t.base}/api/v1/me`)).body).principal.role).toBe('customer_viewer');
  });

  it('never sends the browser off-site after sign-in (returnTo must be a same-origin path)', async () => {
    const { start } = await tenantWithOidc();
    const b = new Browser();
    const { location } = await visit(b, await oidcDanceToCallback(b, `${start}?returnTo=${encodeURIComponent('https://evil.example/phish')}`, 'alice'));
    expect(location!.toString()).toBe(`${t.base}/`);
    const b2 = new Browser();
    const r2 = await visit(b2, await oidcDanceToCallback(b2, `${start}?returnTo=${encodeURIComponent('//evil.example/x')}`, 'alice'));
    expect(r2.location!.toString()).toBe(`${t.base}/`);
  });

  describe('attacks, each refused and recorded in the governance trail', () => {
    it('refuses an answer whose state is not the one this browser started (state mismatch)', async () => {
      const { tenant, start } = await tenantWithOidc();
      const since = await lastEventId();
      const b = new Browser();
      const callback = await oidcDanceToCallback(b, start, 'alice');
      callback.searchParams.set('state', 'attacker-chosen-state-value-0123456789');
      const { location } = await visit(b, callback);
      expect(errorRedirect(location).code).toBe('state_mismatch');
      expect((await failedEvent(tenant.id, since)).details.code).toBe('state_mismatch');
      expect((await b.get(`${t.base}/api/v1/me`)).status).toBe(401);
    });

    it('refuses an answer carried to another browser (login CSRF: no flow cookie)', async () => {
      const { tenant, start } = await tenantWithOidc();
      const since = await lastEventId();
      const attacker = new Browser();
      const callback = await oidcDanceToCallback(attacker, start, 'alice');
      const victim = new Browser();
      const { location } = await visit(victim, callback);
      expect(errorRedirect(location).code).toBe('state_mismatch');
      expect((await failedEvent(tenant.id, since)).details.reason).toMatch(/flow cookie missing/);
      expect((await victim.get(`${t.base}/api/v1/me`)).status).toBe(401);
    });

    it('refuses the same callback twice (the flow is single-use)', async () => {
      const { tenant, start } = await tenantWithOidc();
      const b = new Browser();
      const callback = await oidcDanceToCallback(b, start, 'alice');
      const flowCookie = b.cookie('127.0.0.1', 'portal_sso_flow')!;
      expect((await visit(b, callback)).location!.pathname).toBe('/');
      const since = await lastEventId();
      b.setCookie('127.0.0.1', 'portal_sso_flow', flowCookie, '/sso/');
      const { location } = await visit(b, callback);
      expect(errorRedirect(location).code).toBe('flow_expired');
      expect((await failedEvent(tenant.id, since)).details.code).toBe('flow_expired');
    });

    it.each([
      ['nonce mismatch', { set: { nonce: 'a-nonce-from-another-sign-in' } }, 'nonce_mismatch'],
      ['an unsigned ID token (alg none)', { alg: 'none' as const }, 'signature_invalid'],
      ['an ID token signed by another key', { otherKey: true }, 'signature_invalid'],
      ['a wrong issuer', { set: { iss: 'https://evil.example/' } }, 'issuer_mismatch'],
      ['an expired ID token', { set: { iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 } }, 'response_expired'],
      ['another audience', { set: { aud: 'some-other-client' } }, 'audience_mismatch'],
    ])('refuses %s', async (_name, idToken, code) => {
      const { tenant, start } = await tenantWithOidc();
      const since = await lastEventId();
      const b = new Browser();
      const callback = await oidcDanceToCallback(b, start, 'alice');
      await op.tamper({ idToken });
      const { location } = await visit(b, callback);
      expect(errorRedirect(location).code).toBe(code);
      const e = await failedEvent(tenant.id, since);
      expect(e.details.code).toBe(code);
      expect(JSON.stringify(e.details)).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}/); // no token in the trail
      expect((await b.get(`${t.base}/api/v1/me`)).status).toBe(401);
    });

    it("refuses a valid sign-in at tenant A's provider carried to tenant B", async () => {
      const a = await tenantWithOidc();
      const bTenant = await tenantWithOidc();
      const since = await lastEventId();
      const browser = new Browser();
      const callbackA = await oidcDanceToCallback(browser, a.start, 'alice');
      const toB = new URL(`${t.base}/sso/oidc/${bTenant.tenant.slug}/${bTenant.idp.id}/callback${callbackA.search}`);
      const { location } = await visit(browser, toB);
      expect(errorRedirect(location)).toMatchObject({ code: 'wrong_tenant', tenant: bTenant.tenant.slug });
      expect((await failedEvent(bTenant.tenant.id, since)).details.reason).toMatch(/another tenant/);
      expect((await browser.get(`${t.base}/api/v1/me`)).status).toBe(401);
      // The answer was burnt too: it cannot be used at A afterwards either.
      expect(errorRedirect((await visit(browser, callbackA)).location).code).toBe('state_mismatch');
    });

    it("keeps a session from tenant A's provider inside tenant A", async () => {
      const a = await tenantWithOidc();
      const other = await createTenant(t.app);
      await t.http
        .post('/api/v1/incidents')
        .set('Authorization', `Bearer ${await tokenFor(t.app, other.id)}`)
        .send(validIntake({ title: 'B only' }))
        .expect(201);
      const b = new Browser();
      await visit(b, await oidcDanceToCallback(b, a.start, 'alice'));
      const list = JSON.parse((await b.get(`${t.base}/api/v1/incidents`)).body);
      expect(list.items.map((i: { title: string }) => i.title)).not.toContain('B only');
      expect(JSON.parse((await b.get(`${t.base}/api/v1/tenant`)).body).id).toBe(a.tenant.id);
    });
  });

  it('refuses a sign-in link to a provider that is disabled or does not exist', async () => {
    const { tenant, admin, idp, start } = await tenantWithOidc();
    await t.http.patch(`/api/v1/identity-providers/${idp.id}`).set('Authorization', `Bearer ${admin}`).send({ enabled: false }).expect(200);
    const since = await lastEventId();
    const b = new Browser();
    expect(errorRedirect((await visit(b, start)).location).code).toBe('unknown_provider');
    expect((await failedEvent(tenant.id, since)).details.reason).toMatch(/disabled/);
    expect((await t.http.get(`/auth/tenants/${tenant.slug}`)).body.providers).toEqual([]);
    expect(errorRedirect((await visit(b, `${t.base}/sso/oidc/no-such-tenant/${idp.id}/start`)).location)).toMatchObject({
      code: 'unknown_provider',
      tenant: null,
    });
  });

  it('names an unreachable provider precisely', async () => {
    const tenant = await createTenant(t.app);
    const admin = await tokenFor(t.app, tenant.id);
    const dead = await freePort();
    const idp = await createIdp(t.app, admin, {
      kind: 'oidc',
      displayName: 'Down',
      roleMapping,
      oidc: { issuer: `http://127.0.0.1:${dead}/`, clientId: 'x', clientSecret: 'y' },
    });
    const b = new Browser();
    expect(errorRedirect((await visit(b, `${t.base}${idp.startUrl}`)).location).code).toBe('idp_unreachable');
  });

  describe("vendor staff, through the vendor's own provider", () => {
    it('lists the staff providers and signs a support engineer in with reach over every tenant', async () => {
      const providers = await t.http.get('/sso/staff/providers').expect(200);
      expect(providers.body.providers).toEqual([
        { id: 'claresia', kind: 'oidc', displayName: 'Claresia staff SSO', startUrl: '/sso/oidc/_staff/claresia/start' },
        { id: 'claresia-copy', kind: 'oidc', displayName: 'Claresia staff SSO (copy)', startUrl: '/sso/oidc/_staff/claresia-copy/start' },
      ]);
      const tenant = await createTenant(t.app);
      const b = new Browser();
      const { location } = await visit(b, await oidcDanceToCallback(b, `${t.base}/sso/oidc/_staff/claresia/start`, 'sam'));
      expect(location!.pathname).toBe('/');
      const me = JSON.parse((await b.get(`${t.base}/api/v1/me`)).body);
      expect(me.principal).toMatchObject({ kind: 'staff', role: 'support_engineer' });
      expect(me.tenants.map((x: { id: string }) => x.id)).toContain(tenant.id);
      const events = await governanceEvents({ tenantId: null, action: 'auth.sign_in' });
      expect(events.some((e) => e.details.method === 'oidc' && e.details.idpId === 'claresia' && e.details.role === 'support_engineer')).toBe(true);
    });

    it('maps a CSM and refuses a tenant user at the staff provider', async () => {
      const csm = new Browser();
      await visit(csm, await oidcDanceToCallback(csm, `${t.base}/sso/oidc/_staff/claresia/start`, 'carla'));
      expect(JSON.parse((await csm.get(`${t.base}/api/v1/me`)).body).principal.role).toBe('csm');
      const since = await lastEventId();
      const b = new Browser();
      const { location } = await visit(b, await oidcDanceToCallback(b, `${t.base}/sso/oidc/_staff/claresia/start`, 'alice'));
      expect(errorRedirect(location)).toMatchObject({ code: 'no_role', tenant: null });
      expect((await failedEvent(null, since)).details).toMatchObject({ code: 'no_role', realm: 'staff' });
    });

    it('never lets a second staff provider reach a staff account the first one bound, even asserting the same subject', async () => {
      const a = new Browser();
      await visit(a, await oidcDanceToCallback(a, `${t.base}/sso/oidc/_staff/claresia/start`, 'sam'));
      const sam = JSON.parse((await a.get(`${t.base}/api/v1/me`)).body).principal.id;
      const since = await lastEventId();
      const b = new Browser();
      const { location } = await visit(b, await oidcDanceToCallback(b, `${t.base}/sso/oidc/_staff/claresia-copy/start`, 'sam'));
      expect(errorRedirect(location)).toMatchObject({ code: 'account_conflict', tenant: null });
      expect((await failedEvent(null, since)).details.reason).toMatch(/bound to another staff provider/);
      expect((await b.get(`${t.base}/api/v1/me`)).status).toBe(401);
      expect(await ownerQuery('select idp_provider_id, idp_subject from staff where id = $1', [sam])).toEqual([
        { idp_provider_id: 'claresia', idp_subject: `oidc:${op.issuer}|sam` },
      ]);
    });

    it('binds a staff account written before provider binding to the staff provider that asserts its old subject', async () => {
      // As migration 1763900000006 leaves it: the old subject format, no provider id.
      const [legacy] = await ownerQuery(
        `insert into staff (email, name, role, idp_subject) values ('lee@claresia.example', 'Lee', 'support_engineer', $1) returning id`,
        [`${op.issuer}|lee`],
      );
      const a = new Browser();
      expect((await visit(a, await oidcDanceToCallback(a, `${t.base}/sso/oidc/_staff/claresia/start`, 'lee'))).location!.pathname).toBe('/');
      expect(JSON.parse((await a.get(`${t.base}/api/v1/me`)).body).principal.id).toBe(legacy.id);
      expect(await ownerQuery('select idp_provider_id, idp_subject from staff where id = $1', [legacy.id])).toEqual([
        { idp_provider_id: 'claresia', idp_subject: `oidc:${op.issuer}|lee` },
      ]);
      const b = new Browser();
      expect(errorRedirect((await visit(b, await oidcDanceToCallback(b, `${t.base}/sso/oidc/_staff/claresia-copy/start`, 'lee'))).location).code).toBe(
        'account_conflict',
      );
    });
  });

  describe('account binding: every SSO account belongs to the provider that created it (hardening issue, item 4)', () => {
    const me = async (b: Browser) => JSON.parse((await b.get(`${t.base}/api/v1/me`)).body).principal;

    it('never takes over an existing account at sign-in, even for a verified email: a customer admin links it, then the next verified sign-in binds it', async () => {
      const { tenant, admin, idp, start } = await tenantWithOidc();
      // An account bound to no provider (the demo seed, the development sign-in).
      const seeded = await signIn(t, { role: 'customer_viewer', tenant: tenant.slug, email: 'alice@acme.example' });
      const since = await lastEventId();
      const b = new Browser();
      expect(errorRedirect((await visit(b, await oidcDanceToCallback(b, start, 'alice'))).location).code).toBe('account_conflict');
      expect((await failedEvent(tenant.id, since)).details.reason).toMatch(/linked to no identity provider/);
      expect(await ownerQuery('select idp_config_id, idp_subject, role from users where id = $1', [seeded.principal.id])).toEqual([
        { idp_config_id: null, idp_subject: null, role: 'customer_viewer' },
      ]);

      const link = await linkAccount(t.app, admin, idp.id, { email: 'alice@acme.example' }).expect(201);
      expect(link.body).toMatchObject({ userId: seeded.principal.id, idpId: idp.id, mode: 'next_verified_sign_in', expiresAt: expect.any(String) });
      const [linked] = await governanceEvents({ tenantId: tenant.id, action: 'sso.account_linked', since });
      expect(linked.subject_id).toBe(seeded.principal.id);
      expect(linked.details).toMatchObject({ idpId: idp.id, mode: 'next_verified_sign_in', previousIdpId: null, email: 'alice@acme.example', subject: null });

      const c = new Browser();
      expect((await visit(c, await oidcDanceToCallback(c, start, 'alice'))).location!.pathname).toBe('/');
      expect(await me(c)).toMatchObject({ id: seeded.principal.id, role: 'customer_admin' });
      expect(await ownerQuery('select idp_config_id, idp_subject, sso_link_idp_config_id from users where id = $1', [seeded.principal.id])).toEqual([
        { idp_config_id: idp.id, idp_subject: `oidc:${op.issuer}|alice`, sso_link_idp_config_id: null },
      ]);
      expect((await governanceEvents({ tenantId: tenant.id, action: 'auth.sign_in', since })).map((e) => e.details.account)).toEqual(['linked']);
    });

    it('moves an account to another provider only by an explicit link to its subject; the first provider then no longer reaches it', async () => {
      const { tenant, admin, idp, start } = await tenantWithOidc();
      const a = new Browser();
      await visit(a, await oidcDanceToCallback(a, start, 'alice'));
      const owner = (await me(a)).id;
      const second = await createIdp(t.app, admin, {
        kind: 'oidc',
        displayName: 'Okta (new org)',
        roleMapping,
        oidc: { issuer: op.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      });
      const b = new Browser();
      expect(errorRedirect((await visit(b, await oidcDanceToCallback(b, `${t.base}${second.startUrl}`, 'alice'))).location).code).toBe('account_conflict');

      const since = await lastEventId();
      const link = await linkAccount(t.app, admin, second.id, { userId: owner, subject: 'alice' }).expect(201);
      expect(link.body).toMatchObject({ userId: owner, idpId: second.id, mode: 'subject', expiresAt: null });
      const [linked] = await governanceEvents({ tenantId: tenant.id, action: 'sso.account_linked', since });
      expect(linked.details).toMatchObject({ idpId: second.id, mode: 'subject', subject: 'alice', previousIdpId: idp.id });

      const c = new Browser();
      expect((await visit(c, await oidcDanceToCallback(c, `${t.base}${second.startUrl}`, 'alice'))).location!.pathname).toBe('/');
      expect((await me(c)).id).toBe(owner);
      const d = new Browser();
      const { location } = await visit(d, await oidcDanceToCallback(d, start, 'alice'));
      expect(errorRedirect(location).code).toBe('account_conflict');
      const [refusal] = await governanceEvents({ tenantId: tenant.id, action: 'auth.sign_in_failed', since });
      expect(refusal.details.reason).toMatch(/bound to another identity provider/);
    });

    it('keeps SAML subjects apart from OIDC ones: a SAML entity id equal to the OIDC issuer reaches no OIDC account', async () => {
      const { tenant, admin, start } = await tenantWithOidc();
      const a = new Browser();
      await visit(a, await oidcDanceToCallback(a, start, 'alice'));
      const owner = (await me(a)).id;
      const samlIdp = await TestSamlIdp.start();
      try {
        samlIdp.entityId = op.issuer; // what an admin may type: an entity id is free text
        const saml = await createIdp(t.app, admin, { kind: 'saml', displayName: 'Look-alike', roleMapping, saml: { metadataXml: samlIdp.metadataXml() } });
        await samlIdp.registerServiceProvider(saml.serviceProvider.metadataUrl);
        samlIdp.user = { nameId: 'alice', attributes: { email: 'alice@acme.example', groups: ['portal-admins'] } };
        expect(errorRedirect(await samlDance(new Browser(), `${t.base}${saml.startUrl}`)).code).toBe('account_conflict');
        samlIdp.user = { nameId: 'alice', attributes: { email: 'not-alice@acme.example', groups: ['portal-admins'] } };
        const c = new Browser();
        expect((await samlDance(c, `${t.base}${saml.startUrl}`)).pathname).toBe('/');
        expect((await me(c)).id).not.toBe(owner);
        const rows = await ownerQuery('select id, email, idp_config_id, idp_subject from users where tenant_id = $1 order by created_at', [tenant.id]);
        expect(rows).toEqual([
          expect.objectContaining({ id: owner, email: 'alice@acme.example', idp_subject: `oidc:${op.issuer}|alice` }),
          expect.objectContaining({ email: 'not-alice@acme.example', idp_config_id: saml.id, idp_subject: `saml:${op.issuer}|alice` }),
        ]);
      } finally {
        await samlIdp.stop();
      }
    });
  });

  describe('anonymous refusals in the audit trail (hardening issue, item 5)', () => {
    it('aggregates 100 forged callbacks into a few rows that carry the count', async () => {
      const { tenant, idp } = await tenantWithOidc();
      const since = await lastEventId();
      for (let i = 0; i < 100; i++) {
        const res = await t.http
          .get(`/sso/oidc/${tenant.slug}/${idp.id}/callback?state=forged-state-${i}-0123456789&code=x`)
          .set('X-Forwarded-For', '198.51.100.7');
        expect(res.status).toBe(303);
        expect(res.headers.location).toMatch(/^\/sign-in\/error\?code=state_mismatch/);
      }
      const rows = await governanceEvents({ tenantId: tenant.id, action: 'auth.sign_in_failed', since });
      expect(rows.map((r) => r.details.occurrences)).toEqual([1, 10, 100]);
      expect(rows.every((r) => r.details.code === 'state_mismatch' && r.details.windowSeconds === 600)).toBe(true);
    });

    it('keeps what an anonymous request writes short and free of control characters', async () => {
      const { tenant, idp, start } = await tenantWithOidc();
      const since = await lastEventId();
      const b = new Browser();
      // The attacker's own sign-in: a valid state and flow cookie, then an "error" answer of their choosing.
      const started = await b.get(start);
      const state = new URL(started.headers.location!).searchParams.get('state')!;
      const q = new URLSearchParams({
        state,
        error: `access_denied\u0000${'e'.repeat(300)}`,
        error_description: `\u001b[31mALERT\u0007 \u202eevil\u200b \u2028${'words of the attacker '.repeat(250)}`,
      });
      const res = await b.get(`${t.base}/sso/oidc/${tenant.slug}/${idp.id}/callback?${q}`, { 'user-agent': `Mozilla/5.0\t${'ua '.repeat(600)}` });
      expect(errorRedirect(new URL(res.headers.location!, res.url)).code).toBe('idp_error');
      const [row] = await governanceEvents({ tenantId: tenant.id, action: 'auth.sign_in_failed', since });
      const stored = { actor_id: row.actor_id, actor_label: row.actor_label, subject_id: row.subject_id, user_agent: row.user_agent, details: row.details };
      // eslint-disable-next-line no-control-regex -- control characters are what this test looks for
      for (const s of stringsIn(stored)) expect(s).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
      expect(row.details.reason.length).toBeLessThanOrEqual(200);
      expect(row.details.providerError).toBe('unrecognised');
      expect(row.user_agent!.length).toBeLessThanOrEqual(120);
      expect(JSON.stringify(stored).length).toBeLessThan(1000);
    });
  });

  it('keeps API tokens working beside SSO', async () => {
    const { tenant } = await tenantWithOidc();
    await t.http
      .get('/api/v1/incidents')
      .set('Authorization', `Bearer ${await tokenFor(t.app, tenant.id, 'customer_viewer')}`)
      .expect(200);
  });
});
