import { BlockList, isIP } from 'node:net';

/** Loopback, private, link-local and other non-public ranges: an admin-typed URL must not reach them (SSRF). */
const PRIVATE_V4 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE_V4.addSubnet(net, bits, 'ipv4');
}
/** IPv6 ranges refused whole: unique-local, link-local, site-local, multicast, discard, documentation, Teredo, local-use NAT64. */
const PRIVATE_V6 = new BlockList();
for (const [net, bits] of [
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['100::', 64],
  ['2001:db8::', 32],
  ['2001::', 32],
  ['64:ff9b:1::', 48],
] as const) {
  PRIVATE_V6.addSubnet(net, bits, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a dotted IPv4 tail converted, zone dropped); null if it is not one. */
export function ipv6Groups(address: string): number[] | null {
  let a = address.split('%')[0].toLowerCase();
  if (isIP(a) !== 6) return null;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (dotted) {
    const [b0, b1, b2, b3] = dotted.slice(1).map(Number);
    a = `${a.slice(0, dotted.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = a.includes('::') ? a.split('::') : [a, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(tail === null ? 0 : 8 - h.length - t.length).fill('0'), ...t].map((x) => parseInt(x, 16));
  return groups.length === 8 && groups.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff) ? groups : null;
}

const embeddedV4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * True for addresses the portal must not call: private, loopback, link-local and reserved IPv4, their IPv6
 * equivalents, and every IPv6 form that carries an IPv4 address — IPv4-mapped (`::ffff:0:0/96`), IPv4-translated
 * (`::ffff:0:0:0/96`), NAT64 (`64:ff9b::/96`) and 6to4 (`2002::/16`) when the embedded address is private, and
 * `::/96` (unspecified, loopback, deprecated IPv4-compatible) always.
 */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address.split('%')[0]);
  if (family === 4) return PRIVATE_V4.check(address, 'ipv4');
  if (family !== 6) return false;
  const g = ipv6Groups(address);
  if (!g) return true;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 6)) return true; // ::/96
  if (zeros(0, 5) && g[5] === 0xffff) return PRIVATE_V4.check(embeddedV4(g[6], g[7]), 'ipv4'); // ::ffff:a.b.c.d
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return PRIVATE_V4.check(embeddedV4(g[6], g[7]), 'ipv4'); // ::ffff:0:a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return PRIVATE_V4.check(embeddedV4(g[6], g[7]), 'ipv4'); // NAT64
  if (g[0] === 0x2002) return PRIVATE_V4.check(embeddedV4(g[1], g[2]), 'ipv4'); // 6to4
  return PRIVATE_V6.check(g.map((x) => x.toString(16)).join(':'), 'ipv6');
}
