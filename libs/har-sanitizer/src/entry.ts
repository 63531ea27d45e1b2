import { BodyRedactor, isTextualMime, setProp, type Json, type JsonObject } from './body';
import { createNameMatcher, ruleName, type NameMatcher } from './names';
import { authorizationValue, TextRedactor } from './redact-text';
import { RedactionCounter } from './report';
import { UrlRedactor, type ParamKind } from './url';

export interface ResolvedOptions {
  keepResponseText: boolean;
  sensitiveHeaderNames: string[];
  sensitiveParamNames: string[];
  maxEntryBytes: number;
  maxStringBytes: number;
}

/**
 * Extension (and other non-HAR) properties whose *string* values are kept when they are short and enum-like.
 * Every other unknown property keeps only numbers, booleans and null.
 */
const ENUM_KEYS = new Set([
  '_priority',
  '_resourceType',
  '_fromCache',
  '_connectionId',
  '_securityState',
  '_error',
  '_initiator_type',
  '_initiatorType',
  '_protocol',
  '_serviceWorkerResponseSource',
  '_serviceWorkerRouterActualSourceType',
  '_serviceWorkerRouterMatchedSourceType',
  '_type',
  'sameSite',
]);
const ENUM_VALUE_RE = /^[A-Za-z0-9_.:\-\/ ]{0,64}$/;

/** Headers whose value is a URL: query/fragment redaction instead of the plain text scan. */
const URL_HEADERS = new Set(['location', 'content-location', 'referer', ':path', 'origin']);
const SAFE_SET_COOKIE_ATTRS = new Set(['path', 'domain', 'expires', 'max-age', 'secure', 'httponly', 'samesite', 'partitioned', 'priority']);

const isObj = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Allow-list sanitizer for one HAR entry and for the log-level fields (HAR 1.2 + Chromium extensions).
 * Known structure is copied field by field; every kept string goes through the text scan; unknown
 * properties keep only numbers/booleans/null (and short enum-like strings for known extension keys).
 */
export class EntrySanitizer {
  readonly counter = new RedactionCounter();
  readonly names: NameMatcher;
  readonly text: TextRedactor;
  readonly url: UrlRedactor;
  readonly body: BodyRedactor;

  constructor(
    readonly opts: ResolvedOptions,
    /** Strings the splitter set aside (too long to buffer) start with this random prefix. */
    readonly elidedPrefix: string | null = null,
  ) {
    this.names = createNameMatcher(opts.sensitiveHeaderNames, opts.sensitiveParamNames);
    this.text = new TextRedactor(this.names, this.counter);
    this.url = new UrlRedactor(this.text, this.names, this.counter);
    this.body = new BodyRedactor(this.text, this.url, this.names, this.counter);
  }

  isElided(s: string): boolean {
    return this.elidedPrefix !== null && s.startsWith(this.elidedPrefix);
  }

  private str(v: string): string {
    if (this.isElided(v)) return this.counter.mark('oversized-value');
    return this.text.scan(v);
  }

  private u(v: string): string {
    if (this.isElided(v)) return this.counter.mark('oversized-value');
    return this.url.url(v);
  }

  /** Unknown property: numbers/booleans/null kept, enum-like strings for allow-listed keys, the rest dropped. */
  private extra(out: JsonObject, key: string, v: Json): void {
    if (v === null || typeof v === 'number' || typeof v === 'boolean') {
      setProp(out, this.text.scan(key), v);
      return;
    }
    if (typeof v === 'string' && ENUM_KEYS.has(key) && ENUM_VALUE_RE.test(v)) {
      out[key] = this.str(v);
      return;
    }
    this.counter.add('dropped-field');
  }

