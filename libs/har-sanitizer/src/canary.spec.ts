import { generateCanaryHar, REDACTION_MARKER, sanitizeHar } from './index';

/** Every encoded form a canary could survive in. */
function leakForms(canary: string): string[] {
  const forms = new Set<string>([canary, encodeURIComponent(canary)]);
  if (canary.length >= 20) {
    for (let a = 0; a < 3; a++) {
      const b64 = Buffer.from('x'.repeat(a) + canary).toString('base64');
      const inner = b64.slice(4, Math.min(b64.length - 4, 4 + 20)); // chars fully determined by canary bytes
      if (inner.length >= 12) {
        forms.add(inner);
        forms.add(inner.replace(/\+/g, '-').replace(/\//g, '_'));
      }
    }
  }
  return [...forms];
}

function expectNoLeaks(output: string, canaries: string[]): void {
  const leaks: string[] = [];
  for (const canary of canaries) {
    for (const form of leakForms(canary)) {
      if (output.includes(form)) leaks.push(`${canary} (as ${form})`);
    }
  }
  expect(leaks).toEqual([]);
}

describe('canary corpus', () => {
  it('plants a good number of unique canaries', () => {
    const { har, canaries } = generateCanaryHar();
    expect(canaries.length).toBeGreaterThan(60);
    expect(new Set(canaries).size).toBe(canaries.length);
    const raw = JSON.stringify(har);
    const missing = canaries.filter((c) => !leakForms(c).some((f) => raw.includes(f)));
    expect(missing).toEqual([]);
  });

  it.each([
    ['defaults', {}],
    ['keepResponseText', { keepResponseText: true }],
  ])('no canary survives sanitizing (%s)', async (_name, opts) => {
    const { har, canaries } = generateCanaryHar({ rounds: 2 });
    const input = JSON.stringify(har, null, 2);
    const { output, report, insights } = await sanitizeHar(input, opts);
    expectNoLeaks(output, canaries);

    const parsed = JSON.parse(output) as typeof har;
    expect(parsed.log.entries).toHaveLength(har.log.entries.length);
    expect(parsed.log.version).toBe('1.2');
    expect(parsed.log.creator).toEqual({ name: 'WebInspector', version: '537.36' });
    expect(parsed.log.pages).toHaveLength(2);
    expect(insights.entryCount).toBe(har.log.entries.length);
    expect(report.total).toBeGreaterThan(canaries.length / 2);
    expect(report.summary).toMatch(/cookies/);
  });

  it('keeps the safe structure: method, status, timings, host, path, sizes, Chromium enums', async () => {
    const { har } = generateCanaryHar();
    const { output } = await sanitizeHar(JSON.stringify(har));
    const out = JSON.parse(output) as typeof har;
    out.log.entries.forEach((e, i) => {
      const src = har.log.entries[i] as Record<string, any>;
      const got = e as Record<string, any>;
      expect(got.request.method).toBe(src.request.method);
      expect(got.response.status).toBe(src.response.status);
      expect(got.timings).toEqual(src.timings);
      expect(got.time).toBe(src.time);
      expect(got.startedDateTime).toBe(src.startedDateTime);
      expect(got.serverIPAddress).toBe(src.serverIPAddress);
      expect(got._priority).toBe(src._priority);
      expect(got._resourceType).toBe(src._resourceType);
      expect(got.response.content.mimeType).toBe(src.response.content.mimeType);
      expect(got.response.content.size).toBe(src.response.content.size);
      const srcUrl = /^(\w+:\/\/)(?:[^@/]*@)?([^/?#]+)([^?#]*)/.exec(src.request.url)!;
      const gotUrl = /^(\w+:\/\/)(?:[^@/]*@)?([^/?#]+)([^?#]*)/.exec(got.request.url)!;
      expect(gotUrl[2]).toBe(srcUrl[2]);
      expect(gotUrl[3]).toBe(srcUrl[3]);
      // header names survive, in order
      expect(got.request.headers.map((h: { name: string }) => h.name)).toEqual(src.request.headers.map((h: { name: string }) => h.name));
    });
    const first = out.log.entries[0] as Record<string, any>;
    expect(first.request.url).toContain('page=2');
    expect(first.request.url).toContain(`access_token=${REDACTION_MARKER('query:access_token')}`);
    expect(first.request.url).toContain(`#id_token=${REDACTION_MARKER('fragment:id_token')}`);
    expect(first.request.cookies[0]).toMatchObject({ name: 'sid', value: '[REDACTED:cookie]', path: '/', httpOnly: true });
    const hv = (name: string) => first.request.headers.find((h: { name: string }) => h.name === name).value;
    expect(hv('authorization')).toBe('Bearer [REDACTED:authorization-header]');
    expect(hv('Cookie')).toBe('sid=[REDACTED:cookie]; theme=[REDACTED:cookie]');
    expect(hv('x-api-key')).toBe('[REDACTED:header:x-api-key]');
    expect(hv(':authority')).toBe('hub.example');
    expect(hv('user-agent')).toMatch(/Chrome/);
    expect(first.response.headers.find((h: { name: string }) => h.name === 'set-cookie').value).toBe(
      'sid=[REDACTED:cookie]; Path=/; HttpOnly; Secure; SameSite=Lax\nrefresh=[REDACTED:cookie]; Path=/auth',
    );
    expect(first.response.content.text).toBe('[REDACTED:response-body]');
    expect(first._initiator.stack.callFrames[0]).toMatchObject({ functionName: 'load', lineNumber: 10 });
  });
});
