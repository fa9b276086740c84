import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainerClient, ensureContainer } from '../../src/adapters/blobClient';
import { BlobServiceTagsStore, SERVICE_TAGS_BLOB } from '../../src/adapters/blobServiceTagsStore';
import { InvocationContext } from '@azure/functions';
import { MemoryServiceTagsSource } from '../../src/adapters/serviceTagsApi';
import { ServiceTagsCache } from '../../src/adapters/serviceTagsCache';
import { ServiceTagsStoreError } from '../../src/adapters/serviceTagsStore';
import { parseIp } from '../../src/core/network/ip';
import { refreshServiceTags } from '../../src/app/serviceTagsRefresh';
import { startAzuriteBlob, type RunningAzuriteBlob } from './azuriteBlob';

const document = {
  changeNumber: '412',
  cloud: 'Public',
  values: [{ name: 'AzureCloud', id: 'AzureCloud', properties: { region: '', addressPrefixes: ['192.0.2.0/24', '2001:db8:a::/48'] } }],
};

describe('BlobServiceTagsStore against Azurite', () => {
  let azurite: RunningAzuriteBlob;
  beforeAll(async () => {
    azurite = await startAzuriteBlob();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  async function freshStore(): Promise<{ store: BlobServiceTagsStore; container: string }> {
    const container = `tags-${randomUUID()}`;
    await ensureContainer(azurite.connectionString, container);
    return { store: new BlobServiceTagsStore(createContainerClient({ connectionString: azurite.connectionString }, container)), container };
  }

  it('reports a missing blob as no copy yet', async () => {
    const { store } = await freshStore();
    expect(await store.load()).toEqual({ kind: 'missing' });
    expect(await store.load('"0x8DC"')).toEqual({ kind: 'missing' });
  });

  it('saves and loads a copy with its retrieval time, versioned by the ETag', async () => {
    const { store } = await freshStore();
    await store.save({ document, retrievedAtMs: Date.UTC(2025, 9, 28, 3, 17) });
    const read = await store.load();
    if (read.kind !== 'found') throw new Error(`expected found, got ${read.kind}`);
    expect(read.stored).toEqual({ document, retrievedAtMs: Date.UTC(2025, 9, 28, 3, 17) });
    expect(read.version).toMatch(/\S/);
  });

  it('answers a check with the current version as unchanged (a 304), and a new save as found with a new version', async () => {
    const { store } = await freshStore();
    await store.save({ document, retrievedAtMs: 1 });
    const first = await store.load();
    if (first.kind !== 'found') throw new Error('expected found');
    expect(await store.load(first.version)).toEqual({ kind: 'unchanged' });
    await store.save({ document: { ...document, changeNumber: '413' }, retrievedAtMs: 2 });
    const second = await store.load(first.version);
    if (second.kind !== 'found') throw new Error(`expected found, got ${second.kind}`);
    expect(second.version).not.toBe(first.version);
    expect(second.stored).toMatchObject({ retrievedAtMs: 2, document: { changeNumber: '413' } });
  });

  it('writes JSON with the content type, under the fixed blob name', async () => {
    const { store, container } = await freshStore();
    await store.save({ document, retrievedAtMs: 5 });
    const properties = await createContainerClient({ connectionString: azurite.connectionString }, container).getBlobClient(SERVICE_TAGS_BLOB).getProperties();
    expect(properties.contentType).toBe('application/json');
  });

  it('fails with ServiceTagsStoreError naming the blob when the container does not exist or the blob is not a stored copy', async () => {
    const missingContainer = new BlobServiceTagsStore(createContainerClient({ connectionString: azurite.connectionString }, `nope-${randomUUID()}`));
    await expect(missingContainer.load()).rejects.toThrow(ServiceTagsStoreError);
    await expect(missingContainer.load()).rejects.toThrow(/AzureCloud\.json: 404 ContainerNotFound/);
    await expect(missingContainer.save({ document, retrievedAtMs: 1 })).rejects.toThrow(/cannot write .*AzureCloud\.json/);

    const { store, container } = await freshStore();
    await createContainerClient({ connectionString: azurite.connectionString }, container).getBlockBlobClient(SERVICE_TAGS_BLOB).upload('{"values": []}', 14);
    await expect(store.load()).rejects.toThrow(/AzureCloud\.json: stored service tags are not in format tokenwatch\.serviceTags\/1/);
  });

  it('end to end: what the refresh timer stores is what a worker\'s cache loads, regions included', async () => {
    const { store } = await freshStore();
    const answer = {
      ...document,
      values: [
        ...document.values,
        { name: 'AzureCloud.westeurope', id: 'AzureCloud.westeurope', properties: { changeNumber: '170', region: 'westeurope', addressPrefixes: ['192.0.2.0/25'] } },
        { name: 'Storage', id: 'Storage', properties: { region: '', addressPrefixes: ['198.51.100.0/24'] } },
      ],
    };
    const now = Date.UTC(2026, 10, 23, 3, 17);
    await refreshServiceTags(new InvocationContext({ logHandler: () => undefined }), { source: new MemoryServiceTagsSource(answer), store, now: () => now });
    const check = await new ServiceTagsCache(store).current(now + 60_000);
    expect(check).toMatchObject({ outcome: 'loaded', snapshot: { retrievedAtMs: now, tags: { changeNumber: 412, regionCount: 1 } } });
    const ip = parseIp('192.0.2.100');
    expect(ip && check.snapshot?.tags.regions.lookup(ip)).toBe('westeurope');
  });
});
