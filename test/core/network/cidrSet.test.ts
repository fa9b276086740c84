import { describe, expect, it } from 'vitest';
import { CidrSet, InvalidCidrError } from '../../../src/core/network/cidrSet';
import { parseIp } from '../../../src/core/network/ip';

describe('CidrSet.contains', () => {
  const set = CidrSet.from(['192.0.2.0/25', '198.51.100.7/32', '2001:db8:10::/48', '2001:db8:ffff::1']);

  it.each([
    ['192.0.2.0', true],
    ['192.0.2.127', true],
    ['192.0.2.128', false],
    ['192.0.1.255', false],
    ['198.51.100.7', true],
    ['198.51.100.6', false],
    ['198.51.100.8', false],
    ['::ffff:192.0.2.5', true],
    ['192.0.2.5:443', true],
    ['2001:db8:10::', true],
    ['2001:db8:10:ffff:ffff:ffff:ffff:ffff', true],
    ['2001:db8:11::', false],
    ['2001:db8:f:ffff:ffff:ffff:ffff:ffff', false],
    ['[2001:db8:10::abcd]:443', true],
    ['2001:db8:ffff::1', true],
    ['2001:db8:ffff::2', false],
    ['2001:db8:ffff::', false],
    ['203.0.113.1', false],
    ['::', false],
    ['not an ip', false],
    ['', false],
  ])('%j -> %s', (address, expected) => {
    expect(set.contains(address)).toBe(expected);
    const parsed = parseIp(address);
    if (parsed !== undefined) expect(set.contains(parsed)).toBe(expected);
  });

  it('keeps IPv4 and IPv6 apart: 0.0.0.0/0 holds no IPv6 address, ::/0 no IPv4 address', () => {
    expect(CidrSet.from(['0.0.0.0/0']).contains('2001:db8::1')).toBe(false);
    expect(CidrSet.from(['::/0']).contains('192.0.2.1')).toBe(false);
    expect(CidrSet.from(['0.0.0.0/0']).contains('255.255.255.255')).toBe(true);
    expect(CidrSet.from(['::/0']).contains('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
  });

  it('is empty when built from nothing', () => {
    expect(CidrSet.from([]).isEmpty).toBe(true);
    expect(CidrSet.EMPTY.contains('192.0.2.1')).toBe(false);
  });
});

describe('CidrSet merging', () => {
  it('joins adjacent and overlapping blocks into disjoint ranges, whatever their order', () => {
    const set = CidrSet.from([
      '192.0.2.128/25',
      '192.0.2.0/25', // adjacent: with the one above, 192.0.2.0/24
      '192.0.2.64/26', // inside it
      '198.51.100.0/24',
      '198.51.100.0/24', // duplicate
      '203.0.113.0/24', // apart: its own range
      '2001:db8:1::/48',
      '2001:db8::/32', // covers the /48
      '2001:db9::/32', // adjacent to 2001:db8::/32
      '2001:dba::1',
    ]);
    expect(set.ipv4RangeCount).toBe(3);
    expect(set.ipv6RangeCount).toBe(2);
    expect(set.contains('192.0.2.200')).toBe(true);
    expect(set.contains('198.51.100.255')).toBe(true);
    expect(set.contains('2001:db9:ffff::1')).toBe(true);
    expect(set.contains('2001:dba::')).toBe(false);
    expect(set.contains('2001:dba::1')).toBe(true);
  });

  it('joins ranges whose IPv6 bounds differ only in the low word', () => {
    const set = CidrSet.from(['2001:db8::/127', '2001:db8::2/127']);
    expect(set.ipv6RangeCount).toBe(1);
    expect(set.contains('2001:db8::3')).toBe(true);
    expect(set.contains('2001:db8::4')).toBe(false);
  });
});

describe('CidrSet.from with bad entries', () => {
  it('throws one InvalidCidrError naming every bad entry', () => {
    let error: unknown;
    try {
      CidrSet.from(['192.0.2.0/24', 'contoso.com', '203.0.113.9/24']);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidCidrError);
    expect((error as InvalidCidrError).reasons).toHaveLength(2);
    expect((error as InvalidCidrError).message).toMatch(/"contoso\.com".*"203\.0\.113\.9\/24"/);
  });
});
