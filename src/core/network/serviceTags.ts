import { parseCidrs } from './cidr';
import { CidrSet } from './cidrSet';

/** The AzureCloud address space from one service-tags document. */
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
}

/** The document is not a service-tags file, or has no AzureCloud tag, or holds a bad prefix. */
export class ServiceTagsFormatError extends Error {
  override readonly name = 'ServiceTagsFormatError';
}

const GLOBAL_TAG = 'AzureCloud';
const REGIONAL_TAG_PREFIX = 'AzureCloud.';

/**
 * Extracts the AzureCloud prefixes from a parsed service-tags document. Accepts both the weekly
 * download (`ServiceTags_Public_YYYYMMDD.json`):
 *
 *   { "changeNumber": 375, "cloud": "Public", "values": [
 *     { "name": "AzureCloud", "id": "AzureCloud",
 *       "properties": { "changeNumber": 273, "region": "", "platform": "Azure",
 *                       "addressPrefixes": ["4.144.0.0/17", …, "2603:1000::/47"] } }, … ] }
 *
 * and the ARM "Service Tags – List" response, which wraps the same `values` with `name`, `id` and
 * `type`. Uses the tag named exactly `AzureCloud`; when a document lacks it, the union of the
 * regional `AzureCloud.<region>` tags, which together cover the same space.
 * Throws ServiceTagsFormatError naming what is wrong.
 */
export function parseAzureCloudRanges(document: unknown): AzureCloudRanges {
  if (!isObject(document) || !Array.isArray(document.values)) {
    throw new ServiceTagsFormatError('not a service-tags document: no "values" array');
  }
  const tags = document.values.filter(isObject);
  const global = tags.filter((tag) => tag.name === GLOBAL_TAG);
  const chosen = global.length > 0 ? global : tags.filter((tag) => typeof tag.name === 'string' && tag.name.startsWith(REGIONAL_TAG_PREFIX));
  if (chosen.length === 0) throw new ServiceTagsFormatError(`no ${GLOBAL_TAG} or ${REGIONAL_TAG_PREFIX}* tag among ${tags.length} tags`);

  const prefixes = new Set<string>();
  for (const tag of chosen) {
    const addressPrefixes = isObject(tag.properties) ? tag.properties.addressPrefixes : undefined;
    if (!Array.isArray(addressPrefixes)) throw new ServiceTagsFormatError(`tag ${String(tag.name)} has no properties.addressPrefixes array`);
    for (const prefix of addressPrefixes) {
      if (typeof prefix !== 'string') throw new ServiceTagsFormatError(`tag ${String(tag.name)} has a non-string address prefix`);
      prefixes.add(prefix);
    }
  }

  const { cidrs, problems } = parseCidrs(prefixes);
  if (problems.length > 0) throw new ServiceTagsFormatError(`bad address prefixes: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? ` and ${problems.length - 10} more` : ''}`);

  const ipv4PrefixCount = cidrs.filter((cidr) => cidr.version === 4).length;
  return {
    changeNumber: changeNumberOf(document.changeNumber),
    cloud: typeof document.cloud === 'string' ? document.cloud : '',
    tags: chosen.map((tag) => String(tag.name)),
    ipv4PrefixCount,
    ipv6PrefixCount: cidrs.length - ipv4PrefixCount,
    ranges: CidrSet.fromCidrs(cidrs),
  };
}

function changeNumberOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return Number(value);
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
