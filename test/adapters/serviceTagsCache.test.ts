import { describe, expect, it } from 'vitest';
import { SERVICE_TAGS_RECHECK_MS, SERVICE_TAGS_RETRY_MS, ServiceTagsCache } from '../../src/adapters/serviceTagsCache';
import { MemoryServiceTagsStore, ServiceTagsStoreError, type ServiceTagsRead, type ServiceTagsStore } from '../../src/adapters/serviceTagsStore';

const T0 = Date.UTC(2025, 10, 1, 12);
const MINUTE = 60_000;

function documentWith(changeNumber: string, prefix = '192.0.2.0/24') {
  return {
    changeNumber,
    cloud: 'Public',
    values: [
      { name: 'AzureCloud', id: 'AzureCloud', properties: { region: '', addressPrefixes: [prefix] } },
      { name: 'AzureCloud.westeurope', id: 'AzureCloud.westeurope', properties: { region: 'westeurope', addressPrefixes: [prefix] } },
    ],
  };
}

async function storeWith(changeNumber: string, retrievedAtMs = T0): Promise<MemoryServiceTagsStore> {
  const store = new MemoryServiceTagsStore();
  await store.save({ document: documentWith(changeNumber), retrievedAtMs });
  return store;
}

describe('ServiceTagsCache: when the store is read', () => {
  it('loads at the first call, then serves the copy without a store call for an hour', async () => {
    const store = await storeWith('412');
    const cache = new ServiceTagsCache(store);
    const first = await cache.current(T0);
    expect(first).toMatchObject({ outcome: 'loaded', snapshot: { retrievedAtMs: T0, version: '1', tags: { changeNumber: 412, regionCount: 1 } }, previous: undefined });
    for (const at of [T0 + 1, T0 + 30 * MINUTE, T0 + SERVICE_TAGS_RECHECK_MS - 1]) {
      expect(await cache.current(at)).toEqual({ outcome: 'cached', snapshot: first.snapshot });
    }
    expect(store.loads).toBe(1);
  });

  it('re-checks after the hour with the version it holds: unchanged keeps the same snapshot object', async () => {
    const store = await storeWith('412');
    const cache = new ServiceTagsCache(store);
    const first = await cache.current(T0);
    const again = await cache.current(T0 + SERVICE_TAGS_RECHECK_MS);
    expect(again.outcome).toBe('unchanged');
    expect(again.snapshot).toBe(first.snapshot);
    expect(store.loads).toBe(2);
  });

  it('loads a new copy once the timer stored one, reporting the one it replaced', async () => {
    const store = await storeWith('412');
    const cache = new ServiceTagsCache(store);
    const first = await cache.current(T0);
    await store.save({ document: documentWith('413', '198.51.100.0/24'), retrievedAtMs: T0 + 10 * MINUTE });
    // Not before the hour is up…
    expect((await cache.current(T0 + 20 * MINUTE)).snapshot).toBe(first.snapshot);
    const next = await cache.current(T0 + SERVICE_TAGS_RECHECK_MS);
    expect(next).toMatchObject({ outcome: 'loaded', snapshot: { version: '2', retrievedAtMs: T0 + 10 * MINUTE, tags: { changeNumber: 413 } }, previous: first.snapshot });
    expect(next.snapshot?.tags.ranges.contains('198.51.100.1')).toBe(true);
  });

  it('shares one store read between batches that ask at the same time', async () => {
    const store = await storeWith('412');
    const cache = new ServiceTagsCache(store);
    const [a, b, c] = await Promise.all([cache.current(T0), cache.current(T0), cache.current(T0 + 5)]);
    expect(store.loads).toBe(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });
});

describe('ServiceTagsCache: missing and failing stores never throw', () => {
  it('reports no copy when the store is empty, and picks up the first copy at the next hourly check', async () => {
    const store = new MemoryServiceTagsStore();
    const cache = new ServiceTagsCache(store);
    expect(await cache.current(T0)).toEqual({ outcome: 'missing', snapshot: undefined });
    expect(await cache.current(T0 + 59 * MINUTE)).toEqual({ outcome: 'cached', snapshot: undefined });
    await store.save({ document: documentWith('412'), retrievedAtMs: T0 });
    expect(await cache.current(T0 + SERVICE_TAGS_RECHECK_MS)).toMatchObject({ outcome: 'loaded', snapshot: { tags: { changeNumber: 412 } } });
  });

  it('keeps the copy in memory when a read fails, and tries again after the shorter retry interval', async () => {
    const store = await storeWith('412');
    const cache = new ServiceTagsCache(store);
    const first = await cache.current(T0);
    store.failNext = new ServiceTagsStoreError('cannot read https://contosotw.blob.core.windows.net/tokenwatch-service-tags/AzureCloud.json: 503 ServerBusy');
    const failed = await cache.current(T0 + SERVICE_TAGS_RECHECK_MS);
    expect(failed).toEqual({ outcome: 'failed', snapshot: first.snapshot, error: expect.stringContaining('ServiceTagsStoreError: cannot read') });
    expect((await cache.current(T0 + SERVICE_TAGS_RECHECK_MS + SERVICE_TAGS_RETRY_MS - 1)).outcome).toBe('cached');
    expect((await cache.current(T0 + SERVICE_TAGS_RECHECK_MS + SERVICE_TAGS_RETRY_MS)).outcome).toBe('unchanged');
  });

  it('has no copy (ASN only) when the very first read fails, and recovers at the retry', async () => {
    const store = await storeWith('412');
    store.failNext = new Error('socket hang up');
    const cache = new ServiceTagsCache(store);
    expect(await cache.current(T0)).toEqual({ outcome: 'failed', snapshot: undefined, error: 'Error: socket hang up' });
    expect((await cache.current(T0 + SERVICE_TAGS_RETRY_MS)).outcome).toBe('loaded');
  });

  it('treats a stored copy that does not parse as a failed read, keeping the old copy', async () => {
    const store = await storeWith('412');
    const cache = new ServiceTagsCache(store);
    const first = await cache.current(T0);
    await store.save({ document: { changeNumber: '413', values: [{ name: 'AzureCloud', properties: { addressPrefixes: ['192.0.2.1/24'] } }] }, retrievedAtMs: T0 + 1 });
    const next = await cache.current(T0 + SERVICE_TAGS_RECHECK_MS);
    expect(next).toMatchObject({ outcome: 'failed', snapshot: first.snapshot, error: expect.stringContaining('ServiceTagsFormatError: bad address prefixes') });
  });

  it('keeps the copy in memory when the stored copy disappears', async () => {
    let gone = false;
    const inner = await storeWith('412');
    const store: ServiceTagsStore = {
      load: (version): Promise<ServiceTagsRead> => (gone ? Promise.resolve({ kind: 'missing' }) : inner.load(version)),
      save: (stored) => inner.save(stored),
    };
    const cache = new ServiceTagsCache(store);
    const first = await cache.current(T0);
    gone = true;
    expect(await cache.current(T0 + SERVICE_TAGS_RECHECK_MS)).toEqual({ outcome: 'missing', snapshot: first.snapshot });
  });
});
