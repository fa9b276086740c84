import { jsonSyntaxError } from '../core/jsonSyntaxError';
import { isObject, ServiceTagsFormatError } from '../core/network/serviceTags';

/**
 * Where the serviceTagsRefresh timer keeps the newest service tags and every remote-use worker
 * reads them: one document (the AzureCloud subset) plus its retrieval time, versioned so that a
 * worker can ask "changed since version X?" cheaply. The real store is a blob
 * (BlobServiceTagsStore); MemoryServiceTagsStore is its twin for unit tests.
 */
export interface StoredServiceTags {
  /** The AzureCloud subset of the ARM response (an AzureCloudDocument); checked by parseAzureCloudRanges when used. */
  readonly document: unknown;
  /** When the timer retrieved it (epoch ms). */
  readonly retrievedAtMs: number;
}

export type ServiceTagsRead =
  | { readonly kind: 'missing' }
  /** The stored copy still has the version the caller passed. */
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'found'; readonly version: string; readonly stored: StoredServiceTags };

export interface ServiceTagsStore {
  /**
   * The stored copy, or `unchanged` when its version is still `knownVersion` (for a blob, a
   * conditional GET answered 304 without a body). Throws ServiceTagsStoreError when the store
   * cannot be read or holds something that is not a stored copy.
   */
  load(knownVersion?: string): Promise<ServiceTagsRead>;
  /** Replaces the stored copy. Throws ServiceTagsStoreError. */
  save(stored: StoredServiceTags): Promise<void>;
}

/** The store could not be read or written, or holds something else. */
export class ServiceTagsStoreError extends Error {
  override readonly name = 'ServiceTagsStoreError';
}

/** Format marker of the stored JSON: a later layout gets a new one and old readers reject it by name. */
export const STORED_SERVICE_TAGS_FORMAT = 'tokenwatch.serviceTags/1';

/**
 * The stored JSON:
 *   { "format": "tokenwatch.serviceTags/1", "retrievedAt": "2025-10-28T03:17:02.114Z",
 *     "document": { "name": "Public", "changeNumber": "375", "cloud": "Public", "values": [ … ] } }
 */
export function encodeStoredServiceTags(stored: StoredServiceTags): string {
  return JSON.stringify({ format: STORED_SERVICE_TAGS_FORMAT, retrievedAt: new Date(stored.retrievedAtMs).toISOString(), document: stored.document });
}

/** Throws ServiceTagsFormatError naming what is wrong; the document itself is checked by parseAzureCloudRanges. */
export function decodeStoredServiceTags(text: string): StoredServiceTags {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ServiceTagsFormatError(`stored service tags are not JSON: ${jsonSyntaxError(error)}`);
  }
  if (!isObject(json) || json.format !== STORED_SERVICE_TAGS_FORMAT) throw new ServiceTagsFormatError(`stored service tags are not in format ${STORED_SERVICE_TAGS_FORMAT}`);
  const retrievedAtMs = typeof json.retrievedAt === 'string' ? Date.parse(json.retrievedAt) : Number.NaN;
  if (!Number.isFinite(retrievedAtMs)) throw new ServiceTagsFormatError('stored service tags have no valid retrievedAt');
  if (!isObject(json.document)) throw new ServiceTagsFormatError('stored service tags have no document');
  return { document: json.document, retrievedAtMs };
}

/** In-memory twin: versions are a counter, the copy goes through the same encoding as the blob. */
export class MemoryServiceTagsStore implements ServiceTagsStore {
  private text: string | undefined;
  private version = 0;
  /** Calls of load() and save(), for tests of how often the store is read. */
  loads = 0;
  saves = 0;
  /** When set, the next load() or save() throws it (a store outage), once. */
  failNext: Error | undefined;

  async load(knownVersion?: string): Promise<ServiceTagsRead> {
    this.loads++;
    this.throwIfFailing();
    if (this.text === undefined) return { kind: 'missing' };
    const version = String(this.version);
    if (version === knownVersion) return { kind: 'unchanged' };
    try {
      return { kind: 'found', version, stored: decodeStoredServiceTags(this.text) };
    } catch (error) {
      throw new ServiceTagsStoreError(`memory store: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async save(stored: StoredServiceTags): Promise<void> {
    this.saves++;
    this.throwIfFailing();
    this.putText(encodeStoredServiceTags(stored));
  }

  /** What a save wrote (undefined before the first). */
  get storedText(): string | undefined {
    return this.text;
  }

  /** Writes raw text as the stored copy (a corrupt blob, an older format). */
  putText(text: string): void {
    this.text = text;
    this.version++;
  }

  private throwIfFailing(): void {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure !== undefined) throw failure;
  }
}
