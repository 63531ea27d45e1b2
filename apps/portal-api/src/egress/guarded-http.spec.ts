import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { loadConfig } from '../config/portal-config';
import { EgressFailed, EgressRefused, GuardedHttp } from './guarded-http';

const config = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', SECRET_KEY: Buffer.alloc(32, 1).toString('base64'), ...env });

describe('GuardedHttp: outbound calls to customer-supplied URLs', () => {
  let server: http.Server;
  let base: string;
  const seen: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === '/slow') return; // never answers
      if (req.url === '/big') return res.end(Buffer.alloc(4096, 97));
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => res.writeHead(201, { 'x-echo': 'yes' }).end(`got ${body}`));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('refuses private, loopback and credentialed URLs when private networks are not allowed (production policy)', async () => {
    const g = new GuardedHttp(config({ EGRESS_ALLOW_PRIVATE_NETWORK: 'false', EGRESS_ALLOW_INSECURE_HTTP: 'false' }));
    for (const [url, reason] of [
      ['http://hooks.example.com/x', 'must use https'],
      ['ftp://hooks.example.com/x', 'must use https'],
      ['https://127.0.0.1/x', 'must not point at a private or loopback address'],
      ['https://[::ffff:a9fe:a9fe]/latest', 'must not point at a private or loopback address'],
      ['https://localhost/x', 'must not point at a private or loopback address'],
      ['https://user:pw@hooks.example.com/x', 'must not contain credentials'],
      ['not a url', 'is not a URL'],
    ]) {
      expect(() => g.checkUrl(url)).toThrow(new EgressRefused(reason));
    }
    // A name that passes the URL check but resolves to a private address is refused at connect time.
    await expect(g.request(`https://${hostname()}:1/x`)).rejects.toMatchObject({ code: 'blocked' });
    g.onModuleDestroy();
  });

  it('posts to a reachable receiver and reports status, headers, body and latency', async () => {
    const g = new GuardedHttp(config({}));
    const res = await g.request(`${base}/hook`, { method: 'POST', body: 'ping', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(201);
    expect(res.headers['x-echo']).toBe('yes');
    expect(res.body.toString()).toBe('got ping');
    expect(res.latencyMs).toBeGreaterThanOrEqual(0);
    g.onModuleDestroy();
  });

  it('gives up at the deadline and refuses a response over the size cap', async () => {
    const g = new GuardedHttp(config({}));
    await expect(g.request(`${base}/slow`, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'timeout' });
    await expect(g.request(`${base}/big`, { maxResponseBytes: 1024 })).rejects.toMatchObject({ code: 'too_large' });
    await expect(g.request('http://127.0.0.1:1/closed')).rejects.toBeInstanceOf(EgressFailed);
    g.onModuleDestroy();
  });
});
