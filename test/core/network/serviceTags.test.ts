import { describe, expect, it } from 'vitest';
import { parseIp } from '../../../src/core/network/ip';
import { changeNumberOf, parseAzureCloudRanges, ServiceTagsFormatError } from '../../../src/core/network/serviceTags';

/** A tag as the weekly download writes it. */
function tag(name: string, addressPrefixes: unknown, region = '') {
  return {
    name,
    id: name,
    properties: { changeNumber: 7, region, regionId: 0, platform: 'Azure', systemService: '', addressPrefixes, networkFeatures: null },
  };
}

const download = {
  changeNumber: 375,
  cloud: 'Public',
  values: [
    tag('ActionGroup', ['198.51.100.0/24']),
    tag('AzureCloud', ['192.0.2.0/25', '203.0.113.0/24', '2001:db8:a::/48', '192.0.2.128/25']),
    tag('AzureCloud.westeurope', ['192.0.2.0/25'], 'westeurope'),
    tag('AzureCloud.eastus', ['203.0.113.0/24', '2001:db8:a::/48'], 'eastus'),
  ],
};

describe('parseAzureCloudRanges', () => {
  it('takes the global AzureCloud tag from the weekly download', () => {
    const result = parseAzureCloudRanges(download);
    expect(result).toMatchObject({ changeNumber: 375, cloud: 'Public', tags: ['AzureCloud'], ipv4PrefixCount: 3, ipv6PrefixCount: 1 });
    expect(result.ranges.ipv4RangeCount).toBe(2); // the two /25s join
    expect(result.ranges.contains('192.0.2.200')).toBe(true);
    expect(result.ranges.contains('2001:db8:a::5')).toBe(true);
    // ActionGroup is another tag, not AzureCloud.
    expect(result.ranges.contains('198.51.100.1')).toBe(false);
  });

  it('reads the ARM "Service Tags - List" wrapper the same way', () => {
    const arm = {
      name: 'Public',
      id: '/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Network/serviceTags/Public',
      type: 'Microsoft.Network/serviceTags',
      changeNumber: '375',
      cloud: 'Public',
      values: [{ ...tag('AzureCloud', ['192.0.2.0/24', '2001:db8:a::/48']), serviceTagChangeNumber: '7' }],
    };
    const result = parseAzureCloudRanges(arm);
    expect(result).toMatchObject({ changeNumber: 375, cloud: 'Public', tags: ['AzureCloud'], ipv4PrefixCount: 1, ipv6PrefixCount: 1 });
    expect(result.ranges.contains('192.0.2.9')).toBe(true);
  });

  it('falls back to the union of the regional AzureCloud.* tags when the global one is missing', () => {
    const regionalOnly = { ...download, values: download.values.filter((value) => value.name !== 'AzureCloud') };
    const result = parseAzureCloudRanges(regionalOnly);
    expect(result.tags).toEqual(['AzureCloud.westeurope', 'AzureCloud.eastus']);
    expect([result.ipv4PrefixCount, result.ipv6PrefixCount]).toEqual([2, 1]);
    expect(result.ranges.contains('192.0.2.1')).toBe(true);
    expect(result.ranges.contains('192.0.2.200')).toBe(false);
    expect(result.ranges.contains('203.0.113.1')).toBe(true);
  });

  it('counts a prefix listed twice once', () => {
    const result = parseAzureCloudRanges({ values: [tag('AzureCloud', ['192.0.2.0/24', '192.0.2.0/24'])] });
    expect(result).toMatchObject({ changeNumber: null, cloud: '', ipv4PrefixCount: 1, ipv6PrefixCount: 0 });
  });

  it.each([
    ['not an object', 'ServiceTags', 'no "values" array'],
    ['an array', [], 'no "values" array'],
    ['values not an array', { values: {} }, 'no "values" array'],
    ['no AzureCloud tag', { values: [tag('Storage', ['192.0.2.0/24']), tag('AzureCloudX', ['192.0.2.0/24'])] }, 'no AzureCloud or AzureCloud.* tag among 2 tags'],
    ['no addressPrefixes', { values: [{ name: 'AzureCloud', properties: {} }] }, 'tag AzureCloud has no properties.addressPrefixes array'],
    ['a non-string prefix', { values: [tag('AzureCloud', [42])] }, 'non-string address prefix'],
    ['a bad prefix', { values: [tag('AzureCloud', ['192.0.2.0/24', '192.0.2.1/24', 'x'])] }, 'bad address prefixes: "192.0.2.1/24" has host bits set'],
    ['a bad regional prefix', { values: [tag('AzureCloud', ['192.0.2.0/24']), tag('AzureCloud.westeurope', ['192.0.2.0/33'], 'westeurope')] }, 'bad address prefixes: "192.0.2.0/33" has a prefix length above 32'],
    ['a regional tag without prefixes', { values: [tag('AzureCloud', ['192.0.2.0/24']), { name: 'AzureCloud.eastus', properties: { region: 'eastus' } }] }, 'tag AzureCloud.eastus has no properties.addressPrefixes array'],
    ['a regional tag naming no region', { values: [tag('AzureCloud', ['192.0.2.0/24']), tag('AzureCloud.', ['192.0.2.0/25'])] }, 'tag AzureCloud. names no region'],
  ])('rejects %s', (_, document, message) => {
    expect(() => parseAzureCloudRanges(document)).toThrow(ServiceTagsFormatError);
    expect(() => parseAzureCloudRanges(document)).toThrow(message);
  });
});

