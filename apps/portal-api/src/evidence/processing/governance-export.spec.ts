import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EvidenceRejected } from '../evidence.errors';
import { GovernanceExportSanitizer } from './governance-export';

async function run(input: string | Buffer, chunkSize = 64 * 1024, maxRecordBytes = 1024 * 1024) {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunkSize) chunks.push(buf.subarray(i, i + chunkSize));
  const s = new GovernanceExportSanitizer({ maxRecordBytes });
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), s, new Writable({ write: (c, _e, cb) => (out.push(c), cb()) }));
  return { text: Buffer.concat(out).toString('utf8'), ...s.result() };
}
const rule = async (input: string | Buffer, opts: { chunk?: number; max?: number } = {}) => {
  try {
    await run(input, opts.chunk, opts.max);
    return 'accepted';
  } catch (e) {
    if (e instanceof EvidenceRejected) return e.rule;
    throw e;
  }
};

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVlLWhlcmU';
const records = [
  { occurred_at: '2026-01-01T10:00:00Z', action: 'login', password: 'hunter22', note: `token ${jwt}`, nested: { deeper: [{ client_secret: 's3cr3t-value' }] } },
  {
    occurred_at: '2026-01-01T09:00:00Z',
    action: 'login',
    status: 'failed',
    settings: [
      { name: 'api_key', value: 'abc123abc123abc123' },
      { name: 'theme', value: 'dark' },
    ],
  },
];

