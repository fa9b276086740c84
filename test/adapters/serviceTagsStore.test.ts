import { describe, expect, it } from 'vitest';
import { decodeStoredServiceTags, encodeStoredServiceTags, MemoryServiceTagsStore, ServiceTagsStoreError } from '../../src/adapters/serviceTagsStore';
import { ServiceTagsFormatError } from '../../src/core/network/serviceTags';

const document = { changeNumber: '412', cloud: 'Public', values: [{ name: 'AzureCloud', id: 'AzureCloud', properties: { region: '', addressPrefixes: ['192.0.2.0/24'] } }] };

describe('stored service tags encoding', () => {
  it('round-trips the document and the retrieval time, as an ISO time in the JSON', () => {
    const text = encodeStoredServiceTags({ document, retrievedAtMs: Date.UTC(2025, 9, 28, 3, 17, 2, 114) });
    expect(JSON.parse(text)).toEqual({ format: 'tokenwatch.serviceTags/1', retrievedAt: '2025-10-28T03:17:02.114Z', document });
    expect(decodeStoredServiceTags(text)).toEqual({ document, retrievedAtMs: Date.UTC(2025, 9, 28, 3, 17, 2, 114) });
  });

  it.each([
    ['not JSON', '{', 'stored service tags are not JSON'],
    ['another format', JSON.stringify({ format: 'tokenwatch.serviceTags/2', retrievedAt: '2025-10-28T00:00:00Z', document }), 'not in format tokenwatch.serviceTags/1'],
    ['a bare service-tags document', JSON.stringify(document), 'not in format tokenwatch.serviceTags/1'],
    ['no retrieval time', JSON.stringify({ format: 'tokenwatch.serviceTags/1', document }), 'no valid retrievedAt'],
    ['a bad retrieval time', JSON.stringify({ format: 'tokenwatch.serviceTags/1', retrievedAt: 'yesterday', document }), 'no valid retrievedAt'],
    ['no document', JSON.stringify({ format: 'tokenwatch.serviceTags/1', retrievedAt: '2025-10-28T00:00:00Z' }), 'no document'],
  ])('rejects %s', (_, text, message) => {
    expect(() => decodeStoredServiceTags(text)).toThrow(ServiceTagsFormatError);
    expect(() => decodeStoredServiceTags(text)).toThrow(message);
  });
});

describe('MemoryServiceTagsStore (the twin of the blob store)', () => {
  it('is missing until saved, then found, unchanged for its version, and found again after a new save', async () => {
    const store = new MemoryServiceTagsStore();
    expect(await store.load()).toEqual({ kind: 'missing' });
    await store.save({ document, retrievedAtMs: 1 });
    const first = await store.load();
    expect(first).toEqual({ kind: 'found', version: '1', stored: { document, retrievedAtMs: 1 } });
    expect(await store.load('1')).toEqual({ kind: 'unchanged' });
    await store.save({ document, retrievedAtMs: 2 });
    expect(await store.load('1')).toMatchObject({ kind: 'found', version: '2', stored: { retrievedAtMs: 2 } });
    expect([store.loads, store.saves]).toEqual([4, 2]);
  });

  it('fails like the blob store: an injected outage once, a corrupt copy as ServiceTagsStoreError', async () => {
    const store = new MemoryServiceTagsStore();
    store.failNext = new ServiceTagsStoreError('outage');
    await expect(store.load()).rejects.toThrow('outage');
    expect(await store.load()).toEqual({ kind: 'missing' });
    store.putText('not json');
    await expect(store.load()).rejects.toThrow(ServiceTagsStoreError);
  });
});
