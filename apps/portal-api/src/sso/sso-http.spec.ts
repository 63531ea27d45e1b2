import { isPrivateAddress } from './sso-http';

describe('SSRF guard for identity-provider URLs', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fd00::1',
    'fe80::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
  ])('refuses %s', (a) => {
    expect(isPrivateAddress(a)).toBe(true);
  });
  it.each(['20.190.128.1', '8.8.8.8', '172.32.0.1', '2606:4700::1111'])('allows the public address %s', (a) => {
    expect(isPrivateAddress(a)).toBe(false);
  });
});
