// The intake form validates as the user types with the API's own schema, and shows the API's
// 400 field errors next to the fields they concern.
import { after, before, describe, test } from 'node:test';
import { assert, launch, newPage, signInCustomer } from './helpers.mjs';

describe('declare form validation', { timeout: 120_000 }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    page = await newPage(browser);
    await signInCustomer(page, { tenant: 'acme', email: 'admin@acme.example' });
    await page.goto('/incidents/new');
    await page.getByRole('heading', { name: 'Declare an incident', level: 1 }).waitFor();
  });
  after(async () => {
    await browser?.close();
  });

  const errorOf = (label) =>
    page.evaluate((l) => {
      const input = [...document.querySelectorAll('input, textarea, [role="radiogroup"], [role="group"]')].find((el) => {
        const ids = (el.getAttribute('aria-labelledby') ?? '').split(' ');
        const byId = ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
        const byFor = el.id ? (document.querySelector(`label[for="${el.id}"]`)?.textContent ?? '') : '';
        return (byFor || byId).replace('*', '').trim() === l;
      });
      if (!input) return `no field labelled ${l}`;
      const described = (input.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id));
      const err = described.find((el) => el && /error/.test(el.id + ' ' + el.className));
      return err ? err.textContent.trim() : null;
    }, label);

  test('submitting an empty form marks the required fields and focuses the first', async () => {
    await page.getByRole('button', { name: 'Declare incident', exact: true }).last().click();
    await page.getByRole('alert').filter({ hasText: 'Please check' }).waitFor();
    assert.equal(await errorOf('Title'), 'Required');
    assert.equal(await errorOf('Symptoms'), 'Required');
    assert.equal(await errorOf('Affected services'), 'Pick at least one affected service');
    assert.equal(await errorOf('Impacted users'), 'Required');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'field-title');
    // No Mode C plane question for a Mode A tenant.
    assert.equal(await page.getByText('Which plane is affected?').count(), 0);
  });

  test('errors clear and appear as the user types', async () => {
    await page.getByLabel('Title').fill('Dashboard slow in one tab');
    assert.equal(await errorOf('Title'), null);
    await page.getByLabel('Title').fill('x'.repeat(201));
    assert.equal(await errorOf('Title'), null, 'the input stops at 200 characters');

    await page.getByRole('checkbox', { name: 'Other change' }).check();
    await page.getByText('Describe the other change', { exact: true }).waitFor();
    assert.equal(await errorOf('Details of the changes'), 'Describe the other change');
    await page.getByLabel('Details of the changes').fill('Proxy certificate renewed');
    assert.equal(await errorOf('Details of the changes'), null);

    // The severity helper suggests from the words of the description too.
    await page.getByLabel('Symptoms').fill('The usage dashboard is slow in one tab; everything else is fine.');
    await page.getByTestId('severity-suggestion').getByText('Sev 2 (Degraded)').waitFor();
  });

  test('the API’s 400 field errors are shown next to their fields', async () => {
    await page.getByRole('radio', { name: 'Sev 3 (Cosmetic)' }).check();
    await page.getByText('A Claresia engineer will acknowledge within 1 business day.').waitFor();
    await page.getByRole('checkbox', { name: 'Command Center' }).check();
    await page.getByRole('checkbox', { name: 'eu-central-1 (Frankfurt)' }).check();
    await page.getByLabel('Impacted users').fill('12');
    // A field rule only the server knows (e.g. a region removed from the tenant meanwhile).
    await page.route('**/api/v1/incidents', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 400,
            contentType: 'application/json',
            body: JSON.stringify({
              error: 'validation_failed',
              message: 'the request has invalid fields',
              fields: [{ field: 'regions.0', message: 'is not a region of this tenant (eu-south-1)' }],
              correlationId: 'test-correlation',
            }),
          })
        : route.continue(),
    );
    await page.getByRole('button', { name: 'Declare incident', exact: true }).last().click();
    await page.getByText('Is not a region of this tenant (eu-south-1)').first().waitFor();
    assert.equal(await errorOf('Affected regions'), 'Is not a region of this tenant (eu-south-1)');
    assert.match(new URL(page.url()).pathname, /\/incidents\/new$/, 'the form stays, with what was typed');
    assert.equal(await page.getByLabel('Impacted users').inputValue(), '12');
    await page.unroute('**/api/v1/incidents');
    assert.deepEqual(
      page.problems.filter((p) => !/400/.test(p)),
      [],
    );
  });
});
