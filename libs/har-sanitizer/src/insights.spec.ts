import { sanitizeHar } from './index';

function e(
  method: string,
  url: string,
  status: number,
  time: number,
  startedMs: number,
  extra: { body?: unknown; mime?: string; headers?: { name: string; value: string }[] } = {},
) {
  return {
    startedDateTime: new Date(Date.UTC(2025, 0, 15, 9, 0, 0) + startedMs).toISOString(),
    time,
    request: { method, url, headers: [], cookies: [], queryString: [], headersSize: -1, bodySize: 0, httpVersion: 'h2' },
    response: {
      status,
      statusText: '',
      headers: extra.headers ?? [],
      cookies: [],
      content: {
        size: 10,
        mimeType: extra.mime ?? 'application/json',
        ...(extra.body !== undefined ? { text: typeof extra.body === 'string' ? extra.body : JSON.stringify(extra.body) } : {}),
      },
      redirectURL: '',
      headersSize: -1,
      bodySize: 10,
    },
    timings: { wait: time },
  };
}

describe('insights', () => {
  it('groups failures, finds the slowest, counts hosts and error codes before bodies are dropped', async () => {
    const entries = [
      ...Array.from({ length: 12 }, (_, i) =>
        e('POST', `https://hub.example/api/records?access_token=t${i}`, 503, 100 + i, i * 1000, { body: { error: { code: 'RecordStoreUnavailable' } } }),
      ),
      ...Array.from({ length: 3 }, (_, i) =>
        e('GET', 'https://hub.example/api/users/me', 401, 20, 500 + i, {
          headers: [{ name: 'WWW-Authenticate', value: 'Bearer error="invalid_token", error_description="expired"' }],
          body: { error: 'invalid_token' },
        }),
      ),
      e('GET', 'https://login.example/common/oauth2/v2.0/token', 400, 30, 700, {
        body: { error: 'invalid_grant', error_description: 'AADSTS50011: The redirect URI does not match', error_codes: [50011] },
      }),
      e('GET', 'https://storage.example/c/blob', 403, 15, 800, { headers: [{ name: 'x-ms-error-code', value: 'AuthorizationPermissionMismatch' }] }),
      e('GET', 'https://cdn.example/app.js', 0, 5, 900),
      e('GET', 'https://cdn.example/big.js', 200, 9000, 1200, { body: { code: 'not-an-error', ok: true } }),
      e('GET', 'https://hub.example/api/health', 200, 2, 20_000, { body: { status: 'ok' } }),
    ];
    const { insights, output } = await sanitizeHar(JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries } }));
    expect(output).not.toContain('RecordStoreUnavailable'); // bodies removed ...
    expect(insights.entryCount).toBe(entries.length);
    expect(insights.failedRequests[0]).toEqual({ method: 'POST', host: 'hub.example', path: '/api/records', status: 503, count: 12 });
    expect(insights.failedRequests).toContainEqual({ method: 'GET', host: 'hub.example', path: '/api/users/me', status: 401, count: 3 });
    expect(insights.failedRequests).toContainEqual({ method: 'GET', host: 'cdn.example', path: '/app.js', status: 0, count: 1 });
    expect(insights.failedRequests).toHaveLength(5);
    expect(insights.slowestRequests[0]).toMatchObject({ method: 'GET', host: 'cdn.example', path: '/big.js', status: 200, timeMs: 9000 });
    expect(insights.slowestRequests[0].startedAt).toBe('2025-01-15T09:00:01.200Z');
    expect(insights.slowestRequests).toHaveLength(10);
    expect(insights.slowestRequests.map((s) => s.timeMs)).toEqual([...insights.slowestRequests.map((s) => s.timeMs)].sort((a, b) => b - a));
    expect(insights.hosts).toEqual([
      { host: 'hub.example', count: 16 },
      { host: 'cdn.example', count: 2 },
      { host: 'login.example', count: 1 },
      { host: 'storage.example', count: 1 },
    ]);
    // ... but their error codes were read first
    expect(insights.errorCodes).toEqual(
      expect.arrayContaining([
        { code: 'RecordStoreUnavailable', count: 12, source: 'body' },
        { code: 'invalid_token', count: 3, source: 'header' },
        { code: 'invalid_token', count: 3, source: 'body' },
        { code: 'invalid_grant', count: 1, source: 'body' },
        { code: 'AADSTS50011', count: 1, source: 'body' },
        { code: 'AuthorizationPermissionMismatch', count: 1, source: 'header' },
      ]),
    );
    expect(insights.errorCodes.find((c) => c.code === 'not-an-error')).toBeUndefined();
    expect(insights.errorCodes[0]).toEqual({ code: 'RecordStoreUnavailable', count: 12, source: 'body' });
    expect(insights.startedAt).toBe('2025-01-15T09:00:00.000Z');
    expect(insights.endedAt).toBe('2025-01-15T09:00:20.002Z');
    expect(insights.spanMs).toBe(20_002);
  });

  it('never shows secrets from URLs in insights', async () => {
    const entries = [e('GET', 'https://user:pw@hub.example/reset/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl?token=abc', 500, 1, 0)];
    const { insights } = await sanitizeHar(JSON.stringify({ log: { entries } }));
    expect(insights.failedRequests[0]).toMatchObject({ host: 'hub.example', path: '/reset/[REDACTED:jwt]' });
    expect(JSON.stringify(insights)).not.toMatch(/pw|abc|eyJ/);
  });

  it('is empty-safe', async () => {
    const { insights } = await sanitizeHar('{"log":{"entries":[]}}');
    expect(insights).toEqual({
      entryCount: 0,
      startedAt: null,
      endedAt: null,
      spanMs: null,
      failedRequests: [],
      slowestRequests: [],
      errorCodes: [],
      hosts: [],
    });
  });
});
