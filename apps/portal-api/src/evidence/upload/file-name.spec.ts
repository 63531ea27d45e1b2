import { EvidenceRejected } from '../evidence.errors';
import { contentDisposition, displayNameFor, downloadNameFor, scanDisplayName } from './file-name';

describe('evidence file names', () => {
  it.each([
    ['hub.example.har', 'har', 'hub.example.har'],
    ['Capture.HAR.GZ', 'har', 'Capture.HAR.GZ'],
    [undefined, 'har', 'capture.har'],
    ['  spaced.har  ', 'har', 'spaced.har'],
    ['rtl\u202egpj.har', 'har', 'rtlgpj.har'],
    ['token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl.har', 'har', 'token=[REDACTED:jwt].har'],
    ['session_token=abcdef123456.har', 'har', 'session_token=[REDACTED:param:session_token].har'],
    ['events.ndjson.gz', 'governance-events', 'events.ndjson.gz'],
    ['Screen Shot 2026-11-23 at 10.00.00.png', 'screenshot', 'Screen Shot 2026-11-23 at 10.00.00.png'],
    [`${'a'.repeat(300)}.har`, 'har', `${'a'.repeat(195)}….har`],
    // ".." inside a plain name is not a path (no "/" or "\\"): kept, as docs/evidence.md says
    ['release..notes.har', 'har', 'release..notes.har'],
    ['..har', 'har', '..har'],
  ] as const)('shows %j as %j', (raw, kind, expected) => {
    expect(displayNameFor(raw, kind)).toBe(expected);
  });

  it.each([
    ['../../etc/passwd.har', 'file_name_invalid'],
    ['..\\x.har', 'file_name_invalid'],
    ['/abs.har', 'file_name_invalid'],
    ['C:\\Users\\me\\x.har', 'file_name_invalid'],
    ['x\u0000.har', 'file_name_invalid'],
    ['line\nbreak.har', 'file_name_invalid'],
    ['..', 'file_name_invalid'],
    ['...', 'file_name_invalid'],
    ['../x.har', 'file_name_invalid'],
    ['capture.txt', 'wrong_file_extension'],
    ['capture.har.zip', 'wrong_file_extension'],
  ])('refuses %j (%s)', (raw, rule) => {
    let err: unknown;
    try {
      displayNameFor(raw, 'har');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EvidenceRejected);
    expect((err as EvidenceRejected).rule).toBe(rule);
  });

  it('names downloads after the sanitized copy', () => {
    expect(downloadNameFor('hub.har.gz', 'har', 'application/json')).toBe('hub.sanitized.har');
    expect(downloadNameFor('export.json', 'har', 'application/json')).toBe('export.sanitized.har');
    expect(downloadNameFor('events.csv.gz', 'governance-events', 'text/csv')).toBe('events.sanitized.csv');
    expect(downloadNameFor('events.jsonl', 'governance-events', 'application/x-ndjson')).toBe('events.sanitized.ndjson');
    expect(downloadNameFor('screen.png', 'screenshot', 'image/png')).toBe('screen.png');
  });

  it('writes Content-Disposition that no name can break out of', () => {
    expect(contentDisposition('a "b"; c\\d.har')).toBe(`attachment; filename="a _b__ c_d.har"; filename*=UTF-8''a%20%22b%22%3B%20c%5Cd.har`);
    expect(contentDisposition('naïve (1).har')).toBe(`attachment; filename="na_ve (1).har"; filename*=UTF-8''na%C3%AFve%20%281%29.har`);
    expect(contentDisposition('x\r\nSet-Cookie: a=b')).not.toMatch(/[\r\n]/);
  });

  it('puts the name through the maintained rule set too, keeping the extension', async () => {
    const sendgrid = `SG.${'FaKe1'.repeat(5).slice(0, 22)}.${'fAkE2'.repeat(9).slice(0, 43)}`;
    expect(await scanDisplayName(`${sendgrid}.har.gz`, 'har')).toBe('[REDACTED:secret:sendgrid].har.gz');
    expect(await scanDisplayName('hub.example.har', 'har')).toBe('hub.example.har');
  });
});
