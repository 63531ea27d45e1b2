// Issue 18: search and shareable filters in the URL, CSV export, the acknowledgement/owner column, clocks ranked by
// what was promised, tenant-qualified references, and the vendor's question answered in place by the customer.
import { after, before, describe, test } from 'node:test';
import {
  assert,
  declareViaApi,
  expectAccessible,
  expectNoHorizontalOverflow,
  launch,
  newPage,
  screenshot,
  settle,
  signInCustomer,
  signInStaff,
} from './helpers.mjs';

const CODE = `ZX${Date.now().toString(36).toUpperCase()}`;
const TITLE = `Command Center tiles blank ${CODE.slice(-4)}`;

describe('incident list and questions (issue 18)', { timeout: 240_000 }, () => {
  let browser;
  let customer;
  let support;
  let phone;
  let incident;

  before(async () => {
    browser = await launch();
    customer = await newPage(browser);
    support = await newPage(browser);
    phone = await newPage(browser, { width: 390, height: 844 });
    await signInCustomer(customer, { tenant: 'acme', email: 'admin@acme.example' });
    const res = await declareViaApi(customer, {
      title: TITLE,
      severity: 'sev2',
      services: ['Command Center'],
      regions: ['eu-south-1'],
      impactedUsers: 40,
      firstNoticedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
      firstNoticedTimezone: 'Europe/Rome',
      symptoms: 'Every dashboard tile renders empty after sign-in.',
      recentChanges: { kinds: [] },
      errorCodes: ['=cmd|calc', `${CODE}-77`],
      reproductionConfirmed: true,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    incident = res.body;
  });
  after(async () => {
    await browser?.close();
  });

  test('the reference is tenant-qualified', () => {
    assert.equal(incident.reference, `ACME-${incident.number}`);
  });

  test('search by error code narrows the list, keeps the filters in the URL, and the CSV export follows them (1280 px)', async () => {
    await customer.goto('/incidents?severity=sev2');
    const search = customer.getByRole('searchbox', { name: 'Search' });
    await search.fill(CODE.toLowerCase());
    await customer.waitForURL((u) => u.searchParams.get('q') === CODE.toLowerCase() && u.searchParams.get('severity') === 'sev2');
    const rows = customer.locator('[data-testid="incident-row"]');
    await customer.locator(`[data-testid="incident-row"][data-reference="${incident.reference}"]`).waitFor();
    await customer.waitForFunction(() => document.querySelectorAll('[data-testid="incident-row"]').length === 1);
    assert.equal(await rows.count(), 1);
    const ack = rows.first().getByTestId('acknowledgement');
    assert.equal(await ack.getAttribute('data-acknowledged'), 'false');
    assert.match(await ack.textContent(), /Not acknowledged yet/);
    // Sev 2 unacknowledged: the row shows the promise (initial response), not the 30-minute update clock.
    await rows.first().getByTestId('clock-initial_response').waitFor();

    const href = await customer.getByTestId('export-csv').getAttribute('href');
    assert.match(href, /^\/api\/v1\/incidents\/export\.csv\?/);
    assert.ok(href.includes(`q=${CODE.toLowerCase()}`) && href.includes('severity=sev2'), href);
    const csv = await customer.request.get(href);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-disposition'], /attachment; filename="incidents-/);
    const lines = (await csv.text()).split('\r\n').filter(Boolean);
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.ok(lines[1].startsWith(`${incident.reference},Acme Manufacturing,${TITLE},Sev 2,declared,no,`), lines[1]);
    assert.ok(lines[1].endsWith(`,'=cmd|calc; ${CODE}-77`), `a formula-like cell is quoted with an apostrophe: ${lines[1]}`);

    await settle(customer);
    await expectAccessible(customer, 'incident list with a search');
    await screenshot(customer, 'incidents-search');
  });

  test('a shared link opens the same filtered list for someone else', async () => {
    const url = `/incidents?q=${encodeURIComponent(incident.reference)}&status=declared`;
    const viewer = await newPage(browser);
    await signInCustomer(viewer, { tenant: 'acme', email: 'viewer@acme.example', role: 'customer_viewer' });
    await viewer.goto(url);
    assert.equal(await viewer.getByRole('searchbox', { name: 'Search' }).inputValue(), incident.reference);
    await viewer.locator(`[data-testid="incident-row"][data-reference="${incident.reference}"]`).waitFor();
    await viewer.waitForFunction(() => document.querySelectorAll('[data-testid="incident-row"]').length === 1);
    // The old unqualified reference still finds it.
    await viewer.goto(`/incidents?q=INC-${incident.number}&status=declared`);
    await viewer.locator(`[data-testid="incident-row"][data-reference="${incident.reference}"]`).waitFor();
    await viewer.context().close();
  });

  test('a cold load asks for who is signed in and the filtered list at once, each once (first load, 1280 and 390 px)', async () => {
    for (const width of [1280, 390]) {
      const page = await newPage(browser, { width, height: 844 });
      await signInCustomer(page, { tenant: 'acme', email: 'admin@acme.example' });
      await page.locator('[data-testid="incident-row"]').first().waitFor();
      const asked = [];
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.pathname.startsWith('/api/v1/')) asked.push(u.pathname + u.search);
      });
      await page.goto(`/incidents?severity=sev2&q=${CODE}`);
      await page.locator(`[data-testid="incident-row"][data-reference="${incident.reference}"]`).waitFor();
      const listPath = `/api/v1/incidents?status=active&severity=sev2&q=${CODE}&limit=50`;
      assert.deepEqual(
        asked.filter((p) => p === '/api/v1/me' || p.startsWith('/api/v1/incidents?')),
        ['/api/v1/me', listPath],
        'index.html asks for both; the app uses those answers instead of asking again',
      );
      // Both were on the wire together: the list was asked for before the answer to /me had arrived.
      const overlap = await page.evaluate((list) => {
        const entry = (p) => performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname + new URL(e.name).search === p);
        return entry(list).startTime < entry('/api/v1/me').responseEnd;
      }, listPath);
      assert.equal(overlap, true);
      // Later requests go to the portal as usual: another search asks for its own list.
      const again = `/api/v1/incidents?status=active&severity=sev2&q=${encodeURIComponent(incident.reference)}&limit=50`;
      const asking = page.waitForRequest((r) => r.url().endsWith(again));
      await page.getByRole('searchbox', { name: 'Search' }).fill(incident.reference);
      await asking;
      await page.locator(`[data-testid="incident-row"][data-reference="${incident.reference}"]`).waitFor();
      await expectAccessible(page, `incident list after a cold load (${width} px)`);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    }
  });

  test('the support engineer sees qualified references across tenants, acknowledges, and asks the customer a question', async () => {
    await signInStaff(support, { email: 'support@claresia.example' });
    await support.goto(`/vendor?q=${encodeURIComponent(incident.reference)}`);
    const row = support.locator(`[data-testid="incident-row"][data-reference="${incident.reference}"]`);
    await row.waitFor();
    const refs = await support.locator('[data-testid="incident-row"]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-reference')));
    assert.ok(
      refs.every((r) => /^[A-Z][A-Z0-9]*-\d+$/.test(r)),
      refs.join(', '),
    );

    await support.goto(`/incidents/${incident.id}`);
    const actions = support.getByTestId('support-actions');
    await actions
      .getByRole('button', { name: /acknowledge/i })
      .first()
      .click();
    await actions.getByText('Not acknowledged yet').waitFor({ state: 'detached' });
    await actions.getByRole('tab', { name: 'Wait on customer' }).click();
    // No question, no waiting: the form says what is missing.
    await actions.getByRole('button', { name: 'Set waiting on customer' }).click();
    await actions.getByText('Say what you need from the customer').waitFor();
    await actions.getByLabel('What do you need from the customer?').fill('Which browser and version shows the blank tiles?');
    await actions.getByRole('button', { name: 'Set waiting on customer' }).click();
    await support.locator('[data-testid="incident-status"][data-status="waiting_on_customer"]').waitFor();
    // Staff read staff wording: "waiting on the customer", not "waiting on you".
    const banner = support.getByTestId('waiting-banner');
    assert.match(await banner.textContent(), /Waiting on the customer/);
    // (Acme is Mode A: restoration is best effort, so the wording shows on the question's badge, not on a paused clock.)
    assert.doesNotMatch(await support.locator('main').textContent(), /waiting on you/i);
    assert.equal((await support.getByTestId('timeline-question').locator('[data-state]').textContent()).trim(), 'waiting on the customer');
    await settle(support);
    await expectAccessible(support, 'incident waiting on the customer (support engineer)');

    // The vendor list shows who owns it now.
    await support.goto(`/vendor?q=${encodeURIComponent(incident.reference)}&status=waiting_on_customer`);
    const owner = support.locator(`[data-testid="incident-row"][data-reference="${incident.reference}"]`).getByTestId('acknowledgement');
    await owner.waitFor();
    assert.equal(await owner.getAttribute('data-acknowledged'), 'true');
    // The engineer's name, not the account's "Name <address>" label.
    assert.match(await owner.textContent(), /Support/i);
    assert.doesNotMatch(await owner.textContent(), /[<>]/);
  });

  test('the customer sees the question in the banner and the timeline, and answers it in place (390 px)', async () => {
    await signInCustomer(phone, { tenant: 'acme', email: 'admin@acme.example' });
    await phone.goto(`/incidents/${incident.id}`);
    const question = phone.getByTestId('open-question');
    await question.waitFor();
    assert.match(await question.textContent(), /Which browser and version shows the blank tiles\?/);
    assert.equal((await phone.getByTestId('timeline-question').locator('[data-state]').textContent()).trim(), 'waiting on you');
    assert.match(await phone.getByTestId('reply-question').textContent(), /Which browser and version/);
    await expectNoHorizontalOverflow(phone, 'incident page with a question (390 px)');
    await settle(phone);
    await expectAccessible(phone, 'incident with an open question (customer, 390 px)');
    await screenshot(phone, 'incident-question-phone');

    await phone.getByRole('textbox', { name: 'Your answer' }).fill('Edge 131 on Windows 11; Chrome works.');
    await phone.getByRole('button', { name: 'Send answer' }).click();
    await phone.locator('[data-testid="incident-status"][data-status="investigating"]').waitFor();
    const answered = phone.getByTestId('timeline-question');
    await answered.getByTestId('timeline-answer').getByText('Edge 131 on Windows 11; Chrome works.').waitFor();
    assert.equal(await answered.locator('[data-state]').getAttribute('data-state'), 'answered');
    assert.equal(await phone.getByTestId('open-question').count(), 0, 'no open question once answered');
  });

  test('the list on a phone: search, acknowledgement on the card, no sideways scroll, axe clean (390 px)', async () => {
    await phone.goto(`/incidents?q=${CODE}`);
    const card = phone.locator(`[data-testid="incident-row"][data-reference="${incident.reference}"]`);
    await card.waitFor();
    assert.equal(await card.getByTestId('acknowledgement').getAttribute('data-acknowledged'), 'true');
    assert.equal(await phone.getByRole('searchbox', { name: 'Search' }).inputValue(), CODE);
    await expectNoHorizontalOverflow(phone, 'incident list (390 px)');
    await settle(phone);
    await expectAccessible(phone, 'incident list with a search (390 px)');
    await screenshot(phone, 'incidents-search-phone');
  });
});