  private strField(out: JsonObject, key: string, v: Json, url = false): void {
    if (typeof v === 'string') out[key] = url ? this.u(v) : this.str(v);
    else if (v === null || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
    else this.counter.add('dropped-field');
  }

  private numField(out: JsonObject, key: string, v: Json): void {
    if (v === null || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
    else if (typeof v === 'string' && /^-?[0-9.eE+]{1,32}$/.test(v)) out[key] = v;
    else this.counter.add('dropped-field');
  }

  entry(e: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(e)) {
      const v = e[key];
      switch (key) {
        case 'pageref':
        case 'startedDateTime':
        case 'serverIPAddress':
        case 'connection':
        case 'comment':
          this.strField(out, key, v);
          break;
        case 'time':
          this.numField(out, key, v);
          break;
        case 'request':
          if (isObj(v)) out.request = this.request(v);
          else this.counter.add('dropped-field');
          break;
        case 'response':
          if (isObj(v)) out.response = this.response(v);
          else this.counter.add('dropped-field');
          break;
        case 'cache':
          if (isObj(v)) out.cache = this.cache(v);
          else this.counter.add('dropped-field');
          break;
        case 'timings':
          if (isObj(v)) out.timings = this.flat(v);
          else this.counter.add('dropped-field');
          break;
        case '_initiator':
          if (isObj(v)) out._initiator = this.initiator(v);
          else this.extra(out, key, v);
          break;
        case '_webSocketMessages':
          if (Array.isArray(v)) out._webSocketMessages = this.wsMessages(v);
          else this.counter.add('dropped-field');
          break;
        case '_securityDetails':
          if (isObj(v)) out._securityDetails = this.securityDetails(v);
          else this.counter.add('dropped-field');
          break;
        default:
          this.extra(out, key, v);
      }
    }
    return out;
  }

  private request(r: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(r)) {
      const v = r[key];
      switch (key) {
        case 'method':
        case 'httpVersion':
        case 'comment':
          this.strField(out, key, v);
          break;
        case 'url':
          this.strField(out, key, v, true);
          break;
        case 'headersSize':
        case 'bodySize':
          this.numField(out, key, v);
          break;
        case 'cookies':
          out.cookies = Array.isArray(v) ? this.cookies(v) : [];
          break;
        case 'headers':
          out.headers = Array.isArray(v) ? this.headers(v) : [];
          break;
        case 'queryString':
          out.queryString = Array.isArray(v) ? this.params(v, 'query') : [];
          break;
        case 'postData':
          if (isObj(v)) out.postData = this.postData(v);
          else this.counter.add('dropped-field');
          break;
        default:
          this.extra(out, key, v);
      }
    }
    return out;
  }

