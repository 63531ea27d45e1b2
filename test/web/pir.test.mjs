// The post-incident review on the incident page: the customer admin reads the published review of the demo's
// resolved Sev 1 and downloads its PDF; the support engineer tracks an action item; 1280 and 390 px, axe clean.
import { after, before, describe, test } from 'node:test';
import { assert, BASE, expectAccessible, expectNoHorizontalOverflow, launch, newPage, screenshot, settle, signInCustomer, signInStaff } from './helpers.mjs';

async function demoSev1(page) {
  return page.evaluate(async () => {
    const res = await fetch('/api/v1/incidents?severity=sev1&status=resolved&limit=100');
    const body = await res.json();
    return body.items.find((i) => i.title.startsWith('Agent console unavailable'));
  });
}

describe('post-incident review', { timeout: 240_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  for (const width of [1280, 390]) {
    test(`the customer admin reads the published review and downloads the PDF (${width} px)`, async () => {
      const page = await newPage(browser, { width, height: 900 });
      await signInCustomer(page, { tenant: 'acme', email: 'admin@acme.example' });
      const incident = await demoSev1(page);
      assert.ok(incident, 'the demo seed has a resolved acme Sev 1');
      await page.goto(`${BASE}/incidents/${incident.id}`);
      const pir = page.getByTestId('pir');
      await pir.getByRole('heading', { name: 'Post-incident review' }).waitFor();
      await pir.getByText('Published', { exact: true }).waitFor();
      await pir.getByRole('heading', { name: 'Root cause' }).waitFor();
      await pir.getByText('Monitor expiry of every certificate in the served chain').waitFor();
      // The worker renders the PDF after publication; the page shows the button once it is stored.
      const download = pir.getByRole('link', { name: 'Download PDF' });
      await download.waitFor({ timeout: 90_000 });
      const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
      const chunks = [];
      for await (const c of await file.createReadStream()) chunks.push(c);
      const pdf = Buffer.concat(chunks);
      assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
      assert.match(file.suggestedFilename(), /^PIR-[A-Z][A-Z0-9]*-\d+-v\d+\.pdf$/);
      await settle(page);
      if (width === 390) await expectNoHorizontalOverflow(page, 'the incident page with its review');
      await expectAccessible(page, `post-incident review ${width}px`);
      await pir.scrollIntoViewIfNeeded();
      await screenshot(page, `pir-review-${width}`);
      await page.close();
    });
  }

  for (const width of [1280, 390]) {
    test(`the archive finds the review by a word of its root cause, highlighted (${width} px)`, async () => {
      const page = await newPage(browser, { width, height: 900 });
      await signInCustomer(page, { tenant: 'acme', email: 'admin@acme.example' });
      await page.goto(`${BASE}/reviews`);
      await page.getByRole('heading', { name: 'Post-incident reviews', level: 1 }).waitFor();
      await page
        .getByRole('searchbox')
        .or(page.getByLabel('Search', { exact: true }))
        .first()
        .fill('intermediate');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      const results = page.getByTestId('pir-results');
      const hit = results.getByRole('article').filter({ hasText: 'Agent console unavailable' });
      await hit.waitFor();
      assert.ok((await hit.locator('mark').count()) > 0, 'the matching word is highlighted');
      await settle(page);
      if (width === 390) await expectNoHorizontalOverflow(page, 'the review archive');
      await expectAccessible(page, `review archive ${width}px`);
      await screenshot(page, `pir-archive-${width}`);
      await page.close();
    });
  }

  test('the support engineer tracks an action item after publication', async () => {
    const page = await newPage(browser, { width: 1280, height: 900 });
    await signInStaff(page, { email: 'support@claresia.example' });
    const incident = await demoSev1(page);
    await page.goto(`${BASE}/incidents/${incident.id}`);
    const pir = page.getByTestId('pir');
    const status = pir.getByRole('textbox', { name: 'Status of Renew full chains, not leaves only' });
    await status.waitFor();
    await status.click();
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/pir/action-items/') && r.status() === 200),
      page.getByRole('option', { name: 'In progress', exact: true }).click(),
    ]);
    // The list re-renders from the refetched review after the change: wait for it to show the stored status.
    for (let tries = 0; tries < 50 && (await status.inputValue()) !== 'In progress'; tries++) await page.waitForTimeout(200);
    assert.equal(await status.inputValue(), 'In progress');
    await settle(page);
    await expectAccessible(page, 'post-incident review (support engineer)');
    await page.close();
  });
});
