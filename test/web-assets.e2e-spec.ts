import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { createTestApp, TestApp } from './support/test-app';

// Issue 18, item 8: the built web app's precompressed files are served as they are (brotli first, then gzip),
// hashed files are cached for a year and immutable, everything else (index.html, the SPA fallback) is revalidated.
describe('web app assets', () => {
  let t: TestApp;
  let dir: string;
  const js = `export const portal = ${JSON.stringify('x'.repeat(4000))};\n`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'web-assets-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>portal</title><script type="module" src="/assets/index-AbC12_x-.js"></script>');
    writeFileSync(join(dir, 'assets/index-AbC12_x-.js'), js);
    writeFileSync(join(dir, 'assets/index-AbC12_x-.js.br'), brotliCompressSync(js));
    writeFileSync(join(dir, 'assets/index-AbC12_x-.js.gz'), gzipSync(js));
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    t = await createTestApp({ env: { WEB_DIST_DIR: dir } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const raw = (path: string, encoding: string) =>
    t.http
      .get(path)
      .set('Accept-Encoding', encoding)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });

  it('serves the brotli copy to a browser that takes it, gzip to one that takes only gzip, the file otherwise', async () => {
    const br = await raw('/assets/index-AbC12_x-.js', 'gzip, deflate, br').expect(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(Number(br.headers['content-length'])).toBeLessThan(js.length / 10);

    const gz = await raw('/assets/index-AbC12_x-.js', 'gzip').expect(200);
    expect(gz.headers['content-encoding']).toBe('gzip');

    const plain = await raw('/assets/index-AbC12_x-.js', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect((plain.body as Buffer).toString()).toBe(js);
  });

  it('caches hashed files for a year as immutable, and revalidates index.html and unhashed files', async () => {
    for (const enc of ['br', 'gzip', 'identity']) {
      const res = await raw('/assets/index-AbC12_x-.js', enc).expect(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    }
    const fallback = await t.http.get('/incidents/new').expect(200);
    expect(fallback.headers['cache-control']).toBe('no-cache');
    expect(fallback.text).toContain('<title>portal</title>');
    expect((await t.http.get('/index.html').expect(200)).headers['cache-control']).toBe('no-cache');
    expect((await t.http.get('/favicon.svg').expect(200)).headers['cache-control']).toBe('no-cache');
  });

  it('exposes the support mailbox and the hotline of the deployment to a signed-in user', async () => {
    const login = await t.http.post('/auth/dev/login').send({ email: 'staff@claresia.example', role: 'support_engineer' }).expect(200);
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]);
    const me = await t.http.get('/api/v1/me').set('Cookie', cookie).expect(200);
    expect(me.body.support).toEqual({ email: 'support@claresia.com', hotline: null });
  });
});
