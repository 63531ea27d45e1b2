import { isJsonMime, jsonNestingExceeds, looksJson, type Json, type JsonObject } from './body';
import { createNameMatcher } from './names';
import { TextRedactor } from './redact-text';
import { RedactionCounter } from './report';
import type { ErrorCodeCount, FailedRequestGroup, HarInsights, SlowRequest } from './types';

const MAX_GROUPS = 10_000;
/** Failed-request groups once MAX_GROUPS distinct ones exist: per host (paths folded) up to this many more, then one. */
const MAX_OVERFLOW_GROUPS = 1_000;
const OTHER_HOSTS = '(other hosts)';
const OTHER_PATHS = '(other paths)';
const MAX_CODES = 1_000;
const MAX_BODY_FOR_CODES = 1024 * 1024;

/** Response headers that carry an error code. */
const ERROR_CODE_HEADERS = new Set([
  'x-error-code',
  'x-ms-error-code',
  'x-amzn-errortype',
  'x-amz-error-code',
  'x-error',
  'error-code',
  'x-errorcode',
  'x-err-code',
  'x-ms-ests-error-code',
  'grpc-status',
]);

/** The error codes read from one entry's original response (deduplicated within the entry). */
export type EntryCodes = { code: string; source: 'header' | 'body' }[];

