import { InsightsCollector } from './insights';
import { createHarSanitizer, sanitizeHar } from './index';
import { HarFormatError, type HarFormatRule } from './types';

async function ruleOf(input: string | Buffer): Promise<HarFormatRule | 'ok'> {
  try {
    await sanitizeHar(input);
    return 'ok';
  } catch {
    // sanitizeHar rethrows a generic error; the stream's own error carries the rule
  }
  const { stream, result } = createHarSanitizer();
  stream.on('error', () => undefined);
  stream.resume();
  stream.end(input);
  try {
    await result;
    return 'ok';
  } catch (e) {
    if (e instanceof HarFormatError) return e.rule;
    throw e;
  }
}

const entry = (extra = '') =>
  `{"startedDateTime":"2026-11-23T10:00:00.000Z","time":1,"request":{"method":"GET","url":"https://hub.example/","httpVersion":"h2","headers":[],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},"response":{"status":200,"statusText":"","httpVersion":"h2","headers":[],"cookies":[],"content":{"size":0,"mimeType":""},"redirectURL":"","headersSize":-1,"bodySize":0},"cache":{},"timings":{"wait":1}${extra}}`;
const har = (entries: string[], logExtra = '') => `{"log":{"version":"1.2","creator":{"name":"t","version":"1"}${logExtra},"entries":[${entries.join(',')}]}}`;
/** `n` nested objects: {"a":{"a":...1...}} */
const nestedObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
const nestedArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('nesting limit (64 levels from the top of the document)', () => {
  it('refuses a 1,000,000-deep object inside an entry at once, as nesting_too_deep', async () => {
    const t0 = Date.now();
    expect(await ruleOf(har([entry(`,"_custom":${nestedObject(1_000_000)}`)]))).toBe('nesting_too_deep');
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('refuses a 1,000,000-deep pages array at once, as nesting_too_deep', async () => {
    const t0 = Date.now();
    expect(await ruleOf(har([entry()], `,"pages":${nestedArray(1_000_000)}`))).toBe('nesting_too_deep');
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('refuses deep nesting after log.entries too', async () => {
    expect(await ruleOf(`{"log":{"entries":[${entry()}],"comment2":${nestedArray(100)}}}`)).toBe('nesting_too_deep');
  });

  it('holds memory flat: a 5M-deep object in ~30 MB is refused before it is buffered', async () => {
    const before = process.memoryUsage().rss;
    expect(await ruleOf(Buffer.from(har([entry(`,"_x":${nestedObject(5_000_000)}`)])))).toBe('nesting_too_deep');
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('accepts nesting up to the limit: an entry may nest 60 levels below itself (64 in all)', async () => {
    // root(1) > log(2) > entries(3) > entry(4) > _x: 60 more objects = level 64
    expect(await ruleOf(har([entry(`,"_x":${nestedObject(60)}`)]))).toBe('ok');
    expect(await ruleOf(har([entry(`,"_x":${nestedObject(61)}`)]))).toBe('nesting_too_deep');
  });

  it('says which limit, without quoting the input', async () => {
    const { stream, result } = createHarSanitizer();
    stream.on('error', () => undefined);
    stream.resume();
    stream.end(har([entry(`,"_x":${nestedArray(70)}`)]));
    await expect(result).rejects.toThrow(/log\.entries\[0\] nests objects and arrays more than 64 levels deep .*the limit is 64/);
  });

  it('a top-level value that is not an object stays not_har', async () => {
    expect(await ruleOf(nestedArray(1000))).toBe('not_har');
  });

  it('a deeply nested JSON request body (a string) is removed, not parsed for seconds', async () => {
    const deep = nestedArray(500_000); // 1 MB of "[[[[": V8 needs ~0.4 s to parse it
    const doc = JSON.parse(har([entry()])) as { log: { entries: { request: Record<string, unknown> }[] } };
    doc.log.entries[0].request.postData = { mimeType: 'application/json', text: deep };
    const t0 = Date.now();
    const { output, report } = await sanitizeHar(JSON.stringify(doc));
    expect(Date.now() - t0).toBeLessThan(300);
    expect(JSON.parse(output).log.entries[0].request.postData.text).toBe('[REDACTED:too-deep]');
    expect(report.byRule['too-deep']).toBe(1);
  });
});

describe('failed-request insights stay bounded', () => {
  it('1 failing request per host for 30,000 hosts keeps at most 12,000 groups and counts every request', () => {
    const c = new InsightsCollector();
    for (let i = 0; i < 30_000; i++) {
      const sanitized = {
        startedDateTime: '2026-11-23T10:00:00.000Z',
        time: 1,
        request: { method: 'GET', url: `https://h${i}.example/p/${i}` },
        response: { status: 503 },
      };
      c.add(sanitized, sanitized);
    }
    expect(c.failedGroupCount).toBeLessThanOrEqual(12_000);
    const r = c.result();
    expect(r.failedRequests.length).toBe(50);
    expect(r.failedRequests[0]).toMatchObject({ host: '(other hosts)', path: '(other paths)', status: 503 });
    expect(r.failedRequests[0].count).toBe(30_000 - 11_000);
  });

  it('statuses that are not HTTP-like fold together past the bound', () => {
    const c = new InsightsCollector();
    for (let i = 0; i < 20_000; i++) {
      const s = { request: { method: 'GET', url: `https://h${i}.example/` }, response: { status: 1000 + i } };
      c.add(s, s);
    }
    expect(c.failedGroupCount).toBeLessThanOrEqual(12_000);
  });
});
