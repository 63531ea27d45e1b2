import { Inject, Injectable } from '@nestjs/common';
import { ConfidentialClientApplication, CryptoProvider, LogLevel, ResponseMode, type Configuration } from '@azure/msal-node';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { Clock } from '../common/clock';
import { randomToken } from '../common/tokens';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { entraFailure, sanitizeDetail, SsoSignInFailed } from './sso-errors';
import { SsoFlow, SsoFlowStore } from './sso-flow.store';
import { SsoHttp } from './sso-http';
import { ssoSubject } from './sso-subject';
import { SsoUrls } from './sso-urls';
import type { EntraSettings, ResolvedIdp, SsoIdentity } from './sso.types';

type EntraIdp = ResolvedIdp & { kind: 'entra'; entra: EntraSettings };
const METADATA_TTL_MS = 10 * 60_000;
const SCOPES = ['openid', 'profile', 'email'];

interface OpenIdMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
}

/**
 * Microsoft Entra ID: confidential client, authorization code + PKCE, on msal-node. msal-node gets
 * the tokens but does not validate the ID token (SECURITY.md), so the portal verifies it itself
 * with jose against the directory's JWKS: RS256 signature, audience = our client id, expiry and
 * not-before on the injected clock with a bounded skew, nonce, `tid` = the directory this portal
 * tenant trusts (Entra signs every directory's tokens with the same keys: a signature alone proves
 * nothing about the directory), and the issuer for that directory. Users are `tid` + `oid`.
 */
@Injectable()
export class EntraSignInService {
  private readonly metadataCache = new Map<string, { doc: OpenIdMetadata; at: number }>();
  private readonly jwksCache = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  private readonly crypto = new CryptoProvider();

