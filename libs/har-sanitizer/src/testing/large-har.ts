/**
 * Generator for large, realistic-looking HARs, produced as a stream of chunks (never held in memory as a
 * whole). Used by the streaming-memory test and by bench/har-sanitize.bench.ts.
 *
 * Mix per entry (deterministic PRNG): XHR/fetch JSON API calls with auth headers, cookies, query tokens and
 * JSON bodies; scripts/styles with text bodies; base64 images; some failures with JSON error bodies;
 * occasionally a large (0.5-2 MB) base64 download.
 */

export interface LargeHarStats {
  entries: number;
  bytes: number;
}

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const WORDS = 'incident record tenant hub skill connector latency retry timeout gateway policy region status owner queue'.split(' ');

export function* generateLargeHar(targetBytes: number, seed = 42, stats: LargeHarStats = { entries: 0, bytes: 0 }): Generator<Buffer> {
  const rnd = prng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)];
  // pools sliced at random offsets, so generation stays cheap
  let pool = '';
  for (let i = 0; i < 3 * 1024 * 1024; i++) pool += B64[int(64)];
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[int(16)];
    return s;
  };
  const b64 = (n: number): string => {
    const off = int(pool.length - n);
    return pool.slice(off, off + n - (n % 4));
  };
  const jsonBody = (approxBytes: number): string => {
    const items: unknown[] = [];
    let size = 0;
    while (size < approxBytes) {
      const it = {
        id: int(1e9),
        name: `${pick(WORDS)} ${pick(WORDS)}`,
        status: pick(['open', 'closed', 'pending']),
        owner: `user${int(5000)}@example.com`,
        score: rnd(),
        tags: [pick(WORDS), pick(WORDS)],
        updatedAt: new Date(1.7e12 + int(1e10)).toISOString(),
      };
      items.push(it);
      size += 190;
    }
    return JSON.stringify({ items, page: int(50), total: int(1e5) });
  };
  const textBody = (approxBytes: number): string => {
    const parts: string[] = [];
    let size = 0;
    while (size < approxBytes) {
      const line = `function ${pick(WORDS)}_${int(1e6)}(a, b) { return a.${pick(WORDS)} + b.${pick(WORDS)} * ${int(1000)}; }\n`;
      parts.push(line);
      size += line.length;
    }
    return parts.join('');
  };
  const hosts = ['hub.example', 'api.hub.example', 'cdn.example', 'login.example', 'telemetry.example'];
  const baseHeaders = (host: string) => [
    { name: ':authority', value: host },
    { name: ':method', value: 'GET' },
    { name: ':scheme', value: 'https' },
    { name: 'accept', value: 'application/json, text/plain, */*' },
    { name: 'accept-encoding', value: 'gzip, deflate, br, zstd' },
    { name: 'accept-language', value: 'en-US,en;q=0.9,it;q=0.8' },
    { name: 'sec-ch-ua', value: '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"' },
    { name: 'sec-ch-ua-mobile', value: '?0' },
    { name: 'sec-ch-ua-platform', value: '"Windows"' },
    { name: 'sec-fetch-dest', value: 'empty' },
    { name: 'sec-fetch-mode', value: 'cors' },
    { name: 'sec-fetch-site', value: 'same-origin' },
    { name: 'user-agent', value: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36' },
  ];

  const head =
    '{\n  "log": {\n    "version": "1.2",\n    "creator": { "name": "WebInspector", "version": "537.36" },\n    "pages": [{ "startedDateTime": "2025-01-15T09:00:00.000Z", "id": "page_1", "title": "https://hub.example/app", "pageTimings": { "onContentLoad": 812.5, "onLoad": 1500.2 } }],\n    "entries": [\n';
  const tail = '\n    ]\n  }\n}\n';
  const headBuf = Buffer.from(head);
  stats.bytes += headBuf.length;
  yield headBuf;
  const t0 = Date.UTC(2025, 0, 15, 9, 0, 0);
  let n = 0;
  let batch: string[] = [];
  let batchBytes = 0;
  while (stats.bytes + batchBytes < targetBytes - tail.length) {
    const host = pick(hosts);
    const r = rnd();
    let method = 'GET';
    let path = `/api/${pick(WORDS)}/${int(100000)}`;
    let status = 200;
    let mimeType = 'application/json';
    let text: string | undefined;
    let encoding: string | undefined;
    let postData: unknown;
    let resourceType = 'fetch';
    if (r < 0.55) {
      text = jsonBody(1000 + int(20000));
      if (rnd() < 0.35) {
        method = 'POST';
        postData = {
          mimeType: 'application/json',
          text: JSON.stringify({
            query: `${pick(WORDS)} ${pick(WORDS)}`,
            filter: { status: 'open', owner: `user${int(100)}` },
            password: rnd() < 0.05 ? hex(16) : undefined,
            cursor: b64(64),
          }),
        };
      }
    } else if (r < 0.75) {
      resourceType = 'script';
      mimeType = 'application/javascript';
      path = `/static/js/${pick(WORDS)}.${hex(8)}.js`;
      text = textBody(5000 + int(60000));
    } else if (r < 0.93) {
      resourceType = 'image';
      mimeType = 'image/png';
      path = `/img/${pick(WORDS)}-${int(1000)}.png`;
      text = b64(2000 + int(60000));
      encoding = 'base64';
    } else if (r < 0.995) {
      status = pick([400, 401, 403, 404, 500, 502, 503]);
      method = pick(['GET', 'POST', 'PUT']);
      text = JSON.stringify({
        error: { code: pick(['RecordStoreUnavailable', 'Throttled', 'InvalidToken', 'NotFound']), message: `${pick(WORDS)} ${pick(WORDS)} failed` },
        requestId: hex(32),
      });
    } else {
      resourceType = 'other';
      mimeType = 'application/octet-stream';
      path = `/downloads/${hex(12)}.bin`;
      text = b64(500_000 + int(1_500_000));
      encoding = 'base64';
    }
    const headers = baseHeaders(host);
    headers.push({ name: 'authorization', value: `Bearer eyJhbGciOiJSUzI1NiJ9.${b64(120).replace(/[+/]/g, 'x')}.${b64(86).replace(/[+/]/g, 'y')}` });
    headers.push({ name: 'cookie', value: `sid=${hex(32)}; theme=dark; ai_session=${b64(24)}` });
    if (rnd() < 0.3) headers.push({ name: 'x-api-key', value: hex(40) });
    const started = new Date(t0 + n * 37).toISOString();
    const time = 5 + rnd() * 400;
    const entry = {
      _initiator: {
        type: 'script',
        stack: {
          callFrames: [
            {
              functionName: 'fetchJson',
              scriptId: String(100 + int(50)),
              url: `https://${host}/static/js/app.${hex(8)}.js`,
              lineNumber: int(5000),
              columnNumber: int(200),
            },
          ],
        },
      },
      _priority: pick(['High', 'Low', 'VeryHigh']),
      _resourceType: resourceType,
      cache: {},
      connection: String(10000 + int(5000)),
      pageref: 'page_1',
      request: {
        method,
        url: `https://${host}${path}?page=${int(20)}&tenant=acme&access_token=${hex(24)}`,
        httpVersion: 'http/2.0',
        headers,
        queryString: [
          { name: 'page', value: String(int(20)) },
          { name: 'tenant', value: 'acme' },
          { name: 'access_token', value: hex(24) },
        ],
        cookies: [
          { name: 'sid', value: hex(32), path: '/', domain: host, expires: '2026-01-01T00:00:00.000Z', httpOnly: true, secure: true },
          { name: 'theme', value: 'dark', path: '/', domain: host, httpOnly: false, secure: false },
        ],
        headersSize: -1,
        bodySize: 0,
        ...(postData ? { postData } : {}),
      },
      response: {
        status,
        statusText: status === 200 ? 'OK' : '',
        httpVersion: 'http/2.0',
        headers: [
          { name: 'content-type', value: mimeType },
          { name: 'date', value: 'Wed, 15 Jan 2025 09:00:00 GMT' },
          { name: 'cache-control', value: 'no-store' },
          { name: 'strict-transport-security', value: 'max-age=31536000; includeSubDomains' },
          { name: 'x-request-id', value: hex(32) },
          ...(rnd() < 0.1 ? [{ name: 'set-cookie', value: `sid=${hex(32)}; Path=/; HttpOnly; Secure; SameSite=Lax` }] : []),
        ],
        cookies: [],
        content: { size: text?.length ?? 0, mimeType, ...(text !== undefined ? { text } : {}), ...(encoding ? { encoding } : {}) },
        redirectURL: '',
        headersSize: -1,
        bodySize: text?.length ?? 0,
        _transferSize: (text?.length ?? 0) + 300,
        _error: null,
      },
      serverIPAddress: `203.0.113.${int(255)}`,
      startedDateTime: started,
      time,
      timings: { blocked: rnd() * 3, dns: -1, ssl: -1, connect: -1, send: 0.2, wait: time * 0.8, receive: time * 0.2 - 0.2, _blocked_queueing: rnd() * 2 },
    };
    const s = (n === 0 ? '' : ',\n') + JSON.stringify(entry);
    n++;
    batch.push(s);
    batchBytes += s.length;
    if (batchBytes >= 256 * 1024) {
      const b = Buffer.from(batch.join(''));
      stats.bytes += b.length;
      batch = [];
      batchBytes = 0;
      yield b;
    }
  }
  stats.entries = n;
  const b = Buffer.from(batch.join('') + tail);
  stats.bytes += b.length;
  yield b;
}
