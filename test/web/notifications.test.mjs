// Incident communications (issue 14, part A): Settings → Integrations (Slack, webhooks with their delivery log)
// and the incident page's "Notifications" list, at 1280 and 390 px, axe clean.
import { after, before, describe, test } from 'node:test';
import { assert, declareViaApi, expectAccessible, expectNoHorizontalOverflow, launch, newPage, screenshot, settle, signInCustomer } from './helpers.mjs';

const intake = (title) => ({
  title,
  severity: 'sev1',
  services: ['Identity'],
  regions: ['eu-south-1'],
  impactedUsers: 300,
  firstNoticedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
  firstNoticedTimezone: 'America/New_York',
  symptoms: 'Nobody can sign in.',
  recentChanges: { kinds: ['idp_migration'] },
  errorCodes: [],
  reproductionConfirmed: true,
  impactedUserExamples: [],
  plane: 'control_plane',
});

for (const width of [1280, 390]) {
  describe(`integrations and notifications at ${width} px`, { timeout: 180_000 }, () => {
    let browser;
    let page;
    const host = `hooks-${width}-${Date.now().toString(36)}.globex.example`;

    before(async () => {
      browser = await launch();
      page = await newPage(browser, { width, height: width > 500 ? 900 : 844, timezoneId: 'America/New_York' });
      await signInCustomer(page, { tenant: 'globex', email: 'admin@globex.example' });
    });
    after(async () => {
      await browser?.close();
    });

    test('an admin connects Slack (bad input shown next to the field) and sends a test message', async () => {
      await page.goto('/settings');
      await page.getByRole('link', { name: 'Manage integrations' }).click();
      await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
      const slack = page.getByTestId('slack');
      await slack.getByLabel('Bot token').fill('not-a-token');
      await slack.getByLabel('Channel id').fill('general');
      await slack.getByRole('button', { name: /Connect Slack|Replace connection/ }).click();
      await slack.getByText('Must be a Slack bot token (xoxb-…)').waitFor();
      await slack.getByText('Must be a Slack channel id such as C0123456789').waitFor();

      await slack.getByLabel('Bot token').fill('xoxb-demo-0000000000-browser');
      await slack.getByLabel('Channel id').fill('C0DEMO1234');
      await slack.getByRole('button', { name: /Connect Slack|Replace connection/ }).click();
      await slack.getByText('Connected to channel').waitFor();
      assert.equal(await page.getByText('xoxb-demo-0000000000-browser').count(), 0, 'the token is never shown back');
      await slack.getByRole('button', { name: 'Send test message' }).click();
      // The demo reaches no real Slack workspace: the answer says why, it does not pretend.
      await slack.getByText(/Test message sent|The test message failed/).waitFor({ timeout: 30_000 });
    });

    test('an admin adds a webhook endpoint, sees its secret once, sends a test event and reads the delivery log', async () => {
      const hooks = page.getByTestId('webhooks');
      await hooks.getByLabel('Endpoint URL').fill('not a url');
      await hooks.getByRole('button', { name: 'Add endpoint' }).click();
      await hooks.getByText('Must be a URL').waitFor();
      await hooks.getByLabel('Endpoint URL').fill(`https://${host}/portal`);
      await hooks.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = page.getByTestId('new-secret-value');
      await secret.waitFor();
      assert.match((await secret.textContent()).trim(), /^whsec_/);
      const row = hooks.getByTestId('endpoint-row').filter({ hasText: host });
      await row.getByRole('button', { name: 'Send test event' }).click();
      await row.getByTestId('delivery-row').first().waitFor({ timeout: 30_000 });
      await row.getByText('test', { exact: false }).first().waitFor();
      await settle(page);
      if (width < 500) await expectNoHorizontalOverflow(page, 'the integrations page');
      await expectAccessible(page, `integrations at ${width} px`);
      await screenshot(page, `integrations-${width}`);
    });

    test('the incident page lists which channels were notified and when', async () => {
      const res = await declareViaApi(page, intake(`Notifications check at ${width} px`));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      await page.goto(`/incidents/${res.body.id}`);
      const section = page.getByTestId('notifications');
      await section.getByRole('heading', { name: 'Notifications' }).waitFor();
      // Slack (connected above) and the webhook endpoint are told about the declaration.
      await section.getByTestId('delivery-row').filter({ hasText: 'Webhook' }).first().waitFor({ timeout: 30_000 });
      await section.getByTestId('delivery-row').filter({ hasText: 'Slack' }).first().waitFor({ timeout: 30_000 });
      await settle(page);
      if (width < 500) await expectNoHorizontalOverflow(page, 'the incident page');
      await expectAccessible(page, `incident notifications at ${width} px`);
      await section.scrollIntoViewIfNeeded();
      await screenshot(page, `incident-notifications-${width}`);
    });
  });
}
