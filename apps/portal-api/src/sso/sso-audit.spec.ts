import { clientKey, isAuditedOccurrence } from './sso-abuse';
import { auditIdpId, cleanText, failureDetails } from './sso-audit';
import { SsoSignInFailed } from './sso-errors';
import { legacySubject, ssoSubject } from './sso-subject';

describe('what a refused sign-in may write to the audit trail', () => {
  it('turns control, format and separator characters into spaces and caps the length', () => {
    expect(cleanText('a\u0000b\u001b[31mc\u0007 \u202eevil\u200b\u2028end', 100)).toBe('a b [31mc evil end');
    expect(cleanText('x'.repeat(500), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(cleanText('😀'.repeat(5), 3)).toBe('😀😀…'); // never a lone surrogate
    expect(cleanText(42, 10)).toBeNull();
  });

  it('keeps only the known extra details, each in its shape', () => {
    const f = new SsoSignInFailed('idp_error', `bad ${'d'.repeat(400)}`, {
      providerError: 'access_denied\u0000<script>',
      aadsts: '65001; drop',
      values: Array.from({ length: 50 }, (_, i) => `group-${i}-${'v'.repeat(100)}`),
      anything: 'else',
    });
    const d = failureDetails(f);
    expect(Object.keys(d).sort()).toEqual(['aadsts', 'code', 'providerError', 'reason', 'values']);
    expect(d.providerError).toBe('unrecognised');
    expect(d.aadsts).toBeNull();
    expect((d.values as string[]).length).toBe(20);
    expect((d.values as string[]).every((v) => v.length <= 64)).toBe(true);
    expect((d.reason as string).length).toBeLessThanOrEqual(200);
  });

  it('names a provider segment only when it is a short safe token', () => {
    expect(auditIdpId('claresia')).toBe('claresia');
    expect(auditIdpId('a'.repeat(65))).toBeNull();
    expect(auditIdpId('<script>')).toBeNull();
  });

  it('records the 1st, 10th, 100th… refusal of a window', () => {
    expect([1, 2, 9, 10, 11, 99, 100, 101, 1000, 10000].filter(isAuditedOccurrence)).toEqual([1, 10, 100, 1000, 10000]);
  });

  it('rate-limits IPv4 addresses one by one and IPv6 per /64', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:db8:1:2:ffff::9'));
    expect(clientKey('2001:db8:1:2::1')).not.toBe(clientKey('2001:db8:1:3::1'));
    expect(clientKey(undefined)).toBe('unknown');
  });
});

describe('SSO subjects', () => {
  const saml = {
    kind: 'saml' as const,
    saml: { idpEntityId: 'entra:dir-1', ssoUrl: '', certificates: [], metadataUrl: null, emailAttribute: null, nameAttribute: null },
  };
  const oidc = { kind: 'oidc' as const, oidc: { issuer: 'entra:dir-1', clientId: 'c', scopes: [] } };
  const entra = {
    kind: 'entra' as const,
    entra: {
      directoryId: 'dir-1',
      clientId: 'c',
      cloudInstance: 'https://login.microsoftonline.com',
      credential: 'secret' as const,
      certificatePem: null,
      certificateThumbprintSha256: null,
    },
  };

  it('puts each protocol in its own namespace, with its trust anchor', () => {
    const subjects = [ssoSubject(saml, 'oid-1'), ssoSubject(oidc, 'oid-1'), ssoSubject(entra, 'oid-1')];
    expect(subjects).toEqual(['saml:entra:dir-1|oid-1', 'oidc:entra:dir-1|oid-1', 'entra:login.microsoftonline.com/dir-1|oid-1']);
    expect(new Set(subjects).size).toBe(3);
    expect(ssoSubject({ ...entra, entra: { ...entra.entra, cloudInstance: 'https://login.evil.example' } }, 'oid-1')).not.toBe(subjects[2]);
  });

  it('knows the subject a provider wrote before namespacing (staff adoption)', () => {
    expect(legacySubject(saml, 'saml:entra:dir-1|oid-1')).toBe('entra:dir-1|oid-1');
    expect(legacySubject(entra, 'entra:login.microsoftonline.com/dir-1|oid-1')).toBe('entra:dir-1|oid-1');
    expect(legacySubject(oidc, 'saml:entra:dir-1|oid-1')).toBeNull();
  });
});
