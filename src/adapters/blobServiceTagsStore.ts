import { isRestError } from '@azure/core-rest-pipeline';
import type { ContainerClient } from '@azure/storage-blob';
import { ServiceTagsFormatError } from '../core/network/serviceTags';
import { decodeStoredServiceTags, encodeStoredServiceTags, ServiceTagsStoreError, type ServiceTagsRead, type ServiceTagsStore, type StoredServiceTags } from './serviceTagsStore';

/** The blob that holds the stored copy, in the service-tags container. */
export const SERVICE_TAGS_BLOB = 'AzureCloud.json';

/**
 * The stored service tags as one JSON blob. The version is the blob's ETag, so a worker's hourly
 * check is a GET with `If-None-Match: <etag>`, answered 304 with no body until the timer writes a
 * new copy. An upload replaces the blob in one request: readers see the old or the new copy,
 * never half of one. The identity needs Storage Blob Data Contributor on the container (Bicep).
 */
export class BlobServiceTagsStore implements ServiceTagsStore {
  constructor(
    private readonly container: ContainerClient,
    private readonly blobName = SERVICE_TAGS_BLOB,
  ) {}

  async load(knownVersion?: string): Promise<ServiceTagsRead> {
    const blob = this.container.getBlobClient(this.blobName);
    let text: string;
    let version: string;
    try {
      const response = await blob.download(0, undefined, knownVersion === undefined ? {} : { conditions: { ifNoneMatch: knownVersion } });
      if (response._response.status === 304) return { kind: 'unchanged' };
      text = await readText(response.readableStreamBody);
      version = response.etag ?? '';
    } catch (error) {
      if (isRestError(error) && error.statusCode === 304) return { kind: 'unchanged' };
      // A missing blob is "no tags yet"; a missing container is a deployment mistake and an error.
      if (isRestError(error) && error.statusCode === 404 && error.code === 'BlobNotFound') return { kind: 'missing' };
      throw new ServiceTagsStoreError(`cannot read ${blob.url}: ${describe(error)}`);
    }
    try {
      return { kind: 'found', version, stored: decodeStoredServiceTags(text) };
    } catch (error) {
      if (error instanceof ServiceTagsFormatError) throw new ServiceTagsStoreError(`${blob.url}: ${error.message}`);
      throw error;
    }
  }

  async save(stored: StoredServiceTags): Promise<void> {
    const blob = this.container.getBlockBlobClient(this.blobName);
    const text = encodeStoredServiceTags(stored);
    try {
      await blob.upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: 'application/json' } });
    } catch (error) {
      throw new ServiceTagsStoreError(`cannot write ${blob.url}: ${describe(error)}`);
    }
  }
}

async function readText(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (stream === undefined) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function describe(error: unknown): string {
  if (isRestError(error)) return `${error.statusCode ?? 'no response'} ${error.code ?? ''} ${error.message.split('\n')[0] ?? ''}`.replace(/\s+/g, ' ').trim();
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
