import { describe, expect, it } from 'vitest';
import { privateAddressKind } from '../../src/net/private-addresses.js';

describe('which addresses are not the public internet', () => {
  it('names loopback, private, link-local, unspecified and the other special ranges, IPv4 and IPv6', () => {
    const cases: [string, string | undefined][] = [
      ['127.0.0.1', 'loopback'],
      ['127.255.1.2', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['172.32.0.1', undefined],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'link-local'],
      ['0.0.0.0', 'unspecified'],
      ['100.64.0.1', 'shared (carrier-grade NAT)'],
      ['224.0.0.1', 'multicast'],
      ['255.255.255.255', 'reserved'],
      ['8.8.8.8', undefined],
      ['93.184.216.34', undefined],
      ['::1', 'loopback'],
      ['::', 'unspecified'],
      ['0:0:0:0:0:0:0:1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['::ffff:10.0.0.1', 'private'],
      ['::ffff:8.8.8.8', undefined],
      ['::127.0.0.1', 'loopback'],
      ['64:ff9b::a9fe:a9fe', 'link-local'],
      ['2002:7f00:1::', 'loopback'],
      ['fe80::1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['fd12:3456::1', 'private (unique local)'],
      ['fc00::1', 'private (unique local)'],
      ['ff02::1', 'multicast'],
      ['[::1]', 'loopback'],
      ['2606:4700:4700::1111', undefined],
      ['localhost', undefined],
      ['example.com', undefined],
    ];
    for (const [ip, kind] of cases) expect(privateAddressKind(ip), ip).toBe(kind);
  });
});
