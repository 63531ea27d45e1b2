import { execSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { generateCanaryHar } from '@portal/har-sanitizer';
import type { Tenant } from '../apps/portal-api/src/tenants/tenant.types';
import { declareIncident, evidenceTmpDir, filesUnder, findLeaks, ownerQuery } from './evidence-helpers';
import { createTenant, createTestApp, TestApp, tokenFor } from './support/test-app';

const ROOT = resolve(__dirname, '..');
const WEB = join(ROOT, 'dist', 'portal-web');

/** The built web app, built now if missing or older than the evidence section. */
function ensureWebBuild(): void {
  const assets = join(WEB, 'assets');
  const built =
    existsSync(assets) && readdirSync(assets).some((f) => f.endsWith('.js') && readFileSync(join(assets, f), 'utf8').includes('upload-progress-text'));
  if (!built) execSync('npm run build:web', { cwd: ROOT, stdio: 'ignore' });
}

// Browser work: explicit timeouts rather than jest's 5 s default.
jest.setTimeout(90_000);

describe('evidence section in the browser', () => {
  let t: TestApp;
  let dir: string;
  let base: string;
  let tenant: Tenant;
  let incident: string;
  let browser: Browser;

  beforeAll(async () => {
    ensureWebBuild();
    dir = evidenceTmpDir();
    t = await createTestApp({
      env: { EVIDENCE_DIR: dir, WEB_DIST_DIR: WEB, SESSION_IDLE_MINUTES: '100000', SESSION_ABSOLUTE_HOURS: '100000' },
      now: new Date().toISOString(),
    });
    const server = t.app.getHttpServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    tenant = await createTenant(t.app);
    incident = await declareIncident(t, `Bearer ${await tokenFor(t.app, tenant.id)}`);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function signedIn(body: { role: string; tenant?: string }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ baseURL: base });
    const res = await context.request.post('/auth/dev/login', { data: { email: `${body.role}-${Date.now()}@example.com`, ...body } });
    expect(res.status()).toBe(200);
    const page = await context.newPage();
    await page.goto(`/incidents/${incident}`);
    await page.getByRole('heading', { name: 'Evidence', level: 2 }).waitFor();
    return { context, page };
  }

  it('uploads a HAR with a progress bar and shows what was removed and what the HAR says', async () => {
    const { context, page } = await signedIn({ role: 'customer_admin', tenant: tenant.slug });
    const { har, canaries } = generateCanaryHar();
    const section = page.getByTestId('evidence');
    await section.getByLabel('HAR file (browser network log)').check();
    await section
      .locator('input[type=file]')
      .setInputFiles({ name: 'hub.example.har', mimeType: 'application/octet-stream', buffer: Buffer.from(JSON.stringify(har)) });
    await section.getByRole('button', { name: 'Upload', exact: true }).click();

    const item = section.getByTestId('evidence-item').filter({ hasText: 'hub.example.har' });
    await item
      .getByTestId('redaction-summary')
      .getByText(/Removed before storing: \d+ cookies, \d+ Authorization headers/)
      .waitFor();
    await item.getByText(/\d+ requests over .*, \d+ failed/).waitFor();
    // the new upload opens with its details: failed requests, error codes, hosts
    await item.getByText('POST hub.example/api/records → 503', { exact: true }).waitFor();
    await item.getByText('ServerBusy ×1').waitFor();
    await item.getByText('hub.example ×7').waitFor();
    expect(findLeaks('page', await page.content(), canaries)).toEqual([]);

    const download = await Promise.all([page.waitForEvent('download'), item.getByRole('link', { name: /Download the sanitized/ }).click()]).then(([d]) => d);
    expect(download.suggestedFilename()).toBe('hub.example.sanitized.har');
    expect(findLeaks('download', readFileSync(await download.path()), canaries)).toEqual([]);

    await section.screenshot({ path: join(ROOT, 'test-artifacts', 'screenshots', 'evidence-section.png') });
    const axe = await new AxeBuilder({ page }).include('[data-testid="evidence"]').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help} ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary}`).join(' | ')}`)).toEqual([]);
    await context.close();
  });

  it('shows the bytes sent while a large upload runs, and cancelling it stores nothing', async () => {
    const { context, page } = await signedIn({ role: 'customer_admin', tenant: tenant.slug });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 512 * 1024 });
    const before = filesUnder(dir);
    const [{ n: rowsBefore }] = await ownerQuery<{ n: number }>('select count(*)::int as n from attachments where incident_id = $1', [incident]);
    const big = Buffer.from(JSON.stringify(generateCanaryHar({ rounds: 1, fillerEntries: 6_000 }).har));
    expect(big.length).toBeGreaterThan(4 * 1024 * 1024);

    const section = page.getByTestId('evidence');
    await section.locator('input[type=file]').setInputFiles({ name: 'big.har', mimeType: 'application/octet-stream', buffer: big });
    await section.getByRole('button', { name: 'Upload', exact: true }).click();
    const bar = section.getByRole('progressbar', { name: 'Upload progress' });
    await page.waitForFunction(() => {
      const v = Number(document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow'));
      return v > 5 && v < 60;
    });
    await section.getByTestId('upload-progress').screenshot({ path: join(ROOT, 'test-artifacts', 'screenshots', 'evidence-upload-progress.png') });
    expect(await section.getByTestId('upload-progress-text').textContent()).toMatch(/^[\d.]+ (KiB|MiB) of [\d.]+ MiB sent \(\d+%\)$/);
    await section.getByRole('button', { name: 'Cancel upload' }).click();
    await page.getByText('Upload cancelled. Nothing was stored.').waitFor();
    await bar.waitFor({ state: 'detached' });

    // the server side of the cancelled request goes away too: no temp file, no object, no row
    await until(() => readdirSync(join(dir, 'incoming')).length === 0);
    expect(filesUnder(dir)).toEqual(before);
    const [{ n: rowsAfter }] = await ownerQuery<{ n: number }>('select count(*)::int as n from attachments where incident_id = $1', [incident]);
    expect(rowsAfter).toBe(rowsBefore);
    await context.close();
  });

  it("refuses a file over the limit before sending it, and shows the server's rule when it refuses one", async () => {
    const { context, page } = await signedIn({ role: 'customer_admin', tenant: tenant.slug });
    const section = page.getByTestId('evidence');
    await section.getByLabel('Screenshot').check();
    await section.locator('input[type=file]').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('this is text, not an image') });
    await section.getByRole('button', { name: 'Upload', exact: true }).click();
    await section.getByRole('alert').getByText('The file is text, not a PNG or JPEG image.').waitFor();
    await context.close();
  });

  it('gives a viewer the download but not the upload or delete, and a CSM neither the download', async () => {
    const viewer = await signedIn({ role: 'customer_viewer', tenant: tenant.slug });
    const v = viewer.page.getByTestId('evidence');
    await v.getByTestId('evidence-item').first().waitFor();
    expect(await v.getByRole('form', { name: 'Upload evidence' }).count()).toBe(0);
    expect(await v.getByRole('link', { name: /Download the sanitized/ }).count()).toBeGreaterThan(0);
    expect(await v.getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    await viewer.context.close();

    const staff = await signIn_csm();
    const c = staff.page.getByTestId('evidence');
    await c.getByTestId('evidence-item').first().waitFor();
    await c.getByTestId('redaction-summary').first().waitFor();
    expect(await c.getByRole('link', { name: /Download/ }).count()).toBe(0);
    await c.getByText(/downloading the files is for the customer’s team and Claresia support/).waitFor();
    await staff.context.close();
  });

  async function signIn_csm() {
    const context = await browser.newContext({ baseURL: base });
    const email = `csm-${Date.now()}@example.com`;
    const res = await context.request.post('/auth/dev/login', { data: { email, role: 'csm' } });
    expect(res.status()).toBe(200);
    await ownerQuery('insert into csm_assignments (staff_id, tenant_id) values ($1, $2)', [(await res.json()).principal.id, tenant.id]);
    const page = await context.newPage();
    await page.goto(`/incidents/${incident}`);
    await page.getByRole('heading', { name: 'Evidence', level: 2 }).waitFor();
    return { context, page };
  }
});

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}
