import { Inject, Injectable } from '@nestjs/common';
import { custom, generators, Issuer, type BaseClient, type CustomHttpOptionsProvider } from 'openid-client';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { oidcFailure, sanitizeDetail, SsoSignInFailed } from './sso-errors';
import { SsoFlow, SsoFlowStore } from './sso-flow.store';
import { SsoHttp } from './sso-http';
import { ssoSubject } from './sso-subject';
import { SsoUrls } from './sso-urls';
import type { OidcSettings, ResolvedIdp, SsoIdentity } from './sso.types';

type OidcIdp = ResolvedIdp & { kind: 'oidc'; oidc: OidcSettings };
const DISCOVERY_TTL_MS = 10 * 60_000;

/**
 * OpenID Connect authorization-code flow with PKCE (S256), state and nonce, on openid-client v5.
 * Why v5: v6 is published as an ES module only, and this code must also run under Jest's CommonJS
 * runtime, which refuses both require() of ES modules and native import() without
 * --experimental-vm-modules. openid-client validates the ID token it receives (signature against the
 * discovered JWKS, RS256 only so `alg: none` is refused, issuer, audience, expiry with a bounded
 * skew, nonce) in callback(); the portal adds the discovery issuer check and the browser binding.
 */
@Injectable()
export class OidcSignInService {
  private readonly issuers = new Map<string, { issuer: Issuer<BaseClient>; at: number }>();
  private readonly httpOptions: CustomHttpOptionsProvider;

  constructor(
    private readonly flows: SsoFlowStore,
    private readonly urls: SsoUrls,
    private readonly http: SsoHttp,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {
    this.httpOptions = (url, options) => {
      http.checkUrl(url.toString());
      return { ...options, agent: http.agentFor(url), timeout: 8000 };
    };
  }

  private async issuer(idp: OidcIdp): Promise<Issuer<BaseClient>> {
    const key = idp.oidc.issuer;
    const cached = this.issuers.get(key);
    if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.issuer;
    Issuer[custom.http_options] = this.httpOptions;
    let issuer: Issuer<BaseClient>;
    try {
      // An issuer the URL policy refuses (e.g. http:// in production) is unreachable from here: the same code.
      this.http.checkUrl(key);
      issuer = await Issuer.discover(key);
    } catch (e) {
      throw new SsoSignInFailed('idp_unreachable', sanitizeDetail(`discovery of ${key} failed: ${e instanceof Error ? e.message : String(e)}`));
    }
    // RFC 8414 / OIDC Discovery: the document must name the issuer it was fetched for.
    if (issuer.metadata.issuer !== key) {
      throw new SsoSignInFailed(
        'issuer_mismatch',
        sanitizeDetail(`the discovery document names issuer "${issuer.metadata.issuer}", not the configured "${key}"`),
      );
    }
    issuer[custom.http_options] = this.httpOptions;
    this.issuers.set(key, { issuer, at: Date.now() });
    return issuer;
  }

  private async client(idp: OidcIdp): Promise<{ client: BaseClient; redirectUri: string }> {
    const issuer = await this.issuer(idp);
    const redirectUri = this.urls.redirectUri('oidc', idp.realmSegment, idp.id);
    const client = new issuer.Client({
      client_id: idp.oidc.clientId,
      client_secret: idp.secret.clientSecret,
      redirect_uris: [redirectUri],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
    });
    client[custom.http_options] = this.httpOptions;
    client[custom.clock_tolerance] = this.config.sso.clockSkewSeconds;
    return { client, redirectUri };
  }

  async start(idp: OidcIdp, returnTo: string): Promise<{ url: string; flow: SsoFlow }> {
    const { client, redirectUri } = await this.client(idp);
    const codeVerifier = generators.codeVerifier();
    const nonce = generators.nonce();
    const flow = await this.flows.begin({ kind: 'oidc', realmSegment: idp.realmSegment, idpId: idp.id, returnTo, nonce, codeVerifier });
    const url = client.authorizationUrl({
      redirect_uri: redirectUri,
      scope: idp.oidc.scopes.join(' '),
      state: flow.id,
      nonce,
      code_challenge: generators.codeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url, flow };
  }

  /** Exchanges the code and validates the ID token; `flow` was taken by the caller from the returned state. */
  async finish(idp: OidcIdp, callbackUrl: string, flow: SsoFlow): Promise<SsoIdentity> {
    const { client, redirectUri } = await this.client(idp);
    let claims: Record<string, unknown>;
    try {
      const params = client.callbackParams(callbackUrl);
      const tokens = await client.callback(redirectUri, params, { state: flow.id, nonce: flow.nonce, code_verifier: flow.codeVerifier, response_type: 'code' });
      claims = tokens.claims();
    } catch (e) {
      throw oidcFailure(e);
    }
    const sub = claims.sub;
    if (typeof sub !== 'string' || !sub) throw new SsoSignInFailed('unknown_user', 'the ID token has no subject');
    const email = typeof claims.email === 'string' && /^[^\s@]+@[^\s@]+$/.test(claims.email) ? claims.email.slice(0, 320) : null;
    const given = [claims.given_name, claims.family_name].filter((x): x is string => typeof x === 'string').join(' ');
    return {
      subject: ssoSubject(idp, sub),
      email,
      emailVerified: claims.email_verified === true,
      name: typeof claims.name === 'string' ? claims.name : given || (typeof claims.preferred_username === 'string' ? claims.preferred_username : null),
      claims,
    };
  }
}
