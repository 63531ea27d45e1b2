#!/usr/bin/env node
/*
 * A local OpenID Provider for trying the portal's single sign-on (docs/sso.md). DEVELOPMENT ONLY:
 * fixed demo passwords, an in-memory store, and any redirect URI under the portal's /sso/ accepted.
 *
 *   node scripts/dev-oidc-provider.js            # http://127.0.0.1:9090, for a portal at http://127.0.0.1:3000
 *   OIDC_PORT=9191 PORTAL_URL=http://127.0.0.1:3100 node scripts/dev-oidc-provider.js
 *
 * Client: portal-demo / portal-demo-secret. Users (password "demo"):
 *   admin@acme.example   groups: portal-admins  -> customer_admin with the docs' role mapping
 *   viewer@acme.example  groups: portal-users   -> customer_viewer
 *   guest@acme.example   groups: (none)         -> refused: "no role"
 */
'use strict';

const http = require('node:http');

const PORT = Number(process.env.OIDC_PORT || 9090);
const PORTAL_URL = (process.env.PORTAL_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
const ISSUER = `http://127.0.0.1:${PORT}`;
const CLIENT_ID = process.env.OIDC_CLIENT_ID || 'portal-demo';
const CLIENT_SECRET = process.env.OIDC_CLIENT_SECRET || 'portal-demo-secret';

const USERS = {
  'admin@acme.example': { name: 'Ada Admin', groups: ['portal-admins'] },
  'viewer@acme.example': { name: 'Victor Viewer', groups: ['portal-users'] },
  'guest@acme.example': { name: 'Gina Guest', groups: [] },
};
const PASSWORD = 'demo';

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const readBody = (req) =>
  new Promise((resolve) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => resolve(b));
  });

function page(uid, error) {
  const users = Object.keys(USERS)
    .map((u) => `<li><code>${esc(u)}</code></li>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo identity provider</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.75rem 0 .25rem}input{width:100%;padding:.5rem;font-size:1rem}button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem}.err{color:#b00020}</style></head>
<body><h1>Demo identity provider</h1><p>Development only. Password for every user: <code>${PASSWORD}</code></p>
${error ? `<p class="err" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login"><label for="login">Email</label><input id="login" name="login" autocomplete="username" autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password"><button type="submit">Sign in</button></form>
<p>Users:</p><ul>${users}</ul></body></html>`;
}

async function main() {
  // oidc-provider is published as an ES module; this script is CommonJS.
  const { default: Provider } = await import('oidc-provider');
  const provider = new Provider(ISSUER, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [`${PORTAL_URL}/sso/oidc/tenant/idp/callback`],
      },
    ],
    cookies: { keys: ['dev-oidc-provider-only'] },
    claims: { openid: ['sub', 'groups'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, id) {
      const u = USERS[id];
      if (!u) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, email: id, email_verified: true, name: u.name, groups: u.groups }) };
    },
    // First-party demo client: no consent screen.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      await grant.save();
      return grant;
    },
  });
  // The portal's redirect URI names the tenant and the provider's id, known only once it is configured.
  provider.Client.prototype.redirectUriAllowed = (uri) =>
    typeof uri === 'string' && (uri.startsWith(`${PORTAL_URL}/sso/oidc/`) || uri.startsWith(`${PORTAL_URL}/sso/entra/`));
  const handle = provider.callback();

  const server = http.createServer(async (req, res) => {
    try {
      const m = /^\/interaction\/([^/?]+)(\/login)?/.exec(req.url);
      if (!m) return handle(req, res);
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'POST' && m[2]) {
        const form = new URLSearchParams(await readBody(req));
        const login = (form.get('login') || '').trim().toLowerCase();
        if (!USERS[login] || form.get('password') !== PASSWORD) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(details.uid, 'Unknown user or wrong password.'));
          return;
        }
        await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
        return;
      }
      if (details.prompt.name === 'login') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(details.uid));
        return;
      }
      await provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true });
    } catch (err) {
      process.stderr.write(`[dev-oidc-provider] ${err.stack || err}\n`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('error; see the terminal');
    }
  });
  server.listen(PORT, '127.0.0.1', () => {
    process.stdout.write(`[dev-oidc-provider] issuer ${ISSUER}  client ${CLIENT_ID} / ${CLIENT_SECRET}  (redirects to ${PORTAL_URL}/sso/…)\n`);
    process.stdout.write(`[dev-oidc-provider] users: ${Object.keys(USERS).join(', ')}  password: ${PASSWORD}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`[dev-oidc-provider] failed to start: ${err.stack || err}\n`);
  process.exit(1);
});
