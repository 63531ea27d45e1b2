import type { Json, JsonObject } from './body';
import { isObj, type FieldWriter } from './fields';
import { ruleName } from './names';
import { authorizationValue } from './redact-text';
import { MARKER_PREFIX } from './report';

/** Headers whose value is a URL: query/fragment redaction instead of the plain text scan. */
const URL_HEADERS = new Set([
  'location',
  'content-location',
  'referer',
  ':path',
  'origin',
  // proxies' copies of the request URL, Azure's copy source (a URL with a SAS token)
  'x-original-url',
  'x-original-uri',
  'x-rewrite-url',
  'x-forwarded-uri',
  'x-forwarded-url',
  'x-ms-copy-source',
]);

/**
 * One word of a WebSocket subprotocol name (`graphql-transport-ws`, `v12.stomp`, `base64url.bearer.authorization.k8s.io`):
 * letters (at most 16, one capital at most, in front), a short version (`v12`, `k8s`, `base64`, `mqttv3`) or a small
 * number. Anything else (`eyJhbGci...`, a hex or base64 run, a mixed-case random string) is token-shaped.
 */
const PROTOCOL_WORD_RE = /^(?:[A-Za-z][a-z]{0,15}|[A-Z]{1,16}|[A-Za-z]{1,12}\d{1,3}[A-Za-z]{0,8}|v?\d{1,4})$/;
const SAFE_SET_COOKIE_ATTRS = new Set(['path', 'domain', 'expires', 'max-age', 'secure', 'httponly', 'samesite', 'partitioned', 'priority']);

export const mimeTypeOf = (p: JsonObject): string => (typeof p.mimeType === 'string' ? p.mimeType : '');

/**
 * What HAR requests and responses have in common: version, sizes, headers, cookies, and the fields of
 * `postData` / `content` other than `text`. Header rules go by the header name only, never by the side it
 * was found on, so a `Set-Cookie` sent in a request is still handled.
 */
export class HttpMessageSanitizer {
  constructor(private readonly fields: FieldWriter) {}

  /** A field of either message; anything else goes through the unknown-property rule. */
  field(out: JsonObject, key: string, v: Json): void {
    switch (key) {
      case 'httpVersion':
      case 'comment':
        this.fields.strField(out, key, v);
        break;
      case 'headersSize':
      case 'bodySize':
        this.fields.numField(out, key, v);
        break;
      case 'cookies':
        out.cookies = Array.isArray(v) ? this.cookies(v) : [];
        break;
      case 'headers':
        out.headers = Array.isArray(v) ? this.headers(v) : [];
        break;
      default:
        this.fields.extra(out, key, v);
    }
  }

  /** A field of `postData` or `content` other than `text`, whose rule differs by side. */
  bodyField(out: JsonObject, key: string, v: Json): void {
    if (key === 'mimeType' || key === 'comment') this.fields.strField(out, key, v);
    else this.fields.extra(out, key, v);
  }

  private headers(list: Json[]): JsonObject[] {
    const out: JsonObject[] = [];
    for (const h of list) {
      if (!isObj(h) || typeof h.name !== 'string') {
        this.fields.drop();
        continue;
      }
      const name = h.name;
      const raw = h.value;
      const value = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : '';
      const o: JsonObject = { name: this.fields.str(name), value: this.headerValue(name.toLowerCase(), value) };
      for (const key of Object.keys(h)) {
        if (key === 'name' || key === 'value') continue;
        if (key === 'comment') this.fields.strField(o, key, h[key]);
        else this.fields.extra(o, key, h[key]);
      }
      out.push(o);
    }
    return out;
  }

