import { REDACTION_MARKER, sanitizeHar } from './index';
import { sanitizeHarObject } from './sanitizer';
import { generateCanaryHar } from './testing/canary-har';

const har = {
  log: {
    version: '1.2',
    creator: { name: 'WebInspector', version: '537.36' },
    pages: [],
    entries: [
      {
        startedDateTime: '2025-01-15T09:00:00.000Z',
        time: 50,
        request: {
          method: 'GET',
          url: 'https://hub.example/api/records?access_token=abc123&page=1',
          httpVersion: 'HTTP/1.1',
          headers: [
            { name: 'Authorization', value: 'Bearer abc.def.ghi' },
            { name: 'Cookie', value: 'a=1; b=2' },
            { name: 'X-Api-Key', value: 'k-123' },
            { name: 'Accept', value: 'application/json' },
          ],
          cookies: [
            { name: 'a', value: '1' },
            { name: 'b', value: '2' },
          ],
          queryString: [
            { name: 'access_token', value: 'abc123' },
            { name: 'page', value: '1' },
          ],
          headersSize: -1,
          bodySize: 0,
        },
        response: {
          status: 200,
          statusText: 'OK',
          httpVersion: 'HTTP/1.1',
          headers: [{ name: 'Set-Cookie', value: 'sid=xyz; Path=/; HttpOnly' }],
          cookies: [{ name: 'sid', value: 'xyz', path: '/', httpOnly: true }],
          content: { size: 7, mimeType: 'application/json', text: '{"a":1}' },
          redirectURL: '',
          headersSize: -1,
          bodySize: 7,
        },
        cache: {},
        timings: { send: 1, wait: 40, receive: 9 },
      },
    ],
  },
};

