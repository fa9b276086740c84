import { parseCidr } from '../core/network/cidr';
import { AZURE_BLOCKS, AZURE_IPV6_BLOCKS, AZURE_REGIONS, REGION_IDS, type AzureRegion } from './networks';

/**
 * The Azure service tags of the demo: a `ServiceTags_Public_YYYYMMDD.json` in the weekly
 * download's shape, holding only the Azure blocks the demo draws addresses from (networks.ts):
 * each region's blocks in its `AzureCloud.<region>` tag and all of them in the global `AzureCloud`
 * tag. The detector reads it like the real download (`tokenwatch replay --service-tags`), so Azure
 * addresses are told apart by region, which the region and replay stories need.
 *
 * Example (abridged):
 * `{"changeNumber":375,"cloud":"Public","values":[
 *   {"name":"AzureCloud","id":"AzureCloud","properties":{"changeNumber":273,"region":"","regionId":0,
 *    "platform":"Azure","systemService":"","addressPrefixes":["4.175.0.0/16",…,"2603:1030::/45"],"networkFeatures":["API","NSG"]}},
 *   {"name":"AzureCloud.westeurope","id":"AzureCloud.westeurope","properties":{"changeNumber":168,
 *    "region":"westeurope","regionId":18,"platform":"Azure","systemService":"",
 *    "addressPrefixes":["4.175.0.0/16","13.80.0.0/15","2603:1020:200::/46"],"networkFeatures":["API","NSG"]}}, …]}`
 */

export interface ServiceTagProperties {
  readonly changeNumber: number;
  readonly region: string;
  readonly regionId: number;
  readonly platform: 'Azure';
  readonly systemService: string;
  readonly addressPrefixes: readonly string[];
  readonly networkFeatures: readonly string[];
}

export interface ServiceTagValue {
  readonly name: string;
  readonly id: string;
  readonly properties: ServiceTagProperties;
}

export interface ServiceTagsDocument {
  readonly changeNumber: number;
  readonly cloud: 'Public';
  readonly values: readonly ServiceTagValue[];
}

export interface DemoServiceTags {
  /** `ServiceTags_Public_20260901.json`: dated by the demo's first day, which the loader reads as its retrieval date. */
  readonly fileName: string;
  readonly document: ServiceTagsDocument;
}

/**
 * Change numbers of the tags in ServiceTags_Public_20251028, the download the blocks were checked
 * against: the demo's document is that download cut down to the demo's blocks.
 */
const DOCUMENT_CHANGE_NUMBER = 375;
const GLOBAL_CHANGE_NUMBER = 273;
const REGION_CHANGE_NUMBERS: Readonly<Record<AzureRegion, number>> = {
  westeurope: 168,
  northeurope: 131,
  eastus: 185,
  eastus2: 200,
  westus2: 119,
  uksouth: 96,
  swedencentral: 57,
  centralus: 179,
};
const NETWORK_FEATURES = ['API', 'NSG'] as const;

/** The demo's service-tags document, named for `firstDayMs` (midnight UTC of the demo's first day). */
export function demoServiceTags(firstDayMs: number): DemoServiceTags {
  const regional = AZURE_REGIONS.map((region): ServiceTagValue => {
    const name = `AzureCloud.${region}`;
    const prefixes = [...AZURE_BLOCKS[region].map((b) => b.cidr), AZURE_IPV6_BLOCKS[region].cidr];
    return { name, id: name, properties: tagProperties(REGION_CHANGE_NUMBERS[region], region, REGION_IDS[region], prefixes) };
  });
  const all = regional.flatMap((tag) => tag.properties.addressPrefixes);
  const global: ServiceTagValue = { name: 'AzureCloud', id: 'AzureCloud', properties: tagProperties(GLOBAL_CHANGE_NUMBER, '', 0, all) };
  const day = new Date(firstDayMs).toISOString().slice(0, 10).replace(/-/g, '');
  return {
    fileName: `ServiceTags_Public_${day}.json`,
    // The download lists the global tag first, then the regional tags by name.
    document: { changeNumber: DOCUMENT_CHANGE_NUMBER, cloud: 'Public', values: [global, ...regional.sort((a, b) => (a.name < b.name ? -1 : 1))] },
  };
}

function tagProperties(changeNumber: number, region: string, regionId: number, prefixes: readonly string[]): ServiceTagProperties {
  return {
    changeNumber,
    region,
    regionId,
    platform: 'Azure',
    systemService: '',
    addressPrefixes: sortPrefixes(prefixes),
    networkFeatures: [...NETWORK_FEATURES],
  };
}

/** IPv4 before IPv6, each by address, as the download orders them. */
function sortPrefixes(prefixes: readonly string[]): string[] {
  const keyed = [...new Set(prefixes)].map((text) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new Error(`demoServiceTags: ${parsed.reason}`);
    return { text, version: parsed.value.version, first: BigInt(parsed.value.first) };
  });
  keyed.sort((a, b) => a.version - b.version || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  return keyed.map((k) => k.text);
}
