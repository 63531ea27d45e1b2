import { BodyRedactor, setProp, type Json, type JsonObject } from './body';
import { createNameMatcher, type NameMatcher } from './names';
import { TextRedactor } from './redact-text';
import { RedactionCounter } from './report';
import { UrlRedactor } from './url';

export interface ResolvedOptions {
  keepResponseText: boolean;
  sensitiveHeaderNames: string[];
  sensitiveParamNames: string[];
  maxEntryBytes: number;
  maxStringBytes: number;
  secretRules: boolean;
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
export const ENUM_VALUE_RE = /^[A-Za-z0-9_.:\-/ ]{0,64}$/;

export const isObj = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The allow-list primitives (how a known or unknown field is written) and the redactors behind them.
 * One instance per sanitizer, shared by all walkers, so every walker counts into the same report.
 */
export class FieldWriter {
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

  str(v: string): string {
    if (this.isElided(v)) return this.counter.mark('oversized-value');
    return this.text.scan(v);
  }

  private urlValue(v: string): string {
    if (this.isElided(v)) return this.counter.mark('oversized-value');
    return this.url.url(v);
  }

  drop(): void {
    this.counter.add('dropped-field');
  }

  /** Unknown property: numbers/booleans/null kept, enum-like strings for allow-listed keys, the rest dropped. */
  extra(out: JsonObject, key: string, v: Json): void {
    if (v === null || typeof v === 'number' || typeof v === 'boolean') {
      setProp(out, this.text.scan(key), v);
      return;
    }
    if (typeof v === 'string' && ENUM_KEYS.has(key) && ENUM_VALUE_RE.test(v)) {
      out[key] = this.str(v);
      return;
    }
    this.drop();
  }

  strField(out: JsonObject, key: string, v: Json, url = false): void {
    if (typeof v === 'string') out[key] = url ? this.urlValue(v) : this.str(v);
    else if (v === null || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
    else this.drop();
  }

  numField(out: JsonObject, key: string, v: Json): void {
    if (v === null || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
    else if (typeof v === 'string' && /^-?[0-9.eE+]{1,32}$/.test(v)) out[key] = v;
    else this.drop();
  }
}
