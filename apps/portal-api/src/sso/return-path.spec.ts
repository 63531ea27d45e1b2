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
});
