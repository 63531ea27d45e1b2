// Settings of a customer admin: the incident-contact list and API tokens (shown once, then revocable).
import { after, before, describe, test } from 'node:test';
import { assert, expectAccessible, launch, newPage, screenshot, settle, signInCustomer } from './helpers.mjs';

describe('settings: incident contacts and API tokens', { timeout: 180_000 }, () => {
  let browser;
  let page;
  const tokenName = `CI monitoring ${Date.now().toString(36)}`;

  before(async () => {
    browser = await launch();
    page = await newPage(browser, { timezoneId: 'Europe/Rome' });
    await signInCustomer(page, { tenant: 'acme', email: 'admin@acme.example' });
  });
  after(async () => {
    await browser?.close();
  });

  test('an admin adds an incident contact; a bad email is shown next to the field', async () => {
    await page.getByRole('navigation', { name: 'Main', exact: true }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    const contacts = page.getByTestId('contacts');
    await contacts.getByTestId('contact-row').first().waitFor();
    const before = await contacts.getByTestId('contact-row').count();

    await contacts.getByRole('button', { name: 'Add contact' }).click();
    const row = contacts.getByTestId('contact-row').nth(before);
    await row.getByLabel('Name').fill('Dana Ops');
    await row.getByLabel('Email').fill('dana-at-acme');
    await row.getByLabel('Phone').fill('+39 02 1234 5678');
    await row.getByLabel('Role').fill('Service desk lead');
    await contacts.getByRole('button', { name: 'Save contacts' }).click();
    await row.getByText('Must be an email address').waitFor();

    await row.getByLabel('Email').fill('dana@acme.example');
    assert.equal(await row.getByText('Must be an email address').count(), 0, 'the error goes away as the user types');
    await contacts.getByRole('button', { name: 'Save contacts' }).click();
    await page.getByText('Incident contacts saved').waitFor();

    await page.reload();
    await page.getByTestId('contacts').getByTestId('contact-row').nth(before).waitFor();
    const saved = page.getByTestId('contacts').getByTestId('contact-row').nth(before);
    assert.equal(await saved.getByLabel('Name').inputValue(), 'Dana Ops');
    assert.equal(await saved.getByLabel('Email').inputValue(), 'dana@acme.example');
  });

  test('an admin creates a token, sees it once with a copy button, then revokes it', async () => {
    const tokens = page.getByTestId('api-tokens');
    await tokens.getByRole('button', { name: 'Create token' }).click();
    await tokens.getByText('Required').first().waitFor();

    await tokens.getByLabel('Token name').fill(tokenName);
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const created = page.getByTestId('new-token');
    await created.waitFor();
    const value = (await created.getByTestId('new-token-value').textContent()).trim();
    assert.match(value, /^pt_[0-9a-f]{32}_[A-Za-z0-9_-]{20,}$/);
    await created.getByRole('button', { name: 'Copy' }).waitFor();
    const row = tokens.getByTestId('token-row').filter({ hasText: tokenName });
    await row.waitFor();
    assert.ok(!(await row.textContent()).includes(value), 'the list never shows the full token');

    await settle(page);
    await expectAccessible(page, 'settings');
    await screenshot(page, 'settings');

    // The token works against the API until it is revoked.
    const use = (t) =>
      page.evaluate(async (tok) => (await fetch('/api/v1/incidents?limit=1', { headers: { authorization: `Bearer ${tok}` }, credentials: 'omit' })).status, t);
    assert.equal(await use(value), 200);

    await row.getByRole('button', { name: `Revoke token ${tokenName}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await page.getByText(`Token “${tokenName}” revoked`, { exact: false }).waitFor();
    await row.waitFor({ state: 'detached' });
    assert.equal(await use(value), 401, 'a revoked token is refused');

    await page.reload();
    await page.getByTestId('api-tokens').getByRole('heading', { name: 'Active tokens' }).waitFor();
    assert.equal(await page.getByText('Token “' + tokenName + '” created').count(), 0, 'the token value is not shown again');
    assert.deepEqual(page.problems, []);
  });
});
