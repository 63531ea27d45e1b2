import { ipv6Groups, isPrivateAddress } from './sso-http';

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

  // The IPv6 forms that carry an IPv4 address (hardening issue, item 4): each reaches the embedded address.
  it.each([
    ['::/96, IPv4-compatible loopback', '::127.0.0.1'],
    ['::/96, hex form', '::7f00:1'],
    ['::/96, IPv4-compatible public (deprecated form, refused whole)', '::8.8.8.8'],
    ['IPv4-mapped, hex form (what URL parsing yields)', '::ffff:7f00:1'],
    ['IPv4-mapped metadata address', '::ffff:a9fe:a9fe'],
    ['IPv4-translated', '::ffff:0:10.0.0.1'],
    ['NAT64 to loopback', '64:ff9b::127.0.0.1'],
    ['NAT64 to the cloud metadata service', '64:ff9b::a9fe:a9fe'],
    ['NAT64 to 10/8', '64:ff9b::a00:1'],
    ['local-use NAT64', '64:ff9b:1::8.8.8.8'],
    ['6to4 of loopback', '2002:7f00:1::1'],
    ['6to4 of 192.168/16', '2002:c0a8:101::'],
    ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['site-local', 'fec0::1'],
    ['documentation', '2001:db8::1'],
    ['with a zone id', 'fe80::1%eth0'],
  ])('refuses %s (%s)', (_name, a) => {
    expect(isPrivateAddress(a)).toBe(true);
  });

  it.each(['64:ff9b::808:808', '2002:808:808::1', '::ffff:8.8.8.8', '2001:4860:4860::8888'])('allows %s, which maps to a public address', (a) => {
    expect(isPrivateAddress(a)).toBe(false);
  });

  it('expands IPv6 addresses, dotted tails included', () => {
    expect(ipv6Groups('64:ff9b::127.0.0.1')).toEqual([0x64, 0xff9b, 0, 0, 0, 0, 0x7f00, 1]);
    expect(ipv6Groups('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups('not an address')).toBeNull();
  });
});
