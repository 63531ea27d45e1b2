import { Worker } from 'worker_threads';
import type { Json, JsonObject } from './body';
import { MARKER_PREFIX, type RedactionCounter } from './report';

/**
 * The maintained rule set of secret formats: secretlint's recommended preset (`@secretlint/core` +
 * `@secretlint/secretlint-rule-preset-recommend`: AWS, GCP, private keys, npm, basic auth in URLs, Slack
 * tokens and webhooks, SendGrid, Shopify, GitHub, GitLab, Grafana, OpenAI, Anthropic, Groq, Hugging Face,
 * Linear, Notion, 1Password, database connection strings, Vault, Vercel, Databricks, Docker, Figma), run
 * beside the sanitizer's own rules over every string that leaves it.
 *
 * secretlint is asynchronous (`lintSource` returns a promise; some rules use Web Crypto) and ships as ES
 * modules only, so it runs in one worker thread per process, loaded with `import()`. That also keeps it off
 * the thread that parses and rebuilds the HAR: both run at the same time. Calling it per string costs about
 * 0.35 ms a call (rule set-up), so strings are sent in batches of distinct values, joined by a separator that
 * no rule's pattern crosses, and each finding is mapped back to the value(s) it came from.
 *
 * What is redacted for a finding: its range, widened to the surrounding token (some rules report a range
 * that starts at a label, not at the secret), plus every occurrence in the value of the strings the finding
 * names in its data (the secret, the URI). The preset's `filter-comments` rule is left out: a
 * `secretlint-disable` comment inside an uploaded file must not switch the scan off. AWS access key ids are scanned
 * (`enableIDScanRule`); secretlint skips the AWS documentation's example values, which the sanitizer's own
 * rules catch.
 */

/** Strings shorter than this are not sent (no format of the preset is this short; own rules still apply). */
export const SECRET_RULES_MIN_LENGTH = 8;
/** Values are sent in batches of about this many characters. */
const BATCH_CHARS = 1024 * 1024;
/** Strings known to be clean are remembered (per stream) up to this many characters in total. */
const CLEAN_CACHE_CHARS = 8 * 1024 * 1024;
const CLEAN_CACHE_MAX_STRING = 4096;

export interface SecretRuleHit {
  /** The value with every finding replaced by `[REDACTED:secret:<rule>]`. */
  text: string;
  /** One rule name per replacement, e.g. `secret:github`. */
  rules: string[];
}

interface WorkerReply {
  id: number;
  hits?: [number, string, string[]][];
  error?: string;
}

// The worker's code, run as a CommonJS script (eval), so it works the same from compiled JS and under jest.
const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const SEP = workerData.separator;
const MAX_WIDEN = 512;
const BOUNDARY = new Set([' ', '\t', '\n', '\r', '\f', '\v', '\u0000', '"', "'", '\x60', '<', '>', ',', ';', '&', '(', ')', '[', ']', '{', '}', '\\']);
const ready = (async () => {
  // secretlint's profiler keeps every performance mark forever and searches them all on each new one (quadratic
  // time, unbounded memory in a long-lived process): the same module instance core uses is silenced first
  const { createRequire } = require('node:module');
  const profiler = await import(pathToFileURL(createRequire(workerData.core).resolve('@secretlint/profiler')).href);
  profiler.secretLintProfiler.mark = () => undefined;
  const core = await import(pathToFileURL(workerData.core).href);
  const preset = await import(pathToFileURL(workerData.preset).href);
  // the preset's rules one by one rather than the preset itself: a preset's sub-rule cannot be disabled
  // (secretlint 12 ignores "disabled" there), and filter-comments must not run
  const rules = preset.creator.rules
    .filter((rule) => rule.meta.id !== '@secretlint/secretlint-rule-filter-comments')
    .map((rule) => ({
      id: rule.meta.id,
      rule,
      options: rule.meta.id === '@secretlint/secretlint-rule-aws' ? { enableIDScanRule: true } : {},
    }));
  return { lintSource: core.lintSource, config: { rules } };
})();
ready.catch(() => undefined);

function ruleName(ruleId) {
  const short = String(ruleId || 'unknown').replace(/^@secretlint\/secretlint-rule-/, '').toLowerCase().replace(/[^a-z0-9_.:-]/g, '_').slice(0, 48);
  return 'secret:' + (short || 'unknown');
}

function widen(v, a, b) {
  let s = a;
  let e = b;
  while (s > 0 && a - s < MAX_WIDEN && !BOUNDARY.has(v[s - 1])) s--;
  while (e < v.length && e - b < MAX_WIDEN && !BOUNDARY.has(v[e])) e++;
  return [s, e];
}

