import { isTextualMime, type JsonObject } from './body';
import type { ChromiumSanitizer } from './chromium';
import { isObj, type FieldWriter } from './fields';
import { mimeTypeOf, type HttpMessageSanitizer } from './http-message';

/** `entry.response`: status, redirect, and the body, which is removed unless `keepResponseText` allows it. */
export class ResponseSanitizer {
  constructor(
    private readonly fields: FieldWriter,
    private readonly http: HttpMessageSanitizer,
    private readonly chromium: ChromiumSanitizer,
  ) {}

  sanitize(r: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(r)) {
      const v = r[key];
      switch (key) {
        case 'statusText':
          this.fields.strField(out, key, v);
          break;
        case 'redirectURL':
          this.fields.strField(out, key, v, true);
          break;
        case 'status':
          this.fields.numField(out, key, v);
          break;
        case 'content':
          if (isObj(v)) out.content = this.content(v);
          else this.fields.drop();
          break;
        case '_securityDetails':
          if (isObj(v)) out._securityDetails = this.chromium.securityDetails(v);
          else this.fields.drop();
          break;
        default:
          this.http.field(out, key, v);
      }
    }
    return out;
  }

  private content(c: JsonObject): JsonObject {
    const out: JsonObject = {};
    const mimeType = mimeTypeOf(c);
    const encoding = typeof c.encoding === 'string' ? c.encoding : undefined;
    for (const key of Object.keys(c)) {
      const v = c[key];
      switch (key) {
        case 'size':
        case 'compression':
          this.fields.numField(out, key, v);
          break;
        case 'encoding':
          break; // decided with text below
        case 'text': {
          if (typeof v !== 'string') {
            if (v !== null) this.fields.drop();
            break;
          }
          if (v.length === 0) {
            out.text = v;
            if (encoding !== undefined) out.encoding = this.fields.str(encoding);
          } else if (this.fields.opts.keepResponseText && !this.fields.isElided(v) && (encoding === undefined || encoding === '') && isTextualMime(mimeType)) {
            out.text = this.fields.body.body(v, mimeType);
          } else {
            out.text = this.fields.counter.mark('response-body'); // binary (base64) is always dropped
          }
          break;
        }
        default:
          this.http.bodyField(out, key, v);
      }
    }
    return out;
  }
}
