import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCESS_BLOCKS, AZURE_BLOCKS, HOSTING_BLOCKS, ipv4InBlock, ipv6InBlock, type AddressBlock } from '../../src/demo/networks';
import { blockBounds, inBlock, lookupAsn } from './asnCsv';

const allBlocks: [string, AddressBlock][] = [
  ...Object.entries(AZURE_BLOCKS).flatMap(([region, blocks]) => blocks.map((b, i): [string, AddressBlock] => [`azure ${region} #${i}`, b])),
  ...Object.entries(ACCESS_BLOCKS),
  ...Object.entries(HOSTING_BLOCKS),
];

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
    for (const b of [...Object.values(ACCESS_BLOCKS), ...Object.values(HOSTING_BLOCKS)]) {
      expect([8075, 8068, 8069, 8070, 8071, 8072, 8073, 8074, 12076, 3598]).not.toContain(b.asn);
    }
  });

  const tagsFile = path.resolve(__dirname, '../../../shared/samples/azure-service-tags/ServiceTags_Public_20251028.json');
  it.skipIf(!existsSync(tagsFile))('every Azure block is inside the AzureCloud.<region> service tag', () => {
    const tags = JSON.parse(readFileSync(tagsFile, 'utf8')) as { values: { name: string; properties: { addressPrefixes: string[] } }[] };
    for (const [region, blocks] of Object.entries(AZURE_BLOCKS)) {
      const prefixes = tags.values.find((v) => v.name === `AzureCloud.${region}`)?.properties.addressPrefixes ?? [];
      for (const block of blocks) {
        const { first, last } = blockBounds(block.cidr);
        expect(prefixes.some((p) => !p.includes(':') && inBlock(first, p) && inBlock(last, p)), `${block.cidr} in AzureCloud.${region}`).toBe(true);
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
