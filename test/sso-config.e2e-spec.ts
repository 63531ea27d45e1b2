import { randomUUID } from 'node:crypto';
import { createTenant, signIn, tokenFor } from './support/test-app';
import { governanceEvents, ownerQuery, SsoTestApp, startSsoApp } from './sso/harness';
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

  it('serves the error page text for a code, and nothing for a made-up one', async () => {
    const res = await t.http.get('/sso/errors/wrong_directory').expect(200);
    expect(res.body).toMatchObject({ code: 'wrong_directory', title: expect.any(String), message: expect.any(String), adminAction: expect.any(String) });
    await t.http.get('/sso/errors/%3Cscript%3E').expect(404);
  });
});
