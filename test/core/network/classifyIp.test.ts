import { describe, expect, it } from 'vitest';
import { AsnLookup } from '../../../src/core/network/asnLookup';
import { CidrSet } from '../../../src/core/network/cidrSet';
import { classifierForServiceTags, makeIpClassifier } from '../../../src/app/ipClassifier';
import { parseCidr, type Cidr } from '../../../src/core/network/cidr';
import { RegionTable } from '../../../src/core/network/regionTable';
import { parseAzureCloudRanges } from '../../../src/core/network/serviceTags';
import { classifyIp } from '../../../src/core/network/classifyIp';
import { MICROSOFT_ASNS, isMicrosoftAsn } from '../../../src/core/network/microsoftAsns';

// Documentation ranges stand in for real networks; 8075 stands for Microsoft because the rule is about that number.
const asnLookup = AsnLookup.fromRanges([
  { cidr: '192.0.2.0/24', asn: 8075, organization: 'Microsoft Corporation' },
  { cidr: '198.51.100.0/24', asn: 64500, organization: 'Fabrikam Hosting' },
  { cidr: '2001:db8:8075::/48', asn: 12076, organization: 'Microsoft Corporation' },
  { cidr: '2001:db8:fab::/48', asn: 64501, organization: 'Contoso Transit' },
  // Private space announced by nobody in reality; here it checks that private wins before any lookup.
  { cidr: '10.0.0.0/8', asn: 64502, organization: 'Should never be reported' },
]);
const azureRanges = CidrSet.from(['203.0.113.0/25', '2001:db8:a2::/48']);

function cidrs(...texts: string[]): Cidr[] {
  return texts.map((text) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.value;
  });
}
// Regional tags: westeurope holds part of the AzureCloud range and a Fabrikam-announced block
// (Microsoft lists it under a region, so it is Azure whatever AS announces it).
const regions = RegionTable.fromRegions([
  { region: 'westeurope', cidrs: cidrs('203.0.113.0/26', '198.51.100.128/25', '2001:db8:a2::/49') },
  { region: 'eastus', cidrs: cidrs('203.0.113.64/26', '2001:db8:a2:8000::/49') },
]);

