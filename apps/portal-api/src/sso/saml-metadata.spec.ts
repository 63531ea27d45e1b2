import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { normalizeCertificate, parseIdpMetadata, refusedMarkup, responseDestination, SamlMetadataInvalid } from './saml-metadata';

describe('IdP metadata', () => {
  let certB64: string;
  beforeAll(() => {
    // A throwaway self-signed certificate made at run time, so the spec carries no fixture that could expire.
    const pem = execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=metadata-spec', '-days', '1'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    certB64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  });

  const metadata = (over: { sso?: string; cert?: string; use?: string; want?: string; extra?: string } = {}) => `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.acme.example/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"${over.want ?? ''}>
    <md:KeyDescriptor use="${over.use ?? 'signing'}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${over.cert ?? certB64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    ${over.sso ?? '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.acme.example/sso"/>'}
  </md:IDPSSODescriptor>${over.extra ?? ''}
</md:EntityDescriptor>`;

  it('reads the entity ID, the redirect SSO URL and the signing certificate', () => {
    const m = parseIdpMetadata(metadata());
    expect(m.entityId).toBe('https://idp.acme.example/saml');
    expect(m.ssoUrl).toBe('https://idp.acme.example/sso');
    expect(m.certificates).toHaveLength(1);
    expect(new X509Certificate(m.certificates[0]).subject).toContain('metadata-spec');
  });

  it.each([
    ['not XML at all', 'nope <', /well-formed|SAML 2.0 metadata/],
    ['another document', '<html/>', /not SAML 2.0 metadata/],
    [
      'no redirect binding',
      metadataWith({ sso: '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://x/sso"/>' }),
      /no HTTP-Redirect/,
    ],
    ['only an encryption key', metadataWith({ use: 'encryption' }), /no signing certificate/],
    ['a broken certificate', metadataWith({ cert: 'AAAA'.repeat(40) }), /certificate/],
    ['signed requests required', metadataWith({ want: ' WantAuthnRequestsSigned="true"' }), /signed AuthnRequests/],
  ])('refuses %s', (_name, xml, message) => {
    expect(() => parseIdpMetadata(typeof xml === 'function' ? xml() : xml)).toThrow(SamlMetadataInvalid);
    expect(() => parseIdpMetadata(typeof xml === 'function' ? xml() : xml)).toThrow(message);
  });

  function metadataWith(over: Parameters<typeof metadata>[0]) {
    return () => metadata(over);
  }

  it('normalizes a bare base64 certificate to PEM', () => {
    expect(normalizeCertificate(certB64)).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    expect(() => normalizeCertificate('hello')).toThrow(SamlMetadataInvalid);
  });

  it("reads a response's Destination without trusting it", () => {
    expect(responseDestination('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" Destination="https://p/acs"/>')).toEqual({
      isResponse: true,
      destination: 'https://p/acs',
    });
    expect(responseDestination('<x/>')).toEqual({ isResponse: false, destination: null });
  });
});

describe('DOCTYPE in SAML documents', () => {
  it.each([
    ['an empty DOCTYPE', '<!DOCTYPE samlp:Response><samlp:Response/>', 'a DOCTYPE'],
    ['a lower-case doctype', '<!doctype x><x/>', 'a DOCTYPE'],
    ['an internal subset', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>', 'a DOCTYPE'],
    ['a NUL', '<r>\u0000</r>', 'a NUL character'],
  ])('refuses %s', (_name, xml, what) => {
    expect(refusedMarkup(xml)).toBe(what);
    expect(responseDestination(xml)).toEqual({ isResponse: false, destination: null });
    expect(() => parseIdpMetadata(xml)).toThrow(SamlMetadataInvalid);
  });
  it('lets an ordinary document through', () => {
    expect(refusedMarkup('<?xml version="1.0"?><samlp:Response Destination="https://x"/>')).toBeNull();
  });
});
