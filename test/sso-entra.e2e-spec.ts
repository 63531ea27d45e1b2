import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTenant, tokenFor } from './support/test-app';
import { Browser } from './sso/browser';
import { createIdp, oidcDanceToCallback, samlDance, visit } from './sso/flows';
import { errorRedirect, freePort, governanceEvents, lastEventId, ownerQuery, SsoTestApp, startSsoApp } from './sso/harness';
import { OidcProviderHandle, startOidcProvider } from './sso/oidc-provider';
import { selfSignedCertificate } from './sso/pki';
import { TestSamlIdp } from './sso/saml-idp';

const DIRECTORY = randomUUID();
const OTHER_DIRECTORY = randomUUID();
const CLIENT_ID = randomUUID();
const CLIENT_SECRET = `entra-secret-${randomUUID()}`;
const OID = { alice: randomUUID(), bob: randomUUID(), mallory: randomUUID() };

/**
 * Entra ID: msal-node pointed at a local authority (an HTTPS oidc-provider laid out like
 * login.microsoftonline.com/<directory>/v2.0) issuing Entra-shaped ID tokens with tid and oid.
 */
describe('SSO with Microsoft Entra ID (msal-node against a local authority)', () => {
  let t: SsoTestApp;
  let op: OidcProviderHandle;
  let caDir: string;
  let caPem: string;
  let tls: { key: string; cert: string };
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    tls = selfSignedCertificate('127.0.0.1', { ipSan: '127.0.0.1' });
    caDir = mkdtempSync(join(tmpdir(), 'sso-ca-'));
    writeFileSync(join(caDir, 'ca.pem'), tls.cert);
    caPem = tls.cert;
    const entraClaims = (name: string, oid: string, extra: Record<string, unknown> = {}) => ({
      tid: DIRECTORY,
      oid,
      ver: '2.0',
      name,
      preferred_username: `${name.toLowerCase().split(' ')[0]}@contoso.example`,
      email: `${name.toLowerCase().split(' ')[0]}@contoso.example`,
      roles: [],
      ...extra,
    });
    op = await startOidcProvider({
      https: tls,
      issuerPath: `/${DIRECTORY}/v2.0`,
      redirectPrefix: `http://127.0.0.1:${port}/sso/`,
      clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, token_endpoint_auth_method: 'client_secret_post' }],
      accounts: {
        alice: { password: 'pw', claims: entraClaims('Alice Admin', OID.alice, { roles: ['Portal.Admin'] }) },
        bob: { password: 'pw', claims: entraClaims('Bob Viewer', OID.bob, { roles: ['Portal.Reader'] }) },
        // Same mutable email as Alice, different object id: the "nOAuth" takeover attempt.
        mallory: {
          password: 'pw',
          claims: entraClaims('Alice Admin', OID.mallory, {
            roles: ['Portal.Reader'],
            email: 'alice@contoso.example',
            preferred_username: 'alice@contoso.example',
          }),
        },
      },
      claims: { openid: ['sub', 'tid', 'oid', 'ver', 'roles'], email: ['email'], profile: ['name', 'preferred_username'] },
    });
    t = await startSsoApp({ SSO_EXTRA_CA_FILE: join(caDir, 'ca.pem') }, port);
  });
  afterAll(async () => {
    await t?.close();
    await op?.stop();
    rmSync(caDir, { recursive: true, force: true });
  });

  async function tenantWithEntra() {
    const tenant = await createTenant(t.app);
    const admin = await tokenFor(t.app, tenant.id);
    const idp = await createIdp(t.app, admin, {
      kind: 'entra',
      displayName: 'Contoso (Microsoft Entra ID)',
      roleMapping: {
        claim: 'roles',
        rules: [
          { value: 'Portal.Admin', role: 'customer_admin' },
          { value: 'Portal.Reader', role: 'customer_viewer' },
        ],
        defaultRole: null,
      },
      entra: { directoryId: DIRECTORY, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, cloudInstance: `https://127.0.0.1:${op.port}` },
    });
    return { tenant, admin, idp, start: `${t.base}${idp.startUrl}` };
  }

  // The provider is HTTPS with the test CA: the browser trusts it, and the portal through SSO_EXTRA_CA_FILE.
  const browser = () => new Browser(caPem);
  const dance = (b: Browser, start: string, login: string) => oidcDanceToCallback(b, start, login);
  async function failedEvent(tenantId: string, since: number) {
    const events = await governanceEvents({ tenantId, action: 'auth.sign_in_failed', since });
    expect(events).toHaveLength(1);
    return events[0];
  }

  it('signs a user in, identified by tid + oid, with the role from their app roles', async () => {
    const { tenant, idp, start } = await tenantWithEntra();
    expect(idp.entra).toMatchObject({ directoryId: DIRECTORY, clientId: CLIENT_ID, hasClientSecret: true, hasCertificate: false });
    expect(JSON.stringify(idp)).not.toContain(CLIENT_SECRET);
    expect(idp.serviceProvider.redirectUri).toBe(`${t.base}/sso/entra/${tenant.slug}/${idp.id}/callback`);
    const b = browser();
    const callback = await dance(b, `${start}?returnTo=/incidents`, 'alice');
    const { location } = await visit(b, callback);
    expect(location!.toString()).toBe(`${t.base}/incidents`);
    const me = JSON.parse((await b.get(`${t.base}/api/v1/me`)).body);
    expect(me.principal).toMatchObject({ kind: 'user', role: 'customer_admin' });
    // The authority is part of the subject: a look-alike authority for the same directory asserts other subjects.
    expect(await ownerQuery('select idp_subject from users where tenant_id = $1', [tenant.id])).toEqual([
      { idp_subject: `entra:127.0.0.1:${op.port}/${DIRECTORY}|${OID.alice}` },
    ]);
    const [ev] = await governanceEvents({ tenantId: tenant.id, action: 'auth.sign_in' });
    expect(ev.details).toMatchObject({ method: 'entra', role: 'customer_admin', matchedValues: ['Portal.Admin'] });
  });

  it('does not hand an account to another Entra user who shows the same email (nOAuth)', async () => {
    const { tenant, start } = await tenantWithEntra();
    const a = browser();
    await visit(a, await dance(a, start, 'alice'));
    const since = await lastEventId();
    const m = browser();
    const { location } = await visit(m, await dance(m, start, 'mallory'));
    expect(errorRedirect(location).code).toBe('account_conflict');
    expect((await failedEvent(tenant.id, since)).details.code).toBe('account_conflict');
    expect((await m.get(`${t.base}/api/v1/me`)).status).toBe(401);
  });

  describe('account binding (hardening issue, item 4)', () => {
    const me = async (b: Browser) => JSON.parse((await b.get(`${t.base}/api/v1/me`)).body).principal;

    it('never lets a look-alike Entra authority with its own keys reach an account, even asserting the same directory, oid and email', async () => {
      const { tenant, admin, start } = await tenantWithEntra();
      const a = browser();
      await visit(a, await dance(a, start, 'alice'));
      const owner = await me(a);
      // Another authority laid out like login.microsoftonline.com/<directory>/v2.0, with its own signing keys, that a tenant admin typed in.
      const lookAlike = await startOidcProvider({
        https: tls,
        issuerPath: `/${DIRECTORY}/v2.0`,
        redirectPrefix: `http://127.0.0.1:${port}/sso/`,
        clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, token_endpoint_auth_method: 'client_secret_post' }],
        accounts: {
          alice: {
            password: 'pw',
            claims: { tid: DIRECTORY, oid: OID.alice, ver: '2.0', name: 'Alice Admin', email: 'alice@contoso.example', roles: ['Portal.Admin'] },
          },
          other: {
            password: 'pw',
            claims: { tid: DIRECTORY, oid: OID.alice, ver: '2.0', name: 'Not Alice', email: 'other@contoso.example', roles: ['Portal.Admin'] },
          },
        },
        claims: { openid: ['sub', 'tid', 'oid', 'ver', 'roles'], email: ['email'], profile: ['name', 'preferred_username'] },
      });
      try {
        const second = await createIdp(t.app, admin, {
          kind: 'entra',
          displayName: 'Contoso (look-alike)',
          roleMapping: { claim: 'roles', rules: [{ value: 'Portal.Admin', role: 'customer_admin' }], defaultRole: null },
          entra: { directoryId: DIRECTORY, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, cloudInstance: `https://127.0.0.1:${lookAlike.port}` },
        });
        const since = await lastEventId();
        const b = browser();
        expect(errorRedirect((await visit(b, await dance(b, `${t.base}${second.startUrl}`, 'alice'))).location).code).toBe('account_conflict');
        expect((await failedEvent(tenant.id, since)).details.reason).toMatch(/bound to another identity provider/);
        expect((await b.get(`${t.base}/api/v1/me`)).status).toBe(401);
        const c = browser();
        expect((await visit(c, await dance(c, `${t.base}${second.startUrl}`, 'other'))).location!.pathname).toBe('/');
        expect((await me(c)).id).not.toBe(owner.id);
        const rows = await ownerQuery('select id, email, role, idp_subject from users where tenant_id = $1 order by created_at', [tenant.id]);
        expect(rows).toEqual([
          { id: owner.id, email: 'alice@contoso.example', role: 'customer_admin', idp_subject: `entra:127.0.0.1:${op.port}/${DIRECTORY}|${OID.alice}` },
          expect.objectContaining({ email: 'other@contoso.example', idp_subject: `entra:127.0.0.1:${lookAlike.port}/${DIRECTORY}|${OID.alice}` }),
        ]);
      } finally {
        await lookAlike.stop();
      }
    });

    it('keeps SAML subjects apart from Entra ones: a SAML entity id of entra:<directory> reaches no Entra account', async () => {
      const { tenant, admin, start } = await tenantWithEntra();
      const a = browser();
      await visit(a, await dance(a, start, 'alice'));
      const owner = await me(a);
      const samlIdp = await TestSamlIdp.start();
      try {
        samlIdp.entityId = `entra:${DIRECTORY}`;
        const saml = await createIdp(t.app, admin, {
          kind: 'saml',
          displayName: 'Look-alike',
          roleMapping: { claim: 'groups', rules: [{ value: 'admins', role: 'customer_admin' }], defaultRole: null },
          saml: { metadataXml: samlIdp.metadataXml() },
        });
        await samlIdp.registerServiceProvider(saml.serviceProvider.metadataUrl);
        samlIdp.user = { nameId: OID.alice, attributes: { email: 'alice@contoso.example', groups: ['admins'] } };
        expect(errorRedirect(await samlDance(browser(), `${t.base}${saml.startUrl}`)).code).toBe('account_conflict');
        samlIdp.user = { nameId: OID.alice, attributes: { email: 'someone@contoso.example', groups: ['admins'] } };
        const c = browser();
        expect((await samlDance(c, `${t.base}${saml.startUrl}`)).pathname).toBe('/');
        expect((await me(c)).id).not.toBe(owner.id);
        const rows = await ownerQuery('select id, email, idp_subject from users where tenant_id = $1 order by created_at', [tenant.id]);
        expect(rows).toEqual([
          { id: owner.id, email: 'alice@contoso.example', idp_subject: `entra:127.0.0.1:${op.port}/${DIRECTORY}|${OID.alice}` },
          expect.objectContaining({ email: 'someone@contoso.example', idp_subject: `saml:entra:${DIRECTORY}|${OID.alice}` }),
        ]);
      } finally {
        await samlIdp.stop();
      }
    });
  });

  describe('attacks and failures, each refused and recorded', () => {
    it('refuses a token from another Entra directory, even correctly signed', async () => {
      const { tenant, start } = await tenantWithEntra();
      const since = await lastEventId();
      const b = browser();
      const callback = await dance(b, start, 'alice');
      // Entra signs every directory's tokens with the same keys: this one is validly signed.
      await op.tamper({ idToken: { set: { tid: OTHER_DIRECTORY, iss: `https://127.0.0.1:${op.port}/${OTHER_DIRECTORY}/v2.0` } } });
      const { location } = await visit(b, callback);
      expect(errorRedirect(location).code).toBe('wrong_directory');
      const e = await failedEvent(tenant.id, since);
      expect(e.details).toMatchObject({ code: 'wrong_directory', tokenDirectory: OTHER_DIRECTORY });
      expect((await b.get(`${t.base}/api/v1/me`)).status).toBe(401);
    });

    it('explains missing admin consent (AADSTS65001) and what the admin does', async () => {
      const { tenant, start } = await tenantWithEntra();
      const since = await lastEventId();
      await op.tamper({
        authorizeError: {
          error: 'consent_required',
          error_description: 'AADSTS65001: The user or administrator has not consented to use the application with ID.',
        },
      });
      const b = browser();
      const started = await b.get(start);
      const { next } = await b.follow(started, (u) => u.pathname.endsWith('/callback'));
      const { location } = await visit(b, next!);
      const err = errorRedirect(location);
      expect(err.code).toBe('consent_missing');
      const info = await t.http.get(`/sso/errors/${err.code}`).expect(200);
      expect(info.body.adminAction).toContain('Azure → Enterprise Applications → User Settings');
      expect((await failedEvent(tenant.id, since)).details).toMatchObject({ code: 'consent_missing', aadsts: '65001', providerError: 'consent_required' });
    });

    it("refuses an expired ID token (validated on the portal's clock)", async () => {
      const { tenant, start } = await tenantWithEntra();
      const since = await lastEventId();
      const b = browser();
      const callback = await dance(b, start, 'alice');
      t.clock.advance(2 * 3600_000); // the token lives an hour; skew is bounded to two minutes
      try {
        const { location } = await visit(b, callback);
        expect(errorRedirect(location).code).toBe('response_expired');
      } finally {
        t.clock.set(new Date());
      }
      expect((await failedEvent(tenant.id, since)).details.code).toBe('response_expired');
    });

    it.each([
      ['a nonce from another sign-in', { set: { nonce: 'not-this-sign-in' } }, 'nonce_mismatch'],
      ['an unsigned token (alg none)', { alg: 'none' as const }, 'signature_invalid'],
      ['a token signed by another key', { otherKey: true }, 'signature_invalid'],
      ['a token for another application', { set: { aud: randomUUID() } }, 'audience_mismatch'],
      ['a wrong issuer for the right directory', { set: { iss: 'https://login.evil.example/' + DIRECTORY + '/v2.0' } }, 'issuer_mismatch'],
    ])('refuses %s', async (_name, idToken, code) => {
      const { tenant, start } = await tenantWithEntra();
      const since = await lastEventId();
      const b = browser();
      const callback = await dance(b, start, 'bob');
      await op.tamper({ idToken });
      const { location } = await visit(b, callback);
      expect(errorRedirect(location).code).toBe(code);
      expect((await failedEvent(tenant.id, since)).details.code).toBe(code);
    });

    it('names a rejected client secret as a configuration problem', async () => {
      const tenant = await createTenant(t.app);
      const admin = await tokenFor(t.app, tenant.id);
      const idp = await createIdp(t.app, admin, {
        kind: 'entra',
        displayName: 'Wrong secret',
        roleMapping: { claim: 'roles', rules: [], defaultRole: 'customer_viewer' },
        entra: { directoryId: DIRECTORY, clientId: CLIENT_ID, clientSecret: 'not-the-secret', cloudInstance: `https://127.0.0.1:${op.port}` },
      });
      const since = await lastEventId();
      const b = browser();
      const { location } = await visit(b, await dance(b, `${t.base}${idp.startUrl}`, 'bob'));
      expect(errorRedirect(location).code).toBe('provider_misconfigured');
      const e = await failedEvent(tenant.id, since);
      expect(JSON.stringify(e.details)).not.toContain('not-the-secret');
    });
  });
});
