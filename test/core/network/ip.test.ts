import { describe, expect, it } from 'vitest';
import { formatIpv6, parseIp, parseIpv6Words, plainIpv4Value } from '../../../src/core/network/ip';

describe('parseIp: IPv4', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7', 0xcb00_7107],
    ['0.0.0.0', '0.0.0.0', 0],
    ['255.255.255.255', '255.255.255.255', 0xffff_ffff],
    ['128.0.0.1', '128.0.0.1', 0x8000_0001],
    ['  198.51.100.20\t', '198.51.100.20', 0xc633_6414],
    ['203.0.113.7:443', '203.0.113.7', 0xcb00_7107],
    ['203.0.113.7:0', '203.0.113.7', 0xcb00_7107],
    ['203.0.113.7:65535', '203.0.113.7', 0xcb00_7107],
  ])('%j -> %s', (input, text, value) => {
    expect(parseIp(input)).toEqual({ version: 4, text, value });
  });
});

describe('parseIp: IPv4-mapped IPv6 is the IPv4 address', () => {
  it.each([
    ['::ffff:203.0.113.7'],
    ['::FFFF:203.0.113.7'],
    ['::ffff:cb00:7107'],
    ['0:0:0:0:0:ffff:203.0.113.7'],
    ['[::ffff:203.0.113.7]'],
    ['[::ffff:203.0.113.7]:8443'],
    ['::ffff:203.0.113.7%eth0'],
  ])('%j -> 203.0.113.7', (input) => {
    expect(parseIp(input)).toEqual({ version: 4, text: '203.0.113.7', value: 0xcb00_7107 });
  });
});

describe('parseIp: IPv6', () => {
  it.each([
    ['2001:db8::1', '2001:db8::1', [0x2001_0db8, 0, 0, 1]],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1', [0x2001_0db8, 0, 0, 1]],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1', [0x2001_0db8, 0, 0, 1]],
    ['[2001:db8::1]', '2001:db8::1', [0x2001_0db8, 0, 0, 1]],
    ['[2001:db8::1]:443', '2001:db8::1', [0x2001_0db8, 0, 0, 1]],
    ['fe80::1%eth0', 'fe80::1', [0xfe80_0000, 0, 0, 1]],
    ['[fe80::1%25eth0]:8080', 'fe80::1', [0xfe80_0000, 0, 0, 1]],
    ['::', '::', [0, 0, 0, 0]],
    ['::1', '::1', [0, 0, 0, 1]],
    ['1::', '1::', [0x0001_0000, 0, 0, 0]],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', [0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff]],
    // RFC 5952 §4.2.2: one zero group is not compressed.
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1', [0x2001_0db8, 0x0000_0001, 0x0001_0001, 0x0001_0001]],
    // §4.2.3: the longest run is compressed, the first one on a tie.
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1', [0x2001_0000, 0x0000_0001, 0, 1]],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1', [0x2001_0db8, 0, 0x0001_0000, 1]],
    // Other IPv4-embedded forms stay IPv6 (NAT64 well-known prefix, RFC 6052).
    ['64:ff9b::203.0.113.7', '64:ff9b::cb00:7107', [0x0064_ff9b, 0, 0, 0xcb00_7107]],
  ])('%j -> %s', (input, text, words) => {
    expect(parseIp(input)).toEqual({ version: 6, text, words });
  });
});

