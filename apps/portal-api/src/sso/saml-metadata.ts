import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  certificates: string[];
}

export class SamlMetadataInvalid extends Error {}

/** A certificate as PEM, from PEM or bare base64 DER; throws when it is not an X.509 certificate. */
export function normalizeCertificate(input: string): string {
  const body = input.replace(/-----BEGIN CERTIFICATE-----|-----END CERTIFICATE-----/g, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(body) || body.length < 100) throw new SamlMetadataInvalid('is not a PEM or base64 X.509 certificate');
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  try {
    new X509Certificate(pem);
  } catch {
    throw new SamlMetadataInvalid('is not a valid X.509 certificate');
  }
  return pem;
}

export function describeCertificate(pem: string): { subject: string; notAfter: string; fingerprintSha256: string } {
  const c = new X509Certificate(pem);
  return { subject: c.subject.replace(/\n/g, ', '), notAfter: new Date(c.validTo).toISOString(), fingerprintSha256: c.fingerprint256 };
}

function parseXml(xml: string) {
  const errors: string[] = [];
  const push = (m: string) => void errors.push(m);
  const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: push, fatalError: push } }).parseFromString(xml, 'text/xml');
  return { doc, errors };
}

const children = (el: Element, ns: string, name: string): Element[] => {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === name) out.push(n as Element);
  }
  return out;
};

/**
 * Reads what the portal needs from an IdP's SAML 2.0 metadata: entity ID, the HTTP-Redirect
 * SingleSignOnService, and the signing certificates. Metadata signatures are not relied upon:
 * the admin supplies the metadata over an authenticated session (or from an https URL).
 */
export function parseIdpMetadata(xml: string): IdpMetadata {
  const dtd = refusedMarkup(xml);
  if (dtd) throw new SamlMetadataInvalid(`carries ${dtd}, which SAML metadata never needs`);
  const { doc, errors } = parseXml(xml);
  const root = doc?.documentElement;
  if (!root || errors.length) throw new SamlMetadataInvalid('is not well-formed XML');
  let entities: Element[];
  if (root.namespaceURI === MD && root.localName === 'EntityDescriptor') entities = [root];
  else if (root.namespaceURI === MD && root.localName === 'EntitiesDescriptor') entities = children(root, MD, 'EntityDescriptor');
  else throw new SamlMetadataInvalid('is not SAML 2.0 metadata (no md:EntityDescriptor)');
  const idps = entities.filter((e) => children(e, MD, 'IDPSSODescriptor').length > 0);
  if (idps.length === 0) throw new SamlMetadataInvalid('describes no identity provider (no IDPSSODescriptor)');
  if (idps.length > 1) throw new SamlMetadataInvalid(`describes ${idps.length} identity providers; use the metadata of the one for this tenant`);
  const entity = idps[0];
  const entityId = entity.getAttribute('entityID')?.trim();
  if (!entityId) throw new SamlMetadataInvalid('has no entityID');
  const idp = children(entity, MD, 'IDPSSODescriptor')[0];
  if (idp.getAttribute('WantAuthnRequestsSigned') === 'true') {
    throw new SamlMetadataInvalid(
      'requires signed AuthnRequests (WantAuthnRequestsSigned="true"), which the portal does not send; turn that requirement off for the portal application',
    );
  }
  const sso = children(idp, MD, 'SingleSignOnService').find((s) => s.getAttribute('Binding') === REDIRECT);
  const ssoUrl = sso?.getAttribute('Location')?.trim();
  if (!ssoUrl) throw new SamlMetadataInvalid('offers no HTTP-Redirect SingleSignOnService');
  const certificates: string[] = [];
  for (const kd of children(idp, MD, 'KeyDescriptor')) {
    const use = kd.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const ki of children(kd, DS, 'KeyInfo')) {
      for (const x5 of children(ki, DS, 'X509Data')) {
        for (const c of children(x5, DS, 'X509Certificate')) {
          const pem = normalizeCertificate(c.textContent ?? '');
          if (!certificates.includes(pem)) certificates.push(pem);
        }
      }
    }
  }
  if (certificates.length === 0) throw new SamlMetadataInvalid('has no signing certificate (KeyDescriptor with X509Certificate)');
  return { entityId, ssoUrl, certificates };
}

/**
 * What no SAML document (message or metadata) may carry, named, or null: a document type declaration of any kind
 * (internal subsets declare entities; even an empty DOCTYPE is refused, so the parser never meets one), or a NUL.
 */
export function refusedMarkup(xml: string): string | null {
  if (/<!DOCTYPE/i.test(xml)) return 'a DOCTYPE';
  if (/<!ENTITY/i.test(xml)) return 'an ENTITY declaration';
  if (xml.includes('\u0000')) return 'a NUL character';
  return null;
}

/** The Destination of a SAML response (root element), read before any signature check to name a wrong ACS precisely. */
export function responseDestination(xml: string): { isResponse: boolean; destination: string | null } {
  if (refusedMarkup(xml)) return { isResponse: false, destination: null };
  const { doc, errors } = parseXml(xml);
  const root = doc?.documentElement;
  if (!root || errors.length) return { isResponse: false, destination: null };
  return { isResponse: root.localName === 'Response', destination: root.getAttribute('Destination') || null };
}
