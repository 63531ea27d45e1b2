import fc from 'fast-check';
import { createHarSanitizer, HarFormatError, sanitizeHar, type HarFormatRule } from './index';
import { HarSplitter } from './splitter';

const minimalHar = (entries: unknown[] = [{ request: { method: 'GET', url: 'https://a.example/x' }, response: { status: 200 } }]) =>
  JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, pages: [], entries } }, null, 2);

async function ruleOf(input: string | Buffer, opts = {}): Promise<HarFormatRule | 'ok'> {
  try {
    await sanitizeHar(input, opts);
    return 'ok';
  } catch (e) {
    if (e instanceof HarFormatError) return e.rule;
    throw e;
  }
}

describe('bad input', () => {
  it.each<[string, string | Buffer, HarFormatRule]>([
    ['empty string -> empty', '', 'empty'],
    ['whitespace only -> empty', ' \n\t ', 'empty'],
    ['BOM only -> empty', '\ufeff', 'empty'],
    ['plain text -> not_json', 'hello world', 'not_json'],
    ['html -> not_json', '<html><body>502 Bad Gateway</body></html>', 'not_json'],
    ['gzip bytes -> not_json', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]), 'not_json'],
    ['broken object -> not_json', '{"log": nope}', 'not_json'],
    ['invalid JSON inside an entry -> not_json', '{"log":{"entries":[{"a":1},{"b":tru}]}}', 'not_json'],
    ['trailing comma in entries -> not_json', '{"log":{"entries":[{"a":1},]}}', 'not_json'],
    ['garbage after the document -> not_json', `${minimalHar()} {}`, 'not_json'],
    ['invalid JSON after entries -> not_json', '{"log":{"entries":[],"x":}}', 'not_json'],
    ['unbalanced brackets -> not_json', '{"log":{"entries":[]]}', 'not_json'],
    ['array -> not_har', '[1,2,3]', 'not_har'],
    ['number -> not_har', '42', 'not_har'],
    ['string -> not_har', '"HAR"', 'not_har'],
    ['object without log -> not_har', '{"foo":{"entries":[]}}', 'not_har'],
    ['log without entries -> not_har', '{"log":{"version":"1.2","pages":[]}}', 'not_har'],
    ['entries not an array -> not_har', '{"log":{"entries":{}}}', 'not_har'],
    ['entries nested deeper -> not_har', '{"log":{"x":{"entries":[]}}}', 'not_har'],
    ['entry not an object -> not_har', '{"log":{"entries":[{"a":1}, 7]}}', 'not_har'],
    ['two entries arrays -> not_har', '{"log":{"entries":[],"entries":[]}}', 'not_har'],
    ['two logs -> not_har', '{"log":{"entries":[]},"log":{"entries":[]}}', 'not_har'],
    ['truncated in an entry -> truncated', minimalHar().slice(0, 80), 'truncated'],
    ['truncated after entries -> truncated', minimalHar().slice(0, minimalHar().lastIndexOf(']') + 1), 'truncated'],
    ['truncated before entries -> truncated', '{"log":{"version":"1.2","creator":{"na', 'truncated'],
    ['truncated array -> truncated', '[1,2', 'truncated'],
  ])('%s', async (_name, input, rule) => {
    expect(await ruleOf(input)).toBe(rule);
  });

  it('accepts a minimal valid HAR, a BOM, and entries before version/pages', async () => {
    expect(await ruleOf(minimalHar())).toBe('ok');
    expect(await ruleOf(`\ufeff${minimalHar()}`)).toBe('ok');
    const { output } = await sanitizeHar('{"log":{"entries":[{"time":1}],"version":"1.2","creator":{"name":"x","version":"2"}}}');
    expect(JSON.parse(output)).toEqual({ log: { entries: [{ time: 1 }], version: '1.2', creator: { name: 'x', version: '2' }, pages: [] } });
  });

  it('fails one entry over maxEntryBytes with entry_too_large, smaller ones pass', async () => {
    const big = {
      request: { method: 'GET', url: 'https://a.example/', headers: Array.from({ length: 400 }, (_, i) => ({ name: `h${i}`, value: 'v'.repeat(40) })) },
    };
    const har = minimalHar([{ time: 1 }, big]);
    expect(await ruleOf(har, { maxEntryBytes: 10_000 })).toBe('entry_too_large');
    expect(await ruleOf(har, { maxEntryBytes: 100_000 })).toBe('ok');
  });

  it('caps the data outside log.entries too', async () => {
    const pages = Array.from({ length: 2000 }, (_, i) => ({ id: `page_${i}`, title: 'x'.repeat(50) }));
    const har = JSON.stringify({ log: { version: '1.2', pages, entries: [] } });
    expect(await ruleOf(har, { maxEntryBytes: 10_000 })).toBe('entry_too_large');
  });

  it('errors the stream and rejects result; error messages never echo input', async () => {
    const secret = 'CANARY-in-error-message';
    const { stream, result } = createHarSanitizer();
    const errors: Error[] = [];
    stream.on('error', (e) => errors.push(e));
    stream.resume();
    stream.end(`{"log":{"entries":[{"authorization":"${secret}" oops}]}}`);
    await expect(result).rejects.toBeInstanceOf(HarFormatError);
    const err = await result.catch((e: HarFormatError) => e);
    expect((err as HarFormatError).rule).toBe('not_json');
    expect((err as Error).message).not.toContain(secret);
    await new Promise((r) => setImmediate(r));
    expect(errors).toHaveLength(1);
  });

  it('rejects result when the stream is destroyed before the input ended (aborted upload)', async () => {
    const { stream, result } = createHarSanitizer();
    stream.on('error', () => undefined);
    stream.resume();
    stream.write('{"log":{"entries":[{"time":1},');
    stream.destroy();
    await expect(result).rejects.toThrow(/destroyed before the input ended/);
  });

  it('accepts string and Uint8Array chunks', async () => {
    const { stream, result } = createHarSanitizer();
    const out: Buffer[] = [];
    stream.on('data', (c: Buffer) => out.push(c));
    stream.write('{"log":{"entries":[{"time":1,"request":{"method":"GET","url":"https://a.example/?token=abc"}}');
    stream.write(new TextEncoder().encode(',{"time":2}]}}'));
    stream.end();
    const r = await result;
    await new Promise((res) => stream.on('end', res));
    expect(r.insights.entryCount).toBe(2);
    expect(JSON.parse(Buffer.concat(out).toString()).log.entries[0].request.url).toBe('https://a.example/?token=[REDACTED:query:token]');
  });

  it('every strict prefix of a valid HAR is "truncated" (or "empty"), never a success', async () => {
    const har = minimalHar([
      { request: { method: 'POST', url: 'https://a.example/x?q="1"', postData: { text: '{"a":"\\\\\\"]}"}' } }, response: { status: 500 } },
      { time: 2, comment: 'brackets ]} and "quotes" and \\ backslashes' },
    ]);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: har.length - 1 }), async (cut) => {
        const prefix = har.slice(0, cut);
        const rule = await ruleOf(prefix);
        expect(prefix.trim() === '' ? 'empty' : 'truncated').toBe(rule);
      }),
      { numRuns: 150 },
    );
  });
});

