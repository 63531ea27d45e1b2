// Dark mode (issue 18): the colour scheme follows the system setting, every signed-in page is axe-clean in dark at
// 1280 and 390 px, the header's menus are axe-clean while open, and a manual choice in the header is remembered
// across reloads.
import { after, before, describe, test } from 'node:test';
import { assert, expectAccessible, launch, newPage } from './helpers.mjs';
import { open, pagesOf, ROLES } from './pages.mjs';

describe('dark mode', { timeout: 1_200_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test('a manual choice in the header wins over the system setting and survives a reload', async () => {
    // A light system, switched to dark by hand: the choice survives a reload.
    const page = await newPage(browser, { colorScheme: 'light' });
    await ROLES[0].signIn(page);
    await open(page, '/incidents');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.mantineColorScheme), 'light');
    await page.getByRole('button', { name: /^Colour scheme/ }).click();
    await page.getByRole('menuitem', { name: 'Dark' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.mantineColorScheme), 'dark');
    await page.reload();
    await page.locator('h1').first().waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.mantineColorScheme), 'dark');
    await page.getByRole('button', { name: /^Colour scheme/ }).click();
    await page.getByRole('menuitem', { name: 'Follow the system' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.mantineColorScheme), 'light');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("the header's menus are axe-clean while open (aria-required-children), light and dark, at 1280 and 390 px", async () => {
    for (const colorScheme of ['light', 'dark']) {
      const page = await newPage(browser, { colorScheme });
      await ROLES[0].signIn(page);
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await open(page, '/incidents');
        for (const trigger of [/^Colour scheme/, /^Account: /]) {
          await page.getByRole('button', { name: trigger }).click();
          const menu = page.getByRole('menu');
          await menu.waitFor();
          // Opening moves the focus into the menu (its first item), not onto a focusable placeholder.
          await page.waitForFunction(() => document.activeElement?.closest('[role="menu"]') !== null, undefined, { timeout: 5_000 });
          await expectAccessible(page, `${trigger.source} menu open on /incidents (${colorScheme}, ${width} px)`);
          await page.keyboard.press('Escape');
          await menu.waitFor({ state: 'hidden' });
        }
      }
      assert.deepEqual(page.problems, []);
      await page.context().close();
    }
  });

  for (const role of [ROLES[0], ROLES[2]]) {
    test(`${role.name}: dark when the system is dark, and every page axe-clean in it at 1280 and 390 px`, async () => {
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
    });
  }
});
