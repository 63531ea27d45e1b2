import { gzipSync } from 'node:zlib';
import fc from 'fast-check';

/** The parts of an OpenAPI 3 document the fuzzer reads. */
export interface JsonSchema {
  $ref?: string;
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

export interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The document's path, e.g. /api/v1/incidents/{id}. */
  path: string;
  /** "METHOD /path" in Nest's spelling (":id"), the key the router and the route cases use. */
  key: string;
  pathParams: string[];
  query: OpenApiParameter[];
  /** The JSON request body's schema, when the operation takes one. */
  jsonBody: JsonSchema | null;
  /** The request body's content types (multipart/form-data for uploads). */
  contentTypes: string[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every operation of the document, in document order. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const params = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      out.push({
        method: m.toUpperCase() as Operation['method'],
        path,
        key: `${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]),
        query: params.filter((p) => p.in === 'query'),
        jsonBody: content['application/json']?.schema ?? null,
        contentTypes: Object.keys(content),
      });
    }
  }
  return out;
}

export function resolveRef(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  let s = schema;
  for (let i = 0; s.$ref && i < 20; i++) {
    const m = /^#\/components\/schemas\/(.+)$/.exec(s.$ref);
    const target = m ? doc.components?.schemas?.[decodeURIComponent(m[1])] : undefined;
    if (!target) throw new Error(`unresolvable $ref ${s.$ref}`);
    s = target;
  }
  return s;
}

// ---- values the schema accepts ---------------------------------------------------------------------------

/**
 * URIs that never leave this machine: the portal refuses loopback and private addresses (SSRF) before it
 * connects, and nothing here needs a DNS lookup. Fuzzing must not make the portal fetch the internet.
 */
export const SAFE_URIS = [
  'http://127.0.0.1:1/metadata',
  'https://127.0.0.1:1/',
  'https://10.0.0.1/saml/metadata',
  'http://[::1]:1/x',
  'https://0.0.0.0/',
  'http://2130706433/',
  'https://user:pass@127.0.0.1:1/x?y=1#z',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'data:text/xml,<x/>',
  'ftp://127.0.0.1/x',
  'https://[fe80::1%25eth0]/',
];

const ascii = fc.string({ unit: 'grapheme-ascii', maxLength: 40 });

function stringArb(s: JsonSchema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 60, Math.max(min, 60));
  const fits = (x: string) => x.length >= min && x.length <= (s.maxLength ?? Infinity);
  if (s.format === 'uri') return fc.constantFrom(...SAFE_URIS);
  if (s.pattern) {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter(fits);
    } catch {
      /* a pattern fast-check cannot generate from: fall back to the format or plain text */
    }
  }
  if (s.format === 'uuid') return fc.uuid();
  if (s.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === 'date') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  if (s.format === 'email') return fc.emailAddress().filter(fits);
  return fc.oneof(
    fc.string({ unit: 'grapheme-ascii', minLength: min, maxLength: max }),
    fc.string({ unit: 'grapheme', minLength: min, maxLength: max }),
    fc.string({ unit: 'binary', minLength: min, maxLength: max }),
  );
}

/** Values the schema accepts (bounded in size: huge values are the hostile generator's job). */
export function valueArb(doc: OpenApiDocument, schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolveRef(doc, schema);
  let arb: fc.Arbitrary<unknown>;
  const alts = s.oneOf ?? s.anyOf;
  if (alts?.length) arb = fc.oneof(...alts.map((a) => valueArb(doc, a, depth + 1)));
  else if (s.allOf?.length) {
    const parts = s.allOf.map((a) => resolveRef(doc, a));
    arb = valueArb(
      doc,
      {
        type: 'object',
        properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
        required: parts.flatMap((p) => p.required ?? []),
      },
      depth + 1,
    );
  } else if (s.enum?.length) arb = fc.constantFrom(...s.enum);
  else {
    switch (s.type) {
      case 'string':
        arb = stringArb(s);
        break;
      case 'integer':
        arb = fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
        break;
      case 'number':
        arb = fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true });
        break;
      case 'boolean':
        arb = fc.boolean();
        break;
      case 'array': {
        const min = s.minItems ?? 0;
        arb = fc.array(s.items ? valueArb(doc, s.items, depth + 1) : fc.jsonValue({ maxDepth: 1 }), {
          minLength: min,
          maxLength: Math.min(s.maxItems ?? 4, Math.max(min, 4)),
        });
        break;
      }
      case 'object':
      default: {
        if (!s.properties) {
          arb = depth > 3 ? fc.constant({}) : fc.dictionary(ascii, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
          break;
        }
        const props = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, valueArb(doc, v, depth + 1)]));
        arb = fc.record(props, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
      }
    }
  }
  return s.nullable ? fc.option(arb, { nil: null, freq: 6 }) : arb;
}

/** A known-good example with a random subset of its fields taken from a schema-valid value instead. */
export function aroundExample(example: Record<string, unknown>, valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(example);
  return fc.tuple(valid, fc.subarray(keys)).map(([v, take]) => {
    const out: Record<string, unknown> = { ...example };
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const k of take) if (k in v) out[k] = (v as Record<string, unknown>)[k];
    }
    return out;
  });
}

// ---- hostile values --------------------------------------------------------------------------------------

const deep = (n: number, leaf: unknown, kind: 'array' | 'object'): unknown => {
  let v = leaf;
  for (let i = 0; i < n; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
};

/** Percent-encodes the UTF-8 bytes of any string (encodeURIComponent throws on a lone surrogate). */
export const pct = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`))
    .join('');

const HUGE = 'A'.repeat(200_000);
const LONG = 'é'.repeat(10_001);

/** Strings no validation expects: NUL, lone surrogates, controls, bidi overrides, injections, edge dates, huge. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy\ud800',
  '\uffff\ufffe',
  '\u202egnp.exe',
  '\u200b\u200d\ufeff',
  '\r\nX-Injected: 1',
  '\t\n\v\f\r',
  "' OR '1'='1' --",
  '"; DROP TABLE incidents; --',
  "'; SELECT pg_sleep(5); --",
  '$(id)`id`',
  '${jndi:ldap://127.0.0.1:1/a}',
  '{{7*7}}<%= 7*7 %>',
  '<script>alert(1)</script>',
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '%ff%fe',
  '%%%',
  '\\u0000',
  'null',
  'undefined',
  'true',
  '-1',
  '1e400',
  'NaN',
  'Infinity',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '2026-02-30T25:61:61Z',
  '9999-12-31T23:59:59Z',
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '294277-01-01T00:00:00Z',
  'Europe/Nowhere',
  'Etc/GMT+99',
  'UTC\u0000',
  '😀'.repeat(300),
  'e\u0301'.repeat(500),
  LONG,
  HUGE,
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 1 },
);

const protoPollution = () => JSON.parse('{"__proto__":{"polluted":true,"isAdmin":true},"constructor":{"prototype":{"polluted":true}}}') as unknown;

/** Values of every wrong type and shape: for a field, an item, or the whole body. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 5 },
  {
    arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, -0, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e308, 5e-324, [], {}, [null], [[]], { '': '' }),
    weight: 3,
  },
  { arbitrary: fc.constantFrom(50, 300, 900).chain((n) => fc.constantFrom(deep(n, 'x', 'array'), deep(n, 'x', 'object'))), weight: 1 },
  { arbitrary: fc.constant(null).map(protoPollution), weight: 1 },
  { arbitrary: fc.array(hostileString, { maxLength: 3 }), weight: 1 },
  {
    arbitrary: fc.constantFrom(
      Array.from({ length: 5000 }, (_, i) => i),
      Array.from({ length: 2000 }, () => 'x'),
    ),
    weight: 1,
  },
  { arbitrary: fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true }), weight: 2 },
);

type PathStep = string | number;

function pathsOf(v: unknown, at: PathStep[] = [], out: PathStep[][] = []): PathStep[][] {
  out.push(at);
  if (at.length > 6 || out.length > 200) return out;
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out);
  return out;
}

function setAt(v: unknown, path: PathStep[], value: unknown, op: 'replace' | 'remove' | 'add'): unknown {
  if (path.length === 0) return op === 'add' && v && typeof v === 'object' && !Array.isArray(v) ? { ...v, __fuzz: value } : value;
  const [head, ...rest] = path;
  if (Array.isArray(v)) {
    const copy = [...v];
    if (rest.length === 0 && op === 'remove') copy.splice(head as number, 1);
    else copy[head as number] = setAt(copy[head as number], rest, value, op);
    return copy;
  }
  const copy = { ...(v as Record<string, unknown>) };
  if (rest.length === 0 && op === 'remove') delete copy[head as string];
  else if (rest.length === 0 && op === 'add') copy[`${String(head)}_extra`] = value;
  else copy[head as string] = setAt(copy[head as string], rest, value, op);
  return copy;
}

/** A valid value with one place broken: replaced by a hostile value, removed, or joined by an unknown key. */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return valid.chain((v) => {
    const paths = pathsOf(v);
    return fc
      .tuple(fc.constantFrom(...paths), hostileValue, fc.constantFrom<'replace' | 'remove' | 'add'>('replace', 'replace', 'replace', 'remove', 'add'))
      .map(([p, h, op]) => setAt(v, p, h, op));
  });
}

const getAt = (v: unknown, path: PathStep[]): unknown =>
  path.reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string | number, unknown>)[k] : undefined), v);

