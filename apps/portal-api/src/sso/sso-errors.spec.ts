import { entraFailure, oidcFailure, providerErrorFailure, samlFailure, sanitizeDetail, SSO_ERRORS, SsoSignInFailed } from './sso-errors';

describe('SSO error mapping', () => {
  it.each([
    ['InResponseTo is missing from response', 'unsolicited_response'],
    ['InResponseTo is not valid', 'flow_expired'],
    ['Invalid signature', 'signature_invalid'],
    ['Invalid signature: multiple assertions', 'signature_invalid'],
    ['SAML assertion audience mismatch. Expected: a Received: b', 'audience_mismatch'],
    ['SAML assertion expired: clocks skewed too much', 'response_expired'],
    ['SAML assertion not yet valid', 'response_expired'],
    ['No valid subject confirmation found among those available in the SAML assertion', 'response_expired'],
    ['something else entirely', 'invalid_response'],
  ])('maps node-saml "%s" to %s', (message, code) => {
    expect(samlFailure(new Error(message)).code).toBe(code);
  });

  it.each([
    ['state mismatch, expected a, got: b', 'state_mismatch'],
    ['nonce mismatch, expected a, got: b', 'nonce_mismatch'],
    ['unexpected JWT alg received, expected RS256, got: none', 'signature_invalid'],
    ['failed to validate JWT signature', 'signature_invalid'],
    ['JWT expired, now 2, exp 1', 'response_expired'],
    ['aud mismatch, expected x, got: y', 'audience_mismatch'],
    ['unexpected iss value, expected x, got: y', 'issuer_mismatch'],
    ['connect ECONNREFUSED 127.0.0.1:1', 'idp_unreachable'],
  ])('maps openid-client "%s" to %s', (message, code) => {
    expect(oidcFailure(new Error(message)).code).toBe(code);
  });

  it.each([
    ['consent_required', 'AADSTS65001: The user or administrator has not consented', 'consent_missing'],
    ['invalid_grant', 'AADSTS65001: consent', 'consent_missing'],
    ['invalid_request', 'AADSTS50011: The redirect URI specified in the request does not match', 'provider_misconfigured'],
    ['invalid_client', 'AADSTS7000215: Invalid client secret provided.', 'provider_misconfigured'],
    ['invalid_client', 'AADSTS7000222: The provided client secret keys are expired.', 'provider_misconfigured'],
    ['access_denied', 'AADSTS50105: user not assigned to a role for the application', 'idp_error'],
    ['access_denied', 'the user cancelled', 'idp_error'],
    ['invalid_grant', 'code expired', 'flow_expired'],
  ])('maps the provider error %s (%s) to %s', (error, description, code) => {
    const f = providerErrorFailure(error, description);
    expect(f.code).toBe(code);
  });

  it('keeps the AADSTS code in the details for the audit trail', () => {
    expect(providerErrorFailure('consent_required', 'AADSTS65001: x').extra).toEqual({ providerError: 'consent_required', aadsts: '65001' });
  });

  it('maps msal ServerErrors and jose errors for Entra', () => {
    expect(
      entraFailure(
        Object.assign(new Error('x'), { name: 'ServerError', errorCode: 'invalid_grant', errorMessage: 'AADSTS65001: consent', subError: 'consent_required' }),
      ).code,
    ).toBe('consent_missing');
    expect(entraFailure(Object.assign(new Error('expired'), { code: 'ERR_JWT_EXPIRED' })).code).toBe('response_expired');
    expect(entraFailure(Object.assign(new Error('aud'), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' })).code).toBe('audience_mismatch');
    expect(entraFailure(Object.assign(new Error('alg'), { code: 'ERR_JOSE_ALG_NOT_ALLOWED' })).code).toBe('signature_invalid');
    expect(entraFailure(Object.assign(new Error('nonce'), { errorCode: 'nonce_mismatch' })).code).toBe('nonce_mismatch');
  });

  it('keeps typed failures as they are', () => {
    const f = new SsoSignInFailed('wrong_directory', 'x');
    expect(oidcFailure(f)).toBe(f);
    expect(entraFailure(f)).toBe(f);
    expect(samlFailure(f)).toBe(f);
  });

  it('never carries a token in the detail', () => {
    const jwt = `eyJhbGciOiJSUzI1NiJ9.${'a'.repeat(60)}.${'b'.repeat(80)}`;
    expect(sanitizeDetail(`bad token ${jwt} here`)).toBe('bad token […] here');
    expect(sanitizeDetail('x'.repeat(1000)).length).toBeLessThanOrEqual(300);
  });

  it('says, for every code, what failed and what the admin can do', () => {
    for (const info of Object.values(SSO_ERRORS)) {
      expect(info.title.length).toBeGreaterThan(10);
      expect(info.message.length).toBeGreaterThan(20);
      expect(info.adminAction.length).toBeGreaterThan(20);
    }
    expect(SSO_ERRORS.consent_missing.adminAction).toContain('Azure → Enterprise Applications → User Settings');
  });
});