const isObj = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function hostAndPath(url: string): { host: string; path: string } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/.exec(url);
  if (m) {
    const authority = m[2].slice(m[2].lastIndexOf('@') + 1).toLowerCase();
    return { host: authority.slice(0, 256), path: (m[3] || '/').slice(0, 512) };
  }
  const s = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  if (s && !url.startsWith('/')) return { host: `${s[1].toLowerCase()}:`.slice(0, 256), path: '' };
  return { host: '', path: url.split(/[?#]/)[0].slice(0, 512) };
}

function codeString(v: Json | undefined): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  const t = v.trim();
  if (t.length === 0 || t.length > 100) return null;
  return t;
}

/** Aggregates the triage view of a HAR, entry by entry, in bounded memory. */
export class InsightsCollector {
  private entryCount = 0;
  private minStart = Infinity;
  private maxEnd = -Infinity;
  private readonly failed = new Map<string, FailedRequestGroup>();
  private slow: SlowRequest[] = [];
  private readonly codes = new Map<string, ErrorCodeCount>();
  private readonly hosts = new Map<string, number>();
  /** Codes come from raw (pre-redaction) data, so they get the text scan too; not counted in the report. */
  private readonly scanner = new TextRedactor(createNameMatcher(), new RedactionCounter());

  /**
   * @param original the entry as parsed (response body still present), for error codes
   * @param sanitized the sanitized entry, for everything that is shown (URL, method)
   */
  add(original: JsonObject, sanitized: JsonObject): void {
    this.addSanitized(sanitized, this.codesOf(original));
  }

  /**
   * The error codes of one entry, read from the original (before its response body is dropped), so that the
   * original need not be kept until the entry is written: a few short strings instead of the whole entry.
   */
  codesOf(original: JsonObject): EntryCodes {
    const out: EntryCodes = [];
    const ores = isObj(original.response) ? original.response : undefined;
    if (ores) {
      const status = typeof ores.status === 'number' ? ores.status : 0;
      this.errorCodes(ores, status >= 400 || status === 0, out);
    }
    return out;
  }

  /** One entry, as written (after every rule), with the codes `codesOf` read from its original. */
  addSanitized(sanitized: JsonObject, codes: EntryCodes): void {
    this.entryCount++;
    const req = isObj(sanitized.request) ? sanitized.request : {};
    const res = isObj(sanitized.response) ? sanitized.response : {};
    const method = typeof req.method === 'string' ? req.method.slice(0, 32) : '';
    const { host, path } = hostAndPath(typeof req.url === 'string' ? req.url : '');
    const status = typeof res.status === 'number' ? res.status : 0;
    const time = typeof sanitized.time === 'number' ? sanitized.time : 0;
    const started = typeof sanitized.startedDateTime === 'string' ? sanitized.startedDateTime : '';
    const startMs = started ? Date.parse(started) : NaN;
    if (Number.isFinite(startMs)) {
      if (startMs < this.minStart) this.minStart = startMs;
      const end = startMs + (time > 0 ? time : 0);
      if (end > this.maxEnd) this.maxEnd = end;
    }

    const hostKey = this.hosts.has(host) || this.hosts.size < MAX_GROUPS ? host : '(other)';
    this.hosts.set(hostKey, (this.hosts.get(hostKey) ?? 0) + 1);

    const failed = status >= 400 || status === 0;
    if (failed) this.addFailed(method, host, path, status);

    if (time > 0 && (this.slow.length < 10 || time > this.slow[this.slow.length - 1].timeMs)) {
      const startedAt = Number.isFinite(startMs) ? new Date(startMs).toISOString() : '';
      this.slow.push({ method, host, path, status, timeMs: time, startedAt });
      this.slow.sort((a, b) => b.timeMs - a.timeMs);
      if (this.slow.length > 10) this.slow.length = 10;
    }

    for (const c of codes) {
      const key = `${c.source}\u0000${c.code}`;
      const known = this.codes.get(key);
      if (known) known.count++;
      else if (this.codes.size < MAX_CODES) this.codes.set(key, { code: c.code, count: 1, source: c.source });
    }
  }

  /**
   * Groups by method + host + path + status, in bounded memory whatever the input: past MAX_GROUPS groups a new
   * one folds its path (`(other paths)`), past MAX_OVERFLOW_GROUPS more it folds its host and method too
   * (`(other hosts)`), so at most MAX_GROUPS + MAX_OVERFLOW_GROUPS + 1,000 groups are kept.
   */
  private addFailed(method: string, host: string, path: string, status: number): void {
    let key = `${method}\u0000${host}\u0000${path}\u0000${status}`;
    let g = this.failed.get(key);
    if (!g && this.failed.size >= MAX_GROUPS) {
      key = `${method}\u0000${host}\u0000${OTHER_PATHS}\u0000${status}`;
      g = this.failed.get(key);
      if (!g) {
        if (this.failed.size >= MAX_GROUPS + MAX_OVERFLOW_GROUPS) {
          // the status stays (the triage needs it); anything that is not an HTTP-like status folds into 0
          const st = Number.isInteger(status) && status >= 0 && status < 1000 ? status : 0;
          key = `\u0000${OTHER_HOSTS}\u0000${OTHER_PATHS}\u0000${st}`;
          g = this.failed.get(key);
          if (!g) {
            g = { method: '', host: OTHER_HOSTS, path: OTHER_PATHS, status: st, count: 0 };
            this.failed.set(key, g);
          }
          g.count++;
          return;
        }
        g = { method, host, path: OTHER_PATHS, status, count: 0 };
        this.failed.set(key, g);
      }
    } else if (!g) {
      g = { method, host, path, status, count: 0 };
      this.failed.set(key, g);
    }
    g.count++;
  }

  /** Groups kept in memory (bounded; the result shows the top 50). */
  get failedGroupCount(): number {
    return this.failed.size;
  }

  private errorCodes(res: JsonObject, failed: boolean, out: EntryCodes): void {
    const seen = new Set<string>();
    if (Array.isArray(res.headers)) {
      for (const h of res.headers) {
        if (!isObj(h) || typeof h.name !== 'string' || typeof h.value !== 'string') continue;
        const n = h.name.toLowerCase();
        if (n === 'www-authenticate') {
          const m = /\berror="?([A-Za-z0-9_.-]{1,64})/i.exec(h.value);
          if (m) this.code(m[1], 'header', seen, out);
        } else if (ERROR_CODE_HEADERS.has(n)) {
          if (n === 'grpc-status' && h.value.trim() === '0') continue;
          this.code(n === 'x-amzn-errortype' ? h.value.split(':')[0] : h.value, 'header', seen, out);
        }
      }
    }
    const content = isObj(res.content) ? res.content : undefined;
    if (!content || typeof content.text !== 'string' || content.text.length === 0) return;
    const mime = typeof content.mimeType === 'string' ? content.mimeType.toLowerCase() : '';
    let text = content.text;
    if (content.encoding === 'base64') {
      if (text.length > (MAX_BODY_FOR_CODES * 4) / 3 || !isJsonMime(mime)) return;
      text = Buffer.from(text, 'base64').toString('utf8');
    }
    if (text.length > MAX_BODY_FOR_CODES) return;
    if (text.length > 64 * 1024 && jsonNestingExceeds(text, 64)) return; // deep nesting parses slowly: no codes from it
    if (!isJsonMime(mime) && !looksJson(text)) return;
    if (!failed && !(text.length > 4096 ? text.slice(0, 4096) : text).includes('"error')) return;
    let body: Json;
    try {
      body = JSON.parse(text) as Json;
    } catch {
      return;
    }
    if (!isObj(body)) return;
    this.bodyCodes(body, failed, seen, out);
  }

  private bodyCodes(b: JsonObject, failed: boolean, seen: Set<string>, out: EntryCodes): void {
    const hasError = b.error !== undefined || b.errors !== undefined;
    const add = (v: Json | undefined): void => {
      const c = codeString(v);
      if (c !== null) this.code(c, 'body', seen, out);
    };
    if (typeof b.error === 'string') add(b.error);
    if (isObj(b.error)) {
      add(b.error.code);
      add(b.error.errorCode);
      add(b.error.error_code);
      if (typeof b.error.status === 'string') add(b.error.status);
      if (isObj(b.error.innererror)) add(b.error.innererror.code);
    }
    add(b.error_code);
    add(b.errorCode);
    if (failed || hasError) add(b.code);
    if (Array.isArray(b.errors)) {
      for (const e of b.errors.slice(0, 5)) {
        if (!isObj(e)) continue;
        add(e.code);
        add(e.errorCode);
        if (isObj(e.extensions)) add(e.extensions.code);
      }
    }
    // Entra ID / Azure AD: "AADSTS50011: The redirect URI ..."
    for (const k of ['error_description', 'message']) {
      const d = b[k];
      if (typeof d === 'string') {
        const m = /\b(AADSTS\d{3,8})\b/.exec(d);
        if (m) add(m[1]);
      }
    }
  }

  private code(raw: string, source: 'header' | 'body', seen: Set<string>, out: EntryCodes): void {
    const t = raw.trim().slice(0, 100);
    if (t.length === 0) return;
    const code = this.scanner.scan(t);
    const key = `${source}\u0000${code}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ code, source });
  }

  result(): HarInsights {
    const hasTimes = Number.isFinite(this.minStart);
    return {
      entryCount: this.entryCount,
      startedAt: hasTimes ? new Date(this.minStart).toISOString() : null,
      endedAt: hasTimes ? new Date(this.maxEnd).toISOString() : null,
      spanMs: hasTimes ? Math.round((this.maxEnd - this.minStart) * 1000) / 1000 : null,
      failedRequests: [...this.failed.values()]
        .sort(
          (a, b) =>
            b.count - a.count || a.host.localeCompare(b.host) || a.path.localeCompare(b.path) || a.method.localeCompare(b.method) || a.status - b.status,
        )
        .slice(0, 50)
        .map((g) => ({ ...g })),
      slowestRequests: this.slow.map((s) => ({ ...s })),
      errorCodes: [...this.codes.values()]
        .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
        .slice(0, 50)
        .map((c) => ({ ...c })),
      hosts: [...this.hosts.entries()]
        .map(([host, count]) => ({ host, count }))
        .sort((a, b) => b.count - a.count || a.host.localeCompare(b.host))
        .slice(0, 100),
    };
  }
}
