import { GLOBAL_TAG, isObject, REGIONAL_TAG_PREFIX, ServiceTagsFormatError } from './serviceTags';

/**
 * The part of a service-tags document TokenWatch keeps: the wrapper fields and only the
 * `AzureCloud` and `AzureCloud.<region>` tags, each with only the fields parseAzureCloudRanges
 * reads. The full ARM response is ~4 MB with ~3,000 tags; this subset is the ~72 tags the
 * classifier uses (~0.6 MB for the public cloud), so the stored copy loads fast on every worker.
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
 * Keeps the AzureCloud tags of a document (download or ARM response). Throws ServiceTagsFormatError
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
  return {
    ...textField('name', document.name),
    ...textField('id', document.id),
    ...textField('type', document.type),
    ...versionField(document.changeNumber),
    ...textField('cloud', document.cloud),
    values,
  };
}

function textField<K extends string>(key: K, value: unknown): { [P in K]?: string } {
  const out: { [P in K]?: string } = {};
  if (typeof value === 'string') out[key] = value;
  return out;
}

function versionField(value: unknown): { changeNumber?: string | number } {
  return typeof value === 'string' || typeof value === 'number' ? { changeNumber: value } : {};
}
