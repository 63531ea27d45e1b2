import { existsSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateCanaryHar } from '@portal/har-sanitizer';
import type { Tenant } from '../apps/portal-api/src/tenants/tenant.types';
import { declareIncident, evidenceTmpDir, filesUnder, makePng, multipart, ownerQuery, postRaw } from './evidence-helpers';
import { createTenant, createTestApp, TestApp, tokenFor } from './support/test-app';

const CAP = 64 * 1024;
/** Planted in every refused upload: an error message must never quote the content. */
const MARK = 'CANARY-bad-input-7f3a9c';

/** A valid HAR of exactly `size` bytes (padding in log.comment). */
function harOfSize(size: number): Buffer {
  const shell = (pad: string) => `{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"pages":[],"entries":[],"comment":"${pad}"}}`;
  const base = Buffer.byteLength(shell(''));
  return Buffer.from(shell('a'.repeat(size - base)));
}

/** A valid HAR whose one entry holds a value nested `levels` arrays deep (the canary at the bottom). */
function deepHar(levels: number): Buffer {
  return Buffer.from(`{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[{"_x":${'['.repeat(levels)}"${MARK}"${']'.repeat(levels)}}]}}`);
}
function deepPagesHar(levels: number): Buffer {
  return Buffer.from(`{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"pages":${'['.repeat(levels)}${']'.repeat(levels)},"entries":[]}}`);
}

/** Gzip members concatenated: each inflates to 1 MiB of spaces; together far past the cap from a few KiB. */
function gzipBomb(inflatedMiB: number): Buffer {
  const member = gzipSync(Buffer.alloc(1024 * 1024, 0x20), { level: 9 });
  return Buffer.concat(Array.from({ length: inflatedMiB }, () => member));
}