/** Splits with the byte scanner, feeding random chunk sizes; returns the parsed entries. */
function split(text: string, chunkSizes: number[], maxStringBytes = 1 << 30): { entries: unknown[]; head: unknown; tail: unknown } {
  const entries: unknown[] = [];
  let head: unknown;
  let tail: unknown;
  const s = new HarSplitter(
    { maxEntryBytes: 1 << 30, maxStringBytes, elidedPrefix: 'ELIDED:' },
    {
      onHead: (log) => (head = log),
      onEntry: (json) => entries.push(JSON.parse(json)),
      onTail: (log) => (tail = log),
    },
  );
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  let k = 0;
  while (off < buf.length) {
    const n = Math.max(1, chunkSizes[k++ % chunkSizes.length]);
    s.write(buf.subarray(off, off + n));
    off += n;
  }
  s.end();
  return { entries, head, tail };
}

/** Same value, with strings whose JSON-escaped UTF-8 length exceeds max replaced the way the splitter does. */
function elide(v: unknown, max: number): unknown {
  if (typeof v === 'string') {
    const len = Buffer.byteLength(JSON.stringify(v)) - 2;
    return len > max ? `ELIDED:${len}` : v;
  }
  if (Array.isArray(v)) return v.map((x) => elide(x, max));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[elide(k, max) as string] = elide(x, max);
    return out;
  }
  return v;
}

describe('byte-level splitter (property tests against JSON.parse)', () => {
  const tricky = fc.oneof(fc.string(), fc.constantFrom('"', '\\', '\\"', '\\\\', ']}', '{"entries":[', '\u2028', '😀', 'é', '\u0000', '"log"'));
  const jsonish = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      tricky,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
    ),
  })).value;
  const entry = fc.dictionary(fc.string({ maxLength: 6 }), jsonish, { maxKeys: 5 });
  const doc = fc.record({
    before: fc.dictionary(fc.constantFrom('version', 'creator', 'pages', 'comment', '_x'), jsonish, { maxKeys: 3 }),
    entries: fc.array(entry, { maxLength: 6 }),
    after: fc.dictionary(fc.constantFrom('browser', 'comment', '_y'), jsonish, { maxKeys: 2 }),
    indent: fc.constantFrom(0, 1, 2, '\t'),
  });

  it('hands over exactly the entries JSON.parse sees, for any chunking', () => {
    fc.assert(
      fc.property(doc, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }), (d, chunks) => {
        const text = JSON.stringify({ log: { ...d.before, entries: d.entries, ...d.after } }, null, d.indent);
        const expected = JSON.parse(text) as { log: Record<string, unknown> };
        const got = split(text, chunks);
        expect(got.entries).toEqual(expected.log.entries);
        const { entries: _e, ...rest } = expected.log;
        expect({ ...(got.head as object), ...(got.tail as object), entries: undefined }).toEqual({ ...rest, entries: undefined });
      }),
      { numRuns: 300 },
    );
  });

  it('sets aside long strings without buffering them, for any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string({ maxLength: 40 }), fc.array(fc.string({ maxLength: 40 }), { maxLength: 3 })), {
            maxKeys: 4,
          }),
          {
            maxLength: 4,
          },
        ),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 18, max: 30 }),
        (entries, chunks, max) => {
          const text = JSON.stringify({ log: { entries } });
          const got = split(text, chunks, max);
          expect(got.entries).toEqual(entries.map((e) => elide(e, max)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
