// Every page, for every role, at desktop and phone widths (issue 18, items 9 and 10): axe finds no violation
// of any level, nothing scrolls sideways at 390 and 320 px, and no button or label is cut off. Then the same
// pages in dark mode (the system setting), which must be as clean.
import { after, before, describe, test } from 'node:test';
import { assert, expectAccessible, expectNoClippedText, expectNoHorizontalOverflow, launch, newPage, settle, signInCustomer, signInStaff } from './helpers.mjs';

const ROLES = [
  { name: 'customer admin', signIn: (p) => signInCustomer(p, { tenant: 'acme', email: 'admin@acme.example' }) },
  { name: 'customer viewer', signIn: (p) => signInCustomer(p, { tenant: 'acme', email: 'viewer@acme.example', role: 'customer_viewer' }) },
  { name: 'support engineer', signIn: (p) => signInStaff(p, { email: 'support@claresia.example' }) },
  { name: 'CSM', signIn: (p) => signInStaff(p, { email: 'csm@claresia.example', role: 'csm' }) },
];

/** The pages a role reaches from its navigation, plus the incident page of an active and of a resolved incident. */
async function pagesOf(page, role) {
  const ids = await page.evaluate(async () => {
    const first = async (q) => (await (await fetch(`/api/v1/incidents${q}`)).json()).items?.[0]?.id ?? null;
    return { active: await first('?status=active&limit=1'), resolved: await first('?status=resolved&limit=1') };
  });
  const paths = role === 'customer admin' ? ['/incidents', '/incidents/new', '/settings', '/settings/identity-providers', '/settings/integrations'] : [];
  if (role === 'customer viewer') paths.push('/incidents', '/settings');
  if (role === 'support engineer') paths.push('/vendor', '/vendor/status');
  if (role === 'CSM') paths.push('/vendor');
  paths.push('/reviews', '/reports', '/no-such-page');
  if (ids.active) paths.push(`/incidents/${ids.active}`);
  if (ids.resolved) paths.push(`/incidents/${ids.resolved}`);
  return paths;
}

/** Opens a page and waits until its data is there (no loader left). */
async function open(page, path) {
  await page.goto(path);
  await page.locator('main h1, h1').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('.mantine-Loader-root'), null, { timeout: 5_000 }).catch(() => {});
  await settle(page);
}

describe('every page, every role', { timeout: 900_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  for (const role of ROLES) {
    test(`${role.name}: axe-clean at 1280 and 390 px, no sideways scroll or clipped text at 390 and 320 px`, async () => {
      const page = await newPage(browser);
      await role.signIn(page);
      const paths = await pagesOf(page, role.name);
      for (const path of paths) {
        await page.setViewportSize({ width: 1280, height: 900 });
        await open(page, path);
        await expectAccessible(page, `${path} (${role.name}, 1280 px)`);
        await expectNoClippedText(page, `${path} (${role.name}, 1280 px)`);
        for (const width of [390, 320]) {
          await page.setViewportSize({ width, height: 844 });
          await settle(page);
          await expectNoHorizontalOverflow(page, `${path} (${role.name}, ${width} px)`);
          await expectNoClippedText(page, `${path} (${role.name}, ${width} px)`);
          if (width === 390) await expectAccessible(page, `${path} (${role.name}, 390 px)`);
        }
      }
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }

  test('the dialogs: identity provider, token revocation', async () => {
    const page = await newPage(browser, { width: 390, height: 844 });
    await signInCustomer(page, { tenant: 'acme', email: 'admin@acme.example' });
    await open(page, '/settings/identity-providers');
    await page.getByRole('button', { name: 'Add identity provider' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add identity provider' });
    await dialog.waitFor();
    await settle(page);
    await expectAccessible(page, 'identity-provider dialog (390 px)');
    await expectNoClippedText(page, 'identity-provider dialog (390 px)');
    await dialog.getByRole('button', { name: 'Close dialog' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.context().close();
  });

  test('the sign-in pages and the public status page, in light and dark', async () => {
    for (const colorScheme of ['light', 'dark']) {
      for (const width of [1280, 390, 320]) {
        const page = await newPage(browser, { width, height: 844, colorScheme });
        for (const path of ['/sign-in', '/t/acme/sign-in', '/status']) {
          await open(page, path);
          await expectNoHorizontalOverflow(page, `${path} (${colorScheme}, ${width} px)`);
          await expectNoClippedText(page, `${path} (${colorScheme}, ${width} px)`);
          if (width !== 320) await expectAccessible(page, `${path} (${colorScheme}, ${width} px)`);
        }
        await page.context().close();
      }
    }
  });

  test('dark mode follows the system setting, is axe-clean, and the manual choice is remembered', async () => {
    for (const role of [ROLES[0], ROLES[2]]) {
      const page = await newPage(browser, { colorScheme: 'dark' });
      await role.signIn(page);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.mantineColorScheme), 'dark');
      for (const path of await pagesOf(page, role.name)) {
        for (const width of [1280, 390]) {
          await page.setViewportSize({ width, height: 900 });
          await open(page, path);
          await expectAccessible(page, `${path} (${role.name}, dark, ${width} px)`);
        }
      }
      await page.context().close();
    }

    // A light system, switched to dark by hand: the choice survives a reload.
    const page = await newPage(browser, { colorScheme: 'light' });
    await ROLES[0].signIn(page);
    await open(page, '/incidents');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.mantineColorScheme), 'light');
    await page.getByRole('button', { name: /^Colour scheme/ }).click();
    await page.getByRole('menuitemradio', { name: 'Dark' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.mantineColorScheme), 'dark');
    await page.reload();
    await page.locator('h1').first().waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.mantineColorScheme), 'dark');
    await page.getByRole('button', { name: /^Colour scheme/ }).click();
    await page.getByRole('menuitemradio', { name: 'Follow the system' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.mantineColorScheme), 'light');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
