import { createTenant, tokenFor } from './support/test-app';
import { Browser, parseForm } from './sso/browser';
import { createIdp, samlDance } from './sso/flows';
import { errorRedirect, governanceEvents, lastEventId, ownerQuery, SsoTestApp, startSsoApp } from './sso/harness';
import { selfSignedCertificate } from './sso/pki';
import { AuthnRequestSeen, RegisteredSp, signAssertion, TestSamlIdp } from './sso/saml-idp';

const roleMapping = {
  claim: 'groups',
  rules: [
    { value: 'portal-admins', role: 'customer_admin' },
    { value: 'portal-users', role: 'customer_viewer' },
  ],
  defaultRole: null,
};
const ALICE = { nameId: 'alice-7f3a', attributes: { email: 'alice@acme.example', displayName: 'Alice Admin', groups: ['portal-admins'] } };
const EVE = { nameId: 'eve-0001', attributes: { email: 'eve@acme.example', displayName: 'Eve', groups: ['portal-admins'] } };

describe('SSO with SAML 2.0, against a signing IdP on loopback', () => {
  let t: SsoTestApp;
  let idp: TestSamlIdp;

  beforeAll(async () => {
    idp = await TestSamlIdp.start();
    t = await startSsoApp();
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  /** A tenant configured from the IdP's metadata URL, and the IdP configured from the portal's SP metadata URL. */
  async function tenantWithSaml() {
    const tenant = await createTenant(t.app);
    const admin = await tokenFor(t.app, tenant.id);
    const config = await createIdp(t.app, admin, { kind: 'saml', displayName: 'Acme ADFS', roleMapping, saml: { metadataUrl: idp.metadataUrl } });
    const sp = await idp.registerServiceProvider(config.serviceProvider.metadataUrl);
    return { tenant, admin, config, sp, start: `${t.base}${config.startUrl}` };
  }

  /** The browser goes to the portal's start URL and is sent to the IdP with an AuthnRequest. */
  async function beginAtPortal(b: Browser, start: string): Promise<{ request: AuthnRequestSeen; idpUrl: URL }> {
    const started = await b.get(start);
    expect(started.status).toBe(303);
    const idpUrl = new URL(started.headers.location!);
    expect(idpUrl.origin + idpUrl.pathname).toBe(`${idp.base}/sso`);
    return { request: idp.readAuthnRequest(idpUrl), idpUrl };
  }

  /** What the IdP's auto-submitting form posts, sent by the browser to the portal's ACS. */
  async function postToAcs(b: Browser, acsUrl: string, samlResponse: string, relayState: string | null) {
    const page = await b.post(acsUrl, { SAMLResponse: samlResponse, ...(relayState !== null ? { RelayState: relayState } : {}) });
    expect(page.status).toBe(303);
    return new URL(page.headers.location!, page.url);
  }

  async function failedEvent(tenantId: string, since: number) {
    const events = await governanceEvents({ tenantId, action: 'auth.sign_in_failed', since });
    expect(events).toHaveLength(1);
    return events[0];
  }

  it('publishes SP metadata per tenant provider, asking for signed assertions', async () => {
    const { tenant, config } = await tenantWithSaml();
    const res = await t.http.get(`/sso/saml/${tenant.slug}/${config.id}/metadata`).expect(200);
    expect(res.headers['content-type']).toMatch(/samlmetadata\+xml/);
    expect(res.text).toContain(`entityID="${config.serviceProvider.entityId}"`);
    expect(res.text).toContain('WantAssertionsSigned="true"');
    expect(res.text).toContain(`Location="${config.serviceProvider.acsUrl}"`);
    expect(config.saml).toMatchObject({ idpEntityId: idp.entityId, ssoUrl: `${idp.base}/sso`, metadataUrl: idp.metadataUrl });
    expect(config.saml.certificates[0].subject).toContain('test-saml-idp');
    await t.http.get(`/sso/saml/${tenant.slug}/00000000-0000-4000-8000-000000000000/metadata`).expect(404);
  });

  it('signs a user in through the IdP (redirect binding out, POST binding back) and lands where they asked', async () => {
    const { tenant, config } = await tenantWithSaml();
    idp.user = ALICE;
    const b = new Browser();
    const started = await b.get(`${t.base}${config.startUrl}?returnTo=${encodeURIComponent('/incidents?status=open')}`);
    const atIdp = await b.get(new URL(started.headers.location!));
    const form = parseForm(atIdp.body, atIdp.url);
    expect(form.action.toString()).toBe(config.serviceProvider.acsUrl);
    expect(form.fields.RelayState).toBeTruthy();
    expect(form.fields.RelayState).not.toContain('/incidents'); // an opaque flow id, never a URL
    const location = await postToAcs(b, form.action.toString(), form.fields.SAMLResponse, form.fields.RelayState);
    expect(location.toString()).toBe(`${t.base}/incidents?status=open`);
    const me = JSON.parse((await b.get(`${t.base}/api/v1/me`)).body);
    expect(me.principal).toMatchObject({ kind: 'user', role: 'customer_admin', label: 'Alice Admin <alice@acme.example>' });
    expect(await ownerQuery('select idp_subject from users where tenant_id = $1', [tenant.id])).toEqual([{ idp_subject: `saml:${idp.entityId}|alice-7f3a` }]);
    const [ev] = await governanceEvents({ tenantId: tenant.id, action: 'auth.sign_in' });
    expect(ev.details).toMatchObject({ method: 'saml', idpId: config.id, role: 'customer_admin' });
  });

  it('refuses a user whose attributes map to no role', async () => {
    const { tenant, sp, start } = await tenantWithSaml();
    const since = await lastEventId();
    const b = new Browser();
    const { request } = await beginAtPortal(b, start);
    const res = idp.buildResponse({ sp, user: { nameId: 'nobody', attributes: { email: 'n@acme.example', groups: ['finance'] } }, inResponseTo: request.id });
    expect(errorRedirect(await postToAcs(b, sp.acsUrl, res, request.relayState)).code).toBe('no_role');
    expect((await failedEvent(tenant.id, since)).details).toMatchObject({ code: 'no_role', values: ['finance'] });
  });

  describe('attacks, each refused and recorded in the governance trail', () => {
    async function refused(
      build: (ctx: { sp: RegisteredSp; request: AuthnRequestSeen }) => { response: string; relayState?: string | null; acsUrl?: string },
      code: string,
    ) {
      const { tenant, sp, start } = await tenantWithSaml();
      const since = await lastEventId();
      const b = new Browser();
      const { request } = await beginAtPortal(b, start);
      const out = build({ sp, request });
      const location = await postToAcs(b, out.acsUrl ?? sp.acsUrl, out.response, out.relayState === undefined ? request.relayState : out.relayState);
      expect(errorRedirect(location)).toMatchObject({ code, tenant: tenant.slug });
      const e = await failedEvent(tenant.id, since);
      expect(e.details.code).toBe(code);
      expect((await b.get(`${t.base}/api/v1/me`)).status).toBe(401);
      return e;
    }

    it('refuses an unsigned assertion', async () => {
      await refused(({ sp, request }) => ({ response: idp.buildResponse({ sp, user: ALICE, inResponseTo: request.id, sign: 'none' }) }), 'signature_invalid');
    });

    it('refuses an assertion signed by another key', async () => {
      const forger = selfSignedCertificate('test-saml-idp');
      await refused(
        ({ sp, request }) => ({ response: idp.buildResponse({ sp, user: ALICE, inResponseTo: request.id, signingKey: forger }) }),
        'signature_invalid',
      );
    });

    it('refuses XML signature wrapping: a second, unsigned assertion beside the signed one', async () => {
      await refused(({ sp, request }) => {
        const signed = idp.responseXml({ sp, user: ALICE, inResponseTo: request.id });
        const evil = idp.responseXml({ sp, user: EVE, inResponseTo: request.id, sign: 'none' });
        const evilAssertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(evil)![0];
        const wrapped = signed.replace('<saml:Assertion ', `${evilAssertion}<saml:Assertion `);
        return { response: Buffer.from(wrapped).toString('base64') };
      }, 'signature_invalid');
    });

    it('refuses XML signature wrapping: the signed assertion moved into Extensions, an unsigned one in its place', async () => {
      await refused(({ sp, request }) => {
        const signed = idp.responseXml({ sp, user: ALICE, inResponseTo: request.id });
        const signedAssertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signed)![0];
        const evilAssertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(idp.responseXml({ sp, user: EVE, inResponseTo: request.id, sign: 'none' }))![0];
        const wrapped = signed.replace(signedAssertion, `<samlp:Extensions>${signedAssertion}</samlp:Extensions>${evilAssertion}`);
        return { response: Buffer.from(wrapped).toString('base64') };
      }, 'signature_invalid');
    });

    it('refuses an assertion for another audience', async () => {
      await refused(
        ({ sp, request }) => ({ response: idp.buildResponse({ sp, user: ALICE, inResponseTo: request.id, audience: 'https://other-sp.example/metadata' }) }),
        'audience_mismatch',
      );
    });

    it('refuses an expired assertion (beyond the bounded clock skew)', async () => {
      await refused(
        ({ sp, request }) => ({ response: idp.buildResponse({ sp, user: ALICE, inResponseTo: request.id, issuedAt: new Date(Date.now() - 15 * 60_000) }) }),
        'response_expired',
      );
    });

    it('refuses an unsolicited response (no InResponseTo: IdP-initiated or forged)', async () => {
      await refused(({ sp }) => ({ response: idp.buildResponse({ sp, user: ALICE, inResponseTo: null }) }), 'unsolicited_response');
    });

    it('refuses a response that answers a request the portal never made', async () => {
      await refused(({ sp }) => ({ response: idp.buildResponse({ sp, user: ALICE, inResponseTo: '_made-up-request-id' }) }), 'flow_expired');
    });

    it('refuses a response addressed to another ACS (Destination), which node-saml does not check', async () => {
      await refused(
        ({ sp, request }) => ({ response: idp.buildResponse({ sp, user: ALICE, inResponseTo: request.id, destination: 'https://other-sp.example/acs' }) }),
        'destination_mismatch',
      );
    });

    it('refuses an assertion confirmed for another recipient (SubjectConfirmationData Recipient)', async () => {
      const e = await refused(
        ({ sp, request }) => ({ response: idp.buildResponse({ sp, user: ALICE, inResponseTo: request.id, recipient: 'https://other-sp.example/acs' }) }),
        'destination_mismatch',
      );
      expect(e.details.reason).toMatch(/Recipient/);
    });

    it('refuses an assertion from another issuer signed with the trusted key', async () => {
      await refused(
        ({ sp, request }) => ({ response: idp.buildResponse({ sp, user: ALICE, inResponseTo: request.id, issuer: 'https://someone-else.example/idp' }) }),
        'issuer_mismatch',
      );
    });

    it('refuses a response whose RelayState is not the sign-in it answers', async () => {
      await refused(
        ({ sp, request }) => ({
          response: idp.buildResponse({ sp, user: ALICE, inResponseTo: request.id }),
          relayState: 'someone-elses-flow-id-0123456789abcdef',
        }),
        'state_mismatch',
      );
    });

    it('refuses a replayed response (the same InResponseTo twice)', async () => {
      const { tenant, sp, start } = await tenantWithSaml();
      const b = new Browser();
      const { request } = await beginAtPortal(b, start);
      const response = idp.buildResponse({ sp, user: ALICE, inResponseTo: request.id });
      expect((await postToAcs(b, sp.acsUrl, response, request.relayState)).pathname).toBe('/');
      const since = await lastEventId();
      const attacker = new Browser();
      expect(errorRedirect(await postToAcs(attacker, sp.acsUrl, response, request.relayState)).code).toBe('response_replayed');
      expect((await failedEvent(tenant.id, since)).details.code).toBe('response_replayed');
      expect((await attacker.get(`${t.base}/api/v1/me`)).status).toBe(401);
    });

    it('refuses a replay even when the assertion carries no SubjectConfirmationData InResponseTo', async () => {
      const { tenant, sp, start } = await tenantWithSaml();
      const b = new Browser();
      const { request } = await beginAtPortal(b, start);
      // Re-sign an assertion whose confirmation data omits InResponseTo: node-saml then keeps the request id cached.
      const unsigned = idp
        .responseXml({ sp, user: ALICE, inResponseTo: request.id, sign: 'none' })
        .replace(/(<saml:SubjectConfirmationData) InResponseTo="[^"]*"/, '$1');
      const response = Buffer.from(signAssertion(unsigned, idp.keys)).toString('base64');
      expect((await postToAcs(b, sp.acsUrl, response, request.relayState)).pathname).toBe('/');
      const since = await lastEventId();
      expect(errorRedirect(await postToAcs(new Browser(), sp.acsUrl, response, request.relayState)).code).toBe('response_replayed');
      expect(await governanceEvents({ tenantId: tenant.id, action: 'auth.sign_in_failed', since })).toHaveLength(1);
    });

    it('refuses any DOCTYPE in a SAML message, even one without entities in front of a valid response', async () => {
      const e = await refused(
        ({ sp, request }) => ({
          response: Buffer.from(`<?xml version="1.0"?><!DOCTYPE samlp:Response>${idp.responseXml({ sp, user: ALICE, inResponseTo: request.id })}`).toString(
            'base64',
          ),
        }),
        'invalid_response',
      );
      expect(e.details.reason).toMatch(/DOCTYPE/);
    });

    it('sends an oversized post to the ACS to the error page, with a governance event', async () => {
      const { tenant, sp, start } = await tenantWithSaml();
      const since = await lastEventId();
      const b = new Browser();
      const { request } = await beginAtPortal(b, start);
      const location = await postToAcs(b, sp.acsUrl, 'PD94'.repeat(300_000), request.relayState);
      expect(errorRedirect(location)).toMatchObject({ code: 'invalid_response', tenant: tenant.slug });
      expect((await failedEvent(tenant.id, since)).details.reason).toMatch(/larger than the .*limit/);
      expect((await b.get(`${t.base}/api/v1/me`)).status).toBe(401);
    });

    it("refuses a valid sign-in at tenant A's IdP posted to tenant B", async () => {
      const a = await tenantWithSaml();
      const bTenant = await tenantWithSaml(); // B trusts the very same IdP
      const since = await lastEventId();
      const b = new Browser();
      const { request } = await beginAtPortal(b, a.start);
      const forA = idp.buildResponse({ sp: a.sp, user: ALICE, inResponseTo: request.id });
      expect(errorRedirect(await postToAcs(b, bTenant.sp.acsUrl, forA, request.relayState))).toMatchObject({
        code: 'destination_mismatch',
        tenant: bTenant.tenant.slug,
      });
      // Even with the unsigned Destination rewritten to B's ACS, the signed audience and the request id are A's.
      const rewritten = Buffer.from(
        Buffer.from(forA, 'base64').toString('utf8').replace(`Destination="${a.sp.acsUrl}"`, `Destination="${bTenant.sp.acsUrl}"`),
      ).toString('base64');
      expect(errorRedirect(await postToAcs(b, bTenant.sp.acsUrl, rewritten, request.relayState)).code).toMatch(/flow_expired|audience_mismatch/);
      expect(await governanceEvents({ tenantId: bTenant.tenant.id, action: 'auth.sign_in_failed', since })).toHaveLength(2);
      expect((await b.get(`${t.base}/api/v1/me`)).status).toBe(401);
    });
  });

  it("never lets a second SAML provider with the same entity id but another certificate reach the first one's accounts", async () => {
    const { tenant, admin, config, start } = await tenantWithSaml();
    idp.user = ALICE;
    const a = new Browser();
    expect((await samlDance(a, start)).pathname).toBe('/');
    const owner = JSON.parse((await a.get(`${t.base}/api/v1/me`)).body).principal;
    const rogue = await TestSamlIdp.start();
    try {
      rogue.entityId = idp.entityId; // same entity id, its own key and certificate
      const second = await createIdp(t.app, admin, { kind: 'saml', displayName: 'Acme ADFS (copy)', roleMapping, saml: { metadataXml: rogue.metadataXml() } });
      await rogue.registerServiceProvider(second.serviceProvider.metadataUrl);
      rogue.user = { nameId: ALICE.nameId, attributes: { ...ALICE.attributes, groups: ['portal-users'] } };
      const since = await lastEventId();
      expect(errorRedirect(await samlDance(new Browser(), `${t.base}${second.startUrl}`)).code).toBe('account_conflict');
      expect((await failedEvent(tenant.id, since)).details.reason).toMatch(/bound to another identity provider/);
      // The victim's email, role and provider are as they were, and no ordinary sign-in was recorded for them.
      expect(await ownerQuery('select email, role, idp_config_id, idp_subject from users where id = $1', [owner.id])).toEqual([
        { email: 'alice@acme.example', role: 'customer_admin', idp_config_id: config.id, idp_subject: `saml:${idp.entityId}|${ALICE.nameId}` },
      ]);
      expect(await governanceEvents({ tenantId: tenant.id, action: 'auth.sign_in', since })).toEqual([]);
    } finally {
      await rogue.stop();
    }
  });

  it('never truncates a signed value at an XML comment inserted after signing (NameID and attributes read whole)', async () => {
    const { sp, start } = await tenantWithSaml();
    idp.user = ALICE;
    const a = new Browser();
    expect((await samlDance(a, start)).pathname).toBe('/');
    const alice = JSON.parse((await a.get(`${t.base}/api/v1/me`)).body).principal;

    // Mallory is a real user at the IdP; her signed assertion is edited in transit: a comment is invisible to the
    // signature (exclusive canonicalization without comments) and would cut "alice-7f3a.mallory" to "alice-7f3a"
    // for a reader that takes the first text node.
    const mallory = {
      nameId: `${ALICE.nameId}.mallory`,
      attributes: { email: 'alice@acme.example.mallory.test', displayName: 'Mallory', groups: ['portal-users'] },
    };
    const b = new Browser();
    const { request } = await beginAtPortal(b, start);
    const signed = idp.responseXml({ sp, user: mallory, inResponseTo: request.id });
    const edited = signed
      .replace(`>${ALICE.nameId}.mallory<`, `>${ALICE.nameId}<!---->.mallory<`)
      .replace('>alice@acme.example.mallory.test<', '>alice@acme.example<!---->.mallory.test<');
    expect(edited).not.toBe(signed);
    const location = await postToAcs(b, sp.acsUrl, Buffer.from(edited).toString('base64'), request.relayState);
    const me = await b.get(`${t.base}/api/v1/me`);
    // node-saml reads the whole text (comments dropped, text joined): Mallory is signed in as herself.
    expect(location.pathname).toBe('/');
    expect(me.status).toBe(200);
    const principal = JSON.parse(me.body).principal;
    expect(principal.id).not.toBe(alice.id);
    expect(principal.label).toBe('Mallory <alice@acme.example.mallory.test>');
    expect(await ownerQuery('select idp_subject from users where id = $1', [principal.id])).toEqual([
      { idp_subject: `saml:${idp.entityId}|${ALICE.nameId}.mallory` },
    ]);
    expect(await ownerQuery('select email, idp_subject from users where id = $1', [alice.id])).toEqual([
      { email: 'alice@acme.example', idp_subject: `saml:${idp.entityId}|${ALICE.nameId}` },
    ]);
  });
});
