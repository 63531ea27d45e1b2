import type { Json, JsonObject } from './body';
import { ChromiumSanitizer } from './chromium';
import { FieldWriter, isObj, type ResolvedOptions } from './fields';
import { HttpMessageSanitizer } from './http-message';
import type { RedactionCounter } from './report';
import { RequestSanitizer } from './request';
import { ResponseSanitizer } from './response';

/**
 * Allow-list sanitizer for one HAR entry and for the log-level fields (HAR 1.2 + Chromium extensions).
 * Known structure is copied field by field; every kept string goes through the text scan; unknown
 * properties keep only numbers/booleans/null (and short enum-like strings for known extension keys).
 */
export class EntrySanitizer {
  readonly counter: RedactionCounter;
  private readonly fields: FieldWriter;
  private readonly request: RequestSanitizer;
  private readonly response: ResponseSanitizer;
  private readonly chromium: ChromiumSanitizer;

  constructor(opts: ResolvedOptions, elidedPrefix: string | null = null) {
    this.fields = new FieldWriter(opts, elidedPrefix);
    this.counter = this.fields.counter;
    const http = new HttpMessageSanitizer(this.fields);
    this.chromium = new ChromiumSanitizer(this.fields);
    this.request = new RequestSanitizer(this.fields, http);
    this.response = new ResponseSanitizer(this.fields, http, this.chromium);
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
          this.fields.strField(out, key, v);
          break;
        case 'time':
          this.fields.numField(out, key, v);
          break;
        case 'request':
          if (isObj(v)) out.request = this.request.sanitize(v);
          else this.fields.drop();
          break;
        case 'response':
          if (isObj(v)) out.response = this.response.sanitize(v);
          else this.fields.drop();
          break;
        case 'cache':
          if (isObj(v)) out.cache = this.cache(v);
          else this.fields.drop();
          break;
        case 'timings':
          if (isObj(v)) out.timings = this.flat(v);
          else this.fields.drop();
          break;
        case '_initiator':
          if (isObj(v)) out._initiator = this.chromium.initiator(v);
          else this.fields.extra(out, key, v);
          break;
        case '_webSocketMessages':
          if (Array.isArray(v)) out._webSocketMessages = this.chromium.webSocketMessages(v);
          else this.fields.drop();
          break;
        case '_securityDetails':
          if (isObj(v)) out._securityDetails = this.chromium.securityDetails(v);
          else this.fields.drop();
          break;
        default:
          this.fields.extra(out, key, v);
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
            if (k === 'expires' || k === 'lastAccess' || k === 'eTag' || k === 'comment') this.fields.strField(o, k, v[k]);
            else this.fields.extra(o, k, v[k]);
          }
          out[key] = o;
        } else this.fields.drop();
      } else if (key === 'comment') this.fields.strField(out, key, v);
      else this.fields.extra(out, key, v);
    }
    return out;
  }

  /** timings, pageTimings: numbers (+ comment). */
  private flat(t: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(t)) {
      if (key === 'comment') this.fields.strField(out, key, t[key]);
      else this.fields.extra(out, key, t[key]);
    }
    return out;
  }

  /** A log-level field other than `entries`; undefined when it is dropped. */
  logField(key: string, v: Json): Json | undefined {
    switch (key) {
      case 'version':
        return typeof v === 'string' ? this.fields.str(v) : '1.2';
      case 'creator':
      case 'browser':
        return isObj(v) ? this.nameVersion(v) : undefined;
      case 'pages':
        return Array.isArray(v) ? v.filter(isObj).map((p) => this.page(p)) : [];
      case 'comment':
        return typeof v === 'string' ? this.fields.str(v) : undefined;
      default:
        if ((v === null || typeof v === 'number' || typeof v === 'boolean') && /^[A-Za-z0-9_$.-]{1,64}$/.test(key)) return v;
        this.fields.drop();
        return undefined;
    }
  }

  private nameVersion(o: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(o)) {
      if (key === 'name' || key === 'version' || key === 'comment') this.fields.strField(out, key, o[key]);
      else this.fields.extra(out, key, o[key]);
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
          this.fields.strField(out, key, v);
          break;
        case 'title':
          // Chromium uses the page URL as title when there is none
          this.fields.strField(out, key, v, typeof v === 'string' && /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(v));
          break;
        case 'pageTimings':
          if (isObj(v)) out.pageTimings = this.flat(v);
          else this.fields.drop();
          break;
        default:
          this.fields.extra(out, key, v);
      }
    }
    return out;
  }
}