/** Ways to spoil a string the validation accepts: characters PostgreSQL, JSON or a terminal treat specially. */
export const TAINTS: ((s: string) => string)[] = [
  (s) => `${s}\u0000`,
  (s) => `${s.slice(0, 1)}\u0000${s.slice(1)}`,
  (s) => `${s}\ud800`,
  (s) => `\udfff${s}`,
  (s) => `\ufeff${s}\u202e`,
  (s) => `${s}\u0007\u001b[31m`,
  (s) => s.replace(/.?$/u, '\uffff'),
  (s) => `${s}%00`,
];

/** A value with one string leaf tainted, so it keeps its shape (and usually passes validation) and reaches the code behind it. */
export function tainted(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return valid.chain((v) => {
    const leaves = pathsOf(v).filter((p) => typeof getAt(v, p) === 'string');
    if (!leaves.length) return fc.constant(v);
    return fc.tuple(fc.constantFrom(...leaves), fc.constantFrom(...TAINTS)).map(([p, taint]) => setAt(v, p, taint(getAt(v, p) as string), 'replace'));
  });
}

// ---- hostile request parts -------------------------------------------------------------------------------

/** Path segments that name nothing well: broken percent-encoding, NUL, traversal, huge, look-alike uuids. */
export const hostilePathSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '%00',
    '%ff',
    '%e0%80%af',
    '%c0%ae%c0%ae',
    '..%2f..%2fetc%2fpasswd',
    '%2e%2e',
    '%25',
    '%',
    'null',
    'undefined',
    '0',
    '-1',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
    '------------------------------------',
    'a'.repeat(5000),
    `${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}%00`,
    '%F0%9F%98%80',
    '%E2%80%AE',
    'x%0d%0aSet-Cookie:%20a=b',
    '_staff',
    'saml',
  ),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid().map((u) => `${u}%20`),
  fc.string({ unit: 'binary', maxLength: 30 }).map(pct),
);

