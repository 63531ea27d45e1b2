/**
 * Where a browser may be sent after sign-in: a same-origin, relative path only (SECURITY.md,
 * "treat RelayState as untrusted"). Anything else, including `//host`, `/\host`, absolute URLs,
 * control characters and the sign-in machinery itself, becomes `/`.
 */
export function safeReturnPath(input: unknown): string {
  if (typeof input !== 'string' || input.length === 0 || input.length > 2000) return '/';
  if (!input.startsWith('/') || input.startsWith('//') || input.includes('\\')) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(input)) return '/';
  let url: URL;
  try {
    url = new URL(input, 'https://portal.invalid');
  } catch {
    return '/';
  }
  if (url.origin !== 'https://portal.invalid') return '/';
  // Check what is returned, after normalisation: `/.//evil.example` and `/a/..//evil.example` normalise
  // to `//evil.example`, which a browser reads as another host (SECURITY.md, "return paths").
  if (url.pathname.startsWith('//') || url.pathname.includes('\\')) return '/';
  if (/^\/(sso|auth|api)(\/|$)/.test(url.pathname) || url.pathname.startsWith('/sign-in')) return '/';
  return url.pathname + url.search + url.hash;
}
