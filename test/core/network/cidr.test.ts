import { describe, expect, it } from 'vitest';
import { parseCidr, parseCidrs } from '../../../src/core/network/cidr';

describe('parseCidr: accepted blocks', () => {
  it.each([
    ['203.0.113.0/24', 4, '203.0.113.0/24', 24, 0xcb00_7100, 0xcb00_71ff],
    ['0.0.0.0/0', 4, '0.0.0.0/0', 0, 0, 0xffff_ffff],
    ['198.51.100.20/32', 4, '198.51.100.20/32', 32, 0xc633_6414, 0xc633_6414],
    ['198.51.100.20', 4, '198.51.100.20/32', 32, 0xc633_6414, 0xc633_6414],
    ['128.0.0.0/1', 4, '128.0.0.0/1', 1, 0x8000_0000, 0xffff_ffff],
    [' 192.0.2.128/25 ', 4, '192.0.2.128/25', 25, 0xc000_0280, 0xc000_02ff],
    // IPv4-mapped blocks of length >= 96 are the IPv4 block they carry.
    ['::ffff:203.0.113.0/120', 4, '203.0.113.0/24', 24, 0xcb00_7100, 0xcb00_71ff],
    ['::ffff:203.0.113.7', 4, '203.0.113.7/32', 32, 0xcb00_7107, 0xcb00_7107],
  ])('%j', (input, version, text, prefixLength, first, last) => {
    expect(parseCidr(input)).toEqual({ ok: true, value: { version, text, prefixLength, first, last } });
  });

  it.each([
    ['2001:db8::/32', '2001:db8::/32', 32, 0x2001_0db8n << 96n, (0x2001_0db8n << 96n) | ((1n << 96n) - 1n)],
    ['2001:DB8:0:0::/64', '2001:db8::/64', 64, 0x2001_0db8n << 96n, (0x2001_0db8n << 96n) | ((1n << 64n) - 1n)],
    ['::/0', '::/0', 0, 0n, (1n << 128n) - 1n],
    ['2001:db8::1', '2001:db8::1/128', 128, (0x2001_0db8n << 96n) | 1n, (0x2001_0db8n << 96n) | 1n],
    ['fe80::/10', 'fe80::/10', 10, 0xfe80n << 112n, (0xfe80n << 112n) | ((1n << 118n) - 1n)],
    // A mapped block shorter than /96 also covers non-mapped space, so it stays IPv6.
    ['::/80', '::/80', 80, 0n, (1n << 48n) - 1n],
  ])('%j', (input, text, prefixLength, first, last) => {
    expect(parseCidr(input)).toEqual({ ok: true, value: { version: 6, text, prefixLength, first, last } });
  });
});

describe('parseCidr: rejected with a reason', () => {
  it.each([
    ['', 'not start with a valid IPv4'],
    ['contoso', 'not start with a valid IPv4'],
    ['203.0.113.0/', 'no valid prefix length'],
    ['203.0.113.0/024', 'no valid prefix length'],
    ['203.0.113.0/-1', 'no valid prefix length'],
    ['203.0.113.0/33', 'above 32'],
    ['203.0.113.0/24/1', 'no valid prefix length'],
    ['203.0.113.7/24', 'host bits set (the block is 203.0.113.0/24)'],
    ['203.0.113.7:443', 'not start with a valid IPv6'],
    ['2001:db8::/129', 'above 128'],
    ['2001:db8::1/64', 'host bits set (the block is 2001:db8::/64)'],
    ['2001:db8::zz/64', 'not start with a valid IPv6'],
    ['[2001:db8::]/32', 'not start with a valid IPv6'],
    ['fe80::%eth0/64', 'not start with a valid IPv6'],
    ['::ffff:203.0.113.7/120', 'host bits set (the block is 203.0.113.0/24)'],
  ])('%j', (input, reason) => {
    const result = parseCidr(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe('parseCidrs', () => {
  it('returns the good blocks and one reason per bad entry', () => {
    const { cidrs, problems } = parseCidrs(['192.0.2.0/24', 'nope', '2001:db8::/32', '198.51.100.1/24']);
    expect(cidrs.map((cidr) => cidr.text)).toEqual(['192.0.2.0/24', '2001:db8::/32']);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('"nope"');
    expect(problems[1]).toContain('"198.51.100.1/24"');
  });
});