  private response(r: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(r)) {
      const v = r[key];
      switch (key) {
        case 'statusText':
        case 'httpVersion':
        case 'comment':
          this.strField(out, key, v);
          break;
        case 'redirectURL':
          this.strField(out, key, v, true);
          break;
        case 'status':
        case 'headersSize':
        case 'bodySize':
          this.numField(out, key, v);
          break;
        case 'cookies':
          out.cookies = Array.isArray(v) ? this.cookies(v) : [];
          break;
        case 'headers':
          out.headers = Array.isArray(v) ? this.headers(v) : [];
          break;
        case 'content':
          if (isObj(v)) out.content = this.content(v);
          else this.counter.add('dropped-field');
          break;
        case '_securityDetails':
          if (isObj(v)) out._securityDetails = this.securityDetails(v);
          else this.counter.add('dropped-field');
          break;
        default:
          this.extra(out, key, v);
      }
    }
    return out;
  }

  private content(c: JsonObject): JsonObject {
    const out: JsonObject = {};
    const mimeType = typeof c.mimeType === 'string' ? c.mimeType : '';
    const encoding = typeof c.encoding === 'string' ? c.encoding : undefined;
    for (const key of Object.keys(c)) {
      const v = c[key];
      switch (key) {
        case 'size':
        case 'compression':
          this.numField(out, key, v);
          break;
        case 'mimeType':
        case 'comment':
          this.strField(out, key, v);
          break;
        case 'encoding':
          break; // decided with text below
        case 'text': {
          if (typeof v !== 'string') {
            if (v !== null) this.counter.add('dropped-field');
            break;
          }
          if (v.length === 0) {
            out.text = v;
            if (encoding !== undefined) out.encoding = this.str(encoding);
          } else if (
            this.opts.keepResponseText &&
            !this.isElided(v) &&
            (encoding === undefined || encoding === '') &&
            isTextualMime(mimeType)
          ) {
            out.text = this.body.body(v, mimeType);
          } else {
            out.text = this.counter.mark('response-body'); // binary (base64) is always dropped
          }
          break;
        }
        default:
          this.extra(out, key, v);
      }
    }
    return out;
  }

  private headers(list: Json[]): JsonObject[] {
    const out: JsonObject[] = [];
    for (const h of list) {
      if (!isObj(h) || typeof h.name !== 'string') {
        this.counter.add('dropped-field');
        continue;
      }
      const name = h.name;
      const raw = h.value;
      const value = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : '';
      const o: JsonObject = { name: this.str(name), value: this.headerValue(name.toLowerCase(), value) };
      for (const key of Object.keys(h)) {
        if (key === 'name' || key === 'value') continue;
        if (key === 'comment') this.strField(o, key, h[key]);
        else this.extra(o, key, h[key]);
      }
      out.push(o);
    }
    return out;
  }

  headerValue(lname: string, v: string): string {
    if (v.length === 0) return v;
    if (this.isElided(v)) return this.counter.mark('oversized-value');
    if (lname === 'authorization' || lname === 'proxy-authorization') return authorizationValue(v, this.counter);
    if (lname === 'cookie' || lname === 'cookie2') return this.cookieHeader(v);
    if (lname === 'set-cookie' || lname === 'set-cookie2') return this.setCookieHeader(v);
    if (this.names.isSensitiveHeader(lname)) return this.counter.mark(`header:${ruleName(lname)}`);
    if (URL_HEADERS.has(lname)) return this.url.url(v);
    return this.text.scan(v);
  }

  /** `a=1; b=2` -> `a=[REDACTED:cookie]; b=[REDACTED:cookie]` (names kept). */
  private cookieHeader(v: string): string {
    return v
      .split(';')
      .map((part) => {
        const t = part.trim();
        if (t.length === 0) return t;
        const eq = t.indexOf('=');
        if (eq < 0) return this.counter.mark('cookie');
        if (eq === t.length - 1) return t;
        return `${this.text.scan(t.slice(0, eq).trim())}=${this.counter.mark('cookie')}`;
      })
      .join('; ');
  }

  /** One Set-Cookie per line (Chromium joins repeated headers with "\n"); value replaced, known attributes kept. */
  private setCookieHeader(v: string): string {
    return v
      .split('\n')
      .map((line) => {
        const segs = line.split(';');
        const first = segs[0].trim();
        const eq = first.indexOf('=');
        const out: string[] = [];
        if (eq < 0) out.push(first.length > 0 ? this.counter.mark('cookie') : '');
        else if (eq === first.length - 1) out.push(first);
        else out.push(`${this.text.scan(first.slice(0, eq).trim())}=${this.counter.mark('cookie')}`);
        for (const attr of segs.slice(1)) {
          const t = attr.trim();
          const an = t.split('=')[0].trim().toLowerCase();
          if (SAFE_SET_COOKIE_ATTRS.has(an)) out.push(this.text.scan(t));
        }
        return out.join('; ');
      })
      .join('\n');
  }

  private cookies(list: Json[]): JsonObject[] {
    const out: JsonObject[] = [];
    for (const c of list) {
      if (!isObj(c)) {
        this.counter.add('dropped-field');
        continue;
      }
      const o: JsonObject = {};
      for (const key of Object.keys(c)) {
        const v = c[key];
        switch (key) {
          case 'value':
            o.value = typeof v === 'string' && v.length === 0 ? '' : v === null ? null : this.counter.mark('cookie');
            break;
          case 'name':
          case 'path':
          case 'domain':
          case 'expires':
          case 'comment':
            this.strField(o, key, v);
            break;
          case 'httpOnly':
          case 'secure':
            this.numField(o, key, v);
            break;
          default:
            this.extra(o, key, v);
        }
      }
      out.push(o);
    }
    return out;
  }

  /** `queryString` and `postData.params` items. */
  private params(list: Json[], kind: ParamKind): JsonObject[] {
    const out: JsonObject[] = [];
    for (const p of list) {
      if (!isObj(p)) {
        this.counter.add('dropped-field');
        continue;
      }
      const name = typeof p.name === 'string' ? p.name : '';
      const o: JsonObject = {};
      const isFile = typeof p.fileName === 'string' && p.fileName.length > 0;
      for (const key of Object.keys(p)) {
        const v = p[key];
        switch (key) {
          case 'name':
          case 'fileName':
          case 'contentType':
          case 'comment':
            this.strField(o, key, v);
            break;
          case 'value':
            if (typeof v !== 'string') {
              this.strField(o, key, v);
            } else if (this.isElided(v)) {
              o.value = this.counter.mark('oversized-value');
            } else if (isFile && v.length > 0 && !this.names.isSensitiveParam(name.toLowerCase())) {
              o.value = this.counter.mark('multipart-file');
            } else {
              o.value = this.url.param(kind, name, v);
            }
            break;
          default:
            this.extra(o, key, v);
        }
      }
      out.push(o);
    }
    return out;
  }

  private postData(p: JsonObject): JsonObject {
    const out: JsonObject = {};
    const mimeType = typeof p.mimeType === 'string' ? p.mimeType : '';
    for (const key of Object.keys(p)) {
      const v = p[key];
      switch (key) {
        case 'mimeType':
        case 'comment':
          this.strField(out, key, v);
          break;
        case 'params':
          out.params = Array.isArray(v) ? this.params(v, 'form') : [];
          break;
        case 'text':
          if (typeof v !== 'string') this.strField(out, key, v);
          else if (this.isElided(v)) out.text = this.counter.mark('oversized-value');
          else out.text = this.body.body(v, mimeType);
          break;
        default:
          this.extra(out, key, v);
      }
    }
    return out;
  }

  private cache(c: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(c)) {
      const v = c[key];
      if (key === 'beforeRequest' || key === 'afterRequest') {
        if (v === null) out[key] = null;
        else if (isObj(v)) {
          const o: JsonObject = {};
          for (const k of Object.keys(v)) {
            if (k === 'expires' || k === 'lastAccess' || k === 'eTag' || k === 'comment') this.strField(o, k, v[k]);
            else this.extra(o, k, v[k]);
          }
          out[key] = o;
        } else this.counter.add('dropped-field');
      } else if (key === 'comment') this.strField(out, key, v);
      else this.extra(out, key, v);
    }
    return out;
  }

  /** timings, pageTimings: numbers (+ comment). */
  private flat(t: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(t)) {
      if (key === 'comment') this.strField(out, key, t[key]);
      else this.extra(out, key, t[key]);
    }
    return out;
  }

  private initiator(i: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(i)) {
      const v = i[key];
      switch (key) {
        case 'type':
        case 'requestId':
          if (typeof v === 'string' && ENUM_VALUE_RE.test(v)) out[key] = this.str(v);
          else this.extra(out, key, v);
          break;
        case 'url':
          this.strField(out, key, v, true);
          break;
        case 'stack':
          if (isObj(v)) out.stack = this.stack(v, 0);
          else this.counter.add('dropped-field');
          break;
        default:
          this.extra(out, key, v);
      }
    }
    return out;
  }

  private stack(s: JsonObject, depth: number): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(s)) {
      const v = s[key];
      switch (key) {
        case 'description':
          this.strField(out, key, v);
          break;
        case 'callFrames':
          if (Array.isArray(v)) {
            const frames: JsonObject[] = [];
            for (const f of v) {
              if (!isObj(f)) continue;
              const o: JsonObject = {};
              for (const k of Object.keys(f)) {
                if (k === 'functionName' || k === 'scriptId') this.strField(o, k, f[k]);
                else if (k === 'url') this.strField(o, k, f[k], true);
                else this.extra(o, k, f[k]);
              }
              frames.push(o);
            }
            out.callFrames = frames;
          } else this.counter.add('dropped-field');
          break;
        case 'parent':
          if (isObj(v) && depth < 32) out.parent = this.stack(v, depth + 1);
          else this.counter.add('dropped-field');
          break;
        default:
          this.extra(out, key, v);
      }
    }
    return out;
  }

  private wsMessages(list: Json[]): JsonObject[] {
    const out: JsonObject[] = [];
    for (const m of list) {
      if (!isObj(m)) {
        this.counter.add('dropped-field');
        continue;
      }
      const o: JsonObject = {};
      for (const key of Object.keys(m)) {
        const v = m[key];
        if (key === 'type') {
          if (typeof v === 'string' && ENUM_VALUE_RE.test(v)) o.type = v;
          else this.counter.add('dropped-field');
        } else if (key === 'data') {
          o.data = this.wsData(m, v);
        } else this.extra(o, key, v);
      }
      out.push(o);
    }
    return out;
  }

  /** Sent frames are scanned like request bodies; received frames are dropped unless keepResponseText; binary always dropped. */
  private wsData(m: JsonObject, v: Json): Json {
    if (typeof v !== 'string') return v === null ? null : this.counter.mark('websocket-message');
    if (v.length === 0) return v;
    if (this.isElided(v) || m.opcode === 2) return this.counter.mark('websocket-message');
    if (m.type === 'send' || (m.type === 'receive' && this.opts.keepResponseText)) return this.body.body(v, '');
    return this.counter.mark('websocket-message');
  }

  private securityDetails(s: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(s)) {
      const v = s[key];
      switch (key) {
        case 'protocol':
        case 'keyExchange':
        case 'keyExchangeGroup':
        case 'cipher':
        case 'mac':
        case 'subjectName':
        case 'issuer':
        case 'certificateTransparencyCompliance':
        case 'serverSignatureAlgorithm':
          this.strField(out, key, v);
          break;
        case 'sanList':
          out.sanList = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').map((x) => this.str(x)) : [];
          break;
        default:
          this.extra(out, key, v);
      }
    }
    return out;
  }

  /** A log-level field other than `entries`; undefined when it is dropped. */
  logField(key: string, v: Json): Json | undefined {
    switch (key) {
      case 'version':
        return typeof v === 'string' ? this.str(v) : '1.2';
      case 'creator':
      case 'browser':
        return isObj(v) ? this.nameVersion(v) : undefined;
      case 'pages':
        return Array.isArray(v) ? v.filter(isObj).map((p) => this.page(p)) : [];
      case 'comment':
        return typeof v === 'string' ? this.str(v) : undefined;
      default:
        if ((v === null || typeof v === 'number' || typeof v === 'boolean') && /^[A-Za-z0-9_$.\-]{1,64}$/.test(key)) return v;
        this.counter.add('dropped-field');
        return undefined;
    }
  }

  private nameVersion(o: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(o)) {
      if (key === 'name' || key === 'version' || key === 'comment') this.strField(out, key, o[key]);
      else this.extra(out, key, o[key]);
    }
    return out;
  }

  private page(p: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(p)) {
      const v = p[key];
      switch (key) {
        case 'startedDateTime':
        case 'id':
        case 'comment':
          this.strField(out, key, v);
          break;
        case 'title':
          // Chromium uses the page URL as title when there is none
          this.strField(out, key, v, typeof v === 'string' && /^[A-Za-z][A-Za-z0-9+.\-]*:\/\//.test(v));
          break;
        case 'pageTimings':
          if (isObj(v)) out.pageTimings = this.flat(v);
          else this.counter.add('dropped-field');
          break;
        default:
          this.extra(out, key, v);
      }
    }
    return out;
  }
}
