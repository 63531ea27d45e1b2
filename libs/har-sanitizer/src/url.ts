import { ruleName, type NameMatcher } from './names';
import type { RedactionCounter } from './report';
import type { TextRedactor } from './redact-text';

export type ParamKind = 'query' | 'fragment' | 'form';

const USERINFO_RE = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#@]*)@/;
/** A URL or an absolute path, with no white space: gets the URL treatment (userinfo, path tokens, query, fragment). */
const URLISH_RE = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/|\/)[^\s]*$/;
const ORIGIN_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/;
/**
 * Path segments that introduce a bearer link (`/reset-password/<token>`, `/invite/<token>`, `/magic-link/<token>`):
 * the segment after one is the credential itself, whoever holds the link may use it.
 */
const TOKEN_PARENT_RE =
  /^(?:reset|reset[-_]?password|password[-_]?reset|forgot[-_]?password|recover|recovery|verify|verify[-_]?email|email[-_]?verification|verification|confirm|confirmation|confirm[-_]?email|activate|activation|invite|invites|invitation|invitations|accept[-_]?invite|magic|magic[-_]?link|magic[-_]?links|login[-_]?link|sign[-_]?in[-_]?link|one[-_]?time|otp|token|tokens|access[-_]?token|api[-_]?key|api[-_]?keys|unsubscribe|share|shared|download[-_]?token)$/i;
/** A token: at least 16 characters of base64url or hex alphabet, with letters and digits (uuids included). */
const TOKEN_SEGMENT_RE = /^(?=[^/]*[0-9])(?=[^/]*[A-Za-z])[A-Za-z0-9._~+=-]{16,}$/;

export function safeDecode(s: string, plusIsSpace: boolean): string {
  const hasPct = s.includes('%');
  const hasPlus = plusIsSpace && s.includes('+');
  if (!hasPct && !hasPlus) return s;
  const t = hasPlus ? s.replace(/\+/g, ' ') : s;
  if (!hasPct) return t;
  try {
    return decodeURIComponent(t);
  } catch {
    return t;
  }
}

/** Percent-encodes, but leaves the marker's brackets and colon readable. */
function encodeValue(s: string): string {
  return encodeURIComponent(s).replace(/%5B/g, '[').replace(/%5D/g, ']').replace(/%3A/g, ':');
}

/** Redacts URLs (userinfo, query, fragment, path) and urlencoded parameter lists. */
export class UrlRedactor {
  constructor(
    private readonly text: TextRedactor,
    private readonly names: NameMatcher,
    private readonly counter: RedactionCounter,
  ) {}

  url(u: string): string {
    if (u.length === 0) return u;
    if (u.length > 5 && u.slice(0, 5).toLowerCase() === 'data:') return this.dataUrl(u);
    const hash = u.indexOf('#');
    const beforeHash = hash >= 0 ? u.slice(0, hash) : u;
    const fragment = hash >= 0 ? u.slice(hash + 1) : null;
    const qm = beforeHash.indexOf('?');
    let base = qm >= 0 ? beforeHash.slice(0, qm) : beforeHash;
    const query = qm >= 0 ? beforeHash.slice(qm + 1) : null;
    const ui = USERINFO_RE.exec(base);
    if (ui && ui[2].length > 0) base = `${ui[1]}${this.counter.mark('url-credentials')}@${base.slice(ui[0].length)}`;
    // Known token formats first (a JWT keeps its own name), then tokens named only by the segment before them.
    let out = this.pathTokens(this.text.scan(base));
    if (query !== null) out += `?${this.params(query, 'query', true)}`;
    if (fragment !== null) out += `#${this.fragment(fragment)}`;
    return out;
  }

  /** The segment after a bearer-link segment (`/reset-password/<token>`) when it looks like a token. */
  private pathTokens(base: string): string {
    const origin = ORIGIN_RE.exec(base)?.[0] ?? '';
    const path = base.slice(origin.length);
    if (!path.includes('/')) return base;
    const segments = path.split('/');
    let changed = false;
    for (let i = 1; i < segments.length; i++) {
      if (!TOKEN_PARENT_RE.test(safeDecode(segments[i - 1], false)) || !TOKEN_SEGMENT_RE.test(safeDecode(segments[i], false))) continue;
      segments[i] = this.counter.mark('path-token');
      changed = true;
    }
    return changed ? origin + segments.join('/') : base;
  }

  private dataUrl(u: string): string {
    const comma = u.indexOf(',');
    if (comma < 0 || comma === u.length - 1) return this.text.scan(u);
    const head = u.slice(0, comma + 1);
    return /^data:[A-Za-z0-9!#$&^_.+\-/;=]*,$/i.test(head) ? head + this.counter.mark('data-url') : this.counter.mark('data-url');
  }

  private fragment(f: string): string {
    if (f.length === 0) return f;
    const qm = f.indexOf('?');
    if (qm >= 0) return `${this.text.scan(f.slice(0, qm))}?${this.params(f.slice(qm + 1), 'fragment', true)}`;
    if (f.includes('=')) return this.params(f, 'fragment', true);
    return this.text.scan(f);
  }

  /** `a=1&b=2` lists: URL query, fragment, application/x-www-form-urlencoded bodies. */
  params(qs: string, kind: ParamKind, plusIsSpace: boolean): string {
    if (qs.length === 0) return qs;
    const pieces = qs.split('&');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      const eq = piece.indexOf('=');
      if (eq < 0) {
        pieces[i] = this.encodedValue(piece, plusIsSpace);
        continue;
      }
      const rawName = piece.slice(0, eq);
      const rawValue = piece.slice(eq + 1);
      const name = safeDecode(rawName, plusIsSpace).toLowerCase();
      if (rawValue.length > 0 && this.names.isSensitiveParam(name)) {
        pieces[i] = `${rawName}=${this.counter.mark(`${kind}:${ruleName(name)}`)}`;
      } else {
        pieces[i] = `${this.encodedValue(rawName, plusIsSpace)}=${this.encodedValue(rawValue, plusIsSpace)}`;
      }
    }
    return pieces.join('&');
  }

  /** One already-decoded parameter (HAR `queryString` / `postData.params` items). */
  param(kind: ParamKind, name: string, value: string): string {
    if (value.length > 0 && this.names.isSensitiveParam(name.toLowerCase())) {
      return this.counter.mark(`${kind}:${ruleName(name)}`);
    }
    return this.decodedValue(value);
  }

  /** A decoded value: nested URLs get URL treatment, everything gets the text scan. */
  decodedValue(v: string): string {
    if (v.length < 8) return v;
    if (URLISH_RE.test(v)) return this.url(v);
    return this.text.scan(v);
  }

  private encodedValue(raw: string, plusIsSpace: boolean): string {
    if (raw.length < 8) return raw;
    const dec = safeDecode(raw, plusIsSpace);
    if (dec === raw) return this.decodedValue(raw);
    const scanned = this.decodedValue(dec);
    return scanned === dec ? raw : encodeValue(scanned);
  }
}