describe('governance event export sanitizer', () => {
  it.each([
    ['JSON array', JSON.stringify(records, null, 2)],
    ['NDJSON', records.map((r) => JSON.stringify(r)).join('\n')],
  ])('redacts %s records and gives the same answer whatever the chunking', async (_n, input) => {
    const whole = await run(input);
    const bytewise = await run(input, 1);
    const odd = await run(input, 7);
    expect(bytewise.text).toBe(whole.text);
    expect(odd.text).toBe(whole.text);
    expect(whole.text).not.toMatch(/hunter22|s3cr3t-value|abc123abc123|eyJhbGciOi/);
    expect(whole.text).toContain('"theme"');
    expect(whole.text).toContain('"value":"dark"');
    expect(whole.insights).toMatchObject({
      records: 2,
      firstAt: '2026-01-01T09:00:00.000Z',
      lastAt: '2026-01-01T10:00:00.000Z',
      actions: [{ value: 'login', count: 2 }],
      outcomes: [{ value: 'failed', count: 1 }],
    });
    expect(whole.report.byRule).toMatchObject({ 'field:password': 1, 'field:client_secret': 1, 'field:api_key': 1, jwt: 1 });
    expect(whole.report.summary).toBe('3 sensitive fields, 1 JWT');
  });

  it('parses quoted CSV across chunk boundaries (escaped quotes, commas and newlines in cells)', async () => {
    const csv = 'a,b,name,value\r\n"x ""quoted"", y","multi\nline",password,hunter22\r\n1,2,theme,dark\n';
    const outs = await Promise.all([1, 2, 3, 5, 64].map((n) => run(csv, n)));
    for (const o of outs) expect(o.text).toBe(outs[0].text);
    expect(outs[0].text).toBe('a,b,name,value\r\n"x ""quoted"", y","multi\nline",password,[REDACTED:field:password]\r\n1,2,theme,dark\r\n');
    expect(outs[0].insights.records).toBe(2);
  });

  it('keeps an empty JSON array as an empty export', async () => {
    expect((await run(' [ ] ')).text).toBe('[]\n');
  });

  it.each([
    ['', 'empty'],
    ['\ufeff  \n', 'empty'],
    ['[{"a":1},]', 'not_json'],
    ['[{"a":1}', 'truncated'],
    ['[{"a":1}] x', 'not_json'],
    ['[1,2]', 'not_governance_export'],
    ['{"a":1}\n[1]\n', 'not_governance_export'],
    ['{"a":1}\n{"a":', 'truncated'],
    ['{"a":1}\n{"a":}\n{"b":2}\n', 'not_json'],
    ['{\n  "pretty": true\n}\n', 'not_json'],
    ['only,\n', 'not_governance_export'],
    ['a,a\n1,2\n', 'not_governance_export'],
    ['a,b\n1,2,3\n', 'not_governance_export'],
    ['a,b\n"1"x,2\n', 'not_governance_export'],
    ['a,b\n"open,2\n', 'truncated'],
    ['a,b\n1,\u0000\n', 'not_governance_export'],
  ])('refuses %j as %s', async (input, expected) => {
    expect(await rule(input)).toBe(expected);
    expect(await rule(input, { chunk: 1 })).toBe(expected);
  });

  it('refuses one record over the record cap, in every format, without holding it', async () => {
    const big = 'x'.repeat(5000);
    expect(await rule(`[{"a":"${big}"}]`, { max: 4096 })).toBe('record_too_large');
    expect(await rule(`{"a":"${big}"}\n`, { max: 4096 })).toBe('record_too_large');
    expect(await rule(`a,b\n${big},1\n`, { max: 4096 })).toBe('record_too_large');
    expect(await rule(`[{"a":"${'x'.repeat(3000)}"},{"a":"${'x'.repeat(3000)}"}]`, { max: 4096 })).toBe('accepted');
  });

  it('never quotes the input in an error message', async () => {
    try {
      await run('[{"secret": CANARY-in-error}]');
      throw new Error('accepted');
    } catch (e) {
      expect((e as Error).message).not.toContain('CANARY');
    }
  });

  // hardening issue item 2: the maintained rule set (secretlint) on every value, and label/value credential records
  const rep = (x: string, n: number) => x.repeat(Math.ceil(n / x.length)).slice(0, n);
  const sendgrid = `SG.${rep('FaKe1', 22)}.${rep('fAkE2', 43)}`;
  const slackHook = `https://hooks.slack.com/services/T00000000/B00000000/${rep('FAKEfake1234', 24)}`;
  const pg = 'postgres://reporting:Xk9pq2Lm7vQ@db.internal.example:5432/app';
  const hf = `hf_${rep('FakeToken', 34)}`;
  it.each([
    [
      'JSON array',
      JSON.stringify([
        { action: 'webhook.created', target: slackHook, note: `key ${sendgrid}` },
        { action: 'db.linked', dsn: pg, by: hf },
      ]),
    ],
    [
      'NDJSON',
      `${JSON.stringify({ action: 'webhook.created', target: slackHook, note: `key ${sendgrid}` })}\n${JSON.stringify({ action: 'db.linked', dsn: pg, by: hf })}\n`,
    ],
    ['CSV', `action,target,note\nwebhook.created,${slackHook},key ${sendgrid}\ndb.linked,${pg},${hf}\n`],
  ])('never writes a known-format secret in a %s export', async (_n, input) => {
    for (const chunk of [64 * 1024, 7]) {
      const r = await run(input, chunk);
      for (const secret of [sendgrid, 'FAKEfake1234FAKEfake1234', 'Xk9pq2Lm7vQ', hf]) expect(r.text).not.toContain(secret);
      expect(r.text).toContain('webhook.created');
      expect(r.report.byRule['secret:sendgrid']).toBe(1);
      expect(r.report.byRule['secret:huggingface']).toBe(1);
    }
  });

  it('scans the insights too (an action value that is a secret)', async () => {
    const r = await run(JSON.stringify([{ action: hf, status: 'ok' }]));
    expect(JSON.stringify(r.insights)).not.toContain(hf);
  });

  it.each([
    [
      'JSON',
      JSON.stringify([
        { action: 'credential.set', type: 'password', value: 'CANARY-label-1' },
        { action: 'x', label: 'API token', data: 'CANARY-label-2' },
      ]),
    ],
    ['CSV', 'action,kind,value\ncredential.set,client_secret,CANARY-label-3\n'],
  ])('redacts the value of a {<label>, value} record whose label names a credential (%s)', async (_n, input) => {
    const r = await run(input);
    expect(r.text).not.toContain('CANARY');
    expect(r.text).toContain('credential.set');
  });
});