/** The incident list's cursor: base64url JSON, with values the decoder lets through but the database may not. */
export const hostileCursor: fc.Arbitrary<string> = fc.oneof(
  fc
    .record({
      declaredAt: fc.oneof(
        fc.constantFrom(
          '0',
          '1',
          '2020',
          '+275760-09-13T00:00:00.000Z',
          '-271821-04-20T00:00:00.000Z',
          '2026-02-30',
          '2026-11-23T10:00:00Z\u0000',
          'Tue, 01 Jan 2030 00:00:00 GMT',
          '12/31/1999 23:59:59 PM',
          '2026-11-23T10:00:00+25:00',
          'Infinity',
        ),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        hostileValue,
      ),
      id: fc.oneof(
        fc.uuid(),
        fc.constantFrom('------------------------------------', 'ffffffffffffffffffffffffffffffffffff', '0'.repeat(36), 'a-b-c-d-e'),
        hostileValue,
      ),
    })
    .map((c) => Buffer.from(JSON.stringify(c)).toString('base64url')),
  fc.constantFrom('', '=', 'e30', 'bnVsbA', 'W10', 'eyJ', '%%%', 'x'.repeat(200), 'x'.repeat(201)),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')),
);

/** Raw query strings: repeated keys (arrays), bracket syntax, prototype keys, broken encodings, huge values. */
export function hostileQueryString(names: string[]): fc.Arbitrary<string> {
  const name = fc.oneof(
    { arbitrary: fc.constantFrom(...(names.length ? names : ['q'])), weight: 4 },
    { arbitrary: fc.constantFrom('__proto__', 'constructor', '__proto__[polluted]', 'limit[]', 'status[$ne]', 'a[b][c]', '%00', '%ff', ''), weight: 2 },
  );
  const value = fc.oneof(
    fc.constantFrom('', '%00', '%ff', '%', '%%', '1e9', '-1', '0', '1.5', '0x10', 'NaN', 'Infinity', '[]', '{}', 'null', 'true', 'a'.repeat(20_000)),
    hostileString.map((s) => pct(s.slice(0, 2000))),
    hostileCursor.map(pct),
  );
  return fc.array(fc.tuple(name, value), { minLength: 1, maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
}

export interface RawBody {
  contentType?: string;
  contentEncoding?: string;
  body: Buffer;
  label: string;
}

const gz = (s: string) => gzipSync(Buffer.from(s));

/** Bodies that are not what they say: invalid UTF-8, wrong charsets, broken compression, truncated or odd JSON. */
export function hostileRawBody(validJson: fc.Arbitrary<unknown>): fc.Arbitrary<RawBody> {
  return fc.oneof(
    validJson.map((v) => {
      const s = JSON.stringify(v) ?? '{}';
      return { contentType: 'application/json', body: Buffer.from(s.slice(0, Math.max(1, Math.floor(s.length / 2)))), label: 'truncated JSON' };
    }),
    validJson.map((v) => ({ contentType: 'application/json; charset=utf-16', body: Buffer.from(JSON.stringify(v) ?? '{}', 'utf16le'), label: 'UTF-16 JSON' })),
    validJson.map((v) => ({ contentType: 'application/json; charset=latin1', body: Buffer.from(JSON.stringify(v) ?? '{}', 'latin1'), label: 'latin1 JSON' })),
    validJson.map((v) => ({ contentType: 'application/json; charset=klingon', body: Buffer.from(JSON.stringify(v) ?? '{}'), label: 'unknown charset' })),
    validJson.map((v) => ({
      contentType: 'application/json',
      contentEncoding: 'gzip',
      body: gz(JSON.stringify(v) ?? '{}'),
      label: 'gzip JSON',
    })),
    validJson.map((v) => ({
      contentType: 'application/json',
      body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(v) ?? '{}')]),
      label: 'BOM + JSON',
    })),
    validJson.map((v) => ({ contentType: 'text/plain', body: Buffer.from(JSON.stringify(v) ?? '{}'), label: 'JSON as text/plain' })),
    validJson.map((v) => ({
      contentType: 'application/x-www-form-urlencoded',
      body: Buffer.from(
        Object.entries((v ?? {}) as Record<string, unknown>)
          .map(([k, x]) => `${pct(k)}=${pct(typeof x === 'string' ? x : (JSON.stringify(x) ?? ''))}`)
          .join('&'),
      ),
      label: 'form-encoded',
    })),
    fc.constantFrom<RawBody>(
      { contentType: 'application/json', body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]), label: 'invalid UTF-8' },
      { contentType: 'application/json', body: Buffer.from('{"a":"\\ud800"}'), label: 'lone surrogate escape' },
      { contentType: 'application/json', body: Buffer.from('{"title":"a\\u0000b"}'), label: 'NUL escape' },
      { contentType: 'application/json', body: Buffer.from('{"impactedUsers":1e400,"limit":-1e400}'), label: 'infinite numbers' },
      { contentType: 'application/json', body: Buffer.from('{"a":1,"a":2,"__proto__":{"x":1}}'), label: 'duplicate and prototype keys' },
      { contentType: 'application/json', body: Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)), label: 'deep array nesting (100k)' },
      { contentType: 'application/json', body: Buffer.from('{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)), label: 'deep object nesting (50k)' },
      { contentType: 'application/json', body: Buffer.from(`{"a":"${'x'.repeat(1_100_000)}"}`), label: 'over the body limit' },
      { contentType: 'application/json', body: Buffer.from('{}garbage'), label: 'trailing garbage' },
      { contentType: 'application/json', body: Buffer.from('"just a string"'), label: 'JSON string (strict off)' },
      { contentType: 'application/json', body: Buffer.from('null'), label: 'JSON null' },
      { contentType: 'application/json', body: Buffer.alloc(0), label: 'empty JSON' },
      { contentType: 'application/json', contentEncoding: 'gzip', body: Buffer.from('not gzip at all'), label: 'broken gzip' },
      { contentType: 'application/json', contentEncoding: 'deflate', body: Buffer.from([0x78, 0x9c, 0xff, 0xff]), label: 'broken deflate' },
      { contentType: 'application/json', contentEncoding: 'br', body: Buffer.from([0xff, 0xff, 0xff, 0xff]), label: 'broken brotli' },
      { contentType: 'application/json', contentEncoding: 'compress', body: Buffer.from('{}'), label: 'unsupported encoding' },
      { contentType: 'application/json', contentEncoding: 'gzip, gzip', body: gz('{}'), label: 'double encoding, single gzip' },
      { contentType: 'application/json', contentEncoding: 'gzip', body: gz(`{"a":"${'x'.repeat(3_000_000)}"}`), label: 'gzip bomb over the limit' },
      { contentType: 'multipart/form-data', body: Buffer.from('--x\r\n'), label: 'multipart without boundary' },
      { contentType: 'application/xml', body: Buffer.from('<a/>'), label: 'XML' },
      { contentType: 'application/json; charset=', body: Buffer.from('{}'), label: 'empty charset' },
      { contentType: 'application/json; charset="utf-8\t"', body: Buffer.from('{}'), label: 'odd charset quoting' },
      { contentType: undefined, body: Buffer.from('{"a":1}'), label: 'no content type' },
    ),
  );
}

