// Every page, for every role, at desktop and phone widths (issue 18, items 9 and 10): axe finds no violation
// of any level, nothing scrolls sideways at 390 and 320 px, and no button or label is cut off. Then the same
// sign-in and status pages in dark mode too (test/web/dark-mode.test.mjs covers the signed-in pages in dark).
import { after, before, describe, test } from 'node:test';
import { assert, expectAccessible, expectNoClippedText, expectNoHorizontalOverflow, launch, newPage, settle, signInCustomer } from './helpers.mjs';
import { open, pagesOf, ROLES } from './pages.mjs';

describe('every page, every role', { timeout: 2_400_000 }, () => {
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
});
