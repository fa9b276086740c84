import { describe, expect, it } from 'vitest';
import { parseCidr, type Cidr } from '../../../src/core/network/cidr';
import { ipv4FromValue, parseIp, type ParsedIp } from '../../../src/core/network/ip';
import { RegionTable, type RegionPrefixes } from '../../../src/core/network/regionTable';

function cidrs(...texts: string[]): Cidr[] {
  return texts.map((text) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.value;
  });
}

function ip(text: string): ParsedIp {
  const parsed = parseIp(text);
  if (parsed === undefined) throw new Error(`bad test address ${text}`);
  return parsed;
}

// Three levels of nesting in IPv4 and IPv6, plus a disjoint block of a fourth region.
const nested: RegionPrefixes[] = [
  { region: 'westeurope', cidrs: cidrs('198.51.100.0/24', '2001:db8:e0::/44') },
  { region: 'northeurope', cidrs: cidrs('198.51.100.64/26', '2001:db8:e1::/48') },
  { region: 'uksouth', cidrs: cidrs('198.51.100.96/27', '2001:db8:e1:ff00::/56') },
  { region: 'eastus', cidrs: cidrs('203.0.113.0/24', '2001:db8:1::/48') },
];

describe('RegionTable: the most specific prefix wins', () => {
  const table = RegionTable.fromRegions(nested);

  it.each([
    ['198.51.99.255', undefined],
    ['198.51.100.0', 'westeurope'],
    ['198.51.100.63', 'westeurope'],
    ['198.51.100.64', 'northeurope'],
    ['198.51.100.95', 'northeurope'],
    ['198.51.100.96', 'uksouth'],
    ['198.51.100.127', 'uksouth'],
    // After the inner blocks end, the outer one holds the rest of its range.
    ['198.51.100.128', 'westeurope'],
    ['198.51.100.255', 'westeurope'],
    ['198.51.101.0', undefined],
    ['203.0.113.77', 'eastus'],
    ['2001:db8:e0::1', 'westeurope'],
    ['2001:db8:e0:ffff:ffff:ffff:ffff:ffff', 'westeurope'],
    ['2001:db8:e1::', 'northeurope'],
    ['2001:db8:e1:feff:ffff:ffff:ffff:ffff', 'northeurope'],
    ['2001:db8:e1:ff00::', 'uksouth'],
    ['2001:db8:e1:ffff:ffff:ffff:ffff:ffff', 'uksouth'],
    ['2001:db8:e2::', 'westeurope'],
    ['2001:db8:ef:ffff:ffff:ffff:ffff:ffff', 'westeurope'],
    ['2001:db8:f0::', undefined],
    ['2001:db8:1::abcd', 'eastus'],
    ['2001:db8::1', undefined],
    // An IPv4-mapped IPv6 address is the IPv4 address it carries.
    ['::ffff:198.51.100.100', 'uksouth'],
  ])('%s -> %s', (address, region) => {
    expect(table.lookup(ip(address))).toBe(region);
  });

  it('counts regions and the disjoint ranges left', () => {
    expect(table.regionCount).toBe(4);
    expect(table.regions).toEqual(['eastus', 'northeurope', 'uksouth', 'westeurope']);
    // IPv4: we .0-.63, ne .64-.95, uk .96-.127, we .128-.255, eastus; IPv6 likewise 5.
    expect(table.rangeCount).toBe(10);
  });

  it('gives the same answers whatever the order of the tags and of their prefixes', () => {
    const reversed = RegionTable.fromRegions(
      [...nested].reverse().map((entry) => ({ region: entry.region, cidrs: [...entry.cidrs].reverse() })),
    );
    for (const address of ['198.51.100.1', '198.51.100.70', '198.51.100.100', '198.51.100.200', '2001:db8:e1:ff00::9', '2001:db8:e2::9']) {
      expect(reversed.lookup(ip(address))).toBe(table.lookup(ip(address)));
    }
  });
});

