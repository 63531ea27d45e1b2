import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { Browser, Page, parseForm } from './browser';

/** Creates an identity provider through the admin API with a customer_admin token. */
export async function createIdp(app: INestApplication, adminToken: string, body: Record<string, unknown>): Promise<any> {
  const res = await request(app.getHttpServer()).post('/api/v1/identity-providers').set('Authorization', `Bearer ${adminToken}`).send(body);
  if (res.status !== 201) throw new Error(`create identity provider: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * The OIDC / Entra browser dance: start at the portal, follow to the provider's login form, sign in,
 * follow the redirects back, and stop before the portal's callback so a test may alter it.
 */
export async function oidcDanceToCallback(b: Browser, startUrl: string, login: string, password = 'pw'): Promise<URL> {
  const start = await b.get(startUrl);
  if (start.status !== 303) throw new Error(`start: ${start.status} ${start.headers.location}`);
  const isCallback = (u: URL) => /\/sso\/(oidc|entra)\/[^/]+\/[^/]+\/callback$/.test(u.pathname) || u.pathname === '/sign-in/error';
  const toLogin = await b.follow(start, isCallback);
  if (toLogin.next) return toLogin.next; // already signed in at the provider
  const form = parseForm(toLogin.page.body, toLogin.page.url);
  const posted = await b.post(form.action, { login, password });
  const back = await b.follow(posted, isCallback);
  if (!back.next) throw new Error(`never came back to the portal: ${back.page.status} ${back.page.url} ${back.page.body.slice(0, 300)}`);
  return back.next;
}

/** Visits the portal callback and returns where the portal sends the browser next. */
export async function visit(b: Browser, url: URL | string): Promise<{ page: Page; location: URL | null }> {
  const page = await b.get(url);
  return { page, location: page.headers.location ? new URL(page.headers.location, page.url) : null };
}

/**
 * The SAML browser dance against a TestSamlIdp: start at the portal, the IdP's auto-posting form, the post to the
 * portal's ACS; returns where the portal sends the browser next.
 */
export async function samlDance(b: Browser, startUrl: string): Promise<URL> {
  const started = await b.get(startUrl);
  if (started.status !== 303) throw new Error(`start: ${started.status} ${started.headers.location}`);
  const atIdp = await b.get(new URL(started.headers.location!, started.url));
  const form = parseForm(atIdp.body, atIdp.url);
  const posted = await b.post(form.action, form.fields);
  if (posted.status !== 303) throw new Error(`ACS: ${posted.status} ${posted.body.slice(0, 300)}`);
  return new URL(posted.headers.location!, posted.url);
}

/** A customer admin links an existing account to a provider (POST /api/v1/identity-providers/:id/links). */
export function linkAccount(app: INestApplication, adminToken: string, idpId: string, body: Record<string, unknown>) {
  return request(app.getHttpServer()).post(`/api/v1/identity-providers/${idpId}/links`).set('Authorization', `Bearer ${adminToken}`).send(body);
}

/** Every string in a value, however deep (to check what reached the audit trail). */
export function stringsIn(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(stringsIn);
  if (v && typeof v === 'object') return Object.values(v).flatMap(stringsIn);
  return [];
}
