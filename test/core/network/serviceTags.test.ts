import { describe, expect, it } from 'vitest';
import { parseAzureCloudRanges, ServiceTagsFormatError } from '../../../src/core/network/serviceTags';

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
  ])('rejects %s', (_, document, message) => {
    expect(() => parseAzureCloudRanges(document)).toThrow(ServiceTagsFormatError);
    expect(() => parseAzureCloudRanges(document)).toThrow(message);
  });
});
