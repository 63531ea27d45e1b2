// Microsoft Teams (issue 14 part C): Settings → Integrations' Teams card at 1280 and 390 px, axe clean.
import { after, before, describe, test } from 'node:test';
import { assert, expectAccessible, expectNoHorizontalOverflow, launch, newPage, screenshot, settle, signInCustomer } from './helpers.mjs';

for (const width of [1280, 390]) {
  describe(`Teams connection at ${width} px`, { timeout: 180_000 }, () => {
    let browser;
    let page;

    before(async () => {
      browser = await launch();
      page = await newPage(browser, { width, height: width > 500 ? 900 : 844, timezoneId: 'Europe/Rome' });
      await signInCustomer(page, { tenant: 'globex', email: 'admin@globex.example' });
    });
    after(async () => {
      await browser?.close();
    });

    test('an admin connects Teams (bad input shown next to each field), sends a test message and disconnects', async () => {
      await page.goto('/settings');
      await page.getByRole('link', { name: 'Manage integrations' }).click();
      await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
      const teams = page.getByTestId('teams');
      await teams.getByRole('heading', { name: 'Microsoft Teams' }).waitFor();
      await teams.getByLabel('Directory (tenant) id').fill('contoso');
      await teams.getByLabel('Application (client) id').fill('5b2c3d4e-0000-4000-8000-00000000c1c1');
      await teams.getByLabel('Client secret').fill('short');
      await teams.getByLabel('Team id').fill('6c3d4e5f-0000-4000-8000-000000007e7e');
      await teams.getByLabel('Channel id').fill('general');
      await teams.getByRole('button', { name: /Connect Teams|Replace connection/ }).click();
      await teams.getByText('Must be a directory (tenant) id, a GUID').waitFor();
      await teams.getByText('Must be a Teams channel id such as 19:abc@thread.tacv2').waitFor();
      await teams.getByText('At least 8 characters').waitFor();

      await teams.getByLabel('Directory (tenant) id').fill('4a1b2c3d-0000-4000-8000-00000000d1d1');
      await teams.getByLabel('Client secret').fill(`browser-secret-${width}-wxyz`);
      await teams.getByLabel('Channel id').fill('19:incidents0123456789@thread.tacv2');
      await teams.getByRole('button', { name: /Connect Teams|Replace connection/ }).click();
      await teams.getByText('Connected to channel').waitFor();
      assert.equal(await page.getByText(`browser-secret-${width}-wxyz`).count(), 0, 'the secret is never shown back');
      await teams.getByText('with secret …wxyz').waitFor();
      await teams.getByRole('button', { name: 'Send test message' }).click();
      // The browser run reaches no real Microsoft tenant: the answer says why, it does not pretend.
      await teams.getByText(/Test message sent|The test message failed/).waitFor({ timeout: 30_000 });
      await settle(page);
      if (width < 500) await expectNoHorizontalOverflow(page, 'the integrations page with Teams connected');
      await expectAccessible(page, `Teams card at ${width} px`);
      await screenshot(page, `integrations-teams-${width}`);

      await teams.getByRole('button', { name: 'Disconnect' }).click();
      await teams.getByText('Not connected.').waitFor();
    });
  });
}
