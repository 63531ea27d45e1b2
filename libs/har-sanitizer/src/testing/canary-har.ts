import { randomBytes } from 'crypto';

/**
 * Test corpus: a HAR with unique "canary" secrets planted in every place a browser records one.
 * After sanitizing, none of `canaries` (nor their base64 / URL-encoded forms) may appear in the output.
 * Exported so the app's e2e tests can upload it through the real pipeline.
 */

export interface CanaryHarOptions {
  /** Repeat the planted entries this many times (fresh canaries each round). Default 1. */
  rounds?: number;
  /** Extra plain entries (no secrets) per round, for size. Default 0. */
  fillerEntries?: number;
}

export interface CanaryHar {
  log: {
    version: string;
    creator: { name: string; version: string };
    pages: Record<string, unknown>[];
    entries: Record<string, unknown>[];
    [key: string]: unknown;
  };
}

const b64url = (s: string | Buffer): string => Buffer.from(s).toString('base64url');

export function generateCanaryHar(options: CanaryHarOptions = {}): { har: CanaryHar; canaries: string[] } {
  const canaries: string[] = [];
  const c = (): string => {
    const v = `CANARY-${randomBytes(8).toString('hex')}`;
    canaries.push(v);
    return v;
  };
  /** JWT whose payload carries a canary; the whole token is a canary too. */
  const jwt = (): string => {
    const t = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify({ sub: c(), iat: 1700000000 }))}.${b64url(randomBytes(32))}`;
    canaries.push(t);
    return t;
  };
  const samlB64 = (): string => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Version="2.0">' +
      `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1"><saml:Subject><saml:NameID>${c()}</saml:NameID></saml:Subject>` +
      `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignatureValue>${c()}</ds:SignatureValue></ds:Signature></saml:Assertion></samlp:Response>`;
    return Buffer.from(xml).toString('base64');
  };
  const awsKey = (): string => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const k = `AKIA${[...randomBytes(16)].map((x) => alphabet[x % 32]).join('')}`;
    canaries.push(k);
    return k;
  };

  const rounds = options.rounds ?? 1;
  const fillers = options.fillerEntries ?? 0;
  const entries: Record<string, unknown>[] = [];
  const pages: Record<string, unknown>[] = [];
  const t0 = Date.UTC(2025, 0, 15, 9, 0, 0);
  let n = 0;
  const started = (): string => new Date(t0 + n++ * 250).toISOString();
  const timings = { blocked: 1.2, dns: -1, connect: -1, ssl: -1, send: 0.1, wait: 120.5, receive: 3.3, _blocked_queueing: 0.8 };
  const baseReq = (method: string, url: string, headers: { name: string; value: string }[], extra: Record<string, unknown> = {}) => ({
    method,
    url,
    httpVersion: 'HTTP/2.0',
    headers: [{ name: 'user-agent', value: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0' }, { name: 'accept', value: '*/*' }, ...headers],
    queryString: [] as { name: string; value: string }[],
    cookies: [] as Record<string, unknown>[],
    headersSize: -1,
    bodySize: 0,
    ...extra,
  });
  const res = (
    status: number,
    mimeType: string,
    text: string | undefined,
    headers: { name: string; value: string }[] = [],
    extra: Record<string, unknown> = {},
  ) => ({
    status,
    statusText: status === 200 ? 'OK' : status === 302 ? 'Found' : status === 503 ? 'Service Unavailable' : '',
    httpVersion: 'HTTP/2.0',
    headers: [{ name: 'content-type', value: mimeType }, ...headers],
    cookies: [] as Record<string, unknown>[],
    content: { size: text?.length ?? 0, mimeType, ...(text !== undefined ? { text } : {}) },
    redirectURL: '',
    headersSize: -1,
    bodySize: text?.length ?? 0,
    _transferSize: (text?.length ?? 0) + 200,
    _error: null,
    ...extra,
  });
  const entry = (request: unknown, response: unknown, extra: Record<string, unknown> = {}) => ({
    _initiator: { type: 'other' },
    _priority: 'High',
    _resourceType: 'fetch',
    cache: {},
    connection: '443',
    pageref: 'page_1',
    request,
    response,
    serverIPAddress: '203.0.113.10',
    startedDateTime: started(),
    time: 125.1,
    timings,
    ...extra,
  });

  for (let r = 0; r < rounds; r++) {
    pages.push({
      startedDateTime: new Date(t0).toISOString(),
      id: `page_${r + 1}`,
      title: `https://hub.example/app?access_token=${c()}`,
      pageTimings: { onContentLoad: 812.4, onLoad: 1500.2 },
    });

    // 1. GET with auth headers, cookies, query + fragment tokens, initiator stack URLs
    {
      const at = c();
      const state = jwt();
      const idt = c();
      const sid = c();
      const url = `https://hub.example/api/records?access_token=${at}&page=2&state=${state}#id_token=${idt}`;
      const req = baseReq('GET', url, [
        { name: ':authority', value: 'hub.example' },
        { name: ':path', value: `/api/records?access_token=${at}&page=2&state=${state}` },
        { name: 'authorization', value: `Bearer ${c()}` },
        { name: 'Cookie', value: `sid=${sid}; theme=${c()}` },
        { name: 'x-api-key', value: c() },
        { name: 'X-Portal-Session', value: c() },
        { name: 'X-Custom-Auth-Token', value: c() },
        { name: 'referer', value: `https://hub.example/app?token=${c()}&tab=1` },
        { name: 'x-debug-context', value: jwt() },
        // the browser's only way to give a WebSocket a credential (hardening issue item 2)
        { name: 'Sec-WebSocket-Protocol', value: `access_token, ${c()}, bearer.${c()}` },
        { name: 'X-OWA-Canary', value: c() },
      ]);
      req.queryString = [
        { name: 'access_token', value: at },
        { name: 'page', value: '2' },
        { name: 'state', value: state },
      ];
      req.cookies = [
        { name: 'sid', value: sid, path: '/', domain: 'hub.example', httpOnly: true, secure: true },
        { name: 'theme', value: c() },
      ];
      const setSid = c();
      entries.push(
        entry(
          req,
          res(
            200,
            'application/json; charset=utf-8',
            JSON.stringify({ items: [{ id: 1 }], refresh_token: c(), note: `Bearer ${c()}` }),
            [{ name: 'set-cookie', value: `sid=${setSid}; Path=/; HttpOnly; Secure; SameSite=Lax\nrefresh=${c()}; Path=/auth` }],
            { cookies: [{ name: 'sid', value: setSid, path: '/', httpOnly: true, secure: true, sameSite: 'Lax' }] },
          ),
          {
            _initiator: {
              type: 'script',
              url: `https://hub.example/static/app.js?key=${c()}`,
              stack: {
                callFrames: [{ functionName: 'load', scriptId: '12', url: `https://cdn.example/lib.js?sig=${c()}`, lineNumber: 10, columnNumber: 4 }],
                parent: {
                  description: 'Promise.then',
                  callFrames: [{ functionName: 'boot', scriptId: '13', url: `https://hub.example/x.js?jwt=${jwt()}`, lineNumber: 1, columnNumber: 1 }],
                },
              },
            },
          },
        ),
      );
    }

    // 2. POST JSON: nested 5 deep, JSON inside a JSON string, GraphQL variables, uppercase AUTHORIZATION (Basic), proxy auth
    {
      const body = {
        a: { b: { c: { d: { e: { password: c(), keep: 'visible' } } } } },
        payload: JSON.stringify({ client_secret: c(), inner: JSON.stringify({ refreshToken: c() }) }),
        query: 'mutation Login($input: LoginInput!) { login(input: $input) { ok } }',
        variables: { input: { username: 'jane@example.com', pwd: c(), apiKey: c() } },
        note: jwt(),
        cloud: awsKey(),
        list: [{ sessionId: c() }, { access_token: c() }],
        // {<label>: ..., value: ...} records whose label names a credential kind
        credentials: [
          { type: 'password', value: c(), temporary: false },
          { label: 'API token', value: c() },
        ],
      };
      entries.push(
        entry(
          {
            ...baseReq('POST', 'https://hub.example/api/records', [
              { name: 'AUTHORIZATION', value: `Basic ${Buffer.from(`svc-user:${c()}`).toString('base64')}` },
              { name: 'Proxy-Authorization', value: `Bearer ${c()}` },
              { name: 'content-type', value: 'application/json' },
            ]),
            postData: { mimeType: 'application/json', text: JSON.stringify(body) },
          },
          res(503, 'application/json', JSON.stringify({ error: { code: 'RecordStoreUnavailable', message: 'try later' }, token: c() }), [
            { name: 'x-ms-error-code', value: 'ServerBusy' },
          ]),
        ),
      );
    }

    // 3. SAMLResponse form post, 302 with implicit-flow fragment tokens
    {
      const saml = samlB64();
      const form = `SAMLResponse=${encodeURIComponent(saml)}&RelayState=%2Fhome`;
      const loc = `https://hub.example/callback#access_token=${c()}&token_type=Bearer&id_token=${jwt()}&state=xyz`;
      entries.push(
        entry(
          {
            ...baseReq('POST', 'https://hub.example/saml/acs', [{ name: 'content-type', value: 'application/x-www-form-urlencoded' }]),
            postData: {
              mimeType: 'application/x-www-form-urlencoded',
              text: form,
              params: [
                { name: 'SAMLResponse', value: saml },
                { name: 'RelayState', value: '/home' },
              ],
            },
          },
          res(302, 'text/html', '', [{ name: 'Location', value: loc }], { redirectURL: loc }),
        ),
      );
    }

    // 4. login form, 5. multipart upload
    {
      entries.push(
        entry(
          {
            ...baseReq('POST', 'https://idp.example/login', []),
            postData: { mimeType: 'application/x-www-form-urlencoded; charset=UTF-8', text: `username=jane&password=${c()}&otp=${c()}&remember=1` },
          },
          res(401, 'application/json', JSON.stringify({ error: 'invalid_grant', error_description: 'AADSTS50126: Error validating credentials.' }), [
            { name: 'www-authenticate', value: 'Bearer realm="idp", error="invalid_token", error_description="expired"' },
          ]),
        ),
      );
      const boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
      const multipart =
        `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nincident evidence\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="api_key"\r\n\r\n${c()}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n{"secret":"${c()}"}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="env.txt"\r\nContent-Type: text/plain\r\n\r\nDB_URL=postgres://x\nNOTE=${c()}\r\n` +
        `--${boundary}--\r\n`;
      entries.push(
        entry(
          {
            ...baseReq('POST', 'https://hub.example/api/upload', []),
            postData: { mimeType: `multipart/form-data; boundary=${boundary}`, text: multipart },
          },
          res(200, 'application/json', '{"ok":true}'),
        ),
      );
    }

    // 6. websocket
    entries.push(
      entry(baseReq('GET', `wss://hub.example/live?ticket=${c()}`, [{ name: 'sec-websocket-key', value: c() }]), res(101, 'x-unknown', undefined), {
        _resourceType: 'websocket',
        _webSocketMessages: [
          { type: 'send', time: 1700000000.1, opcode: 1, data: JSON.stringify({ type: 'connection_init', payload: { authToken: c() } }) },
          { type: 'send', time: 1700000000.2, opcode: 1, data: `AUTH Bearer ${c()}` },
          { type: 'receive', time: 1700000000.3, opcode: 1, data: JSON.stringify({ type: 'ack', session: c() }) },
          { type: 'receive', time: 1700000000.4, opcode: 2, data: Buffer.from(c()).toString('base64') },
        ],
      }),
    );

    // 7. response bodies with tokens (HTML auto-post form with SAMLResponse, csrf meta), JS with keys, binary
    {
      const html =
        `<html><head><meta name="csrf-token" content="${c()}"></head><body onload="document.forms[0].submit()">` +
        `<form method="post" action="https://hub.example/saml/acs"><input type="hidden" name="SAMLResponse" value="${samlB64()}"/>` +
        `<input type="hidden" name="RelayState" value="/home"/></form><script>window.__CFG={"apiKey":"${c()}","token":"${c()}"};</script></body></html>`;
      entries.push(entry(baseReq('GET', 'https://idp.example/sso', []), res(200, 'text/html; charset=utf-8', html)));
      entries.push(
        entry(
          baseReq('GET', 'https://hub.example/api/me', []),
          res(200, 'application/json', JSON.stringify({ user: 'jane', id_token: jwt(), nested: JSON.stringify({ secret: c() }) })),
        ),
      );
      const png = Buffer.from(`PNG${c()}`).toString('base64');
      entries.push(
        entry(baseReq('GET', 'https://hub.example/logo.png', []), {
          ...res(200, 'image/png', png),
          content: { size: 26, mimeType: 'image/png', encoding: 'base64', text: png },
        }),
      );
    }

    // 8. free text: comments, private key, AWS key in text body, URL userinfo, Slack/GitHub tokens
    {
      const pk = `-----BEGIN RSA PRIVATE KEY-----\nMIIEow${c()}\nAAAA\n-----END RSA PRIVATE KEY-----`;
      entries.push(
        entry(
          {
            ...baseReq('PUT', `https://admin:${c()}@internal.example/config`, [{ name: 'content-type', value: 'text/plain' }]),
            postData: { mimeType: 'text/plain', text: `key material:\n${pk}\naws=${awsKey()}\npassword=${c()}\nghp_${randomBytes(20).toString('hex')}` },
            comment: `debug password=${c()}`,
          },
          res(0, 'x-unknown', undefined, [], { _error: 'net::ERR_CONNECTION_REFUSED', statusText: '' }),
          { comment: `retry with secret: ${c()}`, _unknownBlob: { token: c() }, _customNote: `token=${c()}` },
        ),
      );
      const last = entries[entries.length - 1] as { request: { postData: { text: string } } };
      const gh = /ghp_[0-9a-f]{40}/.exec(last.request.postData.text);
      if (gh) canaries.push(gh[0]);
    }

    for (let f = 0; f < fillers; f++) {
      entries.push(entry(baseReq('GET', `https://cdn.example/assets/${r}/${f}.js`, []), res(200, 'application/javascript', 'console.log(1)')));
    }
  }

  return {
    har: {
      log: {
        version: '1.2',
        creator: { name: 'WebInspector', version: '537.36' },
        pages,
        entries,
      },
    },
    canaries,
  };
}
