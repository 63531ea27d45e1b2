import { safeReturnPath } from './return-path';

describe('safe return path after sign-in', () => {
  it.each([
    ['/incidents', '/incidents'],
    ['/incidents/42?tab=timeline#x', '/incidents/42?tab=timeline#x'],
    ['/', '/'],
  ])('keeps the same-origin path %s', (input, expected) => {
    expect(safeReturnPath(input)).toBe(expected);
  });

  it.each([
    ['https://evil.example/phish'],
    ['//evil.example/x'],
    ['/\\evil.example'],
    ['\\\\evil.example'],
    ['javascript:alert(1)'],
    ['/%0d%0aSet-Cookie:x'],
    ['/\u0000x'],
    ['incidents'],
    ['/sso/oidc/acme/x/start'],
    ['/auth/logout'],
    ['/sign-in'],
    [''],
    [undefined],
    [42],
    ['/' + 'a'.repeat(3000)],
  ])('sends %p to the home page instead', (input) => {
    const out = safeReturnPath(input);
    if (input === '/%0d%0aSet-Cookie:x') {
      // Percent-encoded stays encoded: a path, never a header.
      expect(out).toBe('/%0d%0aSet-Cookie:x');
    } else {
      expect(out).toBe('/');
    }
  });

  it.each([['/.//evil.example'], ['/a/..//evil.example'], ['/%2e//evil.example'], ['/./\u002f/evil.example/x']])(
    'refuses %p, which normalises to another host',
    (input) => {
      const out = safeReturnPath(input);
      expect(out).toBe('/');
      expect(new URL(out, 'https://portal.example').origin).toBe('https://portal.example');
    },
  );

  it('never returns a path a browser reads as another host (property)', () => {
    for (const input of ['/.//x', '/..//x', '/a/../..//x', '/././/x?y', '/%2E%2E//x']) {
      expect(new URL(safeReturnPath(input), 'https://portal.example').origin).toBe('https://portal.example');
    }
  });
});