/** Credentials that are not credentials. */
export const hostileAuth: fc.Arbitrary<Record<string, string>> = fc.oneof(
  fc.constantFrom<Record<string, string>>(
    { Authorization: 'Bearer' },
    { Authorization: 'Bearer ' },
    { Authorization: 'Basic YWRtaW46YWRtaW4=' },
    { Authorization: `Bearer pt_${'0'.repeat(32)}_${'a'.repeat(40)}` },
    { Authorization: `Bearer pt_${'f'.repeat(32)}_${'a'.repeat(200)}` },
    { Authorization: `Bearer pt_${'z'.repeat(32)}_${'a'.repeat(40)}` },
    { Authorization: `Bearer ${'a'.repeat(8000)}` },
    { Authorization: 'Bearer pt_%00' },
    { Cookie: 'portal_session=' },
    { Cookie: `portal_session=${'a'.repeat(199)}` },
    { Cookie: `portal_session=${'a'.repeat(5000)}` },
    { Cookie: 'portal_session=%ff%00' },
    { Cookie: 'portal_session=a; portal_session=b' },
    { Cookie: 'portal_session=j:{"a":1}' },
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 120 }).map((s) => ({ Authorization: `Bearer ${s.replace(/[\r\n]/g, '')}` })),
  fc.string({ unit: 'grapheme-ascii', maxLength: 120 }).map((s) => ({ Cookie: `portal_session=${encodeURIComponent(s)}` })),
);
