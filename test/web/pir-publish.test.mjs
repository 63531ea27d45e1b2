// Publishing reviews (issue 15, h2b-pir-publish): PIRs due show in the customer's incident list and in the vendor
// view with a badge and a filter; the customer admin connects the tenant's Hub in Settings → Integrations; the
// published review lists where it was shared. 1280 and 390 px, axe clean.
import { after, before, describe, test } from 'node:test';
import { assert, BASE, expectAccessible, expectNoHorizontalOverflow, launch, newPage, pickOption, settle, signInCustomer, signInStaff } from './helpers.mjs';

// The demo's globex Sev 1 is resolved with no review yet: its review is due in business days.
const DUE_TITLE = 'SSO sign-in fails for all users';

async function filterOwed(page, width) {
  if (width === 390) await page.getByRole('button', { name: 'Change' }).click();
  await pickOption(page, page.getByRole('textbox', { name: 'Post-incident review' }), 'Due or overdue');
  await page.waitForURL((u) => u.searchParams.get('pir') === 'owed');
}

describe('reviews due, the Hub and where a review was shared', { timeout: 240_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  for (const width of [1280, 390]) {
    test(`the customer admin sees and filters the reviews due (${width} px)`, async () => {
      const page = await newPage(browser, { width, height: 900 });
      await signInCustomer(page, { tenant: 'globex', email: 'admin@globex.example' });
      await page.goto(`${BASE}/incidents`);
      await page.getByTestId('incident-list').waitFor();
      await filterOwed(page, width);
      const row = page.getByTestId('incident-row').filter({ hasText: DUE_TITLE });
      await row.waitFor();
      const badge = row.getByTestId('pir-due');
      assert.match(await badge.innerText(), /^PIR due in \d+ business days?$/);
      assert.equal(await badge.getAttribute('data-pir'), 'due');
      // Every row the filter keeps owes a review.
      const states = await page.getByTestId('incident-row').evaluateAll((rows) => rows.map((r) => r.querySelector('[data-testid="pir-due"]')?.dataset.pir));
      assert.ok(states.length > 0 && states.every((s) => s === 'due' || s === 'overdue'), `filtered rows: ${states.join(', ')}`);
      await settle(page);
      if (width === 390) await expectNoHorizontalOverflow(page, 'the incident list filtered by review');
      await expectAccessible(page, `incident list, reviews due ${width}px`);
      await page.close();
    });

    test(`the vendor view shows the review due of each tenant (${width} px)`, async () => {
      const page = await newPage(browser, { width, height: 900 });
      await signInStaff(page, { email: 'support@claresia.example' });
      await page.goto(`${BASE}/vendor`);
      await page.getByTestId('incident-list').waitFor();
      await filterOwed(page, width);
      const row = page.getByTestId('incident-row').filter({ hasText: DUE_TITLE });
      await row.waitFor();
      assert.match(await row.getByTestId('pir-due').innerText(), /^PIR due in \d+ business days?$/);
      // The API list items carry the state the badge shows.
      const api = await page.evaluate(async () => (await (await fetch('/api/v1/incidents?pir=owed&limit=100')).json()).items.map((i) => i.pir.state));
      assert.ok(api.length > 0 && api.every((s) => s === 'due' || s === 'overdue'));
      await settle(page);
      if (width === 390) await expectNoHorizontalOverflow(page, 'the vendor view filtered by review');
      await expectAccessible(page, `vendor view, reviews due ${width}px`);
      await page.close();
    });

    test(`the customer admin connects the Hub; the published review lists where it was shared (${width} px)`, async () => {
      const page = await newPage(browser, { width, height: 900 });
      await signInCustomer(page, { tenant: 'acme', email: 'admin@acme.example' });
      await page.goto(`${BASE}/settings/integrations`);
      const hub = page.getByTestId('hub');
      await hub.getByRole('heading', { name: 'Hub' }).waitFor();
      await hub.getByLabel('Hub endpoint URL').fill('https://hub.example.test/output-records');
      await hub.getByLabel('Signing secret').fill('not-a-secret');
      await hub.getByRole('button', { name: /Connect the Hub|Replace connection/ }).click();
      await hub.getByText(/must be a Standard Webhooks secret/i).waitFor();
      const secret = `whsec_${Buffer.alloc(32, width % 251).toString('base64')}`;
      await hub.getByLabel('Signing secret').fill(secret);
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/integrations/hub') && r.request().method() === 'PUT' && r.status() === 200),
        hub.getByRole('button', { name: /Connect the Hub|Replace connection/ }).click(),
      ]);
      await hub.getByText('https://hub.example.test/output-records').waitFor();
      assert.ok(!(await hub.innerText()).includes(secret), 'the secret is never shown back');
      await settle(page);
      if (width === 390) await expectNoHorizontalOverflow(page, 'the integrations page');
      await expectAccessible(page, `integrations with the Hub ${width}px`);

      const incident = await page.evaluate(async () => {
        const body = await (await fetch('/api/v1/incidents?severity=sev1&status=resolved&limit=100')).json();
        return body.items.find((i) => i.title.startsWith('Agent console unavailable'));
      });
      await page.goto(`${BASE}/incidents/${incident.id}`);
      const shared = page.getByTestId('pir-deliveries');
      await shared.getByRole('heading', { name: 'Shared with' }).waitFor();
      await settle(page);
      await expectAccessible(page, `published review, shared with ${width}px`);
      await page.close();
    });
  }
});
