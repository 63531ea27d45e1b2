// Single sign-on in the browser: a customer admin configures the tenant against a real local
// OpenID Provider (scripts/dev-oidc-provider.js), then people sign in through it. A person whose
// groups map to no role lands on the SSO error page, which says what failed and what to do.
import { after, before, describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { assert, BASE, expectAccessible, launch, newPage, screenshot, settle, signInCustomer } from './helpers.mjs';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

describe('single sign-on through a real OpenID Provider', { timeout: 240_000 }, () => {
  let browser;
  let provider;
  let issuer;

  before(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    provider = spawn(process.execPath, [join(process.cwd(), 'scripts/dev-oidc-provider.js')], {
      env: { ...process.env, OIDC_PORT: String(port), PORTAL_URL: BASE },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve, reject) => {
      let out = '';
      provider.stdout.on('data', (d) => {
        out += d;
        if (out.includes('[dev-oidc-provider] issuer')) resolve();
      });
      provider.on('exit', (code) => reject(new Error(`dev OIDC provider exited with ${code}`)));
    });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    provider?.kill('SIGTERM');
  });

  test('a customer admin adds an OpenID Connect provider in Settings', async () => {
    const page = await newPage(browser);
    await signInCustomer(page, { tenant: 'acme', email: 'admin@acme.example' });
    await page.goto('/settings');
    await page.getByRole('link', { name: 'Manage identity providers' }).click();
    await page.getByRole('heading', { name: 'Identity providers', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Add identity provider' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('OpenID Connect', { exact: true }).click();
    await dialog.getByLabel('Name on the sign-in button').fill('Demo OIDC');
    await dialog.getByLabel('Issuer').fill(issuer);
    await dialog.getByLabel('Client ID').fill('portal-demo');
    await dialog.getByLabel('Client secret').fill('portal-demo-secret');
    await dialog.getByLabel('Rule 1 value').fill('portal-admins');
    await dialog.getByRole('button', { name: 'Add provider' }).click();
    const card = page.getByTestId('idp-card').filter({ hasText: 'Demo OIDC' });
    await card.waitFor();
    assert.equal(await page.getByText('portal-demo-secret').count(), 0, 'the client secret is never shown back');
    await settle(page);
    await expectAccessible(page, 'identity providers');
    await screenshot(page, 'identity-providers');
    // A sign-in never takes over an existing account: the admin links their own account (created by the
    // development sign-in) to the provider with the "Link account" button, for its next verified sign-in.
    await card.getByRole('button', { name: 'Link an account to Demo OIDC' }).click();
    const linkDialog = page.getByRole('dialog', { name: 'Link an account to “Demo OIDC”' });
    await linkDialog.getByRole('button', { name: 'Link account' }).click();
    await linkDialog.getByText('Must be an email address').or(linkDialog.getByText('Required')).first().waitFor();
    await linkDialog.getByLabel('Email of the existing account').fill('admin@acme.example');
    await settle(page);
    await expectAccessible(page, 'link an account');
    await linkDialog.getByRole('button', { name: 'Link account' }).click();
    await page.getByText('admin@acme.example is linked: their next sign-in with Demo OIDC binds the account').waitFor();
    await linkDialog.waitFor({ state: 'hidden' });
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('signing in through the provider lands on the incident list as the mapped role', async () => {
    const page = await newPage(browser);
    await page.goto('/t/acme/sign-in');
    await page.getByRole('link', { name: 'Sign in with Demo OIDC' }).click();
    await page.waitForURL((u) => u.href.startsWith(issuer));
    await page.locator('#login').fill('admin@acme.example');
    await page.locator('#password').fill('demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.href.startsWith(BASE) && !u.pathname.includes('sign-in'));
    await page.getByRole('heading', { name: /incidents/i, level: 1 }).waitFor();
    const me = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json()));
    assert.equal(me.principal.role, 'customer_admin');
    assert.equal(me.tenant.slug, 'acme');
    await page.context().close();
  });

  test('a person whose groups map to no role lands on an error page that says why, with a correlation id', async () => {
    const page = await newPage(browser);
    await page.goto('/t/acme/sign-in');
    await page.getByRole('link', { name: 'Sign in with Demo OIDC' }).click();
    await page.waitForURL((u) => u.href.startsWith(issuer));
    await page.locator('#login').fill('guest@acme.example');
    await page.locator('#password').fill('demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/sign-in/error');
    await page.getByText('Your account has no role in the portal').waitFor();
    await page
      .getByText(/Role mapping/)
      .first()
      .waitFor();
    const cid = new URL(page.url()).searchParams.get('cid');
    assert.ok(cid && (await page.getByText(cid).count()) > 0, 'the correlation id is shown');
    await settle(page);
    await expectAccessible(page, 'sso error');
    await screenshot(page, 'sso-error');
    const status = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.status));
    assert.equal(status, 401, 'no session was started');
    await page.context().close();
  });
});