function dataStrings(data) {
  const out = [];
  if (data && typeof data === 'object') {
    for (const k of Object.keys(data)) {
      const d = data[k];
      if (typeof d === 'string' && d.length >= 8) out.push(d);
    }
  }
  return out;
}

async function scan(values) {
  const { lintSource, config } = await ready;
  const starts = new Array(values.length);
  let pos = 0;
  for (let i = 0; i < values.length; i++) {
    starts[i] = pos;
    pos += values[i].length + SEP.length;
  }
  const content = values.join(SEP);
  const res = await lintSource({
    source: { content, filePath: '', ext: '.txt', contentType: 'text' },
    options: { config, noPhysicFilePath: true, maskSecrets: false },
  });
  const spans = new Map();
  const add = (j, s, e, rule) => {
    let l = spans.get(j);
    if (!l) spans.set(j, (l = []));
    l.push([s, e, rule]);
  };
  for (const m of res.messages) {
    const rule = ruleName(m.ruleId);
    const s = m.range[0];
    const e = Math.max(m.range[1], s + 1);
    let lo = 0;
    let hi = values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= s) lo = mid;
      else hi = mid - 1;
    }
    const secrets = dataStrings(m.data);
    for (let j = lo; j < values.length && starts[j] < e; j++) {
      const v = values[j];
      const a = Math.max(0, s - starts[j]);
      const b = Math.min(v.length, e - starts[j]);
      if (a >= b) continue;
      const w = widen(v, a, b);
      add(j, w[0], w[1], rule);
      for (const d of secrets) {
        for (let k = v.indexOf(d); k >= 0; k = v.indexOf(d, k + d.length)) add(j, k, k + d.length, rule);
      }
    }
  }
  const hits = [];
  for (const [j, list] of spans) {
    list.sort((x, y) => x[0] - y[0] || y[1] - x[1]);
    const v = values[j];
    let out = '';
    let at = 0;
    let cur = null;
    const rules = [];
    const flush = () => {
      out += v.slice(at, cur[0]) + '[REDACTED:' + cur[2] + ']';
      rules.push(cur[2]);
      at = cur[1];
    };
    for (const sp of list) {
      if (cur && sp[0] <= cur[1]) cur[1] = Math.max(cur[1], sp[1]);
      else {
        if (cur) flush();
        cur = [sp[0], sp[1], sp[2]];
      }
    }
    if (cur) flush();
    out += v.slice(at);
    hits.push([j, out, rules]);
  }
  return hits;
}

