// SLA reports (issue 15b): the customer admin reads the month of the demo's resolved Sev 1 (figures, bars, the
// incident row) and downloads the CSV; a CSM picks their tenant; 1280 and 390 px, axe clean.
import { after, before, describe, test } from 'node:test';
import { assert, BASE, expectAccessible, expectNoHorizontalOverflow, launch, newPage, screenshot, settle, signInCustomer, signInStaff } from './helpers.mjs';

/** The demo's resolved acme Sev 1 and the month it was declared in, in the tenant's zone. */
async function demoMonth(page) {
  return page.evaluate(async () => {
    const me = await (await fetch('/api/v1/me')).json();
    const body = await (await fetch('/api/v1/incidents?severity=sev1&status=resolved&limit=100')).json();
    const inc = body.items.find((i) => i.title.startsWith('Agent console unavailable'));
    const tz = me.tenant?.timezone ?? inc.tenant.timezone ?? 'Europe/Rome';
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit' }).formatToParts(new Date(inc.declaredAt));
    const get = (t) => parts.find((p) => p.type === t).value;
    return { reference: inc.reference, month: `${get('year')}-${get('month')}` };
  });
}

describe('SLA reports', { timeout: 180_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  for (const width of [1280, 390]) {
    test(`the customer admin reads a month's SLA report and downloads it as CSV (${width} px)`, async () => {
      const page = await newPage(browser, { width, height: 900 });
      await signInCustomer(page, { tenant: 'acme', email: 'admin@acme.example' });
      const { reference, month } = await demoMonth(page);
      await page.goto(`${BASE}/reports?month=${month}`);
      await page.getByRole('heading', { name: 'SLA reports', level: 1 }).waitFor();
      const report = page.getByTestId('sla-report');
      await report.waitFor();
      await report.getByRole('heading', { name: 'Incidents by severity' }).waitFor();
      await report.getByRole('heading', { name: 'Response SLA' }).waitFor();
      await report.getByRole('heading', { name: 'Times' }).waitFor();
      await page.getByTestId('sla-report-incidents').getByRole('rowheader', { name: reference, exact: true }).waitFor();
      assert.match(await page.getByTestId('Response SLA-pct').textContent(), /% met|No clock decided/);
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
      assert.match(file.suggestedFilename(), new RegExp(`^sla-report-acme-${month}\\.csv$`));
      const chunks = [];
      for await (const c of await file.createReadStream()) chunks.push(c);
      const csv = Buffer.concat(chunks).toString('utf8');
      assert.equal(csv.split('\r\n')[0], 'tenant,month,section,metric,value');
      assert.ok(csv.includes(`\r\n${reference},sev1,`), 'the CSV lists the incident');
      await settle(page);
      if (width === 390) await expectNoHorizontalOverflow(page, 'the reports page');
      await expectAccessible(page, `SLA reports ${width}px`);
      await screenshot(page, `sla-report-${width}`, { docs: false });
      await page.close();
    });
  }

  test('a CSM reads the report of an assigned tenant from the nav', async () => {
    const page = await newPage(browser, { width: 1280, height: 900 });
    await signInStaff(page, { email: 'csm@claresia.example', role: 'csm' });
    await page.waitForURL(/\/vendor$/);
    await page.getByRole('navigation', { name: 'Main', exact: true }).getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'SLA reports', level: 1 }).waitFor();
    assert.match(await page.getByRole('textbox', { name: 'Tenant' }).inputValue(), /Acme/);
    await page.getByTestId('sla-report').waitFor();
    await settle(page);
    await expectAccessible(page, 'SLA reports (CSM)');
    assert.deepEqual(page.problems, []);
    await page.close();
  });
});
