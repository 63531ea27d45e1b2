// Issue 18, item 9: the small defects found in a real outage, each at 1280 and 390 px (and 320 px where it was
// about width): wrapping clock tooltips, the time-zone search, the audit trail in words and in the viewer's zone,
// people by name, human validation messages, and a negative impacted-user count refused with a message.
import { after, before, describe, test } from 'node:test';
import {
  assert,
  declareViaApi,
  expectAccessible,
  expectNoClippedText,
  expectNoHorizontalOverflow,
  launch,
  newPage,
  settle,
  signInCustomer,
} from './helpers.mjs';

const declaration = (title) => ({
  title,
  severity: 'sev2',
  services: ['Command Center'],
  regions: ['eu-central-1'],
  impactedUsers: 30,
  firstNoticedAt: new Date(Date.now() - 20 * 60_000).toISOString(),
  firstNoticedTimezone: 'Europe/Rome',
  symptoms: 'Exports stall at 90 % for every user of the finance team.',
  recentChanges: { kinds: [] },
  reproductionConfirmed: true,
});

for (const width of [1280, 390]) {
  describe(`small defects at ${width} px`, { timeout: 240_000 }, () => {
    let browser;
    let page;
    let incident;

    before(async () => {
      browser = await launch();
      page = await newPage(browser, { width, height: 900, timezoneId: 'America/New_York' });
      await signInCustomer(page, { tenant: 'acme', email: 'admin@acme.example' });
      const res = await declareViaApi(page, declaration(`Finance exports stall (${width} px)`));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      incident = res.body;
    });
    after(async () => {
      await browser?.close();
    });

    test('the time-zone search finds cities with spaces and abbreviations', async () => {
      await page.goto('/incidents/new');
      await page.getByRole('heading', { name: 'Declare an incident' }).waitFor();
      const zone = page.getByRole('textbox', { name: 'Your time zone' });
      const search = async (typed) => {
        await zone.click();
        await zone.fill(typed);
        const options = await page.getByRole('option').allTextContents();
        await page.keyboard.press('Escape');
        return options;
      };
      for (const [typed, expected] of [
        ['New York', 'America/New_York'],
        ['new_york', 'America/New_York'],
        ['Los Angeles', 'America/Los_Angeles'],
        ['CET', 'Europe/Berlin'],
        ['cest', 'Europe/Rome'],
        ['PST', 'America/Los_Angeles'],
        // Chromium lists India's zone under its older name, Asia/Calcutta; "Kolkata" finds it too.
        ['IST', /^Asia\/(Kolkata|Calcutta)$/],
        ['Kolkata', /^Asia\/(Kolkata|Calcutta)$/],
        ['IST', 'Europe/Dublin'],
        ['EST', 'America/New_York'],
      ]) {
        const options = await search(typed);
        const found = typeof expected === 'string' ? options.includes(expected) : options.some((o) => expected.test(o));
        assert.ok(found, `searching "${typed}" offers ${expected}: ${options.slice(0, 8).join(', ')}`);
      }
      // Picking a found zone sets it.
      await zone.click();
      await zone.fill('CET');
      await page.getByRole('option', { name: 'Europe/Paris', exact: true }).click();
      assert.equal(await zone.inputValue(), 'Europe/Paris');
    });

    test('a negative impacted-user count is refused with a message on the declare form', async () => {
      const count = page.getByRole('textbox', { name: 'Impacted users' });
      await count.fill('-5');
      await count.blur();
      assert.equal(await count.inputValue(), '-5', 'the minus sign is kept, not silently dropped');
      await page.getByText('Cannot be negative').first().waitFor();
    });

    test('the error summary of a refused declaration is axe-clean (contrast, link styling, target sizes)', async () => {
      await page.locator('form').getByRole('button', { name: 'Declare incident' }).click();
      await page.getByRole('alert').filter({ hasText: 'Please check' }).waitFor();
      await settle(page);
      await expectAccessible(page, `declare form with its error summary (${width} px)`);
      await expectNoClippedText(page, `declare form with its error summary (${width} px)`);
    });

    test('a negative count is refused on the incident page, and the count stays', async () => {
      await page.goto(`/incidents/${incident.id}`);
      await page.getByTestId('impacted-count').waitFor();
      const input = page.getByRole('textbox', { name: 'New count' });
      await input.fill('-12');
      await page.getByRole('button', { name: 'Update' }).click();
      await page.getByText('The count cannot be negative: enter 0 or more').waitFor();
      assert.equal(await input.inputValue(), '-12');
      assert.equal(await page.getByTestId('impacted-count').textContent(), '30');
    });

    test('the audit trail: people by name, details in words, times in the viewer’s zone with the zone named', async () => {
      const trail = page.getByTestId('audit-trail');
      await trail.getByRole('listitem').first().waitFor();
      const text = await trail.innerText();
      // The declarer by the seeded account's name ("Acme Manufacturing admin"; the development sign-in keeps an existing
      // account's name), not "admin <admin@acme.example>".
      assert.match(text, /^Acme Manufacturing admin declared the incident$/m, `the declarer by name: ${text}`);
      assert.doesNotMatch(text, /<[^>]+@[^>]+>/, 'no "name <email>" labels');
      assert.doesNotMatch(text, /\b[a-z]+[A-Z][a-zA-Z]*\b\s*:/, 'no camelCase keys');
      assert.doesNotMatch(text, /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, 'no raw ISO timestamps');
      // New York in November: Eastern Standard Time.
      assert.match(text, /\d{2}:\d{2} EST/);
      assert.doesNotMatch(await page.locator('main').innerText(), /<[^>]+@[^>]+>/, 'nowhere on the incident page');
    });

    test('clock tooltips wrap on a phone instead of making the page scroll sideways', async () => {
      await page.setViewportSize({ width: width === 1280 ? 1280 : 320, height: 800 });
      await page.goto('/incidents');
      const chip = page.locator(`[data-testid="incident-row"][data-reference="${incident.reference}"] [role="timer"]`).first();
      await chip.waitFor();
      await chip.hover();
      await page.getByRole('tooltip').waitFor();
      await expectNoHorizontalOverflow(page, `incident list with a clock tooltip open (${width === 1280 ? 1280 : 320} px)`);
      await expectNoClippedText(page, 'incident list');
      await page.setViewportSize({ width, height: 900 });
    });

    test('the API names the field and the reason in words, and the page shows them without validator jargon', async () => {
      const res = await declareViaApi(page, { ...declaration('x'.repeat(300)), impactedUsers: -1 });
      assert.equal(res.status, 400);
      const fields = Object.fromEntries(res.body.fields.map((f) => [f.field, f.message]));
      assert.equal(fields.title, 'must be at most 200 characters');
      assert.equal(fields.impactedUsers, 'cannot be negative');
      assert.match(res.body.message, /title must be at most 200 characters/);
      assert.doesNotMatch(JSON.stringify(res.body), /Too big|Too small|expected string|Invalid input/);

      // The identity-provider form refused by the API: the alert names the fields in words.
      await page.goto('/settings/identity-providers');
      await page.getByRole('button', { name: 'Add identity provider' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add identity provider' });
      await dialog.getByRole('button', { name: 'Add provider' }).click();
      await settle(page);
      const shown = await dialog.innerText();
      assert.doesNotMatch(shown, /Too big|Too small|expected string|Invalid input|[a-z]+\.[a-z]+: is required/);
      await expectAccessible(page, `identity-provider form refused (${width} px)`);
      assert.deepEqual(page.problems, []);
    });
  });
}
