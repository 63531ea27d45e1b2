// A customer success manager sees the incidents of the tenants assigned to them, read-only.
import { after, before, describe, test } from 'node:test';
import { assert, expectAccessible, launch, newPage, screenshot, settle, signInStaff } from './helpers.mjs';

describe('CSM vendor view', { timeout: 120_000 }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    page = await newPage(browser);
  });
  after(async () => {
    await browser?.close();
  });

  test('the staff sign-in works without a tenant and lands on the all-tenants view', async () => {
    await page.goto('/sign-in');
    await settle(page);
    await screenshot(page, 'sign-in-staff', { docs: false });
    await signInStaff(page, { email: 'csm@claresia.example', role: 'csm' });
    await page.waitForURL(/\/vendor$/);
    await page.getByRole('heading', { name: 'All incidents', level: 1 }).waitFor();
    await page.getByText('Claresia customer success', { exact: false }).first().waitFor();
  });

  test('only assigned tenants are listed, and the incident page has no support actions', async () => {
    await page.getByRole('textbox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'All', exact: true }).click();
    const rows = page.getByTestId('incident-row');
    // Choosing "All" refetches the list: rows of the previous filter may vanish while it loads, so read them once
    // they are there again.
    let texts = [];
    while (texts.length === 0) {
      await rows.first().waitFor();
      texts = await rows.allTextContents();
    }
    assert.ok(
      texts.every((t) => /Acme Manufacturing/.test(t)),
      `only Acme (the CSM's tenant): ${texts.join(' | ')}`,
    );
    await settle(page);
    await expectAccessible(page, 'vendor view (CSM)');

    await rows.first().getByRole('link').first().click();
    await page.getByTestId('incident-reference').waitFor();
    await page.getByTestId('audit-trail').getByRole('listitem').first().waitFor();
    assert.equal(await page.getByTestId('support-actions').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Send reply' }).count(), 0);
    assert.deepEqual(page.problems, []);
  });
});