parentPort.on('message', (msg) => {
  scan(msg.values).then(
    (hits) => parentPort.postMessage({ id: msg.id, hits }),
    // the error's name only: secretlint messages quote the secret
    (err) => parentPort.postMessage({ id: msg.id, error: (err && err.name) || 'Error' }),
  );
});
`;

/** Joins the values of a batch; a newline stops `.`, `[^\s...]` and the like, the NUL stops `\s*`. */
const SEPARATOR = '\n\u0000\n';

interface Pending {
  resolve: (hits: [number, string, string[]][]) => void;
  reject: (e: Error) => void;
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function failAll(err: Error): void {
  worker = null;
  const all = [...pending.values()];
  pending.clear();
  for (const p of all) p.reject(err);
}

function getWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      core: require.resolve('@secretlint/core'),
      preset: require.resolve('@secretlint/secretlint-rule-preset-recommend'),
      separator: SEPARATOR,
    },
    resourceLimits: { maxOldGenerationSizeMb: 512 },
    stdout: true,
    stderr: true,
  });
  w.on('message', (m: WorkerReply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (pending.size === 0) w.unref();
    if (m.error !== undefined) p.reject(new Error(`the secret rule set (secretlint) failed: ${m.error}`));
    else p.resolve(m.hits ?? []);
  });
  w.on('error', (e: Error) => failAll(new Error(`the secret rule set (secretlint) worker failed: ${e.name}`)));
  w.on('exit', (code) => {
    if (worker === w) failAll(new Error(`the secret rule set (secretlint) worker stopped (exit ${code})`));
  });
  w.unref();
  worker = w;
  return w;
}

function request(values: string[]): Promise<[number, string, string[]][]> {
  const w = getWorker();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.ref(); // keep the process alive while an answer is owed
    w.postMessage({ id, values });
  });
}

/**
 * Runs the rule set over `values` (any strings). Resolves with the values that had findings, by index.
 * Rejects if the rule set cannot run: callers fail closed (no output without the scan).
 */
export async function scanWithSecretRules(values: readonly string[]): Promise<Map<number, SecretRuleHit>> {
  const out = new Map<number, SecretRuleHit>();
  if (values.length === 0) return out;
  const jobs: Promise<void>[] = [];
  let from = 0;
  let chars = 0;
  const send = (to: number) => {
    const base = from;
    jobs.push(
      request(values.slice(from, to)).then((hits) => {
        for (const [j, text, rules] of hits) out.set(base + j, { text, rules });
      }),
    );
    from = to;
    chars = 0;
  };
  for (let i = 0; i < values.length; i++) {
    chars += values[i].length + SEPARATOR.length;
    if (chars >= BATCH_CHARS) send(i + 1);
  }
  if (from < values.length) send(values.length);
  await Promise.all(jobs);
  return out;
}

/** Starts the shared worker now (it takes ~0.2 s to load the rule set), e.g. when a server starts or a stream opens. */
export function startSecretRules(): void {
  getWorker();
}

/** Stops the shared worker (tests, benchmarks); the next scan starts a new one. */
export async function stopSecretRules(): Promise<void> {
  const w = worker;
  if (!w) return;
  worker = null;
  failAll(new Error('the secret rule set (secretlint) was stopped'));
  await w.terminate();
}

const isMarkerOnly = (s: string): boolean => s.startsWith(MARKER_PREFIX) && s.endsWith(']') && s.indexOf(']') === s.length - 1;

/**
 * One stream's use of the rule set: collects the distinct candidate strings of what is about to be written,
 * scans them in one go, and rewrites the values (and object keys) that had findings, counting each
 * replacement. Remembers clean strings (bounded), so repeated header values are scanned once.
 */
export class SecretRulePass {
  private readonly clean = new Set<string>();
  private cleanChars = 0;

  constructor(private readonly counter: RedactionCounter) {}

  candidate(s: string): boolean {
    return s.length >= SECRET_RULES_MIN_LENGTH && !this.clean.has(s) && !isMarkerOnly(s);
  }

  /** Adds every candidate string (values and keys) found in `v` to `into`. */
  collect(v: Json | undefined, into: Set<string>): void {
    if (typeof v === 'string') {
      if (this.candidate(v)) into.add(v);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) this.collect(x, into);
      return;
    }
    for (const k of Object.keys(v)) {
      if (this.candidate(k)) into.add(k);
      this.collect(v[k], into);
    }
  }

  /** Scans the candidates; the map holds the redacted form of each one that had a finding. */
  async scan(candidates: Set<string>): Promise<Map<string, SecretRuleHit>> {
    const list = [...candidates];
    const hits = await scanWithSecretRules(list);
    const out = new Map<string, SecretRuleHit>();
    for (let i = 0; i < list.length; i++) {
      const h = hits.get(i);
      if (h) out.set(list[i], h);
      else this.remember(list[i]);
    }
    return out;
  }

  /** `v` with every string (value or key) that had a finding replaced; counts each occurrence. Unchanged parts are shared. */
  apply<T extends Json>(v: T, hits: Map<string, SecretRuleHit>): T {
    if (hits.size === 0) return v;
    return this.rewrite(v, hits) as T;
  }

  /** One string (free text, a file name, an insight): scanned and rewritten. */
  async redactString(s: string): Promise<string> {
    if (!this.candidate(s)) return s;
    const hits = await this.scan(new Set([s]));
    return this.apply(s, hits);
  }

  private rewrite(v: Json, hits: Map<string, SecretRuleHit>): Json {
    if (typeof v === 'string') {
      const h = hits.get(v);
      if (!h) return v;
      for (const r of h.rules) this.counter.add(r);
      return h.text;
    }
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      let out: Json[] | null = null;
      for (let i = 0; i < v.length; i++) {
        const x = this.rewrite(v[i], hits);
        if (x !== v[i]) {
          out ??= v.slice();
          out[i] = x;
        }
      }
      return out ?? v;
    }
    let changed = false;
    const entries: [string, Json][] = [];
    for (const k of Object.keys(v)) {
      const nk = this.rewrite(k, hits) as string;
      const nv = this.rewrite(v[k], hits);
      if (nk !== k || nv !== v[k]) changed = true;
      entries.push([nk, nv]);
    }
    if (!changed) return v;
    const out: JsonObject = {};
    for (const [k, x] of entries) {
      if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
      else out[k] = x;
    }
    return out;
  }

  private remember(s: string): void {
    if (s.length > CLEAN_CACHE_MAX_STRING) return;
    if (this.cleanChars + s.length > CLEAN_CACHE_CHARS) {
      this.clean.clear();
      this.cleanChars = 0;
    }
    this.clean.add(s);
    this.cleanChars += s.length;
  }
}
