import { sanitizeHar } from './index';
import type { SanitizeOptions } from './types';

const JWTISH = 'ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNkltUm1UMjVoYWpCd1JFVkZheTFrU0hWQmRuY3diVEl6WW5KUlNIZERVV3hH';
const OPAQUE = '8f3a9c2d1e7b4a6f0c5d2e9b8a7f6e5d';

async function headerOut(name: string, value: string, opts?: SanitizeOptions, side: 'request' | 'response' = 'request') {
  const headers = [{ name, value }];
  const har = {
    log: {
      version: '1.2',
      creator: { name: 't', version: '1' },
      entries: [
        {
          startedDateTime: '2026-11-23T10:00:00.000Z',
          time: 1,
          request: {
            method: 'GET',
            url: 'wss://hub.example/socket',
            httpVersion: 'HTTP/1.1',
            headers: side === 'request' ? headers : [],
            queryString: [],
            cookies: [],
            headersSize: -1,
            bodySize: 0,
          },
          response: {
            status: 101,
            statusText: 'Switching Protocols',
            httpVersion: 'HTTP/1.1',
            headers: side === 'response' ? headers : [],
            cookies: [],
            content: { size: 0, mimeType: '' },
            redirectURL: '',
            headersSize: -1,
            bodySize: 0,
          },
          cache: {},
          timings: { send: 0, wait: 1, receive: 0 },
        },
      ],
    },
  };
  const r = await sanitizeHar(JSON.stringify(har), opts);
  const e = (JSON.parse(r.output) as { log: { entries: { request: { headers: { value: string }[] }; response: { headers: { value: string }[] } }[] } }).log
    .entries[0];
  return { value: e[side].headers[0].value, output: r.output, report: r.report };
}

describe('Sec-WebSocket-Protocol: values are credentials by default, protocol names are kept', () => {
  const M = '[REDACTED:header:sec-websocket-protocol]';
  it.each([
    ['bearer.<token>', `bearer.${OPAQUE}`, `bearer.${M}`],
    ['Kubernetes', `base64url.bearer.authorization.k8s.io.${JWTISH}, base64.binary.k8s.io`, `base64url.bearer.authorization.k8s.io.${M}, base64.binary.k8s.io`],
    ['a marker then the token', `access_token, ${OPAQUE}`, `access_token, ${M}`],
    ['the token first', `${JWTISH}, graphql-ws`, `${M}, graphql-ws`],
    ['AppSync header-<base64 JSON>', `graphql-ws, header-${JWTISH}`, `graphql-ws, header-${M}`],
    ['a JWT', 'jwt.eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl', `jwt.${M}`],
    ['a mixed-case opaque token', 'Authorization.Bearer.QWxhZGRpbjpvcGVuIHNlc2FtZQxYz', `Authorization.Bearer.${M}`],
    [
      'plain protocol names',
      'graphql-transport-ws, graphql-ws, wamp.2.json, v12.stomp, mqtt, actioncable-v1-json',
      'graphql-transport-ws, graphql-ws, wamp.2.json, v12.stomp, mqtt, actioncable-v1-json',
    ],
  ])('%s', async (_n, value, expected) => {
    const { value: out, output } = await headerOut('Sec-WebSocket-Protocol', value);
    expect(out).toBe(expected);
    expect(output).not.toContain(OPAQUE);
    expect(output).not.toContain(JWTISH);
  });

  it('applies to the response header too (servers echo the chosen protocol)', async () => {
    expect((await headerOut('sec-websocket-protocol', `bearer.${OPAQUE}`, undefined, 'response')).value).toBe(`bearer.${M}`);
  });

  it('is counted as a sensitive header', async () => {
    const { report } = await headerOut('Sec-WebSocket-Protocol', `access_token, ${OPAQUE}`);
    expect(report.byRule['header:sec-websocket-protocol']).toBe(1);
    expect(report.summary).toContain('1 other sensitive header');
  });

  it('is replaced whole when HAR_EXTRA_SENSITIVE_HEADERS names it', async () => {
    expect((await headerOut('Sec-WebSocket-Protocol', 'graphql-ws', { sensitiveHeaderNames: ['sec-websocket-protocol'] })).value).toBe(M);
  });
});

describe('headers that carry credentials without "token"/"auth" in their name', () => {
  it.each([
    ['X-OWA-Canary', 'x-owa-canary'],
    ['X-Firebase-AppCheck', 'x-firebase-appcheck'],
    ['X-Goog-Spatula', 'x-goog-spatula'],
    ['X-Amzn-Oidc-Data', 'x-amzn-oidc-data'],
    ['X-Vercel-Protection-Bypass', 'x-vercel-protection-bypass'],
    ['X-JFrog-Art-Api', 'x-jfrog-art-api'],
    ['X-Honeycomb-Team', 'x-honeycomb-team'],
    ['npm-otp', 'npm-otp'],
    ['X-GitHub-OTP', 'x-github-otp'],
    ['X-Shopify-Hmac-Sha256', 'x-shopify-hmac-sha256'],
    ['OK-ACCESS-SIGN', 'ok-access-sign'],
    ['OK-ACCESS-PASSPHRASE', 'ok-access-passphrase'],
    ['API-Sign', 'api-sign'],
    ['X-PIN', 'x-pin'],
  ])('%s', async (name, rule) => {
    const { value, output } = await headerOut(name, OPAQUE);
    expect(value).toBe(`[REDACTED:header:${rule}]`);
    expect(output).not.toContain(OPAQUE);
  });

  it.each([['X-Original-URL'], ['X-Rewrite-URL'], ['X-Forwarded-Uri'], ['X-MS-Copy-Source']])('%s is a URL: its query secrets go', async (name) => {
    const { value } = await headerOut(name, `https://acct.blob.core.windows.net/c/b?sv=2024-01-01&sig=${OPAQUE}&code=${OPAQUE}`);
    expect(value).not.toContain(OPAQUE);
    expect(value).toContain('sv=2024-01-01');
  });

  it('keeps ordinary headers', async () => {
    expect((await headerOut('X-Request-Id', OPAQUE)).value).toBe(OPAQUE);
    expect((await headerOut('X-Design-Version', 'v12')).value).toBe('v12');
  });
});