  private headerValue(lname: string, v: string): string {
    if (v.length === 0) return v;
    if (this.fields.isElided(v)) return this.fields.counter.mark('oversized-value');
    if (lname === 'authorization' || lname === 'proxy-authorization') return authorizationValue(v, this.fields.counter);
    if (lname === 'cookie' || lname === 'cookie2') return this.cookieHeader(v);
    if (lname === 'set-cookie' || lname === 'set-cookie2') return this.setCookieHeader(v);
    if (this.fields.names.isSensitiveHeader(lname)) return this.fields.counter.mark(`header:${ruleName(lname)}`);
    if (lname === 'sec-websocket-protocol') return this.webSocketProtocols(v);
    if (URL_HEADERS.has(lname)) return this.fields.url.url(v);
    return this.fields.text.scan(v);
  }

  /**
   * `Sec-WebSocket-Protocol` is how browsers pass a credential to a WebSocket (the API cannot set other headers):
   * `bearer.<token>`, `base64url.bearer.authorization.k8s.io.<token>`, `access_token, <token>`, AppSync's
   * `header-<base64 JSON>`. Its values are treated as credentials: each comma-separated protocol keeps its leading
   * name-like words and loses everything from the first token-shaped word on; a protocol that is a plain name
   * (`graphql-transport-ws`, `wamp.2.json`, `access_token`) is kept.
   */
  private webSocketProtocols(v: string): string {
    const rule = 'header:sec-websocket-protocol';
    return v
      .split(',')
      .map((raw) => {
        const p = raw.trim();
        if (p.length === 0) return p;
        if (p.startsWith(MARKER_PREFIX)) return p;
        const words = p.split(/([._-])/); // words at even indexes, separators at odd ones
        let kept = '';
        for (let i = 0; i < words.length; i += 2) {
          if (!PROTOCOL_WORD_RE.test(words[i])) return `${kept}${this.fields.counter.mark(rule)}`;
          kept += words[i] + (words[i + 1] ?? '');
        }
        return p;
      })
      .join(', ');
  }

  /** `a=1; b=2` -> `a=[REDACTED:cookie]; b=[REDACTED:cookie]` (names kept). */
  private cookieHeader(v: string): string {
    const pairs = v.split(';');
    for (let i = 0; i < pairs.length; i++) pairs[i] = this.cookiePair(pairs[i].trim());
    return pairs.join('; ');
  }

  /** One Set-Cookie per line (Chromium joins repeated headers with "\n"); value replaced, known attributes kept. */
  private setCookieHeader(v: string): string {
    const lines = v.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const segs = lines[i].split(';');
      let line = this.cookiePair(segs[0].trim());
      for (let j = 1; j < segs.length; j++) {
        const t = segs[j].trim();
        const an = t.split('=')[0].trim().toLowerCase();
        if (SAFE_SET_COOKIE_ATTRS.has(an)) line += `; ${this.fields.text.scan(t)}`;
      }
      lines[i] = line;
    }
    return lines.join('\n');
  }

  /** A trimmed `name=value` of either header: the name is kept, the value replaced; an empty value stays empty. */
  private cookiePair(t: string): string {
    if (t.length === 0) return t;
    const eq = t.indexOf('=');
    if (eq < 0) return this.fields.counter.mark('cookie');
    if (eq === t.length - 1) return t;
    return `${this.fields.text.scan(t.slice(0, eq).trim())}=${this.fields.counter.mark('cookie')}`;
  }

  /** `request.cookies[]` and `response.cookies[]`. */
  private cookies(list: Json[]): JsonObject[] {
    const out: JsonObject[] = [];
    for (const c of list) {
      if (!isObj(c)) {
        this.fields.drop();
        continue;
      }
      const o: JsonObject = {};
      for (const key of Object.keys(c)) {
        const v = c[key];
        switch (key) {
          case 'value':
            o.value = typeof v === 'string' && v.length === 0 ? '' : v === null ? null : this.fields.counter.mark('cookie');
            break;
          case 'name':
          case 'path':
          case 'domain':
          case 'expires':
          case 'comment':
            this.fields.strField(o, key, v);
            break;
          case 'httpOnly':
          case 'secure':
            this.fields.numField(o, key, v);
            break;
          default:
            this.fields.extra(o, key, v);
        }
      }
      out.push(o);
    }
    return out;
  }
}