describe('parseIp: not an address', () => {
  it.each([
    '',
    '   ',
    '-',
    'localhost',
    'contoso.com',
    '203.0.113',
    '203.0.113.7.1',
    '203.0.113.256',
    '203.0.113.-1',
    '203.0.113.07',
    '010.0.0.1',
    '203.0.113.7:',
    '203.0.113.7:65536',
    '203.0.113.7:http',
    '203.0.113.7/24',
    '[203.0.113.7]',
    '[203.0.113.7]:443',
    '2001:db8::1::2',
    ':::',
    '2001:db8:::1',
    ':2001:db8::1',
    '2001:db8::1:',
    '2001:db8:0:0:0:0:0:0:1',
    '2001:db8:0:0:0:0:1',
    '1:2:3:4:5:6:7::8',
    '2001:db8::12345',
    '2001:db8::g',
    '[2001:db8::1',
    '[2001:db8::1]443',
    '[2001:db8::1]:99999',
    'fe80::1%',
    'fe80::1%eth 0',
    '::ffff:203.0.113.256',
    '::203.0.113.7:1',
    '203.0.113.7::1',
  ])('%j', (input) => {
    expect(parseIp(input)).toBeUndefined();
  });
});

describe('formatIpv6', () => {
  it('round-trips every canonical form it produces', () => {
    const samples = ['2001:db8::', '::2:0:0:0:1', '1:0:0:2::', '1:2:3:4:5:6:7:8', '::ffff:0:1', 'fc00::', '2001:db8:1:0:1::'];
    for (const text of samples) {
      const words = parseIpv6Words(text);
      expect(words, text).toBeDefined();
      expect(formatIpv6(words!)).toBe(text);
    }
  });
});

describe('plainIpv4Value: a number only for the canonical dotted quad, the text parseIp returns unchanged', () => {
  it.each([
    ['203.0.113.7', 0xcb00_7107],
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffff_ffff],
    ['128.0.0.1', 0x8000_0001],
  ])('%j -> %d', (input, value) => {
    expect(plainIpv4Value(input)).toBe(value);
    expect(parseIp(input)).toEqual({ version: 4, text: input, value });
  });

  it.each([['203.0.113.7:443'], [' 203.0.113.7'], ['203.0.113.7 '], ['010.0.0.1'], ['256.0.0.1'], ['1.2.3'], ['1.2.3.4.5'], ['::ffff:203.0.113.7'], ['2001:db8::1'], [''], ['1.2.3.4444']])('%j -> undefined', (input) => {
    expect(plainIpv4Value(input)).toBeUndefined();
  });
});

describe('parseIp: a logged address with a port is the address (Storage logs `callerIpAddress` with its port)', () => {
  it.each([
    ['192.0.2.10:51234', '192.0.2.10'],
    ['198.51.100.23:443', '198.51.100.23'],
    ['203.0.113.41:1', '203.0.113.41'],
    [' 203.0.113.41:38208 ', '203.0.113.41'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['[2001:db8:2::66]:50432', '2001:db8:2::66'],
    ['[2001:DB8:0:0:0:0:0:1]:65535', '2001:db8::1'],
    ['[::ffff:192.0.2.10]:51234', '192.0.2.10'],
    ['[fe80::1%eth0]:8443', 'fe80::1'],
  ])('%j -> %s', (input, address) => {
    const withPort = parseIp(input);
    expect(withPort?.text).toBe(address);
    // The same address as written without a port: one baseline entry, one range lookup.
    expect(withPort).toEqual(parseIp(address));
  });

  it.each([
    // Without brackets the last group of an IPv6 address cannot be told from a port: it is read as the address.
    ['2001:db8::1:443', '2001:db8::1:443'],
  ])('%j stays the IPv6 address %s', (input, address) => {
    expect(parseIp(input)?.text).toBe(address);
  });

  it.each(['192.0.2.10:', '192.0.2.10:65536', '192.0.2.10:-1', '192.0.2.10:51234:1', '[2001:db8::1]:', '[2001:db8::1]:65536', '[2001:db8::1]:4 43', '[192.0.2.10]:443'])(
    '%j is not an address',
    (input) => {
      expect(parseIp(input)).toBeUndefined();
    },
  );

  it('carries no number for a dotted quad with a port: the detector keys such text by the text and classifies it through parseIp', () => {
    expect(plainIpv4Value('192.0.2.10:51234')).toBeUndefined();
  });
});
