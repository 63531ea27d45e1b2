import type { Json, JsonObject } from './body';
import { ENUM_VALUE_RE, isObj, type FieldWriter } from './fields';

/** Chromium's HAR extensions: `_initiator` (with its stack), `_webSocketMessages`, `_securityDetails`. */
export class ChromiumSanitizer {
  constructor(private readonly fields: FieldWriter) {}

  initiator(i: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const key of Object.keys(i)) {
      const v = i[key];
      switch (key) {
        case 'type':
        case 'requestId':
          if (typeof v === 'string' && ENUM_VALUE_RE.test(v)) out[key] = this.fields.str(v);
          else this.fields.extra(out, key, v);
          break;
        case 'url':
          this.fields.strField(out, key, v, true);
          break;
        case 'stack':
          if (isObj(v)) out.stack = this.stack(v, 0);
          else this.fields.drop();
          break;
        default:
          this.fields.extra(out, key, v);
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
          this.fields.strField(out, key, v);
          break;
        case 'callFrames':
          if (Array.isArray(v)) {
            const frames: JsonObject[] = [];
            for (const f of v) {
              if (!isObj(f)) continue;
              const o: JsonObject = {};
              for (const k of Object.keys(f)) {
                if (k === 'functionName' || k === 'scriptId') this.fields.strField(o, k, f[k]);
                else if (k === 'url') this.fields.strField(o, k, f[k], true);
                else this.fields.extra(o, k, f[k]);
              }
              frames.push(o);
            }
            out.callFrames = frames;
          } else this.fields.drop();
          break;
        case 'parent':
          if (isObj(v) && depth < 32) out.parent = this.stack(v, depth + 1);
          else this.fields.drop();
          break;
        default:
          this.fields.extra(out, key, v);
      }
    }
    return out;
  }

  webSocketMessages(list: Json[]): JsonObject[] {
    const out: JsonObject[] = [];
    for (const m of list) {
      if (!isObj(m)) {
        this.fields.drop();
        continue;
      }
      const o: JsonObject = {};
      for (const key of Object.keys(m)) {
        const v = m[key];
        if (key === 'type') {
          if (typeof v === 'string' && ENUM_VALUE_RE.test(v)) o.type = v;
          else this.fields.drop();
        } else if (key === 'data') {
          o.data = this.wsData(m, v);
        } else this.fields.extra(o, key, v);
      }
      out.push(o);
    }
    return out;
  }

  /** Sent frames are scanned like request bodies; received frames are dropped unless keepResponseText; binary always dropped. */
  private wsData(m: JsonObject, v: Json): Json {
    const { counter } = this.fields;
    if (typeof v !== 'string') return v === null ? null : counter.mark('websocket-message');
    if (v.length === 0) return v;
    if (this.fields.isElided(v) || m.opcode === 2) return counter.mark('websocket-message');
    if (m.type === 'send' || (m.type === 'receive' && this.fields.opts.keepResponseText)) return this.fields.body.body(v, '');
    return counter.mark('websocket-message');
  }

  /** Accepted on the entry and on the response. */
  securityDetails(s: JsonObject): JsonObject {
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
          this.fields.strField(out, key, v);
          break;
        case 'sanList':
          out.sanList = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').map((x) => this.fields.str(x)) : [];
          break;
        default:
          this.fields.extra(out, key, v);
      }
    }
    return out;
  }
}
