import { createHash } from 'node:crypto';
import puppeteer, { type Browser, type HTTPRequest, type Page } from 'puppeteer-core';
import { PirRenderFailed, PirRendererClosed, PirRenderError, PirRenderTimeout } from './errors';
import { renderPirHtml, type PirHtml } from './html';
import type { PirDocumentModel, PirRenderOptions } from './model';
import { withDocumentInfo } from './pdf-info';

export interface PirPdfRendererOptions {
  /** Chromium binary (the host passes its configuration, e.g. the portal's PUPPETEER_EXECUTABLE_PATH); default /usr/bin/chromium. */
  executablePath?: string;
  /** Pages rendering at once (each a tab of the one warm browser); further renders queue. Default 2. */
  poolSize?: number;
  /** Whole render budget, queueing excluded. Default 30 s. */
  renderTimeoutMs?: number;
  /** The browser is replaced after this many renders (bounds leaks in a long-lived process). Default 500. */
  restartAfterRenders?: number;
  /** Renders waiting for a page beyond this are refused at once. Default 100. */
  maxQueue?: number;
  /**
   * Chromium's own sandbox. Default: on, except when the process runs as root, where Chromium refuses to start
   * with it (run the renderer as a non-root user to keep it).
   */
  sandbox?: boolean;
  /** Extra Chromium flags. */
  extraArgs?: string[];
}

export interface PirRendererStats {
  renders: number;
  failures: number;
  browserLaunches: number;
  blockedRequests: number;
  browserPid: number | null;
  /** Renders holding a page now. */
  rendering: number;
}

/** How long a page or a browser gets to close before its process is killed (a page stuck in layout may not answer). */
const CLOSE_GRACE_MS = 3_000;

/** Whether the promise settled within `ms`. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    late,
  ]).finally(() => clearTimeout(timer));
}

/**
 * The work, failed at once when its browser exits: puppeteer's waits (a new page, the document's load event) do not
 * always hear of it, and the render would otherwise only end at its timeout.
 */
function untilExit<T>(browser: Browser, work: Promise<T>): Promise<T> {
  let exited = () => {};
  const gone = new Promise<never>((_, reject) => {
    exited = () => reject(new PirRenderFailed('Chromium exited during the render'));
    browser.once('disconnected', exited);
    if (!browser.connected) exited();
  });
  return Promise.race([work, gone]).finally(() => browser.off('disconnected', exited));
}

interface PooledPage {
  page: Page;
  browser: Browser;
}

/** Order-independent JSON of a value (object keys sorted), for content hashes. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Hash of what a render depends on: the same model and options render the same document. */
export function pirContentHash(model: PirDocumentModel, options: PirRenderOptions = {}): string {
  const { producedAt: _ignored, ...rest } = options;
  void _ignored;
  return createHash('sha256')
    .update(canonical({ model, options: rest, layout: 1 }))
    .digest('hex');
}

/**
 * One warm Chromium shared by every render, a bounded pool of pages, a timeout per render, a fresh browser after
 * a crash or every N renders. Pages run with JavaScript disabled and every network request refused.
 * Usable as a Nest provider (`onModuleDestroy` closes the browser) without depending on Nest.
 */
export class PirPdfRenderer {
  private readonly executablePath: string;
  private readonly poolSize: number;
  private readonly timeoutMs: number;
  private readonly restartAfter: number;
  private readonly maxQueue: number;
  private readonly extraArgs: string[];

  private browser: Browser | null = null;
  private launching: Promise<Browser> | null = null;
  private rendersOnBrowser = 0;
  private readonly idle: PooledPage[] = [];
  private readonly inFlight = new Map<Browser, number>();
  private readonly retired = new Set<Browser>();
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  private closed = false;
  private readonly counters = { renders: 0, failures: 0, browserLaunches: 0, blockedRequests: 0 };

  constructor(options: PirPdfRendererOptions = {}) {
    this.executablePath = options.executablePath ?? '/usr/bin/chromium';
    this.poolSize = Math.max(1, options.poolSize ?? 2);
    this.timeoutMs = options.renderTimeoutMs ?? 30_000;
    this.restartAfter = Math.max(1, options.restartAfterRenders ?? 500);
    this.maxQueue = options.maxQueue ?? 100;
    const sandbox = options.sandbox ?? process.getuid?.() !== 0;
    this.extraArgs = [...(sandbox ? [] : ['--no-sandbox']), ...(options.extraArgs ?? [])];
  }

  stats(): PirRendererStats {
    return { ...this.counters, browserPid: this.browser?.process()?.pid ?? null, rendering: this.active };
  }

