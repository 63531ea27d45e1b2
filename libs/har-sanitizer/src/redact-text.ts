import { createNameMatcher, ruleName, type NameMatcher } from './names';
import { MARKER_PREFIX, RedactionCounter } from './report';

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** -----BEGIN ... PRIVATE KEY----- up to its END line (or the end of the string when the END line is missing). */
const PRIVATE_KEY_RE = /-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g;

/** Raw SAML / XML-DSig XML. */
const SAML_HINT_RE = /urn:oasis:names:tc:SAML|<\/?(?:saml[0-9]?p?|ds|dsig):|xmldsig/i;
/** Opening tag only; the matching close tag is found with indexOf (linear, no regex backtracking). */
const SAML_OPEN_RE =
  /<((?:[A-Za-z0-9_-]{1,64}:)?)(Response|Assertion|EncryptedAssertion|AuthnRequest|LogoutRequest|LogoutResponse|ArtifactResponse|Signature)\b[^<>]{0,4000}>/g;
const SAML_LEFTOVER_RE = /<(?:[A-Za-z0-9_-]+:)?(?:Assertion|EncryptedAssertion|SignatureValue|AuthnRequest)\b/;
/** Long base64 runs are decoded (first few hundred bytes) to spot base64-encoded SAML messages. */
const B64_RUN_RE = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{100,}={0,2}/g;
const SAML_DECODED_RE = /urn:oasis:names:tc:SAML|<(?:[A-Za-z0-9_-]+:)?(?:Response|Assertion|EncryptedAssertion|AuthnRequest|LogoutRequest|LogoutResponse)\b/;

