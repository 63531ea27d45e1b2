import { redactText } from './index';

const jwt = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUifQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';

describe('redactText (free-text secret scan)', () => {
  it.each<[string, string, string, string]>([
    ['JWT', `the token was ${jwt} yesterday`, 'jwt', 'the token was [REDACTED:jwt] yesterday'],
    [
      'bearer',
      'curl -H "Authorization: Bearer sk9f8e7d6c5b4a" https://x',
      'authorization-header',
      'curl -H "Authorization: Bearer [REDACTED:authorization-header]" https://x',
    ],
    ['bare bearer', 'use bearer 9f8e7d6c5b4a3f2e please', 'bearer', 'use bearer [REDACTED:bearer] please'],
    ['basic', 'sent Basic dXNlcjpodW50ZXIy to the API', 'basic-auth', 'sent Basic [REDACTED:basic-auth] to the API'],
    ['AWS key', 'key id AKIAIOSFODNN7EXAMPLE leaked', 'aws-access-key', 'key id [REDACTED:aws-access-key] leaked'],
    ['password=', 'login with user=jane password=hunter2 failed', 'param:password', 'login with user=jane password=[REDACTED:param:password] failed'],
    ['password: "..."', 'config {"password": "hunter2", "user": "jane"}', 'param:password', 'config {"password": "[REDACTED:param:password]", "user": "jane"}'],
    [
      'client_secret in URL',
      'POST https://idp.example/token?client_id=abc&client_secret=s3cr3t!',
      'param:client_secret',
      'POST https://idp.example/token?client_id=abc&client_secret=[REDACTED:param:client_secret]',
    ],
    ['cookie header', 'Cookie: sid=abc123; theme=dark', 'cookie', 'Cookie: [REDACTED:cookie]'],
    ['api key after key=', 'MAPS_KEY=AIzaSyA1234567890abcdefghijklmnopqrstuv', 'api-key', 'MAPS_KEY=[REDACTED:api-key]'],
    ['GitHub token', 'token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB here', 'api-key', 'token [REDACTED:api-key] here'],
  ])('%s', (_name, input, rule, expected) => {
    const r = redactText(input);
    expect(r.text).toBe(expected);
    expect(r.findings.map((f) => f.rule)).toContain(rule);
  });

  it('private keys, with and without the END line', () => {
    const pk = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nabc\n-----END PRIVATE KEY-----';
    expect(redactText(`here:\n${pk}\nthanks`).text).toBe('here:\n[REDACTED:private-key]\nthanks');
    expect(redactText('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk').text).toBe('[REDACTED:private-key]');
  });

  it('SAML, raw XML and base64', () => {
    const xml =
      '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:Assertion><saml:NameID>jane</saml:NameID></saml:Assertion></samlp:Response>';
    expect(redactText(`got ${xml} back`).text).toBe('got [REDACTED:saml] back');
    const b64 = Buffer.from(`<?xml version="1.0"?>${xml}`).toString('base64');
    expect(redactText(`SAML: ${b64}`).text).toBe('SAML: [REDACTED:saml]');
  });

  it('counts findings', () => {
    const r = redactText(`a ${jwt} b ${jwt} password=x1 AKIAIOSFODNN7EXAMPLE`);
    expect(r.findings).toEqual([
      { rule: 'jwt', count: 2 },
      { rule: 'aws-access-key', count: 1 },
      { rule: 'param:password', count: 1 },
    ]);
  });

  it('leaves ordinary incident text alone', () => {
    const text =
      'Since 09:15 CET users in tenant acme get HTTP 503 from https://hub.example/api/records?page=2. ' +
      'Error code AADSTS50011, request id 7f1c2d3e-aaaa-bbbb-cccc-1234567890ab. Basic information: bearer authentication fails.';
    expect(redactText(text)).toEqual({ text, findings: [] });
  });
});

describe('redactText: XML and hostile input', () => {
  it('XML/SOAP elements with sensitive names', () => {
    expect(redactText('<login><user>jane</user><password>hunter2</password></login>').text).toBe(
      '<login><user>jane</user><password>[REDACTED:param:password]</password></login>',
    );
    expect(redactText('<p>see <code>npm ci</code> docs</p>').text).toBe('<p>see <code>npm ci</code> docs</p>');
  });

  it.each([
    ['many unterminated SAML tags', `urn:oasis:names:tc:SAML ${'<Response>'.repeat(50_000)}`],
    ['long sensitive-looking word', `${'token'.repeat(100_000)}=x`],
    ['repeated unterminated quoted values', 'password="'.repeat(50_000)],
    ['many unterminated inputs', '<input name=password '.repeat(30_000)],
    ['long base64 run', 'A'.repeat(2_000_000)],
    ['many bearer words', 'Bearer '.repeat(100_000)],
    ['private key headers', '-----BEGIN PRIVATE KEY-----'.repeat(20_000)],
    ['many xml opens', '<password a="1">'.repeat(40_000)],
  ])('stays fast on %s', (_name, input) => {
    const t0 = Date.now();
    redactText(input);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
