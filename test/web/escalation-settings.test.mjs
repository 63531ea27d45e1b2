// Vendor settings → Escalation and paging (support engineers) at 1280 and 390 px: the deployment's defaults,
// a bad step refused next to its field, a saved ladder and key hint that survive a reload, and a reset.
import { after, before, describe, test } from 'node:test';
import { assert, expectAccessible, expectNoHorizontalOverflow, launch, newPage, screenshot, settle, signInStaff } from './helpers.mjs';

describe('escalation and paging settings', { timeout: 240_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test('a support engineer changes the ladder and the PagerDuty key, then resets to the defaults (1280 px)', async () => {
    const page = await newPage(browser);
    await signInStaff(page, { email: 'support@claresia.example' });
    await page.getByRole('navigation', { name: 'Main', exact: true }).getByRole('link', { name: 'Escalation' }).click();
    await page.getByRole('heading', { name: 'Escalation and paging', level: 1 }).waitFor();
    await page.getByText('Deployment defaults').waitFor();
    const steps = page.getByTestId('escalation-step');
    const before = await steps.count();
    assert.ok(before >= 1, 'the default ladder has steps');

    await page.getByRole('button', { name: 'Add a step' }).click();
    const added = steps.nth(before);
    await added.getByLabel('Minutes').fill('0');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Some fields need attention').waitFor();
    await added.getByText('Required').waitFor(); // the empty "Escalate to"
    await added.getByLabel('Minutes').fill('45');
    await added.getByLabel('Escalate to').fill('Director of Support');
    await added.getByLabel('Email (optional)').fill('director@claresia.example');
    await added.getByLabel('When').selectOption('open');
    await page.getByLabel('Replace the routing key').fill('BROWSERTESTKEY0000000000000000ZZ');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Escalation and paging settings saved').waitFor();
    await page.getByText('Changed in the portal').waitFor();
    await page.getByText('Routing key ending …00ZZ.').waitFor();

    await page.reload();
    await page.getByText('Changed in the portal').waitFor();
    assert.equal(await steps.count(), before + 1);
    assert.equal(await steps.nth(before).getByLabel('Escalate to').inputValue(), 'Director of Support');
    await settle(page);
    await expectAccessible(page, 'escalation settings (1280)');
    await screenshot(page, 'escalation-settings-1280');

    await page.getByRole('button', { name: 'Reset to the deployment’s defaults' }).click();
    await page.getByText('Back to the deployment’s defaults').waitFor();
    await page.getByText('Deployment defaults').waitFor();
    assert.equal(await steps.count(), before);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('the page works on a phone (390 px)', async () => {
    const page = await newPage(browser, { width: 390, height: 844 });
    await signInStaff(page, { email: 'support@claresia.example' });
    await page.goto('/vendor/escalation');
    await page.getByRole('heading', { name: 'Escalation and paging', level: 1 }).waitFor();
    await page.getByTestId('escalation-step').first().waitFor();
    await expectNoHorizontalOverflow(page, 'escalation settings at 390');
    await settle(page);
    await expectAccessible(page, 'escalation settings (390)');
    await screenshot(page, 'escalation-settings-390', { docs: false });
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('a CSM is not offered the page', async () => {
    const page = await newPage(browser);
    await signInStaff(page, { email: 'csm@claresia.example', role: 'csm' });
    await page.goto('/vendor/escalation');
    await page
      .getByText(/escalation and paging settings/i)
      .first()
      .waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save' }).count(), 0);
    await page.context().close();
  });
});
