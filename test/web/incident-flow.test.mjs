// The outage path end to end: a Mode C customer admin declares a Sev 1 through the form and watches
// the 15-minute response clock count down; a support engineer acknowledges, posts an update, resolves.
import { after, before, describe, test } from 'node:test';
import { assert, expectAccessible, launch, newPage, pickOption, screenshot, settle, signInCustomer, signInStaff } from './helpers.mjs';

const TITLE = `Hub writes failing for all users ${Date.now().toString(36)}`;

describe('incident flow: declare a Sev 1, acknowledge, update, resolve', { timeout: 240_000 }, () => {
  let browser;
  let customer;
  let support;
  let incidentPath;
  let reference;

  before(async () => {
    browser = await launch();
    customer = await newPage(browser, { timezoneId: 'America/New_York' });
    support = await newPage(browser, { timezoneId: 'Europe/Rome' });
  });
  after(async () => {
    await browser?.close();
  });

  test('a signed-out visitor lands on the sign-in page, which passes axe', async () => {
    await customer.goto('/incidents');
    await customer.waitForURL(/\/sign-in/);
    await customer.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await expectAccessible(customer, 'sign-in (tenant field and staff)');

    await customer.goto('/t/globex/sign-in');
    await customer.getByRole('heading', { name: 'Globex (BYOC)' }).waitFor();
    await settle(customer);
    await expectAccessible(customer, 'sign-in (tenant globex)');
    await screenshot(customer, 'sign-in');
  });

  test('an unknown tenant is explained, not a blank page', async () => {
    await customer.goto('/t/no-such-tenant/sign-in');
    await customer.getByText('No tenant called “no-such-tenant”').waitFor();
  });

  test('the Mode C admin declares a Sev 1 through the form', async () => {
    await signInCustomer(customer, { tenant: 'globex', email: 'admin@globex.example' });
    await customer.getByRole('banner').getByRole('link', { name: 'Declare incident' }).click();
    await customer.getByRole('heading', { name: 'Declare an incident', level: 1 }).waitFor();

    await customer.getByLabel('Title').fill(TITLE);
    await customer.getByLabel('Symptoms').fill('Saving any record in Hub Browser fails with HUB-503 for every user since about 09:40.');

    // The severity helper suggests Sev 1 from the answer "a primary workflow is down".
    await customer.getByRole('radio', { name: /^No: a primary workflow is down/ }).check();
    const suggestion = customer.getByTestId('severity-suggestion');
    await suggestion.getByText('Sev 1 (Down)').waitFor();
    await suggestion.getByRole('button', { name: 'Use Sev 1' }).click();
    assert.ok(await customer.getByRole('radio', { name: 'Sev 1 (Down)' }).isChecked(), 'Sev 1 is selected from the suggestion');

    // What Claresia commits to for Sev 1 in Mode C (seed 000).
    const commitments = customer.getByTestId('commitments');
    assert.equal((await commitments.getByTestId('response-target').textContent()).trim(), 'A Claresia engineer will acknowledge within 15 minutes.');
    const channels = await commitments.getByTestId('required-channels').textContent();
    assert.match(channels, /Slack\/Teams Connect/);
    assert.match(channels, /support@claresia\.com/);
    assert.match(channels, /phone hotline/);

    await customer.getByRole('checkbox', { name: 'Hub', exact: true }).check();
    await customer.getByRole('checkbox', { name: 'eu-south-1 (Milano)' }).check();
    await customer.getByLabel('Impacted users').fill('800');
    const examples = customer.getByRole('textbox', { name: 'Impacted-user examples' });
    await examples.fill('jane.doe@globex.example');
    await examples.press('Enter');

    // The reporter's zone defaults to the browser's and stays editable.
    assert.equal(await customer.getByRole('textbox', { name: 'Your time zone' }).inputValue(), 'America/New_York');

    await customer.getByRole('checkbox', { name: 'LLM platform update' }).check();
    await customer.getByLabel('Details of the changes').fill('Connector SDK upgraded yesterday evening.');
    const codes = customer.getByRole('textbox', { name: 'Error codes' });
    await codes.fill('HUB-503');
    await codes.press('Enter');
    await customer.getByRole('checkbox', { name: 'We can reproduce the problem' }).check();
    await customer.getByRole('radio', { name: 'Control plane (runs in Claresia Cloud)' }).check();
    await customer.getByText('Who owns what in Mode C').waitFor();

    await settle(customer);
    await expectAccessible(customer, 'declare incident (filled)');
    await screenshot(customer, 'declare');

    await customer.getByRole('button', { name: 'Declare incident', exact: true }).last().click();
    await customer.waitForURL(/\/incidents\/[0-9a-f-]{36}$/);
    incidentPath = new URL(customer.url()).pathname;
    reference = (await customer.getByTestId('incident-reference').textContent()).trim();
    assert.match(reference, /^[A-Z][A-Z0-9]*-\d+$/, 'a tenant-qualified reference');
    await customer.getByRole('heading', { name: TITLE, level: 1 }).waitFor();
  });

  test('the 15-minute response clock counts down locally, without refetching', async () => {
    await settle(customer);
    const clock = customer.getByTestId('clock-initial_response');
    assert.equal(await clock.getAttribute('data-tone'), 'running');
    const requests = [];
    const onRequest = (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/')) requests.push(r.url());
    };
    customer.on('request', onRequest);
    const first = (await clock.getByTestId('clock-value').textContent()).trim();
    await customer.waitForTimeout(1100);
    const second = (await clock.getByTestId('clock-value').textContent()).trim();
    customer.off('request', onRequest);
    assert.match(first, /^1[45] min \d\d s$|^\d+ min \d\d s$/, `a minutes-and-seconds countdown, got "${first}"`);
    assert.ok(/^1[45] min/.test(first), `about 15 minutes left right after declaring, got "${first}"`);
    assert.notEqual(second, first, 'the displayed value changes second by second');
    assert.deepEqual(requests, [], 'no API request was needed for the countdown');

    // The customer's guidance during an active incident and the audit trail.
    await customer.getByRole('heading', { name: 'While the incident is open' }).waitFor();
    await customer.getByText("Don't rotate credentials in the middle of an incident", { exact: false }).waitFor();
    await customer.getByTestId('audit-trail').getByText('declared the incident').waitFor();
    // First-noticed time keeps the reporter's zone visible.
    await customer.getByText('(America/New_York)').first().waitFor();

    await expectAccessible(customer, 'incident (customer view)');
    await screenshot(customer, 'incident');
  });

  test('the incident is in the list, most urgent first, with a live clock', async () => {
    await customer.getByRole('navigation', { name: 'Main', exact: true }).getByRole('link', { name: 'Incidents' }).click();
    const row = customer.locator(`[data-testid="incident-row"][data-reference="${reference}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), new RegExp(TITLE));
    assert.match(await row.textContent(), /Sev 1/i);
    const urgencies = await customer.locator('[data-testid="incident-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-urgency'))));
    assert.deepEqual(
      [...urgencies].sort((a, b) => a - b),
      urgencies,
      'rows are sorted by the most urgent clock',
    );
    assert.equal(await row.getByTestId('clock-initial_response').getAttribute('data-tone'), 'running');

    await settle(customer);
    await expectAccessible(customer, 'incident list');
    await screenshot(customer, 'incidents');
  });

  test('the support engineer sees it across tenants and acknowledges it: the response clock is met', async () => {
    await signInStaff(support, { email: 'support@claresia.example' });
    await support.waitForURL(/\/vendor$/);
    await support.getByRole('heading', { name: 'All incidents', level: 1 }).waitFor();
    const row = support.locator(`[data-testid="incident-row"][data-reference="${reference}"]`).filter({ hasText: TITLE });
    await row.waitFor();
    assert.match(await row.textContent(), /Globex \(BYOC\)/, 'tenant column');
    const urgencies = await support.locator('[data-testid="incident-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-urgency'))));
    assert.deepEqual(
      [...urgencies].sort((a, b) => a - b),
      urgencies,
      'most urgent first',
    );
    const tenants = await support.locator('[data-testid="incident-row"]').allTextContents();
    assert.ok(
      tenants.some((t) => /Acme Manufacturing/.test(t)),
      'incidents of the other tenant are there too',
    );
    await settle(support);
    await expectAccessible(support, 'vendor view');
    await screenshot(support, 'vendor');

    await row.getByRole('link', { name: new RegExp(TITLE) }).click();
    await support.waitForURL(new RegExp(`${incidentPath}$`));
    await support.getByRole('button', { name: 'Acknowledge' }).click();
    const clock = support.getByTestId('clock-initial_response');
    await support.waitForFunction(() => document.querySelector('[data-testid="clock-initial_response"]')?.getAttribute('data-tone') === 'met');
    assert.equal((await clock.getByTestId('clock-value').textContent()).trim(), 'met');
    await support.getByTestId('timeline').getByText('Acknowledged by Claresia').waitFor();
  });

  test('the support engineer posts an update from a template', async () => {
    const actions = support.getByTestId('support-actions');
    await pickOption(support, actions.getByRole('textbox', { name: 'State' }), 'Identified');
    const body = actions.getByLabel('Update for the customer');
    assert.match(await body.inputValue(), /We have identified the cause: \{cause\}/, 'the template of the state is prefilled');
    await actions.getByRole('button', { name: 'Post update' }).click();
    await actions.getByText('Replace {cause} with the real text').waitFor();
    await body.fill('We have identified the cause: a connector SDK regression in the write path. A fix is rolling out; next update within 30 minutes.');
    await actions.getByRole('button', { name: 'Post update' }).click();
    await support.getByTestId('timeline').getByText('a connector SDK regression in the write path', { exact: false }).waitFor();
    await support.getByText('Status update: Identified').first().waitFor();
    await settle(support);
    await expectAccessible(support, 'incident (support engineer view)');
    await screenshot(support, 'incident-support');
  });

  test('waiting on the customer pauses restoration; the customer’s reply resumes it', async () => {
    const actions = support.getByTestId('support-actions');
    await actions.getByRole('tab', { name: 'Wait on customer' }).click();
    await actions.getByLabel('What do you need from the customer?').fill('Please send the HAR file of one failed save.');
    await actions.getByRole('button', { name: 'Set waiting on customer' }).click();
    await support.locator('[data-testid="incident-status"][data-status="waiting_on_customer"]').waitFor();
    assert.equal(await support.getByTestId('clock-restoration').getAttribute('data-tone'), 'paused');

    await customer.goto(incidentPath);
    await customer.getByText('Claresia is waiting on your answer').waitFor();
    // The question is in the banner, not only in the audit trail (issue 18).
    assert.match(await customer.getByTestId('open-question').textContent(), /Please send the HAR file of one failed save\./);
    // The audit trail says what changed and why, in words, and does not repeat the incident's reference.
    const audit = customer.getByTestId('audit-trail');
    await audit.getByText('→ Waiting on customer', { exact: false }).waitFor();
    await audit.getByText('Reason: Please send the HAR file of one failed save.').waitFor();
    assert.ok(!(await audit.textContent()).includes(reference), 'the reference is not repeated in the audit trail');
    assert.equal(await customer.getByTestId('clock-restoration').getAttribute('data-tone'), 'paused');
    assert.match(await customer.getByTestId('clock-restoration').textContent(), /paused/);
    await customer.getByRole('textbox', { name: 'Your answer' }).fill('HAR file shared in the Slack Connect channel at 10:12.');
    await customer.getByRole('button', { name: 'Send answer' }).click();
    await customer.locator('[data-testid="incident-status"][data-status="investigating"]').waitFor();
    await customer.getByTestId('timeline').getByText('HAR file shared in the Slack Connect channel', { exact: false }).waitFor();
    assert.equal(await customer.getByTestId('clock-restoration').getAttribute('data-tone'), 'running');
  });

  test('the support engineer resolves the incident', async () => {
    await support.reload();
    await support.getByTestId('timeline').getByText('HAR file shared in the Slack Connect channel', { exact: false }).waitFor();
    const actions = support.getByTestId('support-actions');
    await actions.getByRole('tab', { name: 'Resolve' }).click();
    await actions.getByLabel('Resolution summary').fill('Rolled back the connector SDK; Hub writes succeed again for all users.');
    await actions.getByRole('button', { name: 'Resolve incident' }).click();
    await support.locator('[data-testid="incident-status"][data-status="resolved"]').waitFor();
    await support.getByText('Resolved. Close it once the customer agrees', { exact: false }).waitFor();
    await support.getByTestId('audit-trail').getByText('resolved the incident').waitFor();
  });

  test('the customer sees the resolution, and the incident leaves the active list', async () => {
    await customer.goto(incidentPath);
    await customer.getByTestId('timeline').getByText('Rolled back the connector SDK', { exact: false }).waitFor();
    await customer.getByTestId('timeline').getByText('a connector SDK regression in the write path', { exact: false }).waitFor();
    assert.equal(await customer.getByRole('heading', { name: 'While the incident is open' }).count(), 0, 'the guidance is only shown while active');
    assert.equal(await customer.getByTestId('clock-initial_response').getAttribute('data-tone'), 'met');

    await customer.goto('/incidents');
    await customer.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    await settle(customer);
    assert.equal(await customer.locator(`[data-testid="incident-row"][data-reference="${reference}"]`).count(), 0, 'not in the active list');
    await pickOption(customer, customer.getByRole('textbox', { name: 'Status' }), 'Resolved');
    await customer.locator(`[data-testid="incident-row"][data-reference="${reference}"]`).waitFor();
  });

  test('the customer reopens it when the errors come back; the restoration clock runs again', async () => {
    await customer.goto(incidentPath);
    const form = customer.getByRole('form', { name: 'Reopen the incident' });
    await form.getByRole('button', { name: 'Reopen incident' }).click();
    await form.getByText('Say what is still failing').waitFor();
    await form.getByLabel('Why reopen').fill('Hub writes fail again for EU users since 15:10.');
    await form.getByRole('button', { name: 'Reopen incident' }).click();
    await customer.locator('[data-testid="incident-status"][data-status="investigating"]').waitFor();
    await customer.getByTestId('audit-trail').getByText('reopened the incident').waitFor();
    assert.notEqual(await customer.getByTestId('clock-restoration').getAttribute('data-tone'), 'met');
    await customer.getByRole('heading', { name: 'While the incident is open' }).waitFor();
    await expectAccessible(customer, 'incident (reopened)');
    assert.deepEqual(customer.problems, [], 'no errors in the customer page');
    assert.deepEqual(support.problems, [], 'no errors in the support page');
  });

  test('the customer lowers the severity, with a reason; the clock history keeps every run', async () => {
    const form = customer.getByRole('form', { name: 'Change severity' });
    await pickOption(customer, form.getByRole('textbox', { name: 'Severity' }), 'Sev 2 (Degraded)');
    await form.getByRole('button', { name: 'Change severity' }).click();
    await form.getByText('Say why the severity changes').waitFor();
    await form.getByLabel('Reason').fill('Only EU users are affected since the partial fix.');
    await form.getByRole('button', { name: 'Change severity' }).click();
    const audit = customer.getByTestId('audit-trail');
    await audit.getByText('changed the severity').waitFor();
    await audit.getByText('Reason: Only EU users are affected since the partial fix.').waitFor();
    await audit.getByText('clocks started again: Restoration', { exact: false }).waitFor();
    // Acknowledged in time under Sev 1: still met under Sev 1.
    assert.equal(await customer.getByTestId('clock-initial_response').getAttribute('data-tone'), 'met');

    const history = customer.getByTestId('clock-history');
    await history.locator('summary').click();
    await history.getByText('Severity changed: Sev 1 to Sev 2').waitFor();
    await history.getByText('Reason: Only EU users are affected since the partial fix.', { exact: false }).waitFor();
    await history.getByText('Initial response, Sev 1: 15 minutes').waitFor();
    await history.getByText('Restoration, Sev 2: 24 hours').waitFor();
    await history.getByText('by the severity change, before it was due', { exact: false }).waitFor();
    await history.getByText('by the reopen, before it was due', { exact: false }).waitFor();
    await history.getByText('Resolved, then reopened: restoration paused').waitFor();
    await history.getByText('Waiting on the customer: restoration paused').waitFor();
    await settle(customer);
    await expectAccessible(customer, 'incident (clock history)');
    assert.deepEqual(customer.problems, [], 'no errors in the customer page');
  });
});
