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
export async function newPage(browser, { width = 1280, height = 900, timezoneId = 'Europe/Rome', fakeClock = false, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, timezoneId, locale: 'en-GB', baseURL: BASE, colorScheme });
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

/**
 * axe-core (WCAG 2.0-2.2 A/AA, incl. target sizes, and axe's best practices): no violation of any level
 * (h7b-web-polish: minor and moderate ones fail too). Returns the (empty) list of violations.
 */
export async function expectAccessible(page, name) {
  // Colours are checked as drawn: wait for finite transitions (a dialog's fade-in) to end, or axe measures a
  // half-faded contrast (it did: 4.35 instead of the button's 4.6 in the full browser run).
  await page
    .waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity), null, {
      timeout: 3000,
    })
    .catch(() => {});
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
  const summary = (vs) =>
    vs
      .map(
        (v) =>
          `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes
            .slice(0, 5)
            .map((n) => `${n.target.join(' ')}${n.failureSummary ? ` (${n.failureSummary.replace(/\s+/g, ' ').slice(0, 160)})` : ''}`)
            .join('\n    ')}`,
      )
      .join('\n  ');
  assert.equal(result.violations.length, 0, `axe found violations on ${name}:\n  ${summary(result.violations)}`);
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
  const { scroll, client, culprits } = await page.evaluate(() => {
    const width = window.innerWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .slice(0, 5)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''} (${Math.round(el.getBoundingClientRect().right)} px)`,
      );
    return { scroll: document.scrollingElement.scrollWidth, client: width, culprits: wide };
  });
  assert.ok(scroll <= client, `${what} overflows horizontally: scrollWidth ${scroll} > innerWidth ${client}; widest: ${culprits.join(', ')}`);
}

/**
 * No text cut off: every button label, badge, field label and select value fits its box (h7b-web-polish).
 * Elements hidden for screen-reader-only text (1 px boxes) are not looked at.
 */
export async function expectNoClippedText(page, what) {
  const clipped = await page.evaluate(() => {
    const selector = [
      'button',
      '[role="button"]',
      'a.mantine-Button-root',
      '.mantine-Button-label',
      '.mantine-Badge-label',
      'label',
      '.mantine-SegmentedControl-label',
      '.mantine-Tabs-tabLabel',
      'input[readonly]',
      'input[type="search"]',
    ].join(',');
    return [...document.querySelectorAll(selector)]
      .filter((el) => el.clientWidth > 1 && el.getClientRects().length > 0)
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => `"${(el.value || el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 60)}" (${el.scrollWidth} > ${el.clientWidth} px)`);
  });
  assert.deepEqual(clipped, [], `${what} clips text: ${clipped.join('; ')}`);
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
