import { appendAll } from '../arrays';
import { parseCidrs, type Cidr } from './cidr';
import { parseIp } from './ip';
import { RegionTable } from './regionTable';
import { GLOBAL_TAG, isObject, REGIONAL_TAG_PREFIX, serviceRegionPrefixes, ServiceTagsFormatError } from './serviceTags';

/**
 * The part of a service-tags document TokenWatch keeps: the wrapper fields, the `AzureCloud` and
 * `AzureCloud.<region>` tags, and the services' regional tags cut to the prefixes no
 * `AzureCloud.<region>` tag holds, each with only the fields parseAzureCloudRanges reads. The full
 * ARM response is ~4 MB with ~3,000 tags; this subset is the ~94 tags the classifier uses (~0.5 MB
 * for the public cloud), so the stored copy loads fast on every worker.
 */
export interface AzureCloudDocument {
  readonly name?: string;
  readonly id?: string;
  readonly type?: string;
  /** As the source wrote it: a number in the weekly download, a string in the ARM response. */
  readonly changeNumber?: string | number;
  readonly cloud?: string;
  readonly values: readonly AzureCloudTag[];
}

export interface AzureCloudTag {
  readonly name: string;
  readonly id: string;
  readonly properties: {
    readonly changeNumber?: string | number;
    readonly region: string;
    readonly addressPrefixes: readonly string[];
  };
}

/**
 * Keeps the AzureCloud tags of a document (download or ARM response), and the few prefixes of
 * the services' regional tags that no AzureCloud regional tag holds. Throws ServiceTagsFormatError
 * when it is not a service-tags document or has no AzureCloud tag at all: storing such a thing
 * would replace a good copy with nothing. Prefixes are kept as written; parseAzureCloudRanges
 * validates them.
 */
export function azureCloudSubset(document: unknown): AzureCloudDocument {
  if (!isObject(document) || !Array.isArray(document.values)) throw new ServiceTagsFormatError('not a service-tags document: no "values" array');
  const values: AzureCloudTag[] = [];
  for (const tag of document.values) {
    if (!isObject(tag) || typeof tag.name !== 'string') continue;
    if (tag.name !== GLOBAL_TAG && !tag.name.startsWith(REGIONAL_TAG_PREFIX)) continue;
    const properties = isObject(tag.properties) ? tag.properties : {};
    const addressPrefixes = Array.isArray(properties.addressPrefixes) ? properties.addressPrefixes : undefined;
    if (addressPrefixes === undefined || !addressPrefixes.every((prefix): prefix is string => typeof prefix === 'string')) {
      throw new ServiceTagsFormatError(`tag ${tag.name} has no properties.addressPrefixes array of strings`);
    }
    values.push({
      name: tag.name,
      id: typeof tag.id === 'string' ? tag.id : tag.name,
      properties: {
        ...versionField(properties.changeNumber),
        region: typeof properties.region === 'string' ? properties.region : '',
        addressPrefixes,
      },
    });
  }
  if (values.length === 0) throw new ServiceTagsFormatError(`no ${GLOBAL_TAG} or ${REGIONAL_TAG_PREFIX}* tag among ${document.values.length} tags`);
  appendAll(values, uncoveredServiceRegions(document.values.filter(isObject), values));
  return {
    ...textField('name', document.name),
    ...textField('id', document.id),
    ...textField('type', document.type),
    ...versionField(document.changeNumber),
    ...textField('cloud', document.cloud),
    values,
  };
}

/**
 * The services' regional tags (serviceRegionPrefixes), each with only the prefixes whose first
 * address no `AzureCloud.<region>` tag holds: the 50-odd prefixes the regional lookup falls back
 * to, not the 26,000 the services list (the whole ARM response is ~4 MB).
 */
function uncoveredServiceRegions(tags: readonly Record<string, unknown>[], kept: readonly AzureCloudTag[]): AzureCloudTag[] {
  const regional = kept.filter((tag) => tag.name.startsWith(REGIONAL_TAG_PREFIX));
  const covered = RegionTable.fromRegions(regional.map((tag) => ({ region: tag.properties.region || tag.name, cidrs: parseCidrs(tag.properties.addressPrefixes).cidrs })));
  const out: AzureCloudTag[] = [];
  for (const entry of serviceRegionPrefixes(tags)) {
    const uncovered = entry.cidrs.filter((cidr) => !isCovered(covered, cidr)).map((cidr) => cidr.text);
    if (uncovered.length > 0) out.push({ name: entry.tag, id: entry.tag, properties: { region: entry.region, addressPrefixes: uncovered } });
  }
  return out;
}

/** True when a regional tag holds the block's first address (blocks nest or are disjoint). */
function isCovered(regions: RegionTable, cidr: Cidr): boolean {
  const first = parseIp(cidr.text.slice(0, cidr.text.indexOf('/')));
  return first !== undefined && regions.lookup(first) !== undefined;
}

function textField<K extends string>(key: K, value: unknown): { [P in K]?: string } {
  const out: { [P in K]?: string } = {};
  if (typeof value === 'string') out[key] = value;
  return out;
}

function versionField(value: unknown): { changeNumber?: string | number } {
  return typeof value === 'string' || typeof value === 'number' ? { changeNumber: value } : {};
}