  /** Starts the browser ahead of the first render (optional: render starts it when needed). */
  async start(): Promise<void> {
    await this.currentBrowser();
  }

  /** The PIR as a PDF (Buffer) with title, author and subject set. */
  async render(model: PirDocumentModel, options: PirRenderOptions = {}): Promise<Buffer> {
    return (await this.renderDocument(model, options)).pdf;
  }

  /** The PIR as a PDF, with its page count. */
  renderDocument(model: PirDocumentModel, options: PirRenderOptions = {}): Promise<{ pdf: Buffer; pages: number }> {
    return this.renderHtml(renderPirHtml(model, options), options.producedAt);
  }

  /** A prepared document (see renderPirHtml) as a PDF. */
  async renderHtml(doc: PirHtml, producedAt?: Date): Promise<{ pdf: Buffer; pages: number }> {
    if (this.closed) throw new PirRendererClosed();
    await this.acquire();
    try {
      const pdf = await this.withTimeout(doc);
      this.counters.renders++;
      return await this.withMetadata(pdf, doc, producedAt ?? new Date());
    } catch (err) {
      this.counters.failures++;
      throw err;
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const browsers = new Set<Browser>([...this.retired, ...this.inFlight.keys()]);
    if (this.browser) browsers.add(this.browser);
    this.browser = null;
    this.idle.length = 0;
    await Promise.all([...browsers].map((b) => this.shut(b)));
    while (this.waiters.length) this.waiters.shift()?.();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  private acquire(): Promise<void> {
    if (this.active < this.poolSize) {
      this.active++;
      return Promise.resolve();
    }
    if (this.waiters.length >= this.maxQueue) {
      return Promise.reject(new PirRenderFailed('too many renders waiting'));
    }
    return new Promise((resolve) => this.waiters.push(() => resolve()));
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }

  private async withTimeout(doc: PirHtml): Promise<Uint8Array> {
    const deadline = Date.now() + this.timeoutMs;
    let pooled: PooledPage | null = null;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const work = (async () => {
      const browser = await this.currentBrowser();
      return untilExit(
        browser,
        (async () => {
          const taken = await this.takePage(browser);
          if (timedOut) {
            await this.discardPage(taken);
            throw new PirRenderTimeout(this.timeoutMs);
          }
          pooled = taken;
          return this.print(pooled, doc, deadline);
        })(),
      );
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new PirRenderTimeout(this.timeoutMs));
      }, this.timeoutMs);
    });
    try {
      const pdf = await Promise.race([work, timeout]);
      this.givePageBack(pooled!);
      return pdf;
    } catch (err) {
      work.catch(() => undefined);
      const p = pooled as PooledPage | null;
      if (p) await this.discardPage(p);
      if (err instanceof PirRenderError) throw err;
      // Puppeteer's own deadline (the same instant, given to goto/pdf) may fire a moment before ours.
      if (Date.now() >= deadline || (err instanceof Error && err.name === 'TimeoutError')) throw new PirRenderTimeout(this.timeoutMs);
      throw new PirRenderFailed(err instanceof Error ? err.message : String(err));
    } finally {
      clearTimeout(timer);
    }
  }

  private async print(pooled: PooledPage, doc: PirHtml, deadline: number): Promise<Uint8Array> {
    const remaining = () => Math.max(1, deadline - Date.now());
    // A page that crashes fails the render at once (a browser that exits: untilExit).
    let stopWatching = () => {};
    const gone = new Promise<never>((_, reject) => {
      const crashed = (err: Error) => reject(new PirRenderFailed(`the page crashed: ${err.message}`));
      pooled.page.once('error', crashed);
      stopWatching = () => pooled.page.off('error', crashed);
    });
    gone.catch(() => undefined);
    try {
      // Written into the page (no navigation, no request round trip): the document's own CSP and the request
      // interception still refuse anything it would fetch.
      await Promise.race([pooled.page.setContent(doc.html, { waitUntil: 'load', timeout: remaining() }), gone]);
      // Paper size, margins, header and footer come from the document's @page rule (page-margin boxes).
      return await Promise.race([
        pooled.page.pdf({
          format: doc.meta.format,
          preferCSSPageSize: true,
          printBackground: true,
          // Tagged output triples the object count and the metadata pass; the outline needs tags.
          tagged: false,
          timeout: remaining(),
        }),
        gone,
      ]);
    } finally {
      stopWatching();
    }
  }

  private withMetadata(pdf: Uint8Array, doc: PirHtml, producedAt: Date): Promise<{ pdf: Buffer; pages: number }> {
    return withDocumentInfo(pdf, {
      title: doc.meta.title,
      author: doc.meta.author,
      subject: doc.meta.subject,
      keywords: doc.meta.keywords,
      creator: 'Portal post-incident review renderer',
      producer: 'Chromium + pdf-lib',
      createdAt: producedAt,
    });
  }

  private async currentBrowser(): Promise<Browser> {
    if (this.closed) throw new PirRendererClosed();
    if (this.browser?.connected) return this.browser;
    if (!this.launching) {
      this.launching = this.launch().finally(() => {
        this.launching = null;
      });
    }
    return this.launching;
  }

  private async launch(): Promise<Browser> {
    const browser = await puppeteer.launch({
      executablePath: this.executablePath,
      headless: true,
      pipe: true,
      args: [
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-extensions',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-default-apps',
        '--disable-sync',
        '--no-first-run',
        '--no-default-browser-check',
        '--mute-audio',
        '--hide-scrollbars',
        ...this.extraArgs,
      ],
    });
    this.counters.browserLaunches++;
    browser.on('disconnected', () => {
      if (this.browser === browser) this.browser = null;
      this.retired.delete(browser);
      this.inFlight.delete(browser);
      for (let i = this.idle.length - 1; i >= 0; i--) if (this.idle[i].browser === browser) this.idle.splice(i, 1);
    });
    if (this.closed) {
      await this.shut(browser);
      throw new PirRendererClosed();
    }
    this.browser = browser;
    this.rendersOnBrowser = 0;
    return browser;
  }

  private async takePage(browser: Browser): Promise<PooledPage> {
    this.inFlight.set(browser, (this.inFlight.get(browser) ?? 0) + 1);
    const reusable = this.idle.findIndex((p) => p.browser === browser && !p.page.isClosed());
    if (reusable >= 0) return this.idle.splice(reusable, 1)[0];
    let page: Page;
    try {
      page = await browser.newPage();
    } catch (err) {
      this.leave(browser);
      throw err;
    }
    const pooled: PooledPage = { page, browser };
    page.on('request', (req: HTTPRequest) => this.answer(req));
    try {
      await page.setJavaScriptEnabled(false);
      await page.setRequestInterception(true);
    } catch (err) {
      await this.discardPage(pooled);
      throw err;
    }
    return pooled;
  }

  private answer(req: HTTPRequest): void {
    if (req.isInterceptResolutionHandled()) return;
    if (req.url().startsWith('data:')) {
      void req.continue().catch(() => undefined);
      return;
    }
    this.counters.blockedRequests++;
    void req.abort('blockedbyclient').catch(() => undefined);
  }

  private givePageBack(pooled: PooledPage): void {
    this.leave(pooled.browser);
    this.rendersOnBrowser += pooled.browser === this.browser ? 1 : 0;
    if (pooled.browser === this.browser && this.rendersOnBrowser >= this.restartAfter) this.retire(pooled.browser);
    if (pooled.browser === this.browser && pooled.browser.connected && !pooled.page.isClosed()) {
      this.idle.push(pooled);
    } else {
      void pooled.page.close().catch(() => undefined);
    }
    this.closeIfRetired(pooled.browser);
  }

  /** A page that does not close in time (its renderer stuck in layout) takes its browser with it. */
  private async discardPage(pooled: PooledPage): Promise<void> {
    this.leave(pooled.browser);
    if (!(await settlesWithin(pooled.page.close(), CLOSE_GRACE_MS))) this.retire(pooled.browser);
    this.closeIfRetired(pooled.browser);
  }

  /** New renders start a fresh browser; this one closes once its last render is done. */
  private retire(browser: Browser): void {
    if (this.browser === browser) this.browser = null;
    this.retired.add(browser);
    for (let i = this.idle.length - 1; i >= 0; i--) if (this.idle[i].browser === browser) this.idle.splice(i, 1);
  }

  /** Closes a browser; one that does not answer within the grace period is killed. */
  private async shut(browser: Browser): Promise<void> {
    const child = browser.process();
    if (!(await settlesWithin(browser.close(), CLOSE_GRACE_MS)) && child && child.exitCode === null) child.kill('SIGKILL');
  }

  private leave(browser: Browser): void {
    const n = (this.inFlight.get(browser) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(browser);
    else this.inFlight.set(browser, n);
  }

  private closeIfRetired(browser: Browser): void {
    if (this.retired.has(browser) && !this.inFlight.has(browser)) {
      this.retired.delete(browser);
      void this.shut(browser);
    }
  }
}
