// A real OpenID Provider (oidc-provider v9, an ES module) for the SSO e2e tests, in its own Node
// process because Jest's CommonJS runtime cannot load ES modules. Started by test/sso/oidc-provider.ts.
//
// argv[2] is JSON: { issuerPath, https?: { key, cert }, redirectPrefix, clients, accounts, claims, entra? }
// Prints `READY {"issuer": …, "port": …}` once listening. Test-only control endpoints:
//   POST /__control/tamper  { idToken?: { set?, alg?: 'none', otherKey?: true }, authorizeError?: { error, error_description } }
//     applies to the next token response / authorization request only (a compromised or broken IdP).
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';

const cfg = JSON.parse(process.argv[2]);
const { default: Provider } = await import('oidc-provider');
const jose = await import('jose');

let pending = {};
const server = cfg.https ? https.createServer({ key: cfg.https.key, cert: cfg.https.cert }) : http.createServer();
await new Promise((resolve) => server.listen(cfg.port ?? 0, '127.0.0.1', resolve));
const port = server.address().port;
const mount = (cfg.issuerPath ?? '/').replace(/\/$/, '');
const issuer = `${cfg.https ? 'https' : 'http'}://127.0.0.1:${port}${mount || ''}`;

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await jose.exportJWK(privateKey)), kid: `k-${randomUUID().slice(0, 8)}`, alg: 'RS256', use: 'sig' };
const signingKey = await jose.importJWK(jwk, 'RS256');

const accounts = cfg.accounts ?? {};
const provider = new Provider(issuer, {
  clients: cfg.clients.map((c) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [`${cfg.redirectPrefix}placeholder/callback`],
    ...c,
  })),
  jwks: { keys: [jwk] },
  cookies: { keys: ['test-cookie-key-not-secret'] },
  claims: cfg.claims ?? { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  ttl: { AuthorizationCode: 60, IdToken: 3600, AccessToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
  interactions: { url: (_ctx, interaction) => `${mount}/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    const a = accounts[id];
    if (!a) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...a.claims }) };
  },
  // First-party test clients: whatever scopes they ask for are granted without a consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
    await grant.save();
    return grant;
  },
});
// Every redirect URI under the portal's /sso/ prefix is accepted: the portal's ids are made after the OP starts.
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(uri) {
  return typeof uri === 'string' && uri.startsWith(cfg.redirectPrefix);
};
provider.on('server_error', (_ctx, err) => process.stderr.write(`[oidc-provider] ${err.stack}\n`));
const handle = provider.callback();

const readBody = (req) =>
  new Promise((resolve) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => resolve(b));
  });

async function tamperIdToken(idToken, t) {
  const payload = jose.decodeJwt(idToken);
  const header = jose.decodeProtectedHeader(idToken);
  const claims = { ...payload, ...(t.set ?? {}) };
  if (t.alg === 'none') {
    const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
  }
  const key = t.otherKey ? (await jose.generateKeyPair('RS256')).privateKey : signingKey;
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: header.kid, typ: header.typ }).sign(key);
}

server.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (url.pathname === '/__control/tamper' && req.method === 'POST') {
      pending = JSON.parse((await readBody(req)) || '{}');
      res.writeHead(204).end();
      return;
    }
    const local = url.pathname.startsWith(mount) ? url.pathname.slice(mount.length) || '/' : null;
    if (local === null) {
      res.writeHead(404).end();
      return;
    }
    const interaction = /^\/interaction\/([^/]+)(\/login)?$/.exec(local);
    if (interaction) {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'POST' && interaction[2]) {
        const form = new URLSearchParams(await readBody(req));
        const login = form.get('login') ?? '';
        const account = accounts[login];
        if (!account || account.password !== form.get('password')) {
          res.writeHead(200, { 'content-type': 'text/html' }).end(`<p id="error">wrong login or password</p>${loginForm(details.uid)}`);
          return;
        }
        await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
        return;
      }
      if (details.prompt.name === 'login') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(loginForm(details.uid));
        return;
      }
      // consent: granted by loadExistingGrant above
      await provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true });
      return;
    }
    if (local === '/auth' && pending.authorizeError) {
      const e = pending.authorizeError;
      pending = {};
      const target = new URL(url.searchParams.get('redirect_uri'));
      target.searchParams.set('error', e.error);
      if (e.error_description) target.searchParams.set('error_description', e.error_description);
      if (url.searchParams.get('state')) target.searchParams.set('state', url.searchParams.get('state'));
      res.writeHead(303, { location: target.toString() }).end();
      return;
    }
    if (local === '/token' && req.method === 'POST' && pending.idToken) {
      const t = pending.idToken;
      pending = {};
      const chunks = [];
      const origWrite = res.write.bind(res);
      const origEnd = res.end.bind(res);
      res.write = (c) => (chunks.push(Buffer.from(c)), true);
      res.end = (c) => {
        if (c && typeof c !== 'function') chunks.push(Buffer.from(c));
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        (body.id_token ? tamperIdToken(body.id_token, t).then((tok) => (body.id_token = tok)) : Promise.resolve()).then(() => {
          const out = Buffer.from(JSON.stringify(body));
          res.setHeader('content-length', out.length);
          origWrite(out);
          origEnd();
        });
        return res;
      };
    }
    req.originalUrl = req.url;
    req.url = req.url.slice(mount.length) || '/';
    handle(req, res);
  } catch (err) {
    process.stderr.write(`[oidc-provider-server] ${err.stack}\n`);
    if (!res.headersSent) res.writeHead(500).end(String(err.message));
  }
});

function loginForm(uid) {
  return `<!doctype html><form method="post" action="${mount}/interaction/${uid}/login">
<input name="login"><input name="password" type="password"><button type="submit">Sign in</button></form>`;
}

process.stdout.write(`READY ${JSON.stringify({ issuer, port })}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
