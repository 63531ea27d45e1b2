// At 390 px (a phone in the middle of an outage): the list and the incident page fit the screen.
import { after, before, describe, test } from 'node:test';
import { assert, declareViaApi, expectAccessible, expectNoHorizontalOverflow, launch, newPage, screenshot, settle, signInCustomer } from './helpers.mjs';

describe('phone width (390 px)', { timeout: 120_000 }, () => {
  let browser;
  let page;
  let incident;

  before(async () => {
    browser = await launch();
    page = await newPage(browser, { width: 390, height: 844, timezoneId: 'America/New_York' });
    await signInCustomer(page, { tenant: 'globex', email: 'admin@globex.example' });
    const res = await declareViaApi(page, {
      title: 'Command Center inaccessible from the office network',
      severity: 'sev1',
      services: ['Command Center'],
      regions: ['eu-central-1'],
      impactedUsers: 140,
      firstNoticedAt: new Date(Date.now() - 12 * 60_000).toISOString(),
      firstNoticedTimezone: 'America/New_York',
      symptoms: 'Command Center shows a blank page after sign-in; API token ghp_' + 'a'.repeat(36) + ' was pasted by mistake.',
      recentChanges: { kinds: ['network_acl_change'], details: 'Egress ACL tightened at 08:00' },
      errorCodes: ['CC-502'],
      reproductionConfirmed: true,
      impactedUserExamples: ['ops1@globex.example'],
      plane: 'control_plane',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    incident = res.body;
  });
  after(async () => {
    await browser?.close();
  });

  test('the incident list renders as cards without horizontal overflow', async () => {
    await page.goto('/incidents');
    const row = page.locator(`[data-testid="incident-row"][data-reference="${incident.reference}"]`);
    await row.waitFor();
    await row.getByTestId('clock-initial_response').waitFor();
    await settle(page);
    await expectNoHorizontalOverflow(page, 'incident list at 390 px');
    await expectAccessible(page, 'incident list (390 px)');
    await screenshot(page, 'incidents-390');
  });

  test('the navigation opens from the menu button', async () => {
    await page.getByRole('button', { name: 'Open navigation' }).click();
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Settings' }).waitFor();
    await page.getByRole('button', { name: 'Close navigation' }).click();
  });

  test('the incident page fits, shows the clocks, and explains a redacted secret', async () => {
    await page.locator(`[data-testid="incident-row"][data-reference="${incident.reference}"]`).click();
    await page.getByTestId('incident-reference').waitFor();
    await page.getByTestId('clock-initial_response').waitFor();
    await page.getByTestId('redaction-notice').waitFor();
    await settle(page);
    await expectNoHorizontalOverflow(page, 'incident page at 390 px');
    await expectAccessible(page, 'incident page (390 px)');
    await screenshot(page, 'incident-390');
  });

  test('the declare form fits too', async () => {
    await page.goto('/incidents/new');
    await page.getByRole('heading', { name: 'Declare an incident' }).waitFor();
    await settle(page);
    await expectNoHorizontalOverflow(page, 'declare form at 390 px');
    await screenshot(page, 'declare-390');
    assert.deepEqual(page.problems, []);
  });
});
