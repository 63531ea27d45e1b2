import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SAML, ValidateInResponseTo, type Profile } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { refusedMarkup, responseDestination } from './saml-metadata';
import { samlFailure, sanitizeDetail, SsoSignInFailed } from './sso-errors';
import { SsoFlow, SsoFlowStore } from './sso-flow.store';
import { ssoSubject } from './sso-subject';
import { SsoUrls } from './sso-urls';
import type { ResolvedIdp, SamlSettings, SsoIdentity } from './sso.types';

type SamlIdp = ResolvedIdp & { kind: 'saml'; saml: SamlSettings };

const EMAIL_ATTRIBUTES = [
  'email',
  'mail',
  'emailAddress',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  'urn:oid:0.9.2342.19200300.100.1.3',
];
const NAME_ATTRIBUTES = ['displayName', 'http://schemas.microsoft.com/identity/claims/displayname', 'name', 'cn', 'urn:oid:2.16.840.1.113730.3.1.241'];
const MAX_RESPONSE_BYTES = 1024 * 1024;

const first = (v: unknown): string | null => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : null);

/**
 * SAML 2.0 service provider, one per tenant identity provider, on node-saml 5.1 (CVE-2025-54369
 * fixed). node-saml checks the signature (assertions must be signed), audience, validity window
 * (bounded skew) and InResponseTo against a Redis cache namespaced per provider. It does not check
 * the response's Destination nor the SubjectConfirmationData Recipient against the ACS URL, nor the
 * assertion's Issuer: those are checked here (SECURITY.md).
 */