describe('RegionTable: edge cases', () => {
  it('gives the very same block listed under two regions to the region whose name sorts first', () => {
    for (const entries of [
      [{ region: 'westus', cidrs: cidrs('192.0.2.0/24') }, { region: 'eastus', cidrs: cidrs('192.0.2.0/24') }],
      [{ region: 'eastus', cidrs: cidrs('192.0.2.0/24') }, { region: 'westus', cidrs: cidrs('192.0.2.0/24') }],
    ]) {
      expect(RegionTable.fromRegions(entries).lookup(ip('192.0.2.9'))).toBe('eastus');
    }
  });

  it('joins touching blocks of one region into one range, and keeps touching blocks of two regions apart', () => {
    const table = RegionTable.fromRegions([
      { region: 'westeurope', cidrs: cidrs('192.0.2.0/25', '192.0.2.128/25', '198.51.100.0/25') },
      { region: 'eastus', cidrs: cidrs('198.51.100.128/25') },
    ]);
    expect(table.rangeCount).toBe(3);
    expect(table.lookup(ip('198.51.100.127'))).toBe('westeurope');
    expect(table.lookup(ip('198.51.100.128'))).toBe('eastus');
  });

  it('handles blocks at the ends of the address spaces', () => {
    const table = RegionTable.fromRegions([
      { region: 'everywhere', cidrs: cidrs('0.0.0.0/0', '::/0') },
      { region: 'top', cidrs: cidrs('255.255.255.255/32', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128') },
      { region: 'bottom', cidrs: cidrs('0.0.0.0/32', '::/128') },
    ]);
    expect(table.lookup(ip('255.255.255.255'))).toBe('top');
    expect(table.lookup(ip('255.255.255.254'))).toBe('everywhere');
    expect(table.lookup(ipv4FromValue(0))).toBe('bottom');
    expect(table.lookup(ip('0.0.0.1'))).toBe('everywhere');
    expect(table.lookup(ip('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'))).toBe('top');
    expect(table.lookup(ip('::2'))).toBe('everywhere');
    expect(table.rangeCount).toBe(6);
  });

  it('is empty without regional prefixes', () => {
    expect(RegionTable.EMPTY.regionCount).toBe(0);
    expect(RegionTable.EMPTY.lookup(ip('192.0.2.1'))).toBeUndefined();
    expect(RegionTable.EMPTY.lookup(ip('2001:db8::1'))).toBeUndefined();
    // A region with no prefixes still counts as a region (its tag exists), and holds no address.
    const hollow = RegionTable.fromRegions([{ region: 'brazilsoutheast', cidrs: [] }]);
    expect([hollow.regionCount, hollow.lookup(ip('192.0.2.1'))]).toEqual([1, undefined]);
  });
});

describe('RegionTable agrees with a brute-force longest-prefix match', () => {
  // A small deterministic generator (mulberry32): the same blocks on every run.
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
  }

  it('on 400 random nested IPv4 blocks in one /16, for every address of the /16', () => {
    const next = random(7);
    const regionNames = ['a', 'b', 'c', 'd', 'e'];
    const base = 0xc633_0000; // 198.51.0.0/16
    const entries: RegionPrefixes[] = [];
    const blocks: { first: number; last: number; length: number; region: string }[] = [];
    for (let i = 0; i < 400; i++) {
      const length = 16 + Math.floor(next() * 17); // /16 … /32
      const size = 2 ** (32 - length);
      const first = base + Math.floor((next() * 65_536) / size) * size;
      const region = regionNames[Math.floor(next() * regionNames.length)] ?? 'a';
      const text = `${ipv4FromValue(first).text}/${length}`;
      entries.push({ region, cidrs: cidrs(text) });
      blocks.push({ first, last: first + size - 1, length, region });
    }
    const table = RegionTable.fromRegions(entries);
    const mismatches: string[] = [];
    for (let value = base; value < base + 65_536; value++) {
      let best: { length: number; region: string } | undefined;
      for (const block of blocks) {
        if (value < block.first || value > block.last) continue;
        if (best === undefined || block.length > best.length || (block.length === best.length && block.region < best.region)) best = block;
      }
      const got = table.lookup(ipv4FromValue(value));
      if (got !== best?.region) mismatches.push(`${ipv4FromValue(value).text}: ${String(got)} != ${String(best?.region)}`);
      if (mismatches.length > 5) break;
    }
    expect(mismatches).toEqual([]);
  });
});