describe('classifyIp: private ranges and their boundaries', () => {
  it.each([
    ['0.0.0.0', 'private'],
    ['0.255.255.255', 'private'],
    ['1.0.0.0', 'external'],
    ['9.255.255.255', 'external'],
    ['10.0.0.0', 'private'],
    ['10.255.255.255', 'private'],
    ['11.0.0.0', 'external'],
    ['100.63.255.255', 'external'],
    ['100.64.0.0', 'private'],
    ['100.127.255.255', 'private'],
    ['100.128.0.0', 'external'],
    ['126.255.255.255', 'external'],
    ['127.0.0.1', 'private'],
    ['127.255.255.255', 'private'],
    ['128.0.0.0', 'external'],
    ['169.253.255.255', 'external'],
    ['169.254.0.0', 'private'],
    ['169.254.169.254', 'private'],
    ['169.254.255.255', 'private'],
    ['169.255.0.0', 'external'],
    ['172.15.255.255', 'external'],
    ['172.16.0.0', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.0', 'external'],
    ['192.167.255.255', 'external'],
    ['192.168.0.0', 'private'],
    ['192.168.255.255', 'private'],
    ['192.169.0.0', 'external'],
    ['::ffff:10.1.2.3', 'private'],
    ['10.1.2.3:8080', 'private'],
    ['::', 'private'],
    ['::1', 'private'],
    ['[::1]:443', 'private'],
    ['::2', 'external'],
    ['fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'external'],
    ['fc00::', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'private'],
    ['fe00::', 'external'],
    ['fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'external'],
    ['fe80::', 'private'],
    ['fe80::1%eth0', 'private'],
    ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'private'],
    ['fec0::', 'external'],
  ])('%j is %s', (address, scope) => {
    const result = classifyIp(address, { asnLookup });
    expect(result.scope).toBe(scope);
    if (scope === 'private') expect([result.asn, result.asOrganization]).toEqual([null, '']);
  });
});

describe('classifyIp: azure, external, unknown', () => {
  it.each([
    // Microsoft ASN, no service tags configured
    ['192.0.2.10', undefined, 'azure', 8075, 'Microsoft Corporation'],
    ['2001:db8:8075::1', undefined, 'azure', 12076, 'Microsoft Corporation'],
    // Non-Microsoft ASN
    ['198.51.100.10', undefined, 'external', 64500, 'Fabrikam Hosting'],
    ['2001:db8:fab::1', undefined, 'external', 64501, 'Contoso Transit'],
    // In no announced range
    ['203.0.113.10', undefined, 'external', null, ''],
    ['2001:db8:a2::1', undefined, 'external', null, ''],
    // Inside the AzureCloud tag: azure even without a Microsoft ASN
    ['203.0.113.10', azureRanges, 'azure', null, ''],
    ['203.0.113.127', azureRanges, 'azure', null, ''],
    ['203.0.113.128', azureRanges, 'external', null, ''],
    ['2001:db8:a2::1', azureRanges, 'azure', null, ''],
    ['198.51.100.10', azureRanges, 'external', 64500, 'Fabrikam Hosting'],
    ['192.0.2.10', azureRanges, 'azure', 8075, 'Microsoft Corporation'],
  ])('%j (service tags: %s) -> %s', (address, ranges, scope, asn, asOrganization) => {
    const result = classifyIp(address, { asnLookup, azureRanges: ranges });
    expect({ scope: result.scope, asn: result.asn, asOrganization: result.asOrganization }).toEqual({ scope, asn, asOrganization });
  });

  it.each(['', '   ', 'unknown', '999.1.1.1', '2001:db8::g', '-'])('%j is unknown', (text) => {
    expect(classifyIp(text, { asnLookup, azureRanges, regions })).toEqual({ ip: undefined, scope: 'unknown', asn: null, asOrganization: '', region: '' });
  });

  it('returns the parsed address in canonical form', () => {
    expect(classifyIp('[2001:DB8:0:0::1]:443', { asnLookup }).ip?.text).toBe('2001:db8::1');
    expect(classifyIp('::ffff:198.51.100.10', { asnLookup })).toMatchObject({ ip: { version: 4, text: '198.51.100.10' }, scope: 'external', asn: 64500 });
  });
});

describe('classifyIp: Azure regions', () => {
  it.each([
    // In a regional tag (and in AzureCloud)
    ['203.0.113.10', 'azure', 'westeurope'],
    ['203.0.113.63', 'azure', 'westeurope'],
    ['203.0.113.64', 'azure', 'eastus'],
    ['203.0.113.127', 'azure', 'eastus'],
    ['2001:db8:a2::1', 'azure', 'westeurope'],
    ['2001:db8:a2:8000::1', 'azure', 'eastus'],
    ['[2001:db8:a2:7fff:ffff:ffff:ffff:ffff]:443', 'azure', 'westeurope'],
    // In a regional tag, announced by a non-Microsoft AS, outside the AzureCloud ranges given: still Azure
    ['198.51.100.200', 'azure', 'westeurope'],
    // Azure by ASN or by AzureCloud, but in no regional tag: no region
    ['192.0.2.10', 'azure', ''],
    ['2001:db8:8075::1', 'azure', ''],
    // External
    ['198.51.100.10', 'external', ''],
    ['203.0.113.128', 'external', ''],
    // Private and unknown never have a region, even inside a tag's space
    ['10.1.2.3', 'private', ''],
    ['fd00::1', 'private', ''],
    ['not-an-ip', 'unknown', ''],
  ])('%j -> %s, region %j', (address, scope, region) => {
    const result = classifyIp(address, { asnLookup, azureRanges, regions });
    expect({ scope: result.scope, region: result.region }).toEqual({ scope, region });
  });

  it('gives no region without regional data', () => {
    expect(classifyIp('203.0.113.10', { asnLookup, azureRanges })).toMatchObject({ scope: 'azure', region: '' });
  });

  it('private ranges listed in a regional tag stay private, with no region', () => {
    const odd = RegionTable.fromRegions([{ region: 'westeurope', cidrs: cidrs('10.0.0.0/8') }]);
    expect(classifyIp('10.1.2.3', { asnLookup, regions: odd })).toMatchObject({ scope: 'private', region: '' });
  });
});

describe('Microsoft ASNs', () => {
  it.each(MICROSOFT_ASNS.map((asn) => [asn]))('AS%s is Microsoft', (asn) => {
    expect(isMicrosoftAsn(asn)).toBe(true);
  });

  it.each([[0], [8076], [8067], [15169], [64500], [12075]])('AS%s is not Microsoft', (asn) => {
    expect(isMicrosoftAsn(asn)).toBe(false);
  });
});

describe('makeIpClassifier: the memo', () => {
  it('gives every address the facts classifyIp gives it, and the same object while remembered', () => {
    const classify = makeIpClassifier({ asnLookup, azureRanges }, 3);
    const addresses = ['198.51.100.7', '192.0.2.1', '203.0.113.5', '10.1.2.3', '2001:db8:fab::1', 'not-an-ip', '198.51.100.7:443', '198.51.100.7'];
    for (const raw of addresses) {
      const c = classifyIp(raw, { asnLookup, azureRanges });
      expect(classify(raw)).toEqual({ ip: c.ip?.text ?? raw, parsed: c.ip, scope: c.scope, asn: c.asn, asOrganization: c.asOrganization, region: '' });
    }
    const first = classify('198.51.100.9');
    expect(classify('198.51.100.9')).toBe(first);
    // Full (3 entries): cleared and rebuilt with equal facts.
    for (const raw of ['192.0.2.2', '192.0.2.3', '192.0.2.4']) classify(raw);
    const again = classify('198.51.100.9');
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('memoises the region with the other facts', () => {
    const classify = makeIpClassifier({ asnLookup, azureRanges, regions });
    expect(classify('203.0.113.70')).toMatchObject({ ip: '203.0.113.70', scope: 'azure', region: 'eastus' });
    expect(classify('203.0.113.70')).toBe(classify('203.0.113.70'));
    expect(classify('10.0.0.1').region).toBe('');
  });
});

describe('classifierForServiceTags', () => {
  const document = {
    changeNumber: '412',
    cloud: 'Public',
    values: [
      { name: 'AzureCloud', id: 'AzureCloud', properties: { region: '', addressPrefixes: ['203.0.113.0/24'] } },
      { name: 'AzureCloud.northeurope', id: 'AzureCloud.northeurope', properties: { region: 'northeurope', addressPrefixes: ['203.0.113.0/25'] } },
    ],
  };

  it('builds the classifier and the settings info from one dated document', () => {
    const built = classifierForServiceTags(asnLookup, { tags: parseAzureCloudRanges(document), retrievedAtMs: Date.UTC(2025, 9, 28) });
    expect(built.serviceTags).toEqual({ changeNumber: 412, retrievedAtMs: Date.UTC(2025, 9, 28), regionCount: 1 });
    expect(built.classifyIp('203.0.113.5')).toMatchObject({ scope: 'azure', region: 'northeurope' });
    expect(built.classifyIp('203.0.113.200')).toMatchObject({ scope: 'azure', region: '' });
  });

  it('is ASN only, without settings info, when there is no document', () => {
    const built = classifierForServiceTags(asnLookup, undefined);
    expect(built.serviceTags).toBeUndefined();
    expect(built.classifyIp('203.0.113.5')).toMatchObject({ scope: 'external', region: '' });
    expect(built.classifyIp('192.0.2.5')).toMatchObject({ scope: 'azure', asn: 8075, region: '' });
  });
});
