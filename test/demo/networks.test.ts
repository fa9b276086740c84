import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ACCESS_BLOCKS,
  ANONYMISER_BLOCKS,
  AZURE_BLOCKS,
  AZURE_IPV6_BLOCKS,
  AZURE_REGIONS,
  blockHolds,
  HOSTING_BLOCKS,
  ipv4InBlock,
  ipv6InBlock,
  ipv6InPrefix,
  REGION_IDS,
  STORY_HOSTING_BLOCKS,
  type AddressBlock,
} from '../../src/demo/networks';
import { blockBounds, inBlock, lookupAsn } from './asnCsv';

const allBlocks: [string, AddressBlock][] = [
  ...Object.entries(AZURE_BLOCKS).flatMap(([region, blocks]) => blocks.map((b, i): [string, AddressBlock] => [`azure ${region} #${i}`, b])),
  ...Object.entries(AZURE_IPV6_BLOCKS).map(([region, b]): [string, AddressBlock] => [`azure ${region} IPv6`, b]),
  ...Object.entries(ACCESS_BLOCKS),
  ...Object.entries(HOSTING_BLOCKS),
  ...Object.entries(STORY_HOSTING_BLOCKS),
  ...Object.entries(ANONYMISER_BLOCKS),
];
const MICROSOFT_ASNS = [8075, 8068, 8069, 8070, 8071, 8072, 8073, 8074, 12076, 3598];

describe('address blocks', () => {
  it.each(allBlocks)('%s lies inside one ASN data row of its ASN', (_name, block) => {
    const { first, last } = blockBounds(block.cidr);
    const atFirst = lookupAsn(first);
    const atLast = lookupAsn(last);
    expect(atFirst?.asn).toBe(block.asn);
    expect(atFirst?.organization).toBe(block.organization);
    // The same row covers both ends, so every address in between has the block's ASN.
    expect(atLast).toEqual(atFirst);
  });

  it('keeps Microsoft and non-Microsoft networks apart', () => {
    for (const blocks of Object.values(AZURE_BLOCKS)) for (const b of blocks) expect(b.asn).toBe(8075);
    for (const b of Object.values(AZURE_IPV6_BLOCKS)) expect(b.asn).toBe(8075);
    for (const b of [...Object.values(ACCESS_BLOCKS), ...Object.values(HOSTING_BLOCKS), ...Object.values(STORY_HOSTING_BLOCKS), ...Object.values(ANONYMISER_BLOCKS)]) {
      expect(MICROSOFT_ASNS).not.toContain(b.asn);
    }
  });

  it('gives every region an IPv4 block, an IPv6 block and a regionId', () => {
    for (const region of AZURE_REGIONS) {
      expect(AZURE_BLOCKS[region].length, region).toBeGreaterThan(0);
      expect(AZURE_BLOCKS[region].every((b) => !b.cidr.includes(':')), region).toBe(true);
      expect(AZURE_IPV6_BLOCKS[region].cidr, region).toContain(':');
      expect(REGION_IDS[region], region).toBeGreaterThan(0);
    }
    expect(new Set(Object.values(REGION_IDS)).size).toBe(AZURE_REGIONS.length);
  });

  const tagsFile = path.resolve(__dirname, '../../../shared/samples/azure-service-tags/ServiceTags_Public_20251028.json');
  it.skipIf(!existsSync(tagsFile))('every Azure block is inside the AzureCloud.<region> service tag, with the same regionId', () => {
    const tags = JSON.parse(readFileSync(tagsFile, 'utf8')) as { values: { name: string; properties: { regionId: number; addressPrefixes: string[] } }[] };
    for (const region of AZURE_REGIONS) {
      const tag = tags.values.find((v) => v.name === `AzureCloud.${region}`);
      expect(tag?.properties.regionId, region).toBe(REGION_IDS[region]);
      const prefixes = tag?.properties.addressPrefixes ?? [];
      for (const block of [...AZURE_BLOCKS[region], AZURE_IPV6_BLOCKS[region]]) {
        const { first, last } = blockBounds(block.cidr);
        const v6 = block.cidr.includes(':');
        expect(prefixes.some((p) => p.includes(':') === v6 && inBlock(first, p) && inBlock(last, p)), `${block.cidr} in AzureCloud.${region}`).toBe(true);
      }
    }
  });
});