describe('evidence uploads: bad input', () => {
  let t: TestApp;
  let dir: string;
  let tenant: Tenant;
  let admin: string;
  let incident: string;
  let foreignIncident: string;

  beforeAll(async () => {
    dir = evidenceTmpDir();
    t = await createTestApp({
      env: { EVIDENCE_DIR: dir, HAR_MAX_BYTES: String(CAP), GOVERNANCE_EXPORT_MAX_BYTES: String(CAP), SCREENSHOT_MAX_BYTES: String(CAP) },
    });
    tenant = await createTenant(t.app);
    admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    incident = await declareIncident(t, admin);
    const other = await createTenant(t.app);
    foreignIncident = await declareIncident(t, `Bearer ${await tokenFor(t.app, other.id)}`);
  });
  afterAll(() => t.close());

  const fileParts = (kind: string, content: Buffer, filename: string) =>
    multipart([
      { name: 'kind', value: kind },
      { name: 'file', filename, content },
    ]);
  const validHar = () => Buffer.from(JSON.stringify(generateCanaryHar().har));
  const truncated = validHar().subarray(0, 2000);
  const bomb = gzipBomb(32);

  // [name, status, rule, body]; the body goes to this tenant's incident unless the case says otherwise
  const cases: [string, number, string, () => { body: Buffer; contentType: string }, (() => string)?][] = [
    ['not JSON', 400, 'not_json', () => fileParts('har', Buffer.from(`this is not json ${MARK}`), 'notes.har')],
    ['JSON that is not a HAR', 400, 'not_har', () => fileParts('har', Buffer.from(JSON.stringify({ hello: MARK, entries: [] })), 'x.har')],
    ['a truncated HAR', 400, 'truncated', () => fileParts('har', truncated, 'cut.har')],
    ['an empty file', 400, 'empty', () => fileParts('har', Buffer.alloc(0), 'empty.har')],
    ['only whitespace', 400, 'empty', () => fileParts('har', Buffer.from('  \n\t  '), 'blank.har')],
    ['a HAR 1 byte over the cap', 413, 'file_too_large', () => fileParts('har', harOfSize(CAP + 1), 'big.har')],
    ['a gzip bomb (33 KiB inflating to 32 MiB, cap 64 KiB)', 413, 'inflated_too_large', () => fileParts('har', bomb, 'bomb.har.gz')],
    ['a truncated .har.gz', 400, 'truncated', () => fileParts('har', gzipSync(validHar()).subarray(0, 300), 'cut.har.gz')],
    [
      'gzip magic then garbage',
      400,
      'gzip_invalid',
      () => fileParts('har', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from(`garbage ${MARK}`.repeat(20))]), 'x.har.gz'),
    ],
    ['a file name with ../', 400, 'file_name_invalid', () => fileParts('har', validHar(), '../../../evidence-escape.har')],
    ['a file name with ..\\', 400, 'file_name_invalid', () => fileParts('har', validHar(), '..\\..\\evidence-escape.har')],
    ['a HAR nested 100 levels deep inside an entry', 400, 'nesting_too_deep', () => fileParts('har', deepHar(100), 'deep.har')],
    ['a HAR whose pages nest 1,000 levels deep', 400, 'nesting_too_deep', () => fileParts('har', deepPagesHar(1000), 'deep-pages.har')],
    ['a PNG declared as a HAR', 415, 'wrong_content_type', () => fileParts('har', makePng({ text: MARK }), 'screen.har')],
    ['a text file declared as a screenshot', 415, 'wrong_content_type', () => fileParts('screenshot', Buffer.from(`plain text ${MARK}`), 'screen.png')],
    ['a HAR declared as a screenshot', 415, 'wrong_content_type', () => fileParts('screenshot', validHar(), 'capture.png')],
    ['a .txt file as a HAR', 415, 'wrong_file_extension', () => fileParts('har', validHar(), 'capture.txt')],
    [
      'a JSON body instead of multipart',
      415,
      'not_multipart',
      () => ({ body: Buffer.from(JSON.stringify({ kind: 'har', file: MARK })), contentType: 'application/json' }),
    ],
    ['multipart without a boundary', 400, 'multipart_malformed', () => ({ body: Buffer.from('x'), contentType: 'multipart/form-data; charset=utf-8' })],
    ['multipart missing the file', 400, 'file_missing', () => multipart([{ name: 'kind', value: 'har' }])],
    [
      'the file sent as a text field',
      400,
      'file_missing',
      () =>
        multipart([
          { name: 'kind', value: 'har' },
          { name: 'file', value: validHar().toString() },
        ]),
    ],
    ['an over-long kind field', 400, 'field_too_long', () => fileParts('har'.repeat(200), validHar(), 'x.har')],
    ['multipart missing the kind', 400, 'kind_missing', () => multipart([{ name: 'file', filename: 'x.har', content: validHar() }])],
    [
      'the kind after the file',
      400,
      'kind_after_file',
      () =>
        multipart([
          { name: 'file', filename: 'x.har', content: validHar() },
          { name: 'kind', value: 'har' },
        ]),
    ],
    ['an unknown kind', 400, 'kind_invalid', () => fileParts('video', validHar(), 'x.har')],
    [
      'two files',
      400,
      'too_many_files',
      () =>
        multipart([
          { name: 'kind', value: 'har' },
          { name: 'file', filename: 'a.har', content: validHar() },
          { name: 'file', filename: 'b.har', content: validHar() },
        ]),
    ],
    [
      'an unexpected field',
      400,
      'unexpected_part',
      () =>
        multipart([
          { name: 'kind', value: 'har' },
          { name: 'path', value: '/etc/passwd' },
          { name: 'file', filename: 'a.har', content: validHar() },
        ]),
    ],
    [
      'a file part under another name',
      400,
      'unexpected_part',
      () =>
        multipart([
          { name: 'kind', value: 'har' },
          { name: 'upload', filename: 'a.har', content: validHar() },
        ]),
    ],
    [
      'a multipart body that ends early',
      400,
      'multipart_malformed',
      () => {
        const m = fileParts('har', validHar(), 'x.har');
        return { body: m.body.subarray(0, m.body.length - 40), contentType: m.contentType };
      },
    ],
    [
      'an export that is not JSON, NDJSON or CSV',
      400,
      'not_governance_export',
      () => fileParts('governance-events', Buffer.from(`just one line of text ${MARK}\nand another\n`), 'events.csv'),
    ],
    [
      'a CSV row with the wrong number of fields',
      400,
      'not_governance_export',
      () => fileParts('governance-events', Buffer.from(`a,b,c\n1,2,3\n4,5\n`), 'events.csv'),
    ],
    [
      'a truncated JSON export',
      400,
      'truncated',
      () => fileParts('governance-events', Buffer.from(`[{"action":"x","secret":"${MARK}"},{"action":`), 'events.json'),
    ],
    ['a JSON export of strings', 400, 'not_governance_export', () => fileParts('governance-events', Buffer.from(`["${MARK}"]`), 'events.json')],
    [
      'an NDJSON line that is not JSON',
      400,
      'not_json',
      () => fileParts('governance-events', Buffer.from(`{"a":1}\n{"a": ${MARK}}\n{"a":3}\n`), 'events.ndjson'),
    ],
    ['a truncated PNG', 400, 'image_invalid', () => fileParts('screenshot', makePng().subarray(0, 60), 'screen.png')],
    ['a screenshot over the cap', 413, 'file_too_large', () => fileParts('screenshot', makePng({ width: 400, height: 400, text: 'x'.repeat(CAP) }), 'big.png')],
    ["another tenant's incident", 404, 'not_found', () => fileParts('har', validHar(), 'x.har'), () => foreignIncident],
  ];

  // every row gets its 5th column, or jest takes the missing one for a done callback
  const rows = cases.map(([name, status, rule, build, target]) => [name, status, rule, build, target ?? null] as const);
  it.each(rows)('refuses %s with %i %s, and leaves nothing behind', async (_name, status, rule, build, target) => {
    const before = filesUnder(dir);
    const [{ n: rowsBefore }] = await ownerQuery<{ n: number }>('select count(*)::int as n from attachments where tenant_id = $1', [tenant.id]);
    const res = await postRaw(t, admin, target ? target() : incident, build());
    expect({ status: res.status, error: res.body.error }).toEqual({ status, error: rule });
    expect(res.body.message.length).toBeGreaterThan(10);
    if (status !== 404) expect(res.body.fields?.[0]?.message).toContain(rule);
    expect(JSON.stringify(res.body)).not.toContain(MARK);
    expect(filesUnder(dir)).toEqual(before);
    const [{ n: rowsAfter }] = await ownerQuery<{ n: number }>('select count(*)::int as n from attachments where tenant_id = $1', [tenant.id]);
    expect(rowsAfter).toBe(rowsBefore);
  });

  it('wrote nothing outside the evidence directory for a file name with ../', () => {
    for (let d = dir, i = 0; i < 4; i++, d = dirname(d)) expect(existsSync(join(d, 'evidence-escape.har'))).toBe(false);
  });

  it('accepts a HAR of exactly the cap (the limit is inclusive)', async () => {
    const res = await postRaw(t, admin, incident, fileParts('har', harOfSize(CAP), 'exact.har')).expect(201);
    expect(res.body.sizeBytes).toBeGreaterThan(CAP - 100);
  });

  it('accepts a .har.gz whose inflated size is exactly the cap', async () => {
    await postRaw(t, admin, incident, fileParts('har', gzipSync(harOfSize(CAP)), 'exact.har.gz')).expect(201);
    await postRaw(t, admin, incident, fileParts('har', gzipSync(harOfSize(CAP + 1)), 'over.har.gz')).expect(413);
  });

  it('recorded no upload event for any refused upload', async () => {
    const events = await ownerQuery(`select count(*)::int as n from governance_events where tenant_id = $1 and action = 'evidence.uploaded'`, [tenant.id]);
    expect(events[0].n).toBe(2);
  });

  it('refuses at once, naming the limit, an upload whose Content-Length already exceeds the cap', async () => {
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const before = filesUnder(dir);
    const m = fileParts('har', harOfSize(CAP), 'declared-huge.har');
    const head = m.body.subarray(0, m.body.indexOf('{"log"') + 6);
    const answer = new Promise<{ status: number; body: { error: string; message: string } }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: `/api/v1/incidents/${incident}/attachments`,
          // declares 1,000 times the cap; only the first few hundred bytes are ever sent
          headers: { Authorization: admin, 'Content-Type': m.contentType, 'Content-Length': CAP * 1000 },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { error: string; message: string } });
          });
        },
      );
      req.on('error', reject);
      req.write(head);
    });
    const res = await answer;
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('file_too_large');
    expect(res.body.message).toContain('64 KiB limit');
    expect(filesUnder(dir)).toEqual(before);
  });

  it('removes the temporary file when the client goes away mid-upload', async () => {
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const before = filesUnder(dir);
    const m = fileParts('har', harOfSize(CAP), 'aborted.har');
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/v1/incidents/${incident}/attachments`,
      headers: { Authorization: admin, 'Content-Type': m.contentType, 'Content-Length': m.body.length },
    });
    req.on('error', () => undefined);
    req.write(m.body.subarray(0, m.body.length / 2));
    // wait (by condition, not by time) until the server is writing the .part file, then hang up
    const incoming = join(dir, 'incoming');
    await until(() => existsSync(incoming) && readdirSync(incoming).length === 1);
    req.destroy();
    await until(() => readdirSync(incoming).length === 0);
    expect(filesUnder(dir)).toEqual(before);
    const [{ n }] = await ownerQuery<{ n: number }>(`select count(*)::int as n from attachments where tenant_id = $1 and display_name = 'aborted.har'`, [
      tenant.id,
    ]);
    expect(n).toBe(0);
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}