@Injectable()
export class SamlSignInService {
  constructor(
    private readonly flows: SsoFlowStore,
    private readonly urls: SsoUrls,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  private namespace(idp: ResolvedIdp): string {
    return `${idp.realmSegment}:${idp.id}`;
  }

  private saml(idp: SamlIdp, requestId?: string): SAML {
    const entityId = this.urls.samlEntityId(idp.realmSegment, idp.id);
    return new SAML({
      issuer: entityId,
      audience: entityId,
      callbackUrl: this.urls.samlAcs(idp.realmSegment, idp.id),
      entryPoint: idp.saml.ssoUrl,
      idpCert: idp.saml.certificates,
      idpIssuer: idp.saml.idpEntityId,
      wantAssertionsSigned: true,
      // Many IdPs sign only the assertion; that signature is what is required and verified.
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: this.config.sso.flowTtlSeconds * 1000,
      cacheProvider: this.flows.samlRequestCache(this.namespace(idp)),
      acceptedClockSkewMs: this.config.sso.clockSkewSeconds * 1000,
      maxAssertionAgeMs: this.config.sso.flowTtlSeconds * 1000,
      // Let the IdP pick the NameID format and authentication method (a fixed AuthnContext breaks MFA/Windows sign-in at Entra, AADSTS75011).
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      signatureAlgorithm: 'sha256',
      generateUniqueId: () => requestId ?? `_${randomBytes(20).toString('hex')}`,
    });
  }

  /** The portal's SP metadata for this provider, at a stable URL (entity ID = that URL). */
  metadata(idp: SamlIdp): string {
    return this.saml(idp).generateServiceProviderMetadata(null, null);
  }

  async start(idp: SamlIdp, returnTo: string): Promise<{ url: string; flow: SsoFlow }> {
    const requestId = `_${randomBytes(20).toString('hex')}`;
    const flow = await this.flows.begin({ kind: 'saml', realmSegment: idp.realmSegment, idpId: idp.id, returnTo, samlRequestId: requestId });
    // RelayState is the flow id, opaque: the return path it stands for was checked when the flow began.
    const url = await this.saml(idp, requestId).getAuthorizeUrlAsync(flow.id, undefined, {});
    return { url, flow };
  }

  /** Verifies a posted SAMLResponse; returns who signed in and the flow it answers. */
  async finish(idp: SamlIdp, body: { SAMLResponse?: unknown; RelayState?: unknown }): Promise<{ identity: SsoIdentity; flow: SsoFlow; relayState: string }> {
    if (typeof body.SAMLResponse !== 'string' || body.SAMLResponse.length === 0 || body.SAMLResponse.length > (MAX_RESPONSE_BYTES * 4) / 3) {
      throw new SsoSignInFailed('invalid_response', 'no SAMLResponse in the posted form, or it is too large');
    }
    const xml = Buffer.from(body.SAMLResponse, 'base64').toString('utf8');
    // No SAML message has a use for a DTD: any DOCTYPE (with or without entities) or NUL is refused before parsing.
    const dtd = refusedMarkup(xml);
    if (dtd) throw new SsoSignInFailed('invalid_response', `the SAML response carries ${dtd}, which SAML messages never need (refused before parsing)`);
    const acs = this.urls.samlAcs(idp.realmSegment, idp.id);
    const { isResponse, destination } = responseDestination(xml);
    if (!isResponse) throw new SsoSignInFailed('invalid_response', 'the posted document is not a SAML Response');
    // Before the signature: a misconfigured ACS URL is the most common SAML incident, name it precisely.
    if (destination !== acs) {
      throw new SsoSignInFailed(
        'destination_mismatch',
        destination ? `the response's Destination "${sanitizeDetail(destination)}" is not this provider's ACS URL` : 'the response has no Destination',
      );
    }
    const ns = this.namespace(idp);
    const cache = this.flows.samlRequestCache(ns);
    let profile: Profile | null;
    try {
      profile = (await this.saml(idp).validatePostResponseAsync({ SAMLResponse: body.SAMLResponse })).profile;
    } catch (e) {
      const f = samlFailure(e);
      const irt = inResponseToOf(xml);
      if (f.code === 'flow_expired' && irt && (await this.flows.wasUsed(`saml:${ns}`, irt))) {
        throw new SsoSignInFailed('response_replayed', `a response to request ${irt.slice(0, 48)} was already used`);
      }
      throw f;
    }
    if (!profile) throw new SsoSignInFailed('invalid_response', 'the response carries no assertion (logout or passive response)');
    const irt = typeof profile.inResponseTo === 'string' ? profile.inResponseTo : '';
    // One use, across instances and concurrent posts: node-saml removes the request id only on some paths.
    await cache.removeAsync(irt);
    if (!(await this.flows.markUsed(`saml:${ns}`, irt, this.config.sso.flowTtlSeconds * 2))) {
      throw new SsoSignInFailed('response_replayed', `a response to request ${irt.slice(0, 48)} was already used`);
    }
    if (profile.issuer !== idp.saml.idpEntityId) {
      throw new SsoSignInFailed(
        'issuer_mismatch',
        `the assertion's Issuer "${sanitizeDetail(String(profile.issuer ?? ''))}" is not the configured IdP entity ID`,
      );
    }
    const recipients = recipientsOf(profile);
    if (recipients.length === 0 || recipients.some((r) => r !== acs)) {
      throw new SsoSignInFailed(
        'destination_mismatch',
        recipients.length
          ? `SubjectConfirmationData Recipient "${sanitizeDetail(recipients.find((r) => r !== acs)!)}" is not this provider's ACS URL`
          : 'the assertion has no SubjectConfirmationData Recipient',
      );
    }
    const relayState = typeof body.RelayState === 'string' ? body.RelayState : '';
    const flow = relayState ? await this.flows.take(relayState) : null;
    if (!flow || flow.samlRequestId !== irt)
      throw new SsoSignInFailed(
        'state_mismatch',
        flow ? 'RelayState names another sign-in than the response answers' : 'RelayState names no sign-in in progress',
      );
    if (flow.kind !== 'saml' || flow.idpId !== idp.id || flow.realmSegment !== idp.realmSegment)
      throw new SsoSignInFailed('wrong_tenant', 'the response answers a sign-in started for another provider');
    return { identity: this.identity(idp, profile), flow, relayState };
  }

  private identity(idp: SamlIdp, profile: Profile): SsoIdentity {
    const nameId = profile.nameID;
    if (!nameId) throw new SsoSignInFailed('unknown_user', 'the assertion has no NameID');
    if (profile.nameIDFormat === 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient') {
      throw new SsoSignInFailed('unknown_user', 'the NameID is transient (changes at every sign-in); configure a persistent or emailAddress NameID');
    }
    const attrs = ((profile as Record<string, unknown>).attributes ?? {}) as Record<string, unknown>;
    const pick = (names: string[]) => names.map((n) => first(attrs[n])).find((v): v is string => !!v) ?? null;
    let email = idp.saml.emailAttribute ? first(attrs[idp.saml.emailAttribute]) : pick(EMAIL_ATTRIBUTES);
    if (!email && profile.nameIDFormat === 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress') email = nameId;
    const given = pick(['givenName', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname']);
    const surname = pick(['sn', 'surname', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname']);
    const name =
      (idp.saml.nameAttribute ? first(attrs[idp.saml.nameAttribute]) : pick(NAME_ATTRIBUTES)) ?? ([given, surname].filter(Boolean).join(' ') || null);
    return {
      subject: ssoSubject(idp, nameId),
      email: email && /^[^\s@]+@[^\s@]+$/.test(email) ? email.slice(0, 320) : null,
      // SAML carries no "verified" flag: an assertion never links to an existing account by email.
      emailVerified: false,
      name,
      claims: { ...attrs, nameID: nameId },
    };
  }
}

/** Recipients of the verified assertion's subject confirmations (node-saml's parsed, signed assertion). */
function recipientsOf(profile: Profile): string[] {
  const assertion = (profile.getAssertion?.() as { Assertion?: any } | undefined)?.Assertion;
  const out: string[] = [];
  for (const subject of assertion?.Subject ?? []) {
    for (const sc of subject?.SubjectConfirmation ?? []) {
      for (const data of sc?.SubjectConfirmationData ?? []) {
        const r = data?.$?.Recipient;
        if (typeof r === 'string') out.push(r);
        else out.push('(none)');
      }
    }
  }
  return out;
}

function inResponseToOf(xml: string): string | null {
  try {
    const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: () => undefined, fatalError: () => undefined } }).parseFromString(
      xml,
      'text/xml',
    );
    return doc?.documentElement?.getAttribute('InResponseTo') || null;
  } catch {
    return null;
  }
}
