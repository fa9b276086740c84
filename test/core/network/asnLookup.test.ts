import { describe, expect, it } from 'vitest';
import { AsnLookup } from '../../../src/core/network/asnLookup';
import { parseIp } from '../../../src/core/network/ip';

const lookup = AsnLookup.fromRanges([
  { cidr: '198.51.100.0/24', asn: 64500, organization: 'Fabrikam Hosting' },
  { cidr: '192.0.2.0/25', asn: 64496, organization: 'Contoso Networks' },
  { cidr: '192.0.2.128/25', asn: 64497, organization: 'Contoso "West", Ltd.' },
  { cidr: '203.0.113.7/32', asn: 64500, organization: 'Fabrikam Hosting' },
  { cidr: '2001:db8::/48', asn: 64511, organization: 'Contoso IPv6' },
  { cidr: '2001:db8:1::1', asn: 64510, organization: 'Fabrikam single host' },
]);

function find(address: string) {
  const ip = parseIp(address);
  if (ip === undefined) throw new Error(`test address ${address} does not parse`);
  return lookup.lookup(ip);
}

describe('AsnLookup.fromRanges', () => {
  it.each([
    ['198.51.100.0', 64500, 'Fabrikam Hosting'],
    ['198.51.100.255', 64500, 'Fabrikam Hosting'],
    ['192.0.2.127', 64496, 'Contoso Networks'],
    ['192.0.2.128', 64497, 'Contoso "West", Ltd.'],
    ['203.0.113.7', 64500, 'Fabrikam Hosting'],
    ['::ffff:198.51.100.9', 64500, 'Fabrikam Hosting'],
    ['2001:db8::', 64511, 'Contoso IPv6'],
    ['2001:db8:0:ffff:ffff:ffff:ffff:ffff', 64511, 'Contoso IPv6'],
    ['2001:db8:1::1', 64510, 'Fabrikam single host'],
  ])('%s -> AS%s %s', (address, asn, organization) => {
    expect(find(address)).toEqual({ asn, organization });
  });

  it.each(['198.51.99.255', '198.51.101.0', '203.0.113.6', '203.0.113.8', '192.0.1.255', '2001:db8:1::', '2001:db8:1::2', '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', '0.0.0.0', '255.255.255.255'])(
    '%s -> undefined',
    (address) => {
      expect(find(address)).toBeUndefined();
    },
  );

  it('returns the same result object for every address of one AS entry', () => {
    expect(find('198.51.100.1')).toBe(find('203.0.113.7'));
    expect(find('192.0.2.1')).not.toBe(find('192.0.2.200'));
  });

  it('finds nothing in an empty table', () => {
    const empty = AsnLookup.fromRanges([]);
    expect(empty.lookup(parseIp('192.0.2.1')!)).toBeUndefined();
    expect(empty.lookup(parseIp('2001:db8::1')!)).toBeUndefined();
  });

  it.each([
    [[{ cidr: '192.0.2.0/33', asn: 64496, organization: 'x' }], 'prefix length above 32'],
    [[{ cidr: '192.0.2.0/24', asn: -1, organization: 'x' }], 'not a 32-bit AS number'],
    [[{ cidr: '192.0.2.0/24', asn: 2 ** 32, organization: 'x' }], 'not a 32-bit AS number'],
    [
      [
        { cidr: '192.0.2.0/24', asn: 64496, organization: 'x' },
        { cidr: '192.0.2.128/25', asn: 64497, organization: 'y' },
      ],
      '192.0.2.0/24 and 192.0.2.128/25 overlap',
    ],
    [
      [
        { cidr: '2001:db8::/32', asn: 64496, organization: 'x' },
        { cidr: '2001:db8:1::/48', asn: 64497, organization: 'y' },
      ],
      '2001:db8::/32 and 2001:db8:1::/48 overlap',
    ],
  ])('rejects %j', (ranges, message) => {
    expect(() => AsnLookup.fromRanges(ranges)).toThrow(message);
  });
});