describe('parseAzureCloudRanges: regions from the AzureCloud.<region> tags', () => {
  const result = parseAzureCloudRanges({
    ...download,
    values: [
      ...download.values,
      // A carved-out block: northeurope's /27 inside westeurope's /25 (most specific wins).
      tag('AzureCloud.northeurope', ['192.0.2.32/27', '2001:db8:a:8000::/49'], 'northeurope'),
    ],
  });

  it.each([
    ['192.0.2.1', 'westeurope'],
    ['192.0.2.31', 'westeurope'],
    ['192.0.2.32', 'northeurope'],
    ['192.0.2.63', 'northeurope'],
    ['192.0.2.64', 'westeurope'],
    ['192.0.2.127', 'westeurope'],
    // In AzureCloud, in no regional tag
    ['192.0.2.128', undefined],
    ['203.0.113.250', 'eastus'],
    ['2001:db8:a::1', 'eastus'],
    ['2001:db8:a:7fff:ffff:ffff:ffff:ffff', 'eastus'],
    ['2001:db8:a:8000::', 'northeurope'],
    ['2001:db8:b::1', undefined],
    ['198.51.100.1', undefined],
  ])('%s -> %s', (address, region) => {
    const ip = parseIp(address);
    if (ip === undefined) throw new Error(address);
    expect(result.regions.lookup(ip)).toBe(region);
  });

  it('keeps the global ranges, the change number and the cloud, and counts the regions', () => {
    expect(result).toMatchObject({ changeNumber: 375, cloud: 'Public', tags: ['AzureCloud'], ipv4PrefixCount: 3, ipv6PrefixCount: 1, regionCount: 3 });
    expect(result.regions.regions).toEqual(['eastus', 'northeurope', 'westeurope']);
  });

  it('has no regions when the document has only the global tag', () => {
    const globalOnly = parseAzureCloudRanges({ changeNumber: 375, cloud: 'Public', values: [tag('AzureCloud', ['192.0.2.0/24'])] });
    expect(globalOnly.regionCount).toBe(0);
    expect(globalOnly.regions.lookup({ version: 4, text: '192.0.2.1', value: 0xc0000201 })).toBeUndefined();
    expect(globalOnly.ranges.contains('192.0.2.1')).toBe(true);
  });

  it('reads the ARM wrapper: string change numbers, CamelCase tag suffixes, the region from properties.region or else the suffix', () => {
    const arm = {
      name: 'Public',
      id: '/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Network/serviceTags/Public',
      type: 'Microsoft.Network/serviceTags',
      changeNumber: '412',
      cloud: 'Public',
      values: [
        { ...tag('AzureCloud', ['192.0.2.0/24']), serviceTagChangeNumber: '300' },
        { name: 'AzureCloud.WestEurope', id: 'AzureCloud.WestEurope', properties: { changeNumber: '170', region: 'westeurope', addressPrefixes: ['192.0.2.0/25'] } },
        { name: 'AzureCloud.SwedenCentral', id: 'AzureCloud.SwedenCentral', properties: { changeNumber: '12', region: '', addressPrefixes: ['192.0.2.128/25'] } },
      ],
    };
    const parsed = parseAzureCloudRanges(arm);
    expect(parsed).toMatchObject({ changeNumber: 412, cloud: 'Public', regionCount: 2 });
    expect(parsed.regions.regions).toEqual(['swedencentral', 'westeurope']);
  });

  it('counts a region split over two tags once', () => {
    const split = parseAzureCloudRanges({ values: [tag('AzureCloud.eastus', ['192.0.2.0/25'], 'eastus'), tag('AzureCloud.eastus', ['192.0.2.128/25'], 'eastus')] });
    expect(split.regionCount).toBe(1);
    expect(split.regions.rangeCount).toBe(1);
  });
});

describe('changeNumberOf', () => {
  it.each([
    [375, 375],
    ['375', 375],
    ['0', 0],
    [-1, null],
    [3.5, null],
    ['37a', null],
    ['', null],
    [null, null],
    [undefined, null],
  ])('%j -> %j', (value, expected) => {
    expect(changeNumberOf(value)).toBe(expected);
  });
});
