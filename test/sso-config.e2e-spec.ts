import { randomUUID } from 'node:crypto';
import { createTenant, signIn, tokenFor } from './support/test-app';
import { Browser } from './sso/browser';
import { linkAccount, visit } from './sso/flows';
import { RedisConnections } from '../apps/portal-api/src/queue/redis-connections';
import { errorRedirect, freePort, governanceEvents, lastEventId, ownerQuery, SsoTestApp, startSsoApp } from './sso/harness';
import { selfSignedCertificate } from './sso/pki';
import { TestSamlIdp } from './sso/saml-idp';

const roleMapping = { claim: 'groups', rules: [{ value: 'admins', role: 'customer_admin' }], defaultRole: 'customer_viewer' };

describe('identity-provider configuration (admin API)', () => {
  let t: SsoTestApp;
  let idp: TestSamlIdp;
  beforeAll(async () => {
    t = await startSsoApp();
    idp = await TestSamlIdp.start();
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  const oidcBody = (secret: string) => ({
    kind: 'oidc',
    displayName: 'Okta',
    roleMapping,
    oidc: { issuer: 'https://acme.okta.example/oauth2/default', clientId: 'portal', clientSecret: secret },
  });

  it('creates, lists, updates and deletes providers; secrets are write-only and sealed at rest', async () => {
    const tenant = await createTenant(t.app);
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const secret = `super-secret-${randomUUID()}`;
    const created = await t.http.post('/api/v1/identity-providers').set('Authorization', admin).send(oidcBody(secret)).expect(201);
    expect(created.body).toMatchObject({
      kind: 'oidc',
      displayName: 'Okta',
      enabled: true,
      jitProvisioning: true,
      oidc: { issuer: 'https://acme.okta.example/oauth2/default', clientId: 'portal', scopes: ['openid', 'email', 'profile'], hasClientSecret: true },
      serviceProvider: { redirectUri: `${t.base}/sso/oidc/${tenant.slug}/${created.body.id}/callback` },
      startUrl: `/sso/oidc/${tenant.slug}/${created.body.id}/start`,
    });
    const list = await t.http.get('/api/v1/identity-providers').set('Authorization', admin).expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(JSON.stringify(created.body)).not.toContain(secret);

    const [row] = await ownerQuery('select secret_ciphertext, secret_key_id from idp_configs where id = $1', [created.body.id]);
    expect(row.secret_key_id).toBe(t.config.secretKeyId);
    expect(row.secret_ciphertext).toMatch(/^v1\./);
    expect(row.secret_ciphertext).not.toContain(secret);
    expect(Buffer.from(row.secret_ciphertext.slice(3), 'base64url').toString('latin1')).not.toContain(secret);

    // Changing the name keeps the secret; sending a new secret replaces it (and the event says so, without it).
    await t.http.patch(`/api/v1/identity-providers/${created.body.id}`).set('Authorization', admin).send({ displayName: 'Okta (prod)' }).expect(200);
    const [same] = await ownerQuery('select secret_ciphertext from idp_configs where id = $1', [created.body.id]);
    expect(same.secret_ciphertext).toBe(row.secret_ciphertext);
    const newSecret = `rotated-${randomUUID()}`;
    const updated = await t.http
      .patch(`/api/v1/identity-providers/${created.body.id}`)
      .set('Authorization', admin)
      .send({ oidc: { clientSecret: newSecret } })
      .expect(200);
    expect(updated.body.oidc.hasClientSecret).toBe(true);
    const [rotated] = await ownerQuery('select secret_ciphertext from idp_configs where id = $1', [created.body.id]);
    expect(rotated.secret_ciphertext).not.toBe(row.secret_ciphertext);

    await t.http.delete(`/api/v1/identity-providers/${created.body.id}`).set('Authorization', admin).expect(200);
    await t.http.get(`/api/v1/identity-providers/${created.body.id}`).set('Authorization', admin).expect(404);

    const events = await governanceEvents({ tenantId: tenant.id });
    expect(events.map((e) => e.action)).toEqual(['tenant.created', 'sso.idp_created', 'sso.idp_updated', 'sso.idp_updated', 'sso.idp_deleted']);
    expect(events[3].details).toMatchObject({ changed: ['oidc.clientSecret'], secretChanged: true });
    expect(JSON.stringify(events)).not.toContain(secret);
    expect(JSON.stringify(events)).not.toContain(newSecret);
  });

  it('is for customer admins of the tenant only', async () => {
    const tenant = await createTenant(t.app);
    const viewer = `Bearer ${await tokenFor(t.app, tenant.id, 'customer_viewer')}`;
    await t.http.get('/api/v1/identity-providers').set('Authorization', viewer).expect(403);
    await t.http.post('/api/v1/identity-providers').set('Authorization', viewer).send(oidcBody('x')).expect(403);
    await t.http.get('/api/v1/identity-providers').expect(401);
    // A cookie session needs its CSRF token for a change.
    const s = await signIn(t, { role: 'customer_admin', tenant: tenant.slug });
    await s.agent.post('/api/v1/identity-providers').send(oidcBody('x')).expect(403);
    await s.agent.post('/api/v1/identity-providers').set('x-csrf-token', s.csrf).send(oidcBody('x')).expect(201);
  });

  it("keeps each tenant's providers to itself (row-level security)", async () => {
    const a = await createTenant(t.app);
    const b = await createTenant(t.app);
    const adminA = `Bearer ${await tokenFor(t.app, a.id)}`;
    const adminB = `Bearer ${await tokenFor(t.app, b.id)}`;
    const created = await t.http.post('/api/v1/identity-providers').set('Authorization', adminA).send(oidcBody('a-secret')).expect(201);
    expect((await t.http.get('/api/v1/identity-providers').set('Authorization', adminB).expect(200)).body.items).toEqual([]);
    await t.http.get(`/api/v1/identity-providers/${created.body.id}`).set('Authorization', adminB).expect(404);
    await t.http.patch(`/api/v1/identity-providers/${created.body.id}`).set('Authorization', adminB).send({ enabled: false }).expect(404);
    await t.http.delete(`/api/v1/identity-providers/${created.body.id}`).set('Authorization', adminB).expect(404);
    // B's sign-in page does not list A's provider, and A's provider cannot be started through B's address.
    expect((await t.http.get(`/auth/tenants/${b.slug}`).expect(200)).body.providers).toEqual([]);
    const start = await t.http.get(`/sso/oidc/${b.slug}/${created.body.id}/start`).expect(303);
    expect(start.headers.location).toMatch(/^\/sign-in\/error\?code=unknown_provider/);
    const rls = await ownerQuery(`select relrowsecurity, relforcerowsecurity from pg_class where relname = 'idp_configs'`);
    expect(rls).toEqual([{ relrowsecurity: true, relforcerowsecurity: true }]);
  });

  it('explains what is wrong with a configuration, field by field', async () => {
    const tenant = await createTenant(t.app);
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const noSecret = await t.http
      .post('/api/v1/identity-providers')
      .set('Authorization', admin)
      .send({ ...oidcBody('x'), oidc: { issuer: 'https://x.example', clientId: 'c' } })
      .expect(400);
    expect(noSecret.body.fields).toEqual([{ field: 'oidc.clientSecret', message: 'is required' }]);
    const badEntra = await t.http
      .post('/api/v1/identity-providers')
      .set('Authorization', admin)
      .send({ kind: 'entra', displayName: 'E', roleMapping, entra: { directoryId: 'contoso.onmicrosoft.com', clientId: 'nope', clientSecret: 's' } })
      .expect(400);
    expect(badEntra.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['entra.clientId', 'entra.directoryId']);
    const badRole = await t.http
      .post('/api/v1/identity-providers')
      .set('Authorization', admin)
      .send({ ...oidcBody('x'), roleMapping: { claim: 'g', rules: [{ value: 'x', role: 'support_engineer' }] } })
      .expect(400);
    expect(badRole.body.fields[0].field).toBe('roleMapping.rules.0.role');
    const badMetadata = await t.http
      .post('/api/v1/identity-providers')
      .set('Authorization', admin)
      .send({ kind: 'saml', displayName: 'S', roleMapping, saml: { metadataXml: '<not-metadata/>' } })
      .expect(400);
    expect(badMetadata.body.fields).toEqual([{ field: 'saml.metadataXml', message: 'the metadata is not SAML 2.0 metadata (no md:EntityDescriptor)' }]);
    const unreachable = await t.http
      .post('/api/v1/identity-providers')
      .set('Authorization', admin)
      .send({ kind: 'saml', displayName: 'S', roleMapping, saml: { metadataUrl: `${idp.base}/no-metadata-here` } })
      .expect(400);
    expect(unreachable.body.fields[0]).toMatchObject({
      field: 'saml.metadataUrl',
      message: expect.stringMatching(/could not be fetched: the server answered 404/),
    });
    const wrongKind = await t.http.post('/api/v1/identity-providers').set('Authorization', admin).send(oidcBody('x')).expect(201);
    const wrong = await t.http
      .patch(`/api/v1/identity-providers/${wrongKind.body.id}`)
      .set('Authorization', admin)
      .send({ saml: { metadataUrl: idp.metadataUrl } })
      .expect(400);
    expect(wrong.body.fields).toEqual([{ field: 'saml', message: 'does not apply to this OIDC provider' }]);
  });

  it('accepts SAML from metadata XML or from entity ID, SSO URL and certificate, and an Entra certificate credential', async () => {
    const tenant = await createTenant(t.app);
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const fromXml = await t.http
      .post('/api/v1/identity-providers')
      .set('Authorization', admin)
      .send({ kind: 'saml', displayName: 'XML', roleMapping, saml: { metadataXml: idp.metadataXml() } })
      .expect(201);
    expect(fromXml.body.saml).toMatchObject({ idpEntityId: idp.entityId, ssoUrl: `${idp.base}/sso`, metadataUrl: null });
    const byHand = await t.http
      .post('/api/v1/identity-providers')
      .set('Authorization', admin)
      .send({
        kind: 'saml',
        displayName: 'Manual',
        roleMapping,
        saml: { entityId: 'urn:acme:idp', ssoUrl: 'https://idp.acme.example/sso', certificate: idp.keys.cert },
      })
      .expect(201);
    expect(byHand.body.saml.certificates[0].fingerprintSha256).toMatch(/^[0-9A-F:]{95}$/);
    expect(byHand.body.serviceProvider).toEqual({
      entityId: `${t.base}/sso/saml/${tenant.slug}/${byHand.body.id}/metadata`,
      acsUrl: `${t.base}/sso/saml/${tenant.slug}/${byHand.body.id}/acs`,
      metadataUrl: `${t.base}/sso/saml/${tenant.slug}/${byHand.body.id}/metadata`,
    });
    const cred = selfSignedCertificate('portal-entra-credential');
    const entra = await t.http
      .post('/api/v1/identity-providers')
      .set('Authorization', admin)
      .send({
        kind: 'entra',
        displayName: 'Entra',
        roleMapping,
        entra: { directoryId: randomUUID(), clientId: randomUUID(), certificate: { certificatePem: cred.cert, privateKeyPem: cred.key } },
      })
      .expect(201);
    expect(entra.body.entra).toMatchObject({
      credential: 'certificate',
      hasCertificate: true,
      hasClientSecret: false,
      cloudInstance: 'https://login.microsoftonline.com',
    });
    expect(entra.body.entra.certificate.thumbprintSha256).toMatch(/^[0-9A-F]{64}$/);
    expect(JSON.stringify(entra.body)).not.toContain('PRIVATE KEY');
    const other = selfSignedCertificate('other');
    const mismatch = await t.http
      .post('/api/v1/identity-providers')
      .set('Authorization', admin)
      .send({
        kind: 'entra',
        displayName: 'Entra',
        roleMapping,
        entra: { directoryId: randomUUID(), clientId: randomUUID(), certificate: { certificatePem: cred.cert, privateKeyPem: other.key } },
      })
      .expect(400);
    expect(mismatch.body.fields).toEqual([{ field: 'entra.certificate.privateKeyPem', message: 'does not belong to the certificate' }]);
  });

  it('links an existing account to a provider: customer admins of the tenant only, SAML and Entra by subject', async () => {
    const tenant = await createTenant(t.app);
    const admin = await tokenFor(t.app, tenant.id);
    const viewer = await tokenFor(t.app, tenant.id, 'customer_viewer');
    const user = await signIn(t, { role: 'customer_viewer', tenant: tenant.slug, email: 'dana@acme.example' });
    const other = await signIn(t, { role: 'customer_viewer', tenant: tenant.slug, email: 'erin@acme.example' });
    const oidc = (await t.http.post('/api/v1/identity-providers').set('Authorization', `Bearer ${admin}`).send(oidcBody('s')).expect(201)).body;
    const saml = (
      await t.http
        .post('/api/v1/identity-providers')
        .set('Authorization', `Bearer ${admin}`)
        .send({ kind: 'saml', displayName: 'S', roleMapping, saml: { metadataXml: idp.metadataXml() } })
        .expect(201)
    ).body;
    await linkAccount(t.app, viewer, oidc.id, { email: 'dana@acme.example' }).expect(403);
    await t.http.post(`/api/v1/identity-providers/${oidc.id}/links`).send({ email: 'dana@acme.example' }).expect(401);
    const foreignAdmin = await tokenFor(t.app, (await createTenant(t.app)).id);
    await linkAccount(t.app, foreignAdmin, oidc.id, { email: 'dana@acme.example' }).expect(404);
    expect((await linkAccount(t.app, admin, oidc.id, { email: 'nobody@acme.example' }).expect(404)).body.message).toMatch(/no account/);
    expect((await linkAccount(t.app, admin, oidc.id, { email: 'dana@acme.example', userId: user.principal.id }).expect(400)).body.fields[0].field).toBe(
      'userId',
    );
    expect((await linkAccount(t.app, admin, oidc.id, { email: 'dana@acme.example', extra: 1 }).expect(400)).body.error).toBe('validation_failed');
    const noSubject = await linkAccount(t.app, admin, saml.id, { userId: user.principal.id }).expect(400);
    expect(noSubject.body.fields).toEqual([{ field: 'subject', message: expect.stringMatching(/required for a SAML provider.*NameID/) }]);
    await linkAccount(t.app, admin, saml.id, { userId: user.principal.id, subject: 'dana-0001' }).expect(201);
    expect(await ownerQuery('select idp_config_id, idp_subject from users where id = $1', [user.principal.id])).toEqual([
      { idp_config_id: saml.id, idp_subject: `saml:${idp.entityId}|dana-0001` },
    ]);
    // One subject of one provider is one account.
    await linkAccount(t.app, admin, saml.id, { userId: other.principal.id, subject: 'dana-0001' }).expect(409);
    const events = await governanceEvents({ tenantId: tenant.id, action: 'sso.account_linked' });
    expect(events.map((e) => [e.subject_id, e.details.mode])).toEqual([[user.principal.id, 'subject']]);
    const doc = await t.http.get('/api/docs-json').expect(200);
    expect(doc.body.paths['/api/v1/identity-providers/{id}/links'].post.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/LinkIdentityProviderAccount',
    );
  });

  it('rate-limits anonymous sign-in requests per client address: 429 with Retry-After, on the way to the error page', async () => {
    // The `sso:ip` policy of the portal's rate limits: 120 a minute, scaled here by RATE_LIMIT_FACTOR to 30.
    const limitedApp = await startSsoApp({ RATE_LIMITS_ENABLED: 'true', RATE_LIMIT_FACTOR: '0.25' });
    // Until the shared Redis connection is ready the limits are counted in memory; count in Redis from the start.
    await limitedApp.app.get(RedisConnections).client().ping();
    try {
      const tenant = await createTenant(limitedApp.app);
      const start = `/sso/oidc/${tenant.slug}/00000000-0000-4000-8000-000000000000/start`;
      const since = await lastEventId();
      for (let i = 0; i < 30; i++) await limitedApp.http.get(start).set('X-Forwarded-For', '203.0.113.9').expect(303);
      const limited = await limitedApp.http.get(start).set('X-Forwarded-For', '203.0.113.9').expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(limited.text).toMatch(new RegExp(`url=/sign-in/error\\?code=rate_limited&amp;cid=[^"&]+&amp;tenant=${tenant.slug}`));
      await limitedApp.http.get(start).set('X-Forwarded-For', '203.0.113.9').expect(429);
      // Another address is not affected; the ACS and callbacks count too.
      await limitedApp.http.get(start).set('X-Forwarded-For', '203.0.113.10').expect(303);
      await limitedApp.http.post(`/sso/saml/${tenant.slug}/x/acs`).set('X-Forwarded-For', '203.0.113.9').type('form').send({ SAMLResponse: 'x' }).expect(429);
      const rows = await governanceEvents({ tenantId: tenant.id, action: 'auth.sign_in_failed', since });
      expect(rows.map((r) => [r.details.code, r.details.occurrences])).toEqual([
        ['unknown_provider', 1],
        ['unknown_provider', 10],
        ['rate_limited', 1],
      ]);
      expect(rows[2].details.reason).toContain('more than 30 sign-in requests');
      expect((await limitedApp.http.get('/sso/errors/rate_limited').expect(200)).body.title).toMatch(/Too many/);
    } finally {
      await limitedApp.close();
    }
    // With RATE_LIMITS_ENABLED=false (the other suites' setting) the same address is never refused.
    const tenant = await createTenant(t.app);
    const start = `/sso/oidc/${tenant.slug}/00000000-0000-4000-8000-000000000000/start`;
    for (let i = 0; i < 150; i++) await t.http.get(start).set('X-Forwarded-For', '203.0.113.11').expect(303);
  });

  describe('under the production URL policy (no plain http, no private addresses)', () => {
    let prod: SsoTestApp;
    beforeAll(async () => {
      // Same database and secret key as `t`: a provider saved there is signed in here.
      prod = await startSsoApp({
        SSO_ALLOW_INSECURE_HTTP: 'false',
        SSO_ALLOW_PRIVATE_NETWORK: 'false',
        SECRET_KEY: t.config.secretKey.toString('base64'),
        SECRET_KEY_ID: t.config.secretKeyId,
      });
    });
    afterAll(async () => {
      await prod?.close();
    });

    it.each([
      ['NAT64 to loopback', 'https://[64:ff9b::7f00:1]/'],
      ['NAT64 to the metadata service', 'https://[64:ff9b::a9fe:a9fe]/'],
      ['6to4 of 10.0.0.1', 'https://[2002:a00:1::1]/'],
      ['IPv4-compatible loopback', 'https://[::7f00:1]/'],
    ])('refuses an issuer at an IPv6 form of a private address: %s', async (_name, issuer) => {
      const tenant = await createTenant(prod.app);
      const res = await prod.http
        .post('/api/v1/identity-providers')
        .set('Authorization', `Bearer ${await tokenFor(prod.app, tenant.id)}`)
        .send({ ...oidcBody('x'), oidc: { issuer, clientId: 'c', clientSecret: 's' } })
        .expect(400);
      expect(res.body.fields).toEqual([{ field: 'oidc.issuer', message: 'must not point at a private or loopback address' }]);
    });

    it('names a provider whose http:// issuer the policy refuses as unreachable (idp_unreachable)', async () => {
      const tenant = await createTenant(t.app);
      // Saved where plain http was allowed (another environment, an older setting); signed in where it is not.
      const created = await t.http
        .post('/api/v1/identity-providers')
        .set('Authorization', `Bearer ${await tokenFor(t.app, tenant.id)}`)
        .send({ ...oidcBody('x'), oidc: { issuer: `http://127.0.0.1:${await freePort()}/`, clientId: 'c', clientSecret: 's' } })
        .expect(201);
      const since = await lastEventId();
      const { location } = await visit(new Browser(), `${prod.base}${created.body.startUrl}`);
      expect(errorRedirect(location)).toMatchObject({ code: 'idp_unreachable', tenant: tenant.slug });
      const [row] = await governanceEvents({ tenantId: tenant.id, action: 'auth.sign_in_failed', since });
      expect(row.details.reason).toMatch(/must use https/);
    });
  });

  it('serves the error page text for a code, and nothing for a made-up one', async () => {
    const res = await t.http.get('/sso/errors/wrong_directory').expect(200);
    expect(res.body).toMatchObject({ code: 'wrong_directory', title: expect.any(String), message: expect.any(String), adminAction: expect.any(String) });
    await t.http.get('/sso/errors/%3Cscript%3E').expect(404);
  });
});
