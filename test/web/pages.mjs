// The roles and pages the every-page and dark-mode browser tests visit (issue 18, items 9-10).
import { settle, signInCustomer, signInStaff } from './helpers.mjs';

export const ROLES = [
  { name: 'customer admin', signIn: (p) => signInCustomer(p, { tenant: 'acme', email: 'admin@acme.example' }) },
  { name: 'customer viewer', signIn: (p) => signInCustomer(p, { tenant: 'acme', email: 'viewer@acme.example', role: 'customer_viewer' }) },
  { name: 'support engineer', signIn: (p) => signInStaff(p, { email: 'support@claresia.example' }) },
  { name: 'CSM', signIn: (p) => signInStaff(p, { email: 'csm@claresia.example', role: 'csm' }) },
];

/** The pages a role reaches from its navigation, plus the incident page of an active and of a resolved incident. */
export async function pagesOf(page, role) {
  const ids = await page.evaluate(async () => {
    const first = async (q) => (await (await fetch(`/api/v1/incidents${q}`)).json()).items?.[0]?.id ?? null;
    return { active: await first('?status=active&limit=1'), resolved: await first('?status=resolved&limit=1') };
  });
  const paths = role === 'customer admin' ? ['/incidents', '/incidents/new', '/settings', '/settings/identity-providers', '/settings/integrations'] : [];
  if (role === 'customer viewer') paths.push('/incidents', '/settings');
  if (role === 'support engineer') paths.push('/vendor', '/vendor/status', '/vendor/escalation');
  if (role === 'CSM') paths.push('/vendor', '/working-hours');
  paths.push('/reviews', '/reports', '/no-such-page');
  if (ids.active) paths.push(`/incidents/${ids.active}`);
  if (ids.resolved) paths.push(`/incidents/${ids.resolved}`);
  return paths;
}

/** Opens a page and waits until its data is there (no loader left). */
export async function open(page, path) {
  await page.goto(path);
  await page.locator('main h1, h1').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('.mantine-Loader-root'), null, { timeout: 5_000 }).catch(() => {});
  await settle(page);
}
