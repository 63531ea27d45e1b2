// The public status page (no sign-in) at 1280 and 390 px, the subscribe flow, the mail links' pages, and the
// support engineer's page that posts on it.
import { after, before, describe, test } from 'node:test';
import { assert, expectAccessible, expectNoHorizontalOverflow, launch, newPage, screenshot, settle, signInStaff } from './helpers.mjs';

/** A public API call from the page (no session needed). */
const callApi = (page, method, path, body) =>
  page.evaluate(
    async ({ method, path, body }) => {
      const res = await fetch(path, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: await res.json() };
    },
    { method, path, body },
  );

describe('public status page', { timeout: 240_000 }, () => {
  let browser;
  const title = `Hub sync delayed ${Date.now().toString(36)}`;

  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test('a support engineer posts a public incident from the staff page', async () => {
    const page = await newPage(browser);
    await signInStaff(page, { email: 'support@claresia.example' });
    await page.getByRole('navigation', { name: 'Main', exact: true }).getByRole('link', { name: 'Status page' }).click();
    await page.getByRole('heading', { name: 'Public status page', level: 1 }).waitFor();
    const form = page.getByRole('region', { name: 'Post a public incident' });
    await form.getByRole('button', { name: 'Post publicly' }).click();
    await form.getByText('Required').first().waitFor();
    await form.getByLabel('Title').fill(title);
    await form.getByLabel('First update').fill('Hub sync is delayed in Milano; we are investigating.');
    await form.getByLabel('Impact').selectOption('partial_outage');
    await form.getByLabel('Hub · eu-south-1').check();
    await form.getByRole('button', { name: 'Post publicly' }).click();
    await page.getByText('Public incident posted').waitFor();
    const open = page.getByRole('region', { name: 'Open incidents and maintenance' });
    await open.getByText(title).waitFor();
    await settle(page);
    await expectAccessible(page, 'status page staff (1280)');
    await screenshot(page, 'status-page-staff-1280');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  for (const width of [1280, 390]) {
    test(`anyone reads the page without signing in at ${width} px`, async () => {
      const page = await newPage(browser, { width, height: width === 390 ? 844 : 900 });
      await page.goto('/status');
      await page.getByRole('heading', { name: 'Claresia service status', level: 1 }).waitFor();
      await page.getByTestId('overall').waitFor();
      assert.equal(await page.getByTestId('service').count(), 7);
      const hub = page.locator('[data-testid="service"][data-service="Hub"]');
      await hub.getByText('Partial outage').first().waitFor();
      const active = page.getByRole('region', { name: 'Active incidents' });
      await active.getByText(title).waitFor();
      await active.getByText('Hub sync is delayed in Milano; we are investigating.').waitFor();
      assert.equal(await page.getByRole('link', { name: 'RSS' }).getAttribute('href'), '/status/history.rss');
      await expectNoHorizontalOverflow(page, `status page at ${width}`);
      await settle(page);
      await expectAccessible(page, `status page (${width})`);
      await screenshot(page, `status-page-${width}`);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }

  for (const width of [1280, 390]) {
    test(`subscribe by email and by webhook at ${width} px; a bad address is shown next to the field`, async () => {
      const page = await newPage(browser, { width, height: width === 390 ? 844 : 900 });
      await page.goto('/status#subscribe');
      const form = page.getByRole('region', { name: 'Subscribe to updates' });
      await form.getByLabel('Email address').fill('not-an-address');
      await form.getByRole('button', { name: 'Subscribe' }).click();
      await form.getByText('Must be an email address').waitFor();
      await form.getByLabel('Email address').fill(`reader-${width}-${Date.now().toString(36)}@example.com`);
      await form.getByLabel('Hub').check();
      await form.getByLabel('eu-south-1 (Milano)').check();
      await form.getByRole('button', { name: 'Subscribe' }).click();
      await form.getByText('Check your inbox').waitFor();
      await expectNoHorizontalOverflow(page, `subscribe at ${width}`);
      await settle(page);
      await expectAccessible(page, `status subscribe (${width})`);
      await screenshot(page, `status-subscribe-${width}`);

      await page.reload();
      const again = page.getByRole('region', { name: 'Subscribe to updates' });
      await again.getByText('Webhook', { exact: true }).click();
      await again.getByLabel('Webhook URL').fill(`https://hooks.example.com/status/${width}/${Date.now().toString(36)}`);
      await again.getByRole('button', { name: 'Subscribe' }).click();
      const secret = (await again.getByTestId('signing-secret').textContent()).trim();
      assert.match(secret, /^whsec_/);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }

  test('the mail links: confirming needs a click (a bad link says so); unsubscribing from the page works', async () => {
    const page = await newPage(browser, { width: 390, height: 844 });
    await page.goto('/status/confirm?token=00000000-0000-4000-8000-000000000000.aaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    await page.getByRole('heading', { name: 'Confirm your subscription', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Confirm subscription' }).click();
    await page.getByText('This link is not valid any more').waitFor();
    await settle(page);
    await expectAccessible(page, 'status confirm, bad link (390)');

    const created = await callApi(page, 'POST', '/api/v1/status/subscriptions', {
      channel: 'slack',
      url: `https://hooks.slack.example/services/${Date.now()}`,
    });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    await page.goto(`/status/unsubscribe?token=${encodeURIComponent(created.body.unsubscribeToken)}`);
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByText('You will receive no more status updates.').waitFor();
    await settle(page);
    await expectAccessible(page, 'status unsubscribe (390)');
    await screenshot(page, 'status-unsubscribe-390');
    await page.context().close();
  });
});
