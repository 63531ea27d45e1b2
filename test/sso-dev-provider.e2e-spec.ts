import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createTenant, signIn, tokenFor } from './support/test-app';
import { Browser } from './sso/browser';
import { createIdp, linkAccount, oidcDanceToCallback, visit } from './sso/flows';
import { errorRedirect, freePort, SsoTestApp, startSsoApp } from './sso/harness';

/** docs/sso.md, step by step: the local provider of scripts/dev-oidc-provider.js signs the demo admin in. */
describe('docs/sso.md: a tenant against the local OIDC provider script', () => {
  let t: SsoTestApp;
  let op: ChildProcess;
  let issuer: string;

  beforeAll(async () => {
    const port = await freePort();
    const opPort = await freePort();
    issuer = `http://127.0.0.1:${opPort}`;
    op = spawn(process.execPath, [join(__dirname, '..', 'scripts', 'dev-oidc-provider.js')], {
      env: { ...process.env, OIDC_PORT: String(opPort), PORTAL_URL: `http://127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      op.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('issuer')) resolve();
      });
      op.on('exit', (code) => reject(new Error(`dev-oidc-provider exited with ${code}`)));
    });
    t = await startSsoApp({}, port);
  });
  afterAll(async () => {
    await t?.close();
    if (op && op.exitCode === null) {
      const exited = new Promise((r) => op.once('exit', r));
      op.kill('SIGTERM');
      await exited;
    }
  });

  it('configures the tenant with the documented request and signs the admin in to the incident list', async () => {
    const tenant = await createTenant(t.app);
    // The demo seed's admin already exists, created without any identity provider.
    const seeded = await signIn(t, { role: 'customer_admin', tenant: tenant.slug, email: 'admin@acme.example' });
    const token = await tokenFor(t.app, tenant.id);
    const idp = await createIdp(t.app, token, {
      kind: 'oidc',
      displayName: 'Demo OIDC',
      roleMapping: {
        claim: 'groups',
        rules: [
          { value: 'portal-admins', role: 'customer_admin' },
          { value: 'portal-users', role: 'customer_viewer' },
        ],
        defaultRole: null,
      },
      oidc: { issuer, clientId: 'portal-demo', clientSecret: 'portal-demo-secret' },
    });
    const options = await t.http.get(`/auth/tenants/${tenant.slug}`).expect(200);
    const button = options.body.providers[0];
    expect(button.displayName).toBe('Demo OIDC');

    // A sign-in never takes over an existing account: the admin links it to the provider first (docs/sso.md, step 4).
    const refused = new Browser();
    expect(
      errorRedirect((await visit(refused, await oidcDanceToCallback(refused, `${t.base}${button.startUrl}`, 'admin@acme.example', 'demo'))).location).code,
    ).toBe('account_conflict');
    await linkAccount(t.app, token, idp.id, { email: 'admin@acme.example' }).expect(201);

    const b = new Browser();
    const { location } = await visit(b, await oidcDanceToCallback(b, `${t.base}${button.startUrl}`, 'admin@acme.example', 'demo'));
    expect(location!.pathname).toBe('/'); // the web app's home sends customers to the incident list
    const me = JSON.parse((await b.get(`${t.base}/api/v1/me`)).body);
    expect(me.principal).toMatchObject({ id: seeded.principal.id, role: 'customer_admin' }); // linked by the admin, bound by this verified sign-in
    expect((await b.get(`${t.base}/api/v1/incidents`)).status).toBe(200);
    expect(idp.serviceProvider.redirectUri).toBe(`${t.base}/sso/oidc/${tenant.slug}/${idp.id}/callback`);

    const guest = new Browser();
    expect(
      errorRedirect((await visit(guest, await oidcDanceToCallback(guest, `${t.base}${button.startUrl}`, 'guest@acme.example', 'demo'))).location).code,
    ).toBe('no_role');
  });
});
