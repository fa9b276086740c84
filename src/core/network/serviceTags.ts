import { parseCidrs, type Cidr } from './cidr';
import { CidrSet } from './cidrSet';
import type { ParsedIp } from './ip';
import { RegionTable, type RegionLookup, type RegionPrefixes } from './regionTable';
import { appendAll } from '../arrays';

/**
 * What TokenWatch takes from one Azure service-tags document: the AzureCloud address space (is
 * this caller an Azure address?) and the region of each regional tag (which Azure region?).
 */
export interface AzureCloudRanges {
  /** The document's whole-file version (`changeNumber`; a string in the ARM response), null when absent. */
  readonly changeNumber: number | null;
  /** `Public`, `AzureGovernment`, … ('' when absent). */
  readonly cloud: string;
  /** The tags the prefixes came from: `['AzureCloud']`, or the regional `AzureCloud.*` tags when the global one is missing. */
  readonly tags: readonly string[];
  /** Distinct prefixes as written in the document. */
  readonly ipv4PrefixCount: number;
  readonly ipv6PrefixCount: number;
  readonly ranges: CidrSet;
  /** Address → region from the `AzureCloud.<region>` tags; empty when the document has none. */
  readonly regions: RegionTable;
  /** Address → region from the regional tags of Azure services (`DataFactory.SouthCentralUS`); see serviceRegionPrefixes. */
  readonly serviceRegions: RegionTable;
  /** The region of an address: its `AzureCloud.<region>` tag's, else its service tag's (what the classifier asks). */
  readonly regionLookup: RegionLookup;
  /** Distinct regions among the `AzureCloud.<region>` tags: 0 when only the global tag is present. */
  readonly regionCount: number;
}

/** A parsed document and when it was retrieved (epoch ms; null when unknown). */
export interface DatedServiceTags {
  readonly tags: AzureCloudRanges;
  readonly retrievedAtMs: number | null;
}

/** The document is not a service-tags file, or has no AzureCloud tag, or holds a bad prefix. */
export class ServiceTagsFormatError extends Error {
  override readonly name = 'ServiceTagsFormatError';
}

export const GLOBAL_TAG = 'AzureCloud';
export const REGIONAL_TAG_PREFIX = 'AzureCloud.';

/**
 * Extracts the AzureCloud prefixes and the regional lookup from a parsed service-tags document.
 * Accepts both the weekly download (`ServiceTags_Public_YYYYMMDD.json`):
 *
 *   { "changeNumber": 375, "cloud": "Public", "values": [
 *     { "name": "AzureCloud", "id": "AzureCloud",
 *       "properties": { "changeNumber": 273, "region": "", "platform": "Azure",
 *                       "addressPrefixes": ["4.144.0.0/17", …, "2603:1000::/47"] } },
 *     { "name": "AzureCloud.westeurope", "id": "AzureCloud.westeurope",
 *       "properties": { "changeNumber": 168, "region": "westeurope", "regionId": 18,
 *                       "addressPrefixes": ["4.175.0.0/16", …] } }, … ] }
 *
 * and the ARM "Service Tags – List" response, which wraps the same `values` with `name`, `id` and
 * `type` and writes the change numbers as strings. The global ranges come from the tag named
 * exactly `AzureCloud`; when a document lacks it, from the union of the regional tags, which
 * together cover nearly the same space (the 2025-10-28 download: 12,666 of the 13,080 prefixes).
 *
 * Regions come from the tags named `AzureCloud.<suffix>` (and, for addresses none of them holds,
 * from the services' regional tags: serviceRegionPrefixes): the region is `properties.region`
 * (`westeurope`), or the suffix in lower case when that is empty (the suffix and the region agree
 * in every public download; ARM writes some suffixes in CamelCase). Overlaps between regions:
 * the most specific prefix wins (see RegionTable). A document with only the global tag has no
 * regions (regionCount 0); its addresses are still Azure.
 *
 * Throws ServiceTagsFormatError naming what is wrong: one bad prefix in any of these tags makes the
 * whole document unusable, as a half-read document would silently misplace addresses.
 */
