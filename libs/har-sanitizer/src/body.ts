import { ruleName, type NameMatcher } from './names';
import type { RedactionCounter } from './report';
import type { TextRedactor } from './redact-text';
import type { UrlRedactor } from './url';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

const MAX_JSON_DEPTH = 64;
/** Bodies longer than this are checked for deep nesting before they are parsed (shorter ones parse fast anyway). */
const DEPTH_PRESCAN_FROM = 64 * 1024;

/** True when JSON text opens more than `max` nested objects/arrays (strings skipped). Linear, no allocation. */
export function jsonNestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * Credential pairs inside JSON: `[{"name":"password","value":"..."}]` (jQuery's serializeArray, form builders),
 * `{"ParameterKey":"DbPassword","ParameterValue":"..."}` (CloudFormation), `{"type":"password","value":"..."}`
 * (Keycloak credentials), `{"label":"API token","value":"..."}`. The secret sits under a harmless key
 * ("value"); what it is, is data. When *any* other key of the object holds a short label that names a
 * credential kind, the value-like keys of the same object are redacted under that name.
 */
export const PAIR_VALUE_KEYS: ReadonlySet<string> = new Set([
  'value',
  'val',
  'values',
  'fieldvalue',
  'parametervalue',
  'attributevalue',
  'settingvalue',
  'secretvalue',
  'data',
  'content',
  // WebSocket and RPC messages: `{"type":"auth","payload":"<token>"}`, `{"op":"login","args":[key, signature]}`
  'payload',
  'args',
  'params',
]);
/** Labels naming a sign-in action rather than a credential: the value beside them is the credential. */
const AUTH_ACTION_LABELS: ReadonlySet<string> = new Set(['auth', 'authenticate', 'authorize', 'login', 'signin', 'sign_in', 'sign-in', 'logon']);
/** A label: at most four words (`password`, `API token`, `user[password]`, `DbPassword`), at most 128 characters. */
const LABEL_RE = /^\S+(?: \S+){0,3}$/;

/**
 * The credential kind named by a label of a `{<label>: ..., value: ...}` record, or null. `isSensitive` is given
 * the label lower-cased, as is and with spaces as underscores (`API token` -> `api_token`).
 */
export function credentialPairName(entries: Iterable<[string, unknown]>, isSensitive: (lowerName: string) => boolean): string | null {
  let hasValue = false;
  let label: string | null = null;
  for (const [key, val] of entries) {
    const lkey = key.toLowerCase();
    if (PAIR_VALUE_KEYS.has(lkey)) {
      hasValue = true;
      continue;
    }
    if (label !== null || typeof val !== 'string' || val.length === 0 || val.length > 128 || !LABEL_RE.test(val)) continue;
    const l = val.toLowerCase();
    if (isSensitive(l) || isSensitive(l.replace(/ /g, '_')) || AUTH_ACTION_LABELS.has(l)) label = l.replace(/ /g, '_');
  }
  return hasValue ? label : null;
}

export function setProp(obj: JsonObject, key: string, value: Json): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

export function looksJson(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xfeff) continue;
    return c === 0x7b || c === 0x5b;
  }
  return false;
}

export function isJsonMime(m: string): boolean {
  return m.includes('json');
}

export function isTextualMime(m: string): boolean {
  const l = m.toLowerCase();
  return (
    l.startsWith('text/') ||
    l.includes('json') ||
    l.includes('xml') ||
    l.includes('javascript') ||
    l.includes('ecmascript') ||
    l.includes('x-www-form-urlencoded') ||
    l.includes('graphql')
  );
}

/** The private members of a JSON Web Key (RFC 7518 §6): an object with `kty` carries them under one-letter names. */
const JWK_PRIVATE_MEMBERS: ReadonlySet<string> = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']);

/** `name: $variable` in a GraphQL document: the argument a variable is passed as. */
const GRAPHQL_BINDING_RE = /([A-Za-z_][A-Za-z0-9_]*)\s*:\s*\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * A GraphQL request (`{query, variables}`) passes secrets under the variable names its author chose
 * (`login(password: $pw)` with `{"variables": {"pw": "..."}}`): the variables bound to a credential argument,
 * each with that argument's name. Null when the object is not such a request or binds none.
 */
export function graphQlCredentialVariables(v: JsonObject, isSensitive: (lowerName: string) => boolean): Map<string, string> | null {
  const query = v.query;
  if (typeof query !== 'string' || !query.includes('$') || v.variables === null || typeof v.variables !== 'object') return null;
  let bound: Map<string, string> | null = null;
  for (const m of query.matchAll(GRAPHQL_BINDING_RE)) {
    if (!isSensitive(m[1].toLowerCase())) continue;
    bound ??= new Map();
    bound.set(m[2], m[1].toLowerCase());
  }
  return bound;
}

interface WalkState {
  changed: boolean;
}

/** Request bodies, kept response bodies and WebSocket frames, by content type. */
export class BodyRedactor {
  constructor(
    private readonly text: TextRedactor,
    private readonly url: UrlRedactor,
    private readonly names: NameMatcher,
    private readonly counter: RedactionCounter,
  ) {}

