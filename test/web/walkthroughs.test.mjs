// CSM walkthroughs on the PIR page: the customer admin books a 30-minute slot of the CSM's working hours (offered in
// the viewer's zone, Europe/Rome, with the CSM's Europe/London named), sees the booking and cancels it; the CSM edits
// their working hours. 1280 and 390 px, axe clean.
import { after, before, describe, test } from 'node:test';
import { assert, BASE, expectAccessible, expectNoHorizontalOverflow, launch, newPage, screenshot, settle, signInCustomer, signInStaff } from './helpers.mjs';

async function demoSev1(page) {
  return page.evaluate(async () => {
    const res = await fetch('/api/v1/incidents?severity=sev1&status=resolved&limit=100');
    const body = await res.json();
    return body.items.find((i) => i.title.startsWith('Agent console unavailable'));
  });
}

describe('CSM walkthroughs', { timeout: 240_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  for (const width of [1280, 390]) {
    test(`the customer admin books a walkthrough from the review, sees it and cancels it (${width} px)`, async () => {
      const page = await newPage(browser, { width, height: 900 });
      await signInCustomer(page, { tenant: 'acme', email: 'admin@acme.example' });
      const incident = await demoSev1(page);
      assert.ok(incident, 'the demo seed has a resolved acme Sev 1 with a published review');
      await page.goto(`${BASE}/incidents/${incident.id}`);
      const card = page.getByTestId('walkthrough');
      await card.getByRole('heading', { name: 'Walkthrough with your CSM' }).waitFor();

      await card.getByRole('button', { name: 'Book a walkthrough' }).click();
      const picker = card.getByTestId('walkthrough-picker');
      await picker.getByText(/in your time zone \(Europe\/Rome\); the CSM works in Europe\/London/).waitFor();
      const days = picker.getByLabel('Day');
      // The second day offered: a whole working day of free times, whatever the hour of the run.
      const dayOptions = await days.locator('option').allTextContents();
      assert.ok(dayOptions.length >= 2, `several days are offered (${dayOptions.join(', ')})`);
      await days.selectOption(dayOptions[1]);
      const times = picker.getByLabel('Time (Europe/Rome)');
      const timeOptions = await times.locator('option').allTextContents();
      assert.ok(timeOptions.length > 1, 'several times are offered');
      // Each time names the CSM's zone too: Rome is one hour ahead of London in every season.
      assert.match(timeOptions[0], /^\d\d:\d\d \(\d\d:\d\d Europe\/London\)$/);
      const [romeH, londonH] = timeOptions[0].match(/\d\d(?=:)/g).map(Number);
      assert.equal((romeH - londonH + 24) % 24, 1);
      await times.selectOption({ index: 1 });
      const chosen = timeOptions[1].slice(0, 5);

      const [booked] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/walkthrough') && r.request().method() === 'POST'),
        picker.getByRole('button', { name: 'Book this time' }).click(),
      ]);
      assert.equal(booked.status(), 201);
      const booking = card.getByTestId('walkthrough-booking');
      await booking.getByText('Booked', { exact: true }).waitFor();
      await booking.getByText(new RegExp(`${dayOptions[1]}, ${chosen}–\\d\\d:\\d\\d \\(Europe/Rome, your time\\)`)).waitFor();
      await booking.getByText(/in Europe\/London, the CSM’s time zone/).waitFor();
      await booking.getByText(/With .* <csm@claresia\.example> and .* <admin@acme\.example>/).waitFor();
      await settle(page);
      if (width === 390) await expectNoHorizontalOverflow(page, 'the incident page with its walkthrough');
      await expectAccessible(page, `walkthrough booked ${width}px`);
      await card.scrollIntoViewIfNeeded();
      await screenshot(page, `walkthrough-booked-${width}`);

      const [cancelled] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/walkthrough') && r.request().method() === 'DELETE'),
        card.getByRole('button', { name: 'Cancel walkthrough' }).click(),
      ]);
      assert.equal(cancelled.status(), 200);
      await card.getByRole('button', { name: 'Book a walkthrough' }).waitFor();
      assert.equal(await card.getByTestId('walkthrough-booking').count(), 0);
      await settle(page);
      await expectAccessible(page, `walkthrough cancelled ${width}px`);
      assert.deepEqual(page.problems, []);
      await page.close();
    });
  }

  test('the CSM sees their working hours in their own zone', async () => {
    const page = await newPage(browser, { width: 1280, height: 900 });
    await signInStaff(page, { email: 'csm@claresia.example', role: 'csm' });
    await page.getByRole('navigation', { name: 'Main', exact: true }).getByRole('link', { name: 'Working hours' }).click();
    await page.getByRole('heading', { name: 'Working hours', level: 1 }).waitFor();
    assert.equal(await page.getByLabel('Time zone').inputValue(), 'Europe/London');
    assert.equal(await page.getByLabel('From').inputValue(), '09:00');
    assert.equal(await page.getByLabel('Until').inputValue(), '17:00');
    assert.ok(await page.getByRole('checkbox', { name: 'Friday' }).isChecked());
    assert.ok(!(await page.getByRole('checkbox', { name: 'Saturday' }).isChecked()));
    await settle(page);
    await expectAccessible(page, 'CSM working hours');
    await page.close();
  });
});
