// Settings → credential health: the admin sees what expires when and subscribes to the weekly digest (1280 and 390 px).
import { after, before, describe, test } from 'node:test';
import { assert, expectAccessible, expectNoHorizontalOverflow, launch, newPage, screenshot, settle, signInCustomer } from './helpers.mjs';

describe('settings: credential-health digest', { timeout: 180_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  for (const width of [1280, 390]) {
    test(`an admin subscribes and stops the digest at ${width} px`, async () => {
      const page = await newPage(browser, { width, height: width === 390 ? 844 : 900 });
      await signInCustomer(page, { tenant: 'acme', email: 'admin@acme.example' });
      await page.goto('/settings');
      const section = page.getByTestId('credential-health');
      await section.getByRole('heading', { name: 'Credential health' }).waitFor();
      await section.getByTestId('credential-row').first().waitFor();
      const form = section.getByRole('form', { name: 'Credential-health digest' });
      await form.getByLabel('Send the weekly digest to').fill('it-at-acme');
      await form.getByRole('button', { name: 'Subscribe' }).click();
      await form.getByText('Must be an email address').waitFor();
      await form.getByLabel('Send the weekly digest to').fill(`it-${width}@acme.example`);
      await form.getByRole('button', { name: 'Subscribe' }).click();
      await section.getByTestId('digest-subscription').getByText(`it-${width}@acme.example`).waitFor();
      await section.scrollIntoViewIfNeeded();
      await expectNoHorizontalOverflow(page, `settings at ${width}`);
      await settle(page);
      await expectAccessible(page, `credential health (${width})`);
      await screenshot(page, `credential-health-${width}`);
      await section.getByRole('button', { name: 'Stop the digest' }).click();
      await form.waitFor();
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }
});
