import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PDFDocument } from 'pdf-lib';
import { PirRenderFailed, PirRenderTimeout } from './errors';
import { renderPirHtml } from './html';
import { PirPdfRenderer, pirContentHash } from './renderer';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { pdfPageOnePng } from './testing/page-one';
import { pdfText } from './testing/pdf-text';
import { samplePirModel } from './testing/sample-model';

/** Line wrapping and `text-transform` change whitespace and case in extracted text, not the characters. */
const squash = (s: string) => s.replace(/\s+/g, '').toLowerCase();
function expectText(text: string, expected: string): void {
  if (!squash(text).includes(squash(expected))) throw new Error(`PDF text lacks: ${expected}`);
}

describe('PirPdfRenderer (real Chromium)', () => {
  const renderer = new PirPdfRenderer({ poolSize: 2, renderTimeoutMs: 30_000 });
  afterAll(() => renderer.close());

  it('renders every section, the timeline rows and the action items, with page numbers and metadata', async () => {
    const model = samplePirModel();
    const pdf = await renderer.render(model, { producedAt: new Date('2026-11-04T15:20:00Z') });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const { text, pages } = await pdfText(pdf);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(pages).toBeLessThanOrEqual(8);
    expectText(text, model.incident.title);
    expectText(text, 'Acme Corporation');
    expectText(text, 'Contents');
    for (const s of model.sections) expectText(text, s.title);
    expectText(text, 'expired on 2 November');
    for (const row of model.timeline) expectText(text, row.text);
    for (const item of model.actionItems) {
      expectText(text, item.action);
      expectText(text, item.owner);
    }
    expectText(text, 'Delivered after 2 business days');
    expectText(text, `Page 1 of ${pages}`);
    expectText(text, `Page ${pages} of ${pages}`);

    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    expect(doc.getPageCount()).toBe(pages);
    expect(doc.getTitle()).toBe(`Post-incident review INC-2026-0142: ${model.incident.title}`);
    expect(doc.getAuthor()).toBe('Dana Support');
    expect(doc.getSubject()).toContain('Sev1 incident INC-2026-0142 for Acme Corporation');
    expect(doc.getCreationDate()?.toISOString()).toBe('2026-11-04T15:20:00.000Z');
    const { width, height } = doc.getPage(0).getSize();
    // Page 1 as a PNG beside the test output, for a reviewer to look at (docs/screenshots/pir-page1.png is one of these).
    const artifacts = path.join(__dirname, '..', '..', '..', 'test-artifacts', 'screenshots');
    mkdirSync(artifacts, { recursive: true });
    await pdfPageOnePng(pdf, path.join(artifacts, 'pir-page1.png'));
    expect(Math.abs(width - 595.28)).toBeLessThan(1);
    expect(Math.abs(height - 841.89)).toBeLessThan(1);
  });

  it('prints on Letter paper when asked', async () => {
    const pdf = await renderer.render(samplePirModel(), { format: 'Letter' });
    const { width, height } = (await PDFDocument.load(pdf)).getPage(0).getSize();
    expect(Math.abs(width - 612)).toBeLessThan(1);
    expect(Math.abs(height - 792)).toBeLessThan(1);
  });

  it('gives the same content hash for the same model and another for a change', () => {
    const a = samplePirModel();
    expect(pirContentHash(a)).toBe(pirContentHash(samplePirModel()));
    expect(pirContentHash(a, { producedAt: new Date() })).toBe(pirContentHash(a));
    expect(pirContentHash(samplePirModel({ review: { ...a.review, version: 4 } }))).not.toBe(pirContentHash(a));
    expect(pirContentHash(a, { format: 'Letter' })).not.toBe(pirContentHash(a));
  });

  describe('hostile content', () => {
    let server: Server;
    let base: string;
    const hits: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        hits.push(req.url ?? '');
        res.end('x');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('refuses every request a document makes, even one without the template Content-Security-Policy', async () => {
      const doc = renderPirHtml(samplePirModel());
      const bare = {
        ...doc,
        html: `<!doctype html><html><body><img src="${base}/raw-img"><link rel="stylesheet" href="${base}/raw-css">bare</body></html>`,
      };
      const r = new PirPdfRenderer({ poolSize: 1, renderTimeoutMs: 30_000 });
      try {
        const { pdf } = await r.renderHtml(bare);
        expect((await pdfText(pdf)).text).toContain('bare');
        expect(hits).toEqual([]);
        expect(r.stats().blockedRequests).toBeGreaterThanOrEqual(2);
      } finally {
        await r.close();
      }
    });

    it('renders scripts, images, CSS url(), javascript: links, 10,000 lines, RTL and emoji as text and fetches nothing', async () => {
      const hostile = [
        `<script>fetch('${base}/script')</script>`,
        `<img src="${base}/img">`,
        `<div style="background:url(${base}/css)">styled</div>`,
        `<style>body{background:url('${base}/style')}</style>`,
        `![tracker](${base}/md-img)`,
        `<link rel="stylesheet" href="${base}/link">`,
        `<iframe src="${base}/frame"></iframe>`,
        '[click me](javascript:alert(1))',
        'RTL: שלום עולם مرحبا بالعالم',
        'Emoji: 🔥🚒✅',
      ].join('\n\n');
      const lines = Array.from({ length: 10_000 }, (_, i) => `root cause line ${i + 1}`).join('\n');
      const model = samplePirModel();
      model.tenant.name = `Acme <img src="${base}/tenant">`;
      model.tenant.logoDataUrl = `${base}/logo.png`;
      model.incident.title = `<script>fetch('${base}/title')</script> title`;
      model.sections = [
        { key: 'summary', title: 'Summary', markdown: hostile },
        { key: 'root_cause', title: 'Root cause', markdown: lines },
      ];
      model.timeline[0].text = `<img src="${base}/timeline"> timeline`;
      model.actionItems[0].action = `<a href="javascript:alert(1)">act</a>`;
      const limited = new PirPdfRenderer({ poolSize: 1, renderTimeoutMs: 45_000 });
      try {
        const started = Date.now();
        const pdf = await limited.render(model);
        expect(Date.now() - started).toBeLessThan(45_000);
        const { text, pages } = await pdfText(pdf);
        expect(hits).toEqual([]);
        expectText(text, `<script>fetch('${base}/script')</script>`);
        expectText(text, `<script>fetch('${base}/title')</script> title`);
        expectText(text, `<img src="${base}/timeline"> timeline`);
        expectText(text, '<a href="javascript:alert(1)">act</a>');
        expectText(text, '[image: tracker]');
        expectText(text, 'root cause line 1 root cause line 2');
        expectText(text, 'root cause line 10000');
        expectText(text, 'שלום');
        // Arabic comes out of the PDF as shaped presentation forms in visual order: compare normalized letters.
        const arabic = squash(text.normalize('NFKC'));
        expect(arabic.includes('مرحبا') || arabic.includes([...'مرحبا'].reverse().join(''))).toBe(true);
        expectText(text, 'Emoji:');
        expect(pages).toBeGreaterThan(5);
        const doc = await PDFDocument.load(pdf);
        // No link annotation carries a javascript: action.
        const raw = Buffer.from(await doc.save({ useObjectStreams: false })).toString('latin1');
        expect(raw).not.toMatch(/\/JavaScript|\/JS\s*\(/);
        expect(raw).not.toContain(`/URI (javascript`);
      } finally {
        await limited.close();
      }
    });
  });

  it('ends a render that exceeds its timeout and frees its page', async () => {
    const quick = new PirPdfRenderer({ poolSize: 1, renderTimeoutMs: 150 });
    try {
      await quick.start();
      const long = samplePirModel();
      long.sections[2].markdown = Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n\n');
      await expect(quick.render(long)).rejects.toBeInstanceOf(PirRenderTimeout);
      expect(quick.stats().failures).toBe(1);
      expect(quick.stats().rendering).toBe(0);
    } finally {
      await quick.close();
    }
  });

  it('survives Chromium being killed mid-render: that render fails, the next one works in a new browser', async () => {
    const r = new PirPdfRenderer({ poolSize: 1, renderTimeoutMs: 30_000 });
    try {
      await r.start();
      const pid = r.stats().browserPid!;
      expect(pid).toBeGreaterThan(0);
      const pending = r.render(samplePirModel());
      process.kill(pid, 'SIGKILL');
      await expect(pending).rejects.toBeInstanceOf(PirRenderFailed);
      const pdf = await r.render(samplePirModel());
      expect((await pdfText(pdf)).text).toContain('Root cause');
      expect(r.stats().browserLaunches).toBe(2);
      expect(r.stats().browserPid).not.toBe(pid);
    } finally {
      await r.close();
    }
  });

  it('fails a render at once whenever its browser dies: opening the page, loading the document or printing', async () => {
    // Killed at different moments of a render; a render that missed the exit would only end at its 20 s timeout.
    const outcomes: string[] = [];
    for (const delayMs of [0, 10, 20, 30, 40, 50, 60, 80, 100, 120]) {
      const r = new PirPdfRenderer({ poolSize: 1, renderTimeoutMs: 20_000 });
      try {
        await r.start();
        const pid = r.stats().browserPid!;
        const outcome = r.render(samplePirModel()).then(
          () => 'rendered',
          (e: Error) => e.name,
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        process.kill(pid, 'SIGKILL');
        outcomes.push(await outcome);
      } finally {
        await r.close();
      }
    }
    // A render may finish before the kill lands; none may wait for its timeout.
    expect(outcomes.filter((o) => o !== 'PirRenderFailed' && o !== 'rendered')).toEqual([]);
    expect(outcomes).toContain('PirRenderFailed');
  });

  it('restarts the browser every N renders and bounds concurrent pages', async () => {
    const r = new PirPdfRenderer({ poolSize: 2, restartAfterRenders: 2, maxQueue: 3 });
    try {
      const results = await Promise.all(Array.from({ length: 5 }, () => r.render(samplePirModel())));
      expect(results.every((b) => b.subarray(0, 5).toString() === '%PDF-')).toBe(true);
      expect(r.stats().renders).toBe(5);
      expect(r.stats().browserLaunches).toBeGreaterThanOrEqual(2);
      const overflow = Array.from({ length: 6 }, () =>
        r.render(samplePirModel()).then(
          () => 'ok',
          (e: Error) => e.name,
        ),
      );
      const outcomes = await Promise.all(overflow);
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(5);
      expect(outcomes.filter((o) => o === 'PirRenderFailed')).toHaveLength(1);
    } finally {
      await r.close();
    }
  });
});
