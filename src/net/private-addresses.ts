/**
 * Which IP addresses are not the public internet: loopback, private, link-local (where cloud
 * metadata services answer), unspecified, shared, multicast and reserved ranges, in IPv4 and IPv6,
 * including IPv4 addresses carried inside IPv6 ones (`::ffff:127.0.0.1`, NAT64, 6to4).
 */

import net from 'node:net';

/** [first address, prefix length, what the range is], IPv4. */
const V4_RANGES: readonly (readonly [string, number, string])[] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared (carrier-grade NAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const v4Number = (ip: string): number => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);

function v4Kind(ip: string): string | undefined {
  const n = v4Number(ip);
  for (const [first, bits, kind] of V4_RANGES) {
    const size = 2 ** (32 - bits);
    const start = v4Number(first);
    if (n >= start && n < start + size) return kind;
  }
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part included). */
function v6Groups(ip: string): number[] {
  let text = ip.replace(/%.*$/, '').toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = v4Number(dotted[1]!);
    text = text.slice(0, dotted.index) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (s: string | undefined): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  return tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const v4Of = (hi: number, lo: number): string => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

function v6Kind(ip: string): string | undefined {
  const g = v6Groups(ip);
  const zeroUpTo = (n: number): boolean => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && g[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): the IPv4 address decides.
  if (zeroUpTo(5) && (g[5] === 0xffff || g[5] === 0)) return v4Kind(v4Of(g[6]!, g[7]!));
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address too.
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4Kind(v4Of(g[6]!, g[7]!));
  if (g[0] === 0x2002) return v4Kind(v4Of(g[1]!, g[2]!));
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return 'private (unique local)';
  if ((first & 0xffc0) === 0xfe80) return 'link-local';
  if ((first & 0xffc0) === 0xfec0) return 'site-local';
  if ((first & 0xff00) === 0xff00) return 'multicast';
  return undefined;
}

/** What kind of non-public address `ip` is (`loopback`, `private`, `link-local`...), or undefined for a public one or a non-IP. */
export function privateAddressKind(ip: string): string | undefined {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  switch (net.isIP(bare.replace(/%.*$/, ''))) {
    case 4:
      return v4Kind(bare);
    case 6:
      return v6Kind(bare);
    default:
      return undefined;
  }
}
