// The clocks are computed in the browser from what the server sent: they keep counting, turn amber
// under 20 % left and red when breached, even while the connection to the portal is down.
import { after, before, describe, test } from 'node:test';
import { assert, declareViaApi, launch, newPage, screenshot, signInCustomer } from './helpers.mjs';

describe('SLA clock colours over time', { timeout: 120_000 }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    page = await newPage(browser, { timezoneId: 'America/New_York', fakeClock: true });
    await signInCustomer(page, { tenant: 'globex', email: 'admin@globex.example' });
    const res = await declareViaApi(page, {
      title: 'All LLM connectors offline',
      severity: 'sev1',
      services: ['Distribution'],
      regions: ['eu-south-1'],
      impactedUsers: 300,
      firstNoticedAt: new Date(Date.now() - 60_000).toISOString(),
      firstNoticedTimezone: 'America/New_York',
      symptoms: 'No connector answers in any LLM client.',
      recentChanges: { kinds: [] },
      reproductionConfirmed: true,
      plane: 'not_sure',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await page.goto(`/incidents/${res.body.id}`);
    await page.getByTestId('clock-initial_response').waitFor();
  });
  after(async () => {
    await browser?.close();
  });

  const tone = () => page.getByTestId('clock-initial_response').getAttribute('data-tone');
  const value = async () => (await page.getByTestId('clock-initial_response').getByTestId('clock-value').textContent()).trim();

  test('green while running, amber under 20 % left, red once breached, with the connection down', async () => {
    assert.equal(await tone(), 'running');
    // The portal becomes unreachable: refreshes fail, the page keeps what it has.
    await page.route('**/api/**', (route) => route.abort('internetdisconnected'));

    await page.clock.fastForward('13:00');
    await page.waitForFunction(() => document.querySelector('[data-testid="clock-initial_response"]')?.getAttribute('data-tone') === 'warning');
    assert.match(await value(), /^[12] min \d\d s$/, 'about two minutes left');
    // The refresh that came due failed; let its retries run out.
    await page.clock.runFor('00:10');
    await page.getByTestId('stale-data').waitFor({ timeout: 15_000 });

    await page.clock.fastForward('02:50');
    await page.waitForFunction(() => document.querySelector('[data-testid="clock-initial_response"]')?.getAttribute('data-tone') === 'breached');
    assert.match(await page.getByTestId('clock-initial_response').textContent(), /overdue \(breached\)/);
    await screenshot(page, 'incident-breached', { docs: false });
    await page.unroute('**/api/**');
  });
});
