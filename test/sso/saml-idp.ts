import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { selfSignedCertificate } from './pki';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';

export interface SamlUser {
  nameId: string;
  attributes: Record<string, string | string[]>;
}

export interface RegisteredSp {
  entityId: string;
  acsUrl: string;
}

export interface AuthnRequestSeen {
  id: string;
  issuer: string;
  acsUrl: string | null;
  relayState: string | null;
}

export interface ResponseOptions {
  sp: RegisteredSp;
  user: SamlUser;
  inResponseTo: string | null;
  /** Assertion validity is computed from this instant (defaults to now). */
  issuedAt?: Date;
  audience?: string;
  destination?: string | null;
  recipient?: string;
  /** 'assertion' (default): the assertion is signed; 'none': nothing is. */
  sign?: 'assertion' | 'none';
  /** Sign with this key pair instead of the IdP's (a forger's key). */
  signingKey?: { key: string; cert: string };
  issuer?: string;
}

/**
 * A SAML 2.0 identity provider for the tests: its own key pair and X.509 certificate (openssl),
 * metadata served over HTTP, SP metadata read from the portal's metadata URL, the HTTP-Redirect
 * AuthnRequest read from the browser's request, and assertions signed with xml-crypto.
 * Attack cases build responses with `buildResponse` options or rewrite signed XML.
 */
export class TestSamlIdp {
  readonly keys = selfSignedCertificate('test-saml-idp');
  readonly sps = new Map<string, RegisteredSp>();
  /** Who is "signed in at the IdP" when the browser arrives at /sso. */
  user: SamlUser = { nameId: 'alice', attributes: {} };
  lastRequest: AuthnRequestSeen | null = null;
  private server!: http.Server;
  base = '';
  entityId = '';

  static async start(): Promise<TestSamlIdp> {
    const idp = new TestSamlIdp();
    idp.server = http.createServer((req, res) => void idp.handle(req, res));
    await new Promise<void>((r) => idp.server.listen(0, '127.0.0.1', r));
    idp.base = `http://127.0.0.1:${(idp.server.address() as AddressInfo).port}`;
    idp.entityId = `${idp.base}/idp`;
    return idp;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  get metadataUrl(): string {
    return `${this.base}/metadata`;
  }

  metadataXml(cert = this.keys.cert): string {
    const b64 = cert.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="${MD}" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${esc(this.entityId)}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(this.base)}/sso"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${esc(this.base)}/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
  }

  /** Registers a service provider from its metadata URL, as an IdP admin does with "import SP metadata". */
  async registerServiceProvider(metadataUrl: string): Promise<RegisteredSp> {
    const res = await fetch(metadataUrl);
    if (!res.ok) throw new Error(`SP metadata ${metadataUrl}: ${res.status}`);
    const doc = new DOMParser().parseFromString(await res.text(), 'text/xml');
    const ed = doc.documentElement;
    const acs = ed.getElementsByTagNameNS(MD, 'AssertionConsumerService')[0];
    const spsso = ed.getElementsByTagNameNS(MD, 'SPSSODescriptor')[0];
    if (spsso.getAttribute('WantAssertionsSigned') !== 'true') throw new Error('SP metadata does not ask for signed assertions');
    const sp = { entityId: ed.getAttribute('entityID')!, acsUrl: acs.getAttribute('Location')! };
    this.sps.set(sp.entityId, sp);
    return sp;
  }

  /** Reads the AuthnRequest a browser carries to /sso (HTTP-Redirect binding: deflated, base64). */
  readAuthnRequest(location: URL): AuthnRequestSeen {
    const xml = inflateRawSync(Buffer.from(location.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
    const issuer = root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer')[0]?.textContent ?? '';
    return {
      id: root.getAttribute('ID')!,
      issuer,
      acsUrl: root.getAttribute('AssertionConsumerServiceURL'),
      relayState: location.searchParams.get('RelayState'),
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url!, this.base);
    if (url.pathname === '/metadata') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(this.metadataXml());
      return;
    }
    if (url.pathname === '/sso') {
      const request = this.readAuthnRequest(url);
      this.lastRequest = request;
      const sp = this.sps.get(request.issuer);
      if (!sp) {
        res.writeHead(400).end('unknown service provider');
        return;
      }
      // A real IdP answers at the ACS it registered from the SP's metadata, not wherever the request says.
      const samlResponse = this.buildResponse({ sp, user: this.user, inResponseTo: request.id });
      res.writeHead(200, { 'content-type': 'text/html' }).end(this.postForm(sp.acsUrl, samlResponse, request.relayState));
      return;
    }
    res.writeHead(404).end();
  }

  postForm(acsUrl: string, samlResponse: string, relayState: string | null): string {
    return `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${esc(acsUrl)}">
<input type="hidden" name="SAMLResponse" value="${esc(samlResponse)}"/>${relayState ? `<input type="hidden" name="RelayState" value="${esc(relayState)}"/>` : ''}
<noscript><button type="submit">Continue</button></noscript></form></body></html>`;
  }

  /** The response XML (not yet base64), its assertion signed unless told otherwise. */
  responseXml(o: ResponseOptions): string {
    const now = o.issuedAt ?? new Date();
    const iso = (ms: number) => new Date(now.getTime() + ms).toISOString();
    const issuer = esc(o.issuer ?? this.entityId);
    const irt = o.inResponseTo ? ` InResponseTo="${esc(o.inResponseTo)}"` : '';
    const destination = o.destination === null ? '' : ` Destination="${esc(o.destination ?? o.sp.acsUrl)}"`;
    const attrs = Object.entries(o.user.attributes)
      .map(
        ([name, v]) =>
          `<saml:Attribute Name="${esc(name)}">${(Array.isArray(v) ? v : [v]).map((x) => `<saml:AttributeValue>${esc(x)}</saml:AttributeValue>`).join('')}</saml:Attribute>`,
      )
      .join('');
    const assertionId = `_a${randomBytes(16).toString('hex')}`;
    const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${iso(0)}"${destination}${irt}><saml:Issuer>${issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="${assertionId}" Version="2.0" IssueInstant="${iso(0)}"><saml:Issuer>${issuer}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${esc(o.user.nameId)}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${irt} NotOnOrAfter="${iso(5 * 60_000)}" Recipient="${esc(o.recipient ?? o.sp.acsUrl)}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${iso(-60_000)}" NotOnOrAfter="${iso(5 * 60_000)}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience ?? o.sp.entityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${iso(0)}" SessionIndex="_s${randomBytes(8).toString('hex')}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>${attrs}</saml:AttributeStatement></saml:Assertion></samlp:Response>`;
    if (o.sign === 'none') return xml;
    return signAssertion(xml, o.signingKey ?? this.keys);
  }

  buildResponse(o: ResponseOptions): string {
    return Buffer.from(this.responseXml(o)).toString('base64');
  }
}

export function signAssertion(xml: string, keys: { key: string; cert: string }): string {
  const sig = new SignedXml({
    privateKey: keys.key,
    publicCert: keys.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, { location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' } });
  return sig.getSignedXml();
}
