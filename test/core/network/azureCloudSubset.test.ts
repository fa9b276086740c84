import { describe, expect, it } from 'vitest';
import { azureCloudSubset } from '../../../src/core/network/azureCloudSubset';
import { parseIp } from '../../../src/core/network/ip';
import { parseAzureCloudRanges, ServiceTagsFormatError } from '../../../src/core/network/serviceTags';

/** An ARM "Service Tags – List" answer, shortened: string change numbers, more tags than we keep. */
const armResponse = {
  name: 'Public',
  id: '/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Network/serviceTags/Public',
  type: 'Microsoft.Network/serviceTags',
  changeNumber: '412',
  cloud: 'Public',
  values: [
    { name: 'ActionGroup', id: 'ActionGroup', properties: { changeNumber: '40', region: '', systemService: 'ActionGroup', addressPrefixes: ['198.51.100.0/24'], networkFeatures: ['API', 'NSG'] } },
    { name: 'AzureCloud', id: 'AzureCloud', serviceTagChangeNumber: '300', properties: { changeNumber: '300', region: '', regionId: 0, platform: 'Azure', systemService: '', addressPrefixes: ['192.0.2.0/24', '2001:db8:a::/48'], networkFeatures: ['API', 'NSG'] } },
    { name: 'AzureCloud.westeurope', id: 'AzureCloud.westeurope', properties: { changeNumber: '170', region: 'westeurope', regionId: 18, platform: 'Azure', systemService: '', addressPrefixes: ['192.0.2.0/25'], networkFeatures: null } },
    { name: 'Storage.WestEurope', id: 'Storage.WestEurope', properties: { changeNumber: '88', region: 'westeurope', systemService: 'AzureStorage', addressPrefixes: ['192.0.2.64/26'] } },
    { name: 'AzureCloudX', id: 'AzureCloudX', properties: { addressPrefixes: ['203.0.113.0/24'] } },
  ],
};

describe('azureCloudSubset', () => {
  it('keeps the wrapper and only the AzureCloud tags, with only the fields the parser reads', () => {
    expect(azureCloudSubset(armResponse)).toEqual({
      name: 'Public',
      id: armResponse.id,
      type: 'Microsoft.Network/serviceTags',
      changeNumber: '412',
      cloud: 'Public',
      values: [
        { name: 'AzureCloud', id: 'AzureCloud', properties: { changeNumber: '300', region: '', addressPrefixes: ['192.0.2.0/24', '2001:db8:a::/48'] } },
        { name: 'AzureCloud.westeurope', id: 'AzureCloud.westeurope', properties: { changeNumber: '170', region: 'westeurope', addressPrefixes: ['192.0.2.0/25'] } },
      ],
    });
  });

  it('parses to the same ranges and regions as the whole document', () => {
    const whole = parseAzureCloudRanges(armResponse);
    const subset = parseAzureCloudRanges(JSON.parse(JSON.stringify(azureCloudSubset(armResponse))));
    const tables = { ranges: undefined, regions: undefined, serviceRegions: undefined, regionLookup: undefined };
    expect({ ...subset, ...tables }).toEqual({ ...whole, ...tables });
    expect(subset.regions.regions).toEqual(whole.regions.regions);
    expect(subset.ranges.contains('192.0.2.200')).toBe(true);
  });

  it("keeps a service's regional prefix that no AzureCloud regional tag holds, and it gives its region", () => {
    // 203.0.113.0/28 is in DataFactory.SouthCentralUS only (as 13.104.248.70 is in the 2025-10-28 download).
    const document = {
      ...armResponse,
      values: [
        ...armResponse.values,
        { name: 'AzureCloud.southcentralus', id: 'AzureCloud.southcentralus', properties: { changeNumber: '9', region: 'southcentralus', addressPrefixes: ['198.51.100.0/25'] } },
        { name: 'DataFactory.SouthCentralUS', id: 'DataFactory.SouthCentralUS', properties: { changeNumber: '5', region: 'southcentralus', systemService: 'DataFactory', addressPrefixes: ['198.51.100.16/28', '203.0.113.0/28'] } },
      ],
    };
    const subset = azureCloudSubset(document);
    expect(subset.values.filter((tag) => !tag.name.startsWith('AzureCloud'))).toEqual([
      { name: 'DataFactory.SouthCentralUS', id: 'DataFactory.SouthCentralUS', properties: { region: 'southcentralus', addressPrefixes: ['203.0.113.0/28'] } },
    ]);
    const parsed = parseAzureCloudRanges(JSON.parse(JSON.stringify(subset)));
    expect(parsed.regionLookup.lookup(parseIp('203.0.113.5')!)).toBe('southcentralus');
    // The AzureCloud regional tag decides where it holds the address; a service's region only fills gaps.
    expect(parsed.regionLookup.lookup(parseIp('192.0.2.70')!)).toBe('westeurope');
    expect(parsed.regionCount).toBe(2);
  });

  it('keeps the weekly download\'s numeric change numbers as they are', () => {
    const subset = azureCloudSubset({ changeNumber: 375, cloud: 'Public', values: [{ name: 'AzureCloud', id: 'AzureCloud', properties: { changeNumber: 273, region: '', addressPrefixes: ['192.0.2.0/24'] } }] });
    expect(subset).toEqual({ changeNumber: 375, cloud: 'Public', values: [{ name: 'AzureCloud', id: 'AzureCloud', properties: { changeNumber: 273, region: '', addressPrefixes: ['192.0.2.0/24'] } }] });
  });

  it.each([
    ['not a document', 'ServiceTags', 'no "values" array'],
    ['no AzureCloud tag', { values: [armResponse.values[0]] }, 'no AzureCloud or AzureCloud.* tag among 1 tags'],
    ['an AzureCloud tag without prefixes', { values: [{ name: 'AzureCloud', properties: {} }] }, 'tag AzureCloud has no properties.addressPrefixes array of strings'],
    ['a non-string prefix', { values: [{ name: 'AzureCloud.eastus', properties: { region: 'eastus', addressPrefixes: ['192.0.2.0/24', 7] } }] }, 'tag AzureCloud.eastus has no properties.addressPrefixes array of strings'],
  ])('rejects %s', (_, document, message) => {
    expect(() => azureCloudSubset(document)).toThrow(ServiceTagsFormatError);
    expect(() => azureCloudSubset(document)).toThrow(message);
  });
});
