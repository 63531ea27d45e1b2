import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import http from 'node:http';
import { join } from 'node:path';

export interface TestAccount {
  password: string;
  claims: Record<string, unknown>;
}

export interface OidcProviderOptions {
  /** Path of the issuer, e.g. `/` or `/<tid>/v2.0` for an Entra-shaped directory. */
  issuerPath?: string;
  https?: { key: string; cert: string };
  /** Redirect URIs under this prefix are accepted (the portal's /sso/ routes). */
  redirectPrefix: string;
  clients: { client_id: string; client_secret: string; token_endpoint_auth_method?: string }[];
  accounts: Record<string, TestAccount>;
  claims?: Record<string, string[]>;
}

export interface Tamper {
  idToken?: { set?: Record<string, unknown>; alg?: 'none'; otherKey?: boolean };
  authorizeError?: { error: string; error_description?: string };
}

export interface OidcProviderHandle {
  issuer: string;
  port: number;
  /** Makes the next token response / authorization request misbehave. */
  tamper(t: Tamper): Promise<void>;
  stop(): Promise<void>;
}

/** Starts test/sso/oidc-provider-server.mjs (oidc-provider is an ES module: its own process). */
export async function startOidcProvider(opts: OidcProviderOptions): Promise<OidcProviderHandle> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-provider-server.mjs'), JSON.stringify(opts)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const ready = await new Promise<{ issuer: string; port: number }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /READY (\{.*\})/.exec(out);
      if (m) resolve(JSON.parse(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`oidc-provider exited with ${code}: ${stderr}`)));
  });
  const base = `${opts.https ? 'https' : 'http'}://127.0.0.1:${ready.port}`;
  return {
    ...ready,
    tamper: (t) =>
      new Promise<void>((resolve, reject) => {
        const body = JSON.stringify(t);
        const lib = opts.https ? https : http;
        const req = lib.request(
          `${base}/__control/tamper`,
          { method: 'POST', ca: opts.https?.cert, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } },
          (res) => {
            res.resume();
            res.on('end', () => (res.statusCode === 204 ? resolve() : reject(new Error(`tamper: ${res.statusCode}`))));
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