describe('ipv4InBlock', () => {
  it.each([
    ['13.80.0.0/15', 0, '13.80.0.1'],
    ['13.80.0.0/15', 253, '13.80.0.254'],
    ['13.80.0.0/15', 254, '13.80.1.1'],
    // 512 /24s × 254 hosts: the offset wraps to the start of the block.
    ['13.80.0.0/15', 512 * 254, '13.80.0.1'],
    ['13.80.0.0/15', -1, '13.81.255.254'],
    ['87.128.0.0/10', 3_000_000, '87.174.35.7'],
  ])('%s offset %d is %s', (cidr, offset, expected) => {
    expect(ipv4InBlock(cidr, offset)).toBe(expected);
  });

  it('never leaves the block and never yields .0 or .255', () => {
    for (let offset = 0; offset < 200_000; offset += 997) {
      const ip = ipv4InBlock('23.24.0.0/15', offset);
      expect(inBlock(ip, '23.24.0.0/15')).toBe(true);
      expect(ip).not.toMatch(/\.(0|255)$/);
    }
  });

  it.each(['2a01:4f8::/32', '10.0.0.0/28', '300.1.0.0/16'])('rejects %s', (cidr) => {
    expect(() => ipv4InBlock(cidr, 1)).toThrow(RangeError);
  });
});

describe('ipv6InBlock', () => {
  it('builds an address inside the /32 that maps to the block ASN', () => {
    const ip = ipv6InBlock(HOSTING_BLOCKS.hetznerV6.cidr, [0xc17, 0x3b2a, 0x1, 0x2]);
    expect(ip).toBe('2a01:4f8:c17:3b2a:1::2');
    expect(inBlock(ip, HOSTING_BLOCKS.hetznerV6.cidr)).toBe(true);
    expect(lookupAsn(ip)?.asn).toBe(24940);
  });

  it('rejects IPv4 and non-/32 blocks', () => {
    expect(() => ipv6InBlock('13.80.0.0/15', [1, 2, 3, 4])).toThrow(RangeError);
    expect(() => ipv6InBlock('2a01:4f8::/29', [1, 2, 3, 4])).toThrow(RangeError);
  });
});

describe('ipv6InPrefix', () => {
  it.each([
    ['2603:1020:200::/46', 0x4eec_cfcb_4e12n, '2603:1020:200::4eec:cfcb:4e12'],
    // 0 would be the block's own address: the first host instead.
    ['2603:1020:200::/46', 0n, '2603:1020:200::1'],
    // The offset wraps inside the /46 (2^82 addresses).
    ['2603:1020:200::/46', (1n << 82n) + 5n, '2603:1020:200::5'],
    // The last address of the /45 (83 host bits).
    ['2603:1030::/45', (1n << 83n) - 1n, '2603:1030:7:ffff:ffff:ffff:ffff:ffff'],
  ])('%s host %s is %s, in RFC 5952 text', (cidr, host, expected) => {
    expect(ipv6InPrefix(cidr, host)).toBe(expected);
    expect(inBlock(expected, cidr)).toBe(true);
  });

  it('stays inside every Azure IPv6 block and in AS8075', () => {
    for (const block of Object.values(AZURE_IPV6_BLOCKS)) {
      const ip = ipv6InPrefix(block.cidr, 0x1234_5678_9abc_def0n);
      expect(inBlock(ip, block.cidr), `${ip} in ${block.cidr}`).toBe(true);
      expect(lookupAsn(ip)?.asn).toBe(8075);
    }
  });

  it('rejects IPv4 blocks', () => {
    expect(() => ipv6InPrefix('13.80.0.0/15', 1n)).toThrow(RangeError);
  });
});

describe('blockHolds', () => {
  it.each([
    ['13.80.0.0/15', '13.81.255.254', true],
    ['13.80.0.0/15', '13.82.0.1', false],
    ['2603:1020:200::/46', '2603:1020:203:ffff::1', true],
    ['2603:1020:200::/46', '2603:1020:204::1', false],
    ['13.80.0.0/15', '2603:1020:200::1', false],
    ['185.220.101.0/24', '185.220.101.16:443', true],
  ])('%s holds %s: %s', (cidr, ip, expected) => {
    expect(blockHolds(cidr, ip)).toBe(expected);
  });
});