  constructor(
    private readonly flows: SsoFlowStore,
    private readonly urls: SsoUrls,
    private readonly http: SsoHttp,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  private authority(idp: EntraIdp): string {
    return `${idp.entra.cloudInstance}/${idp.entra.directoryId}`;
  }

  /** The directory's OpenID configuration, fetched once per 10 minutes and handed to msal (no second discovery). */
  private async metadata(idp: EntraIdp): Promise<OpenIdMetadata> {
    const url = `${this.authority(idp)}/v2.0/.well-known/openid-configuration`;
    const cached = this.metadataCache.get(url);
    if (cached && Date.now() - cached.at < METADATA_TTL_MS) return cached.doc;
    let doc: OpenIdMetadata;
    try {
      doc = await this.http.getJson<OpenIdMetadata>(url);
    } catch (e) {
      throw new SsoSignInFailed(
        'idp_unreachable',
        sanitizeDetail(`the directory's OpenID configuration (${url}) could not be read: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
    if (
      typeof doc?.issuer !== 'string' ||
      typeof doc.authorization_endpoint !== 'string' ||
      typeof doc.token_endpoint !== 'string' ||
      typeof doc.jwks_uri !== 'string'
    ) {
      throw new SsoSignInFailed('idp_unreachable', `the directory's OpenID configuration (${url}) is incomplete`);
    }
    for (const u of [doc.authorization_endpoint, doc.token_endpoint, doc.jwks_uri]) this.http.checkUrl(u);
    this.metadataCache.set(url, { doc, at: Date.now() });
    return doc;
  }

  private jwks(uri: string) {
    let set = this.jwksCache.get(uri);
    if (!set) {
      set = createRemoteJWKSet(new URL(uri), { agent: this.http.agentFor(uri), timeoutDuration: 8000, cooldownDuration: 30_000 });
      this.jwksCache.set(uri, set);
    }
    return set;
  }

  private client(idp: EntraIdp, metadata: OpenIdMetadata): ConfidentialClientApplication {
    const host = new URL(idp.entra.cloudInstance).host;
    const credential: Pick<Configuration['auth'], 'clientSecret' | 'clientCertificate'> =
      idp.entra.credential === 'certificate'
        ? {
            clientCertificate: {
              thumbprintSha256: idp.entra.certificateThumbprintSha256 ?? '',
              privateKey: idp.secret.privateKeyPem ?? '',
              x5c: idp.entra.certificatePem ?? undefined,
            },
          }
        : { clientSecret: idp.secret.clientSecret ?? '' };
    // A new client per sign-in: msal's token cache would otherwise grow with every user, in memory.
    return new ConfidentialClientApplication({
      auth: {
        clientId: idp.entra.clientId,
        authority: this.authority(idp),
        ...credential,
        knownAuthorities: [host],
        authorityMetadata: JSON.stringify(metadata),
        cloudDiscoveryMetadata: JSON.stringify({
          tenant_discovery_endpoint: `${this.authority(idp)}/v2.0/.well-known/openid-configuration`,
          'api-version': '1.1',
          metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
        }),
      },
      system: {
        networkClient: this.http.msalNetworkModule(),
        loggerOptions: { piiLoggingEnabled: false, logLevel: LogLevel.Error, loggerCallback: () => undefined },
      },
    });
  }

  async start(idp: EntraIdp, returnTo: string): Promise<{ url: string; flow: SsoFlow }> {
    try {
      const metadata = await this.metadata(idp);
      const pkce = await this.crypto.generatePkceCodes();
      const nonce = randomToken(24);
      const flow = await this.flows.begin({ kind: 'entra', realmSegment: idp.realmSegment, idpId: idp.id, returnTo, nonce, codeVerifier: pkce.verifier });
      const url = await this.client(idp, metadata).getAuthCodeUrl({
        scopes: SCOPES,
        redirectUri: this.urls.redirectUri('entra', idp.realmSegment, idp.id),
        state: flow.id,
        nonce,
        codeChallenge: pkce.challenge,
        codeChallengeMethod: 'S256',
        responseMode: ResponseMode.QUERY,
      });
      return { url, flow };
    } catch (e) {
      throw entraFailure(e);
    }
  }

  async finish(idp: EntraIdp, code: string, flow: SsoFlow): Promise<SsoIdentity> {
    let payload: JWTPayload;
    const metadata = await this.metadata(idp);
    try {
      const result = await this.client(idp, metadata).acquireTokenByCode({
        code,
        scopes: SCOPES,
        redirectUri: this.urls.redirectUri('entra', idp.realmSegment, idp.id),
        codeVerifier: flow.codeVerifier,
        // msal compares it too (7.x); the portal checks it again below after verifying the signature.
        nonce: flow.nonce,
      });
      if (!result?.idToken) throw new SsoSignInFailed('invalid_response', 'the token response has no ID token');
      ({ payload } = await jwtVerify(result.idToken, this.jwks(metadata.jwks_uri), {
        algorithms: ['RS256'],
        audience: idp.entra.clientId,
        currentDate: this.clock.now(),
        clockTolerance: this.config.sso.clockSkewSeconds,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
      }));
    } catch (e) {
      throw entraFailure(e);
    }
    if (payload.nonce !== flow.nonce) throw new SsoSignInFailed('nonce_mismatch', 'the ID token nonce is not the one this sign-in sent');
    // The directory before the issuer: a token from another directory is that, and the page should say so.
    if (typeof payload.tid !== 'string' || payload.tid.toLowerCase() !== idp.entra.directoryId) {
      throw new SsoSignInFailed(
        'wrong_directory',
        `the ID token is from directory ${typeof payload.tid === 'string' ? sanitizeDetail(payload.tid) : '(no tid)'}, this provider trusts ${idp.entra.directoryId}`,
        {
          tokenDirectory: typeof payload.tid === 'string' ? payload.tid.slice(0, 64) : null,
        },
      );
    }
    const expectedIssuer = metadata.issuer.replace('{tenantid}', idp.entra.directoryId);
    if (payload.iss !== expectedIssuer)
      throw new SsoSignInFailed('issuer_mismatch', sanitizeDetail(`the ID token issuer "${String(payload.iss)}" is not "${expectedIssuer}"`));
    if (typeof payload.oid !== 'string' || !payload.oid) throw new SsoSignInFailed('unknown_user', 'the ID token has no oid (object id)');
    const email =
      [payload.email, payload.preferred_username, payload.upn].find((v): v is string => typeof v === 'string' && /^[^\s@]+@[^\s@]+$/.test(v)) ?? null;
    return {
      subject: ssoSubject(idp, payload.oid),
      email: email ? email.slice(0, 320) : null,
      // Entra's email and preferred_username are not verified and can be edited ("nOAuth"): never used to link accounts.
      emailVerified: false,
      name: typeof payload.name === 'string' ? payload.name : null,
      claims: payload,
    };
  }
}
