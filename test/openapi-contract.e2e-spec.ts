import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { BODY_KIND_KEY } from '../apps/portal-api/src/common/zod-body.pipe';
import { createTestApp, TestApp } from './support/test-app';

/** The OpenAPI document is the contract generated clients and fuzzers rely on: it must cover every route. */
describe('the OpenAPI document as a contract', () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown>; parameters?: unknown[] }>> };
  beforeAll(async () => {
    t = await createTestApp();
    doc = (await t.http.get('/api/docs-json').expect(200)).body;
  });
  afterAll(() => t.close());

  function routes() {
    const scanner = t.app.get(MetadataScanner);
    const out: { method: string; path: string; bodyKind: string | undefined }[] = [];
    for (const w of t.app.get(DiscoveryService).getControllers()) {
      const proto = Object.getPrototypeOf(w.instance as object) as Record<string, unknown>;
      for (const name of scanner.getAllMethodNames(proto)) {
        const handler = proto[name] as object;
        const m = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (m === undefined) continue;
        const base = String(Reflect.getMetadata(PATH_METADATA, w.metatype as object) ?? '');
        const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
        const path = `/${base}/${sub}`
          .replace(/\/+/g, '/')
          .replace(/(.)\/$/, '$1')
          .replace(/:(\w+)/g, '{$1}');
        out.push({ method: RequestMethod[m].toLowerCase(), path, bodyKind: Reflect.getMetadata(BODY_KIND_KEY, handler) as string | undefined });
      }
    }
    return out;
  }

  it('says, for every route that changes something, what its body is: a validated JSON schema, none, or a multipart upload', () => {
    const undeclared = routes()
      .filter((r) => ['post', 'put', 'patch', 'delete'].includes(r.method) && !r.bodyKind)
      .map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(undeclared).toEqual([]);
  });

  it('documents the request body of every JSON route and the portal error body on every API route', () => {
    const missing: string[] = [];
    for (const r of routes()) {
      if (!r.path.startsWith('/api/')) continue;
      const op = doc.paths[r.path]?.[r.method];
      if (!op) {
        missing.push(`${r.method.toUpperCase()} ${r.path}: not in the document`);
        continue;
      }
      if (r.bodyKind === 'json' && !op.requestBody) missing.push(`${r.method.toUpperCase()} ${r.path}: request body`);
      for (const status of ['400', '401', '403', '404', '429']) if (!op.responses[status]) missing.push(`${r.method.toUpperCase()} ${r.path}: ${status}`);
    }
    expect(missing).toEqual([]);
  });

  it('refuses unknown fields on actions that take no body, like everywhere else', async () => {
    const res = await t.http.post('/auth/logout').send({ surprise: true }).expect(400);
    expect(res.body.fields).toEqual([{ field: 'surprise', message: 'is not a known field' }]);
    await t.http.post('/auth/logout').expect(200);
    await t.http.post('/auth/logout').send({}).expect(200);
  });
});