  body(text: string, mimeType: string): string {
    if (text.length === 0) return text;
    const m = mimeType.toLowerCase();
    if (m.includes('x-www-form-urlencoded')) return this.url.params(text, 'form', true);
    if (m.includes('multipart/')) return this.multipart(text, mimeType);
    if (isJsonMime(m) || looksJson(text)) {
      const r = this.jsonText(text);
      if (r !== null) return r;
    }
    return this.text.scan(text);
  }

  /** Parses, redacts and re-serialises JSON text; the original text is kept when nothing changed. Null if not JSON. */
  jsonText(text: string): string | null {
    // V8 parses deep nesting about 80x slower than flat JSON: a 4 MiB body of "[[[[..." would cost seconds
    if (text.length > DEPTH_PRESCAN_FROM && jsonNestingExceeds(text, MAX_JSON_DEPTH)) return this.counter.mark('too-deep');
    let parsed: Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      return null;
    }
    const st: WalkState = { changed: false };
    const out = this.walk(parsed, 0, st);
    return st.changed ? JSON.stringify(out) : text;
  }

  walk(v: Json, depth: number, st: WalkState): Json {
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
    if (typeof v === 'string') {
      const r = this.jsonString(v);
      if (r !== v) st.changed = true;
      return r;
    }
    if (depth >= MAX_JSON_DEPTH) {
      st.changed = true;
      return this.counter.mark('too-deep');
    }
    if (Array.isArray(v)) {
      const out: Json[] = new Array<Json>(v.length);
      for (let i = 0; i < v.length; i++) out[i] = this.walk(v[i], depth + 1, st);
      return out;
    }
    const out: JsonObject = {};
    const pairRule = this.pairName(v);
    const boundCredentials = graphQlCredentialVariables(v, (n) => this.names.isSensitiveParam(n));
    const jwk = typeof v.kty === 'string';
    for (const key of Object.keys(v)) {
      const val = v[key];
      const lkey = key.toLowerCase();
      const pairValue = pairRule !== null && PAIR_VALUE_KEYS.has(lkey);
      const jwkPrivate = jwk && JWK_PRIVATE_MEMBERS.has(key);
      if ((pairValue || jwkPrivate || this.names.isSensitiveParam(lkey)) && val !== null && val !== '' && typeof val !== 'boolean') {
        st.changed = true;
        setProp(out, key, this.counter.mark(`json:${jwkPrivate ? 'jwk-private' : pairValue ? pairRule : ruleName(lkey)}`));
        continue;
      }
      const k = this.text.scan(key);
      if (k !== key) st.changed = true;
      setProp(out, k, this.walk(val, depth + 1, st));
    }
    const variables = out.variables;
    if (boundCredentials && variables && typeof variables === 'object' && !Array.isArray(variables)) {
      for (const [name, argument] of boundCredentials) {
        const val = variables[name];
        if (val === undefined || val === null || val === '' || typeof val === 'boolean') continue;
        setProp(variables, name, this.counter.mark(`json:${ruleName(argument)}`));
        st.changed = true;
      }
    }
    return out;
  }

  /** The credential kind of a `{<label>: ..., value: ...}` object, as a rule name; null when the object is not one. */
  private pairName(v: JsonObject): string | null {
    const name = credentialPairName(Object.entries(v), (n) => this.names.isSensitiveParam(n));
    return name === null ? null : ruleName(name);
  }

  /** A string inside JSON: JSON encoded inside it is parsed and walked too. */
  private jsonString(s: string): string {
    if (s.length < 8) return s;
    if (looksJson(s)) {
      const r = this.jsonText(s);
      if (r !== null) return r;
    }
    return this.url.decodedValue(s);
  }

  private multipart(text: string, mime: string): string {
    const b = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(mime);
    let boundary = b ? (b[1] ?? b[2]) : undefined;
    if (boundary === undefined) {
      const first = /^--([^\r\n]{1,200})\r?\n/.exec(text);
      boundary = first ? first[1] : undefined;
    }
    if (boundary === undefined || !text.includes(`--${boundary}`)) return this.text.scan(text);
    const delim = `--${boundary}`;
    const parts = text.split(delim);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (i === 0 || part.startsWith('--')) {
        parts[i] = this.text.scan(part); // preamble / epilogue
        continue;
      }
      let sep = part.indexOf('\r\n\r\n');
      let sepLen = 4;
      if (sep < 0) {
        sep = part.indexOf('\n\n');
        sepLen = 2;
      }
      if (sep < 0) {
        parts[i] = this.text.scan(part);
        continue;
      }
      const headers = part.slice(0, sep);
      const rest = part.slice(sep + sepLen);
      const trail = /\r?\n$/.exec(rest)?.[0] ?? '';
      const content = rest.slice(0, rest.length - trail.length);
      const name = /\bname="([^"]*)"/i.exec(headers)?.[1] ?? /\bname=([^;\s]+)/i.exec(headers)?.[1];
      const isFile = /\bfilename\*?=/i.test(headers);
      const ctype = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? 'text/plain';
      let newContent: string;
      if (content.length === 0) newContent = content;
      else if (name !== undefined && this.names.isSensitiveParam(name.toLowerCase())) newContent = this.counter.mark(`form:${ruleName(name)}`);
      else if (isFile) newContent = this.counter.mark('multipart-file');
      else newContent = this.body(content, ctype);
      parts[i] = this.text.scan(headers) + part.slice(sep, sep + sepLen) + newContent + trail;
    }
    return parts.join(delim);
  }
}
