import { createHash } from 'node:crypto';
import { inlineScripts, WEB_CSP, webContentSecurityPolicy } from './app.setup';

describe('the web app Content-Security-Policy', () => {
  const boot = "\n      (function () { window.__portalBoot = {}; fetch('/api/v1/me'); })();\n    ";
  const html = `<!doctype html><html><head><script>${boot}</script><script type="module" crossorigin src="/assets/index-abc.js"></script></head><body></body></html>`;

  it('finds the inline scripts of index.html, not the external ones', () => {
    expect(inlineScripts(html)).toEqual([boot]);
  });

  it("allows index.html's inline script by its SHA-256 and nothing else inline", () => {
    const hash = createHash('sha256').update(boot, 'utf8').digest('base64');
    const csp = webContentSecurityPolicy(html);
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}';`);
    expect(csp.split('; ').find((d) => d.startsWith('script-src'))).toBe(`script-src 'self' 'sha256-${hash}'`);
  });

  it('is the base policy when the page has no inline script', () => {
    expect(webContentSecurityPolicy('<html><script src="/a.js"></script></html>')).toBe(WEB_CSP);
  });
});