describe('redaction report', () => {
  it('counts each redaction by rule, with a human summary', async () => {
    const { report, output } = await sanitizeHar(JSON.stringify(har));
    expect(report.byRule).toEqual({
      cookie: 6, // 2 in the Cookie header, 2 request cookies, 1 Set-Cookie, 1 response cookie
      'authorization-header': 1,
      'header:x-api-key': 1,
      'query:access_token': 2, // url + queryString
      'response-body': 1,
    });
    expect(report.total).toBe(11);
    expect(report.summary).toBe('6 cookies, 1 Authorization header, 1 other sensitive header, 2 query parameters, 1 response body removed');
    const e = JSON.parse(output).log.entries[0];
    expect(e.request.url).toBe(`https://hub.example/api/records?access_token=${REDACTION_MARKER('query:access_token')}&page=1`);
    expect(e.response.content).toEqual({ size: 7, mimeType: 'application/json', text: '[REDACTED:response-body]' });
    expect(e.response.headers[0].value).toBe('sid=[REDACTED:cookie]; Path=/; HttpOnly');
  });

  it('says so when there is nothing to redact', async () => {
    const clean = {
      log: { version: '1.2', creator: { name: 'x', version: '1' }, entries: [{ time: 1, request: { method: 'GET', url: 'https://a.example/' } }] },
    };
    const { report } = await sanitizeHar(JSON.stringify(clean));
    expect(report).toEqual({ total: 0, byRule: {}, summary: 'nothing redacted' });
  });

  it('honours extra sensitive header and param names (case-insensitive)', async () => {
    const h = {
      log: {
        entries: [
          {
            request: {
              method: 'POST',
              url: 'https://a.example/x?Tenant_Pin=1234&q=ok',
              headers: [{ name: 'X-Tenant-Passphrase', value: 'open sesame' }],
              postData: { mimeType: 'application/json', text: '{"memberNumber":"M-998877","name":"jane"}' },
            },
          },
        ],
      },
    };
    const { output, report } = await sanitizeHar(JSON.stringify(h), {
      sensitiveHeaderNames: ['x-tenant-passphrase'],
      sensitiveParamNames: ['TENANT_PIN', 'memberNumber'],
    });
    expect(output).not.toContain('open sesame');
    expect(output).not.toContain('1234');
    expect(output).not.toContain('M-998877');
    expect(output).toContain('jane');
    expect(report.byRule).toMatchObject({ 'header:x-tenant-passphrase': 1, 'query:tenant_pin': 1, 'json:membernumber': 1 });
  });

  it('keeps safe text response bodies only with keepResponseText, never binary', async () => {
    const h = {
      log: {
        entries: [
          { response: { status: 200, content: { size: 11, mimeType: 'text/plain', text: 'hello world' } } },
          { response: { status: 200, content: { size: 4, mimeType: 'image/png', text: 'iVBORw0KGgo=', encoding: 'base64' } } },
          { response: { status: 200, content: { size: 4, mimeType: 'application/octet-stream', text: 'abcd' } } },
        ],
      },
    };
    const kept = JSON.parse((await sanitizeHar(JSON.stringify(h), { keepResponseText: true })).output).log.entries;
    expect(kept[0].response.content.text).toBe('hello world');
    expect(kept[1].response.content).toEqual({ size: 4, mimeType: 'image/png', text: '[REDACTED:response-body]' });
    expect(kept[2].response.content.text).toBe('[REDACTED:response-body]');
    const dropped = JSON.parse((await sanitizeHar(JSON.stringify(h))).output).log.entries;
    expect(dropped[0].response.content.text).toBe('[REDACTED:response-body]');
  });

  it('keeps only known-safe structure; unknown fields keep numbers/booleans, drop the rest', async () => {
    const h = {
      log: {
        version: '1.2',
        _exporterSecret: 'nope',
        entries: [
          {
            time: 3,
            _fromCache: 'disk',
            _priority: 'VeryHigh',
            _was_pushed: 0,
            _someFlag: true,
            _resourceType: 'this is not an enum value because it is far too long to be one, sorry about that',
            _blob: { token: 'CANARY-blob' },
            _note: 'CANARY-note',
            response: { status: 200, _transferSize: 1234, _error: 'net::ERR_ABORTED', _weird: ['CANARY-arr'] },
            timings: { wait: 1, _blocked_queueing: 2.5, _label: 'CANARY-label' },
          },
        ],
      },
    };
    const { output, report } = await sanitizeHar(JSON.stringify(h));
    expect(output).not.toContain('CANARY');
    expect(output).not.toContain('nope');
    const e = JSON.parse(output).log.entries[0];
    expect(e).toEqual({
      time: 3,
      _fromCache: 'disk',
      _priority: 'VeryHigh',
      _was_pushed: 0,
      _someFlag: true,
      response: { status: 200, _transferSize: 1234, _error: 'net::ERR_ABORTED' },
      timings: { wait: 1, _blocked_queueing: 2.5 },
    });
    expect(report.byRule['dropped-field']).toBe(6);
  });

  it('elides strings over maxStringBytes while streaming (huge bodies do not need memory)', async () => {
    const big = 'A'.repeat(300_000);
    const h = {
      log: {
        entries: [
          {
            request: { method: 'POST', url: 'https://a.example/upload', postData: { mimeType: 'text/plain', text: big } },
            response: { status: 200, content: { size: big.length, mimeType: 'video/mp4', text: big, encoding: 'base64' } },
          },
        ],
      },
    };
    const { output, report } = await sanitizeHar(JSON.stringify(h), { maxStringBytes: 100_000, maxEntryBytes: 150_000 });
    const e = JSON.parse(output).log.entries[0];
    expect(e.request.postData.text).toBe('[REDACTED:oversized-value]');
    expect(e.response.content).toEqual({ size: 300_000, mimeType: 'video/mp4', text: '[REDACTED:response-body]' });
    expect(report.byRule).toMatchObject({ 'oversized-value': 1, 'response-body': 1 });
  });

  it('streaming and whole-document paths give the same HAR and report', async () => {
    const { har: doc } = generateCanaryHar({ rounds: 2, fillerEntries: 3 });
    const streamed = await sanitizeHar(JSON.stringify(doc));
    const whole = await sanitizeHarObject(JSON.parse(JSON.stringify(doc)));
    expect(JSON.parse(streamed.output)).toEqual(whole.har);
    expect(streamed.report).toEqual(whole.result.report);
    expect(streamed.insights).toEqual(whole.result.insights);
  });
});
