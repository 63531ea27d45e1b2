// Shared helpers of the browser tests: Debian's Chromium through playwright-core, sign-in through
// the real sign-in page, axe-core scans, and screenshots saved for reviewers.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BASE = process.env.PORTAL_URL ?? 'http://127.0.0.1:3000';
const SHOTS = join(root, 'test-artifacts/screenshots');
const DOC_SHOTS = join(root, 'docs/screenshots');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // Root in a closed network: no sandbox, nothing phoning home.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh browser context (own cookies) at desktop width unless told otherwise. */
export async function newPage(browser, { width = 1280, height = 900, timezoneId = 'Europe/Rome', fakeClock = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, timezoneId, locale: 'en-GB', baseURL: BASE });
  if (fakeClock) await context.clock.install({ time: new Date() });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console error: ${m.text()}`);
  });
  page.problems = problems;
  return page;
}

/** Signs in through the development sign-in form of a tenant's sign-in page. */
export async function signInCustomer(page, { tenant, email, role = 'customer_admin' }) {
  await page.goto(`/t/${tenant}/sign-in`);
  const form = page.getByRole('form', { name: 'Development sign-in' });
  await form.getByLabel('Work email').fill(email);
  if (role !== 'customer_admin') await pickOption(page, form.getByRole('textbox', { name: 'Role' }), role === 'customer_viewer' ? 'Customer viewer' : role);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.includes('sign-in'));
}

/** Vendor staff sign in without a tenant. */
export async function signInStaff(page, { email, role = 'support_engineer' }) {
  await page.goto('/sign-in');
  const form = page.getByRole('form', { name: 'Staff development sign-in' });
  await form.getByLabel('Work email').fill(email);
  if (role === 'csm') await pickOption(page, form.getByRole('textbox', { name: 'Role' }), 'Claresia customer success');
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.includes('sign-in'));
}

/** Picks an option of a Mantine Select. */
export async function pickOption(page, input, label) {
  await input.click();
  await page.getByRole('option', { name: label, exact: true }).click();
}

/** axe-core (WCAG 2.x A/AA): no serious or critical violation. Returns all violations for the report. */
export async function expectAccessible(page, name) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = (vs) =>
    vs
      .map(
        (v) =>
          `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes
            .slice(0, 5)
            .map((n) => n.target.join(' '))
            .join('\n    ')}`,
      )
      .join('\n  ');
  if (result.violations.length)
    process.stdout.write(`axe ${name}: ${result.violations.length} violation(s) (${bad.length} serious/critical)\n  ${summary(result.violations)}\n`);
  else process.stdout.write(`axe ${name}: no violations\n`);
  assert.equal(bad.length, 0, `axe found serious/critical violations on ${name}:\n  ${summary(bad)}`);
  return result.violations;
}

/** Full-page screenshot into test-artifacts/screenshots and docs/screenshots. */
export async function screenshot(page, name, { docs = true } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(DOC_SHOTS, { recursive: true });
  // Fixed header and sticky panels are drawn where the page is scrolled: start from the top.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(100);
  const file = join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  if (docs) copyFileSync(file, join(DOC_SHOTS, `${name}.png`));
}

/** The page does not scroll sideways (phone widths). */
export async function expectNoHorizontalOverflow(page, what) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(scroll <= client, `${what} overflows horizontally: scrollWidth ${scroll} > clientWidth ${client}`);
}

/** Lets notifications and transitions settle before a screenshot or scan. */
export async function settle(page) {
  await page.waitForLoadState('networkidle').catch(() => {});
  for (const close of await page.getByRole('button', { name: 'Dismiss notification' }).all()) await close.click().catch(() => {});
  await page.waitForTimeout(400);
}

/** Declares an incident through the API with the page's session (for tests that are not about the form). */
export async function declareViaApi(page, body) {
  return page.evaluate(async (b) => {
    const csrf = decodeURIComponent((document.cookie.split('; ').find((c) => c.startsWith('portal_csrf=')) ?? '').split('=')[1] ?? '');
    const res = await fetch('/api/v1/incidents', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(b),
    });
    return { status: res.status, body: await res.json() };
  }, body);
}

export { assert };