/** `Cookie: ...` / `Authorization: ...` pasted as text (curl commands, header dumps). */
const HEADER_LINE_RE = /(?<![A-Za-z0-9_-])((?:set-)?cookie2?|(?:proxy-)?authorization)[ \t]*:[ \t]*([^"'\r\n]+)/gi;

const ci = (word: string): string =>
  word
    .split('')
    .map((ch) => (/[a-z]/i.test(ch) ? `[${ch.toUpperCase()}${ch.toLowerCase()}]` : esc(ch)))
    .join('');

/** One pass for the token-shaped secrets. Group names tell the rule. */
const TOKEN_RE = new RegExp(
  [
    // JWT / JWS (3 segments) or JWE (5 segments), header always starts with eyJ ({")
    String.raw`(?<jwt>(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){0,2})`,
    String.raw`(?<bearer>\b(?:${ci('bearer')}|${ci('dpop')})\s+)(?<bearerTok>[A-Za-z0-9\-._~+\/]{8,}=*)(?![A-Za-z0-9\-._~+\/="])`,
    String.raw`(?<basic>\b${ci('basic')}\s+)(?<basicTok>[A-Za-z0-9+\/]{4,}={0,2})(?![A-Za-z0-9+\/="])`,
    String.raw`(?<neg>\b(?:${ci('negotiate')}|NTLM|ntlm)\s+)(?<negTok>[A-Za-z0-9+\/]{16,}={0,2})(?![A-Za-z0-9+\/="])`,
    String.raw`(?<aws>(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9]))`,
    // incoming-webhook URLs carry their secret in the path: Teams / Office 365 connectors, Discord, Slack
    String.raw`(?<webhook>https:\/\/(?:[A-Za-z0-9-]{1,63}\.webhook\.office\.com\/webhookb2|outlook\.office(?:365)?\.com\/webhook|(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks|hooks\.slack\.com\/(?:services|workflows|triggers))\/[^\s"'<>\\]{8,600})`,
    String.raw`(?<vendor>(?<![A-Za-z0-9_-])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}|xox[abposr]-[A-Za-z0-9-]{10,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35}|sk-(?:ant-|proj-)?[A-Za-z0-9_-]{32,}|glpat-[A-Za-z0-9_-]{20,}|npm_[A-Za-z0-9]{36}))`,
  ].join('|'),
  'g',
);

/** Credentials inside URLs and connection strings in text: `postgres://user:pass@host`, `amqp://u:p@h`, `redis://:p@h`. */
const URL_USERINFO_RE = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/)([^\s/?#@"'<>:[\]]{0,256}):([^\s/?#"'<>[\]]{1,256})@/g;

const HTML_TAG_RE = /<(?:input|meta)\b[^<>]{0,2000}>/gi;
/** `<password>hunter2</password>` in XML/SOAP bodies; `code` is left alone (HTML's <code>). */
const XML_ELEMENT_RE = /<([A-Za-z_][A-Za-z0-9_.-]{0,63}:)?([A-Za-z_][A-Za-z0-9_.-]{0,63})(\s[^<>]{0,1000})?>([^<]{1,8192})<\/\1?\2\s*>/g;
const HTML_HINT_RE = /<(?:input|meta)\b/i;
const ATTR_NAME_RE = /\b(?:name|property|id)\s*=\s*["']?([^"'\s>]+)/i;
const ATTR_VALUE_RE = /(\b(?:value|content)\s*=\s*)(["'])([^"']*)\2/i;

const API_KEY_VALUE_RE = /^[A-Za-z0-9+/=_-]{16,}$/;
const AUTH_SCHEMES = new Set([
  'bearer',
  'basic',
  'digest',
  'negotiate',
  'ntlm',
  'token',
  'dpop',
  'mac',
  'hoba',
  'mutual',
  'aws4-hmac-sha256',
  'sharedkey',
  'sharedkeylite',
  'scram-sha-1',
  'scram-sha-256',
  'vapid',
  'otp',
  'apikey',
  'sso-key',
  'ssws',
  'splunk',
]);

export function authorizationValue(value: string, counter: RedactionCounter): string {
  const m = /^\s*([A-Za-z][A-Za-z0-9._~+/-]*)\s+\S/.exec(value);
  const marker = counter.mark('authorization-header');
  return m && AUTH_SCHEMES.has(m[1].toLowerCase()) ? `${m[1]} ${marker}` : marker;
}

function isPrintableCredential(decoded: string): boolean {
  return decoded.includes(':') && /^[\x20-\x7e\u00a0-\u00ff]+$/.test(decoded);
}

/**
 * The secret scan applied to every string that leaves the sanitizer, and to free text (`redactText`).
 * Rules, in order: private keys, SAML (raw XML and base64), pasted Cookie/Authorization headers,
 * JWTs, Bearer/Basic/Negotiate credentials, AWS access keys, vendor API keys, sensitive HTML
 * inputs/meta tags, and `name=value` / `"name": "value"` pairs whose name is sensitive.
 */
export class TextRedactor {
  private readonly kvRe: RegExp;

  constructor(
    readonly names: NameMatcher,
    readonly counter: RedactionCounter,
  ) {
    const cached = kvCache.get(names);
    if (cached) {
      this.kvRe = cached;
      return;
    }
    const word = '[A-Za-z0-9_.\\-]{0,40}';
    const alternatives = [
      `${word}(?:${names.paramSubstrings.map(esc).join('|')})${word}`,
      `${word}[Kk][Ee][Yy]`,
      ...[...names.paramExact].sort((a, b) => b.length - a.length).map(esc),
    ];
    // bounded quantifiers keep every rule linear-time on hostile input
    const value = String.raw`"(?:[^"\\\n]|\\.){0,8192}"|'(?:[^'\\\n]|\\.){0,8192}'|(?![\[{])[^\s"'&;,<>#)}\]]{1,8192}`;
    this.kvRe = new RegExp(String.raw`(?<![A-Za-z0-9_.\-])(["']?)(${alternatives.join('|')})\1([ \t]*[=:][ \t]*)(${value})`, 'gi');
    kvCache.set(names, this.kvRe);
  }

  scan(s: string): string {
    if (s.length < 8) return s;
    let out = s;
    if (out.includes('PRIVATE KEY')) out = out.replace(PRIVATE_KEY_RE, () => this.counter.mark('private-key'));
    if (out.includes('<') && SAML_HINT_RE.test(out)) out = this.samlXml(out);
    if (out.length >= 100) out = out.replace(B64_RUN_RE, (m) => (isBase64Saml(m) ? this.counter.mark('saml') : m));
    out = out.replace(HEADER_LINE_RE, (m, name: string, val: string) => this.headerLine(m, name, val));
    if (out.includes('://') && out.includes('@'))
      out = out.replace(URL_USERINFO_RE, (_m, scheme: string) => `${scheme}${this.counter.mark('url-credentials')}@`);
    out = out.replace(TOKEN_RE, (...args: unknown[]) => this.token(args));
    if (HTML_HINT_RE.test(out)) out = out.replace(HTML_TAG_RE, (tag) => this.htmlTag(tag));
    if (out.includes('</')) {
      out = out.replace(XML_ELEMENT_RE, (m: string, ns: string | undefined, name: string, attrs: string | undefined, content: string) =>
        this.xmlElement(m, ns, name, attrs, content),
      );
    }
    if (out.includes('=') || out.includes(':')) {
      out = out.replace(this.kvRe, (m: string, q: string, name: string, sep: string, val: string, offset: number, whole: string) =>
        this.kv(m, q, name, sep, val, offset, whole),
      );
    }
    return out;
  }

  private samlXml(s: string): string {
    let out = '';
    let pos = 0;
    SAML_OPEN_RE.lastIndex = 0;
    for (let m = SAML_OPEN_RE.exec(s); m !== null; m = SAML_OPEN_RE.exec(s)) {
      const close = `</${m[1]}${m[2]}`;
      const end = s.indexOf(close, m.index + m[0].length);
      out += s.slice(pos, m.index) + this.counter.mark('saml');
      if (end < 0) {
        pos = s.length; // unterminated: everything after the opening tag goes
        break;
      }
      const gt = s.indexOf('>', end);
      pos = gt < 0 ? s.length : gt + 1;
      SAML_OPEN_RE.lastIndex = pos;
    }
    out += s.slice(pos);
    if (SAML_LEFTOVER_RE.test(out)) return this.counter.mark('saml');
    return out;
  }

  private xmlElement(m: string, ns: string | undefined, name: string, attrs: string | undefined, content: string): string {
    const lname = name.toLowerCase();
    if (lname === 'code' || content.trim().length === 0 || content.startsWith(MARKER_PREFIX)) return m;
    if (!this.names.isSensitiveParam(lname)) return m;
    return `<${ns ?? ''}${name}${attrs ?? ''}>${this.counter.mark(`param:${ruleName(lname)}`)}</${ns ?? ''}${name}>`;
  }

  private headerLine(m: string, name: string, val: string): string {
    const trimmed = val.trimEnd();
    if (trimmed.length === 0 || trimmed.startsWith(MARKER_PREFIX)) return m;
    const lname = name.toLowerCase();
    const prefix = m.slice(0, m.length - val.length);
    const tail = val.slice(trimmed.length);
    if (lname.includes('cookie')) return prefix + this.counter.mark('cookie') + tail;
    // keep a known scheme word, redact the rest
    if (/^\S+\s+\[REDACTED:/.test(trimmed)) return m;
    return prefix + authorizationValue(trimmed, this.counter) + tail;
  }

  private token(args: unknown[]): string {
    const groups = args[args.length - 1] as Record<string, string | undefined>;
    const m = args[0] as string;
    if (groups.jwt !== undefined) return this.counter.mark('jwt');
    if (groups.bearer !== undefined && groups.bearerTok !== undefined) {
      // a real token has a digit or a token68 punctuation; "Bearer authentication" is English
      if (!/[0-9\-._~+/]/.test(groups.bearerTok)) return m;
      return groups.bearer + this.counter.mark('bearer');
    }
    if (groups.basic !== undefined && groups.basicTok !== undefined) {
      const decoded = Buffer.from(groups.basicTok, 'base64').toString('latin1');
      if (!isPrintableCredential(decoded)) return m;
      return groups.basic + this.counter.mark('basic-auth');
    }
    if (groups.neg !== undefined) return groups.neg + this.counter.mark('negotiate');
    if (groups.aws !== undefined) return this.counter.mark('aws-access-key');
    if (groups.webhook !== undefined) return this.counter.mark('webhook-url');
    if (groups.vendor !== undefined) return this.counter.mark('api-key');
    return m;
  }

  private htmlTag(tag: string): string {
    const name = ATTR_NAME_RE.exec(tag);
    if (!name) return tag;
    const lname = name[1].toLowerCase();
    if (!this.names.isSensitiveParam(lname)) return tag;
    const v = ATTR_VALUE_RE.exec(tag);
    if (!v || v[3].length === 0 || v[3].startsWith(MARKER_PREFIX)) return tag;
    return tag.replace(ATTR_VALUE_RE, (_m, pre: string, q: string) => `${pre}${q}${this.counter.mark(`form:${ruleName(lname)}`)}${q}`);
  }

  private kv(m: string, q: string, name: string, sep: string, val: string, offset: number, whole: string): string {
    const lname = name.toLowerCase();
    const quoted = val.startsWith('"') || val.startsWith("'");
    const inner = quoted ? val.slice(1, -1) : val;
    if (inner.length === 0 || inner.startsWith(MARKER_PREFIX)) return m;
    if (!quoted && (inner === 'null' || inner === 'true' || inner === 'false')) return m;
    let rule: string | null = null;
    if (this.names.isSensitiveParam(lname)) rule = `param:${ruleName(lname)}`;
    else if (lname.endsWith('key') && API_KEY_VALUE_RE.test(inner)) rule = 'api-key';
    if (rule === null) return m;
    if (!quoted) {
      // "Authorization: Bearer [REDACTED:bearer]" - the scheme word alone is not a secret
      const after = whole.slice(offset + m.length, offset + m.length + 12);
      if (/^[A-Za-z][A-Za-z0-9-]*$/.test(inner) && AUTH_SCHEMES.has(inner.toLowerCase()) && /^\s+\[REDACTED:/.test(after)) return m;
    }
    const marker = this.counter.mark(rule);
    if (quoted) return `${q}${name}${q}${sep}${val[0]}${marker}${val[0]}`;
    // keep JSON-looking text JSON-looking
    if (q === '"' && sep.includes(':')) return `${q}${name}${q}${sep}"${marker}"`;
    return `${q}${name}${q}${sep}${marker}`;
  }
}

function isBase64Saml(run: string): boolean {
  const head = run.slice(0, 400 - (Math.min(run.length, 400) % 4));
  const decoded = Buffer.from(head, 'base64').toString('latin1');
  return SAML_DECODED_RE.test(decoded);
}

const kvCache = new WeakMap<NameMatcher, RegExp>();
let defaultMatcher: NameMatcher | undefined;

/** The sanitizer's secret scan for free text (incident intake fields, comments). */
export function redactText(text: string): { text: string; findings: { rule: string; count: number }[] } {
  defaultMatcher ??= createNameMatcher();
  const counter = new RedactionCounter();
  const out = new TextRedactor(defaultMatcher, counter).scan(text);
  const findings = [...counter.counts.entries()].map(([rule, count]) => ({ rule, count })).sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule));
  return { text: out, findings };
}
