import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import puppeteer from 'puppeteer-core';

/**
 * Page 1 of a PDF as a PNG, drawn by Chromium's own PDF viewer (the browser that printed it), for a reviewer to look
 * at. The viewer draws in its own process without a completion signal a page can observe, so this waits for the
 * first paint to settle before the screenshot.
 */
export async function pdfPageOnePng(pdf: Buffer, out: string, executablePath = '/usr/bin/chromium'): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pir-page-one-'));
  const file = path.join(dir, 'review.pdf');
  writeFileSync(file, pdf);
  const browser = await puppeteer.launch({ executablePath, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 820, height: 1140, deviceScaleFactor: 1.5 });
    await page.goto(`file://${file}#toolbar=0&navpanes=0&view=Fit`, { waitUntil: 'load' });
    await new Promise((r) => setTimeout(r, 2500));
    await page.screenshot({ path: out });
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
