import http from 'node:http';
import https from 'node:https';

export interface Page {
  url: URL;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface StoredCookie {
  value: string;
  path: string;
}

/**
 * A browser, as far as sign-in redirects need one: a cookie jar (per host, ports shared, as
 * browsers do), manual redirects, form posts, and trust in the test CA for the HTTPS identity
 * provider. Every hop is a real HTTP request to a real server.
 */
export class Browser {
  private readonly jar = new Map<string, Map<string, StoredCookie>>();
  readonly visited: string[] = [];

  constructor(private readonly ca?: string) {}

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name)?.value;
  }

  setCookie(host: string, name: string, value: string, path = '/'): void {
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    this.jar.get(host)!.set(name, { value, path });
  }

  private cookieHeader(url: URL): string {
    const c = this.jar.get(url.hostname);
    if (!c) return '';
    return [...c.entries()]
      .filter(([, v]) => url.pathname.startsWith(v.path))
      .map(([k, v]) => `${k}=${v.value}`)
      .join('; ');
  }

  private store(url: URL, setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = false;
      for (const a of attrs) {
        const [k, v] = a.split('=');
        if (k.toLowerCase() === 'path' && v) path = v;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
        if (k.toLowerCase() === 'expires' && v && new Date(a.slice(8)).getTime() < Date.now()) expired = true;
      }
      if (!this.jar.has(url.hostname)) this.jar.set(url.hostname, new Map());
      if (expired) this.jar.get(url.hostname)!.delete(name);
      else this.jar.get(url.hostname)!.set(name, { value, path });
    }
  }

  request(method: 'GET' | 'POST', target: string | URL, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Page> {
    const url = new URL(target);
    this.visited.push(`${method} ${url.toString()}`);
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method,
          ca: this.ca,
          headers: {
            ...(this.cookieHeader(url) ? { cookie: this.cookieHeader(url) } : {}),
            ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}),
            ...headers,
          },
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (data += c));
          res.on('end', () => {
            this.store(url, res.headers['set-cookie']);
            resolve({ url, status: res.statusCode ?? 0, headers: res.headers, body: data });
          });
        },
      );
      req.on('error', reject);
      if (body) req.write(body);
      req.end();
    });
  }

  get(url: string | URL, headers?: Record<string, string>): Promise<Page> {
    return this.request('GET', url, undefined, headers);
  }

  post(url: string | URL, form: Record<string, string>): Promise<Page> {
    return this.request('POST', url, form);
  }

  /**
   * Follows redirects from `page` (GET, as browsers do after 302/303) until a page that is not a
   * redirect, or until the next location satisfies `stopBefore` (returned unvisited as `next`).
   */
  async follow(page: Page, stopBefore?: (u: URL) => boolean, max = 20): Promise<{ page: Page; next: URL | null }> {
    let p = page;
    for (let i = 0; i < max; i++) {
      if (p.status < 300 || p.status >= 400 || !p.headers.location) return { page: p, next: null };
      const next = new URL(p.headers.location, p.url);
      if (stopBefore?.(next)) return { page: p, next };
      p = await this.get(next);
    }
    throw new Error(`too many redirects: ${this.visited.slice(-max).join(' → ')}`);
  }
}

/** The first HTML form of a page: its action and its fields (hidden inputs included). */
export function parseForm(html: string, base: URL): { action: URL; fields: Record<string, string> } {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form in page: ${html.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const [tag] of form[2].matchAll(/<input\b[^>]*>/gi)) {
    const name = /\bname="([^"]+)"/.exec(tag)?.[1];
    if (name) fields[name] = decodeEntities(/\bvalue="([^"]*)"/.exec(tag)?.[1] ?? '');
  }
  return { action: new URL(decodeEntities(form[1]), base), fields };
}

const decodeEntities = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