export function parseAzureCloudRanges(document: unknown): AzureCloudRanges {
  if (!isObject(document) || !Array.isArray(document.values)) {
    throw new ServiceTagsFormatError('not a service-tags document: no "values" array');
  }
  const tags = document.values.filter(isObject);
  const global = tags.filter((tag) => tag.name === GLOBAL_TAG);
  const regional = tags.filter((tag) => typeof tag.name === 'string' && tag.name.startsWith(REGIONAL_TAG_PREFIX));
  if (global.length === 0 && regional.length === 0) throw new ServiceTagsFormatError(`no ${GLOBAL_TAG} or ${REGIONAL_TAG_PREFIX}* tag among ${tags.length} tags`);

  const problems: string[] = [];
  const regionPrefixes: RegionPrefixes[] = [];
  for (const tag of regional) {
    const region = regionOf(tag);
    if (region === '') throw new ServiceTagsFormatError(`tag ${String(tag.name)} names no region`);
    const parsed = parseCidrs(addressPrefixesOf(tag));
    appendAll(problems, parsed.problems);
    regionPrefixes.push({ region, cidrs: parsed.cidrs });
  }

  const chosen = global.length > 0 ? global : regional;
  let cidrs: Cidr[];
  if (global.length > 0) {
    const prefixes = new Set(global.flatMap(addressPrefixesOf));
    const parsed = parseCidrs(prefixes);
    problems.unshift(...parsed.problems);
    cidrs = parsed.cidrs;
  } else {
    // The union of the regional prefixes, each distinct prefix counted once.
    const byText = new Map<string, Cidr>();
    for (const entry of regionPrefixes) for (const cidr of entry.cidrs) byText.set(cidr.text, cidr);
    cidrs = [...byText.values()];
  }
  if (problems.length > 0) throw new ServiceTagsFormatError(`bad address prefixes: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? ` and ${problems.length - 10} more` : ''}`);

  const regions = RegionTable.fromRegions(regionPrefixes);
  const servicePrefixes = serviceRegionPrefixes(tags);
  const serviceRegions = servicePrefixes.length === 0 ? RegionTable.EMPTY : RegionTable.fromRegions(servicePrefixes);
  const ipv4PrefixCount = cidrs.filter((cidr) => cidr.version === 4).length;
  return {
    changeNumber: changeNumberOf(document.changeNumber),
    cloud: typeof document.cloud === 'string' ? document.cloud : '',
    tags: chosen.map((tag) => String(tag.name)),
    ipv4PrefixCount,
    ipv6PrefixCount: cidrs.length - ipv4PrefixCount,
    ranges: CidrSet.fromCidrs(cidrs),
    regions,
    serviceRegions,
    regionLookup: servicePrefixes.length === 0 ? regions : new RegionsWithFallback(regions, serviceRegions),
    regionCount: regions.regionCount,
  };
}

/** One service's regional tag: its name (`DataFactory.SouthCentralUS`), region and prefixes. */
export interface ServiceRegionPrefixes extends RegionPrefixes {
  readonly tag: string;
}

/**
 * The regional tags of Azure services (`DataFactory.SouthCentralUS`, `AzureMonitor.EastUS`, …: a
 * name other than AzureCloud's and a `properties.region`). Some list prefixes that no
 * `AzureCloud.<region>` tag holds (50 in the 2025-10-28 download: Action Groups, Azure Monitor,
 * Event Hubs, IoT Hub, Data Factory); without them a Data Factory identity's token used from two
 * of its region's addresses looked like two networks. A bad prefix in such a tag is left out, not
 * fatal: these only fill gaps of the AzureCloud tags.
 */
export function serviceRegionPrefixes(tags: readonly Record<string, unknown>[]): ServiceRegionPrefixes[] {
  const entries: ServiceRegionPrefixes[] = [];
  for (const tag of tags) {
    if (typeof tag.name !== 'string' || tag.name === GLOBAL_TAG || tag.name.startsWith(REGIONAL_TAG_PREFIX)) continue;
    const properties = isObject(tag.properties) ? tag.properties : undefined;
    const region = typeof properties?.region === 'string' ? properties.region.trim() : '';
    if (region === '' || !Array.isArray(properties?.addressPrefixes)) continue;
    const { cidrs } = parseCidrs(properties.addressPrefixes.filter((prefix): prefix is string => typeof prefix === 'string'));
    if (cidrs.length > 0) entries.push({ tag: tag.name, region, cidrs });
  }
  return entries;
}

/** The AzureCloud regions first; an address none of them holds is looked up in the services' regional tags. */
class RegionsWithFallback implements RegionLookup {
  constructor(
    private readonly primary: RegionLookup,
    private readonly fallback: RegionLookup,
  ) {}

  lookup(ip: ParsedIp): string | undefined {
    return this.primary.lookup(ip) ?? this.fallback.lookup(ip);
  }
}

/** A whole-file or per-tag change number: an integer, or a string of digits (ARM). */
export function changeNumberOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^[0-9]{1,15}$/.test(value)) return Number(value);
  return null;
}

function regionOf(tag: Record<string, unknown>): string {
  const region = isObject(tag.properties) ? tag.properties.region : undefined;
  if (typeof region === 'string' && region.trim() !== '') return region.trim();
  return String(tag.name).slice(REGIONAL_TAG_PREFIX.length).trim().toLowerCase();
}

function addressPrefixesOf(tag: Record<string, unknown>): string[] {
  const addressPrefixes = isObject(tag.properties) ? tag.properties.addressPrefixes : undefined;
  if (!Array.isArray(addressPrefixes)) throw new ServiceTagsFormatError(`tag ${String(tag.name)} has no properties.addressPrefixes array`);
  return addressPrefixes.map((prefix) => {
    if (typeof prefix !== 'string') throw new ServiceTagsFormatError(`tag ${String(tag.name)} has a non-string address prefix`);
    return prefix;
  });
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
