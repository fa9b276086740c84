import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDatedServiceTagsFile } from '../../src/adapters/serviceTagsFile';
import { encodeStoredServiceTags } from '../../src/adapters/serviceTagsStore';
import { azureCloudSubset } from '../../src/core/network/azureCloudSubset';
import { parseIp } from '../../src/core/network/ip';
import { parseAzureCloudRanges, type AzureCloudRanges } from '../../src/core/network/serviceTags';

// The real weekly download kept beside the repository (see shared/samples/SOURCES.md).
const SAMPLE = path.resolve(__dirname, '../../../shared/samples/azure-service-tags/ServiceTags_Public_20251028.json');

interface Tag {
  readonly name: string;
  readonly properties: { readonly region: string; readonly addressPrefixes: readonly string[] };
}

describe.skipIf(!existsSync(SAMPLE))('conformance: regions from ServiceTags_Public_20251028.json', () => {
  let document: { values: Tag[] };
  let tags: AzureCloudRanges;
  let retrievedAtMs: number | null;
  beforeAll(() => {
    document = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { values: Tag[] };
    ({ tags, retrievedAtMs } = loadDatedServiceTagsFile(SAMPLE));
  });

  it('reads the 71 regional tags, keeps the global AzureCloud ranges, and dates the file by its name', () => {
    expect(tags).toMatchObject({ changeNumber: 375, cloud: 'Public', tags: ['AzureCloud'], ipv4PrefixCount: 9585, ipv6PrefixCount: 3495, regionCount: 71 });
    expect(retrievedAtMs).toBe(Date.UTC(2025, 9, 28));
  });

  it.each([
    // First prefixes of AzureCloud.westeurope in this file
    ['4.175.0.1', 'westeurope'],
    ['4.180.255.254', 'westeurope'],
    ['4.210.128.9', 'westeurope'],
    // Not in any regional tag: host-local Azure addresses and other networks
    ['169.254.169.254', undefined],
    ['168.63.129.16', undefined],
    ['8.8.8.8', undefined],
    ['2001:db8::1', undefined],
  ])('%s -> %s', (address, region) => {
    const ip = parseIp(address);
    if (ip === undefined) throw new Error(address);
    expect(tags.regions.lookup(ip)).toBe(region);
  });

  it('maps the first and last address of every regional prefix to its own region (the regional prefixes do not overlap)', () => {
    const regional = document.values.filter((tag) => tag.name.startsWith('AzureCloud.'));
    expect(regional).toHaveLength(71);
    const wrong: string[] = [];
    let prefixes = 0;
    for (const tag of regional) {
      for (const prefix of tag.properties.addressPrefixes) {
        prefixes++;
        const ip = parseIp(prefix.split('/')[0] ?? '');
        const got = ip === undefined ? undefined : tags.regions.lookup(ip);
        if (got !== tag.properties.region) wrong.push(`${prefix}: ${String(got)} (tag ${tag.name})`);
      }
    }
    expect(prefixes).toBe(12_666);
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('stores a subset of under 1 MB that parses to the same ranges and regions', () => {
    const subset = azureCloudSubset(document);
    // The 72 AzureCloud tags, and 22 services' regional tags with the 50 prefixes no AzureCloud regional tag holds.
    expect(subset.values.filter((tag) => tag.name.startsWith('AzureCloud'))).toHaveLength(72);
    const services = subset.values.filter((tag) => !tag.name.startsWith('AzureCloud'));
    expect([services.length, services.reduce((n, tag) => n + tag.properties.addressPrefixes.length, 0)]).toEqual([22, 50]);
    const text = encodeStoredServiceTags({ document: subset, retrievedAtMs: Date.UTC(2025, 9, 28) });
    expect(Buffer.byteLength(text)).toBeLessThan(1_000_000);
    const reparsed = parseAzureCloudRanges(subset);
    expect(reparsed).toMatchObject({ changeNumber: 375, regionCount: 71, ipv4PrefixCount: 9585, ipv6PrefixCount: 3495 });
    expect(reparsed.regions.rangeCount).toBe(tags.regions.rangeCount);
    // A Data Factory address outside AzureCloud.southcentralus has its region, from the subset as from the whole file.
    for (const parsed of [reparsed, tags]) expect(parsed.regionLookup.lookup(parseIp('13.104.248.70')!)).toBe('southcentralus');
  });
});
