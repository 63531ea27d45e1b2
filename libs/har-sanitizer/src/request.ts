import type { Json, JsonObject } from './body';
import { isObj, type FieldWriter } from './fields';
import { mimeTypeOf, type HttpMessageSanitizer } from './http-message';
import type { ParamKind } from './url';

/** `entry.request`: the URL, query and form parameters, and the body, which is always kept after the body rules. */
export class RequestSanitizer {
  constructor(
    private readonly fields: FieldWriter,
    private readonly http: HttpMessageSanitizer,
  ) {}

  sanitize(r: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(r)) {
      const v = r[key];
      switch (key) {
        case 'method':
          this.fields.strField(out, key, v);
          break;
        case 'url':
          this.fields.strField(out, key, v, true);
          break;
        case 'queryString':
          out.queryString = Array.isArray(v) ? this.params(v, 'query') : [];
          break;
        case 'postData':
          if (isObj(v)) out.postData = this.postData(v);
          else this.fields.drop();
          break;
        default:
          this.http.field(out, key, v);
      }
    }
    return out;
  }

  private postData(p: JsonObject): JsonObject {
    const out: JsonObject = {};
    const mimeType = mimeTypeOf(p);
    for (const key of Object.keys(p)) {
      const v = p[key];
      switch (key) {
        case 'params':
          out.params = Array.isArray(v) ? this.params(v, 'form') : [];
          break;
        case 'text':
          if (typeof v !== 'string') this.fields.strField(out, key, v);
          else if (this.fields.isElided(v)) out.text = this.fields.counter.mark('oversized-value');
          else out.text = this.fields.body.body(v, mimeType);
          break;
        default:
          this.http.bodyField(out, key, v);
      }
    }
    return out;
  }

  /** `queryString` and `postData.params` items. */
  private params(list: Json[], kind: ParamKind): JsonObject[] {
    const out: JsonObject[] = [];
    for (const p of list) {
      if (!isObj(p)) {
        this.fields.drop();
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
            this.fields.strField(o, key, v);
            break;
          case 'value':
            if (typeof v !== 'string') {
              this.fields.strField(o, key, v);
            } else if (this.fields.isElided(v)) {
              o.value = this.fields.counter.mark('oversized-value');
            } else if (isFile && v.length > 0 && !this.fields.names.isSensitiveParam(name.toLowerCase())) {
              o.value = this.fields.counter.mark('multipart-file');
            } else {
              o.value = this.fields.url.param(kind, name, v);
            }
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
