import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { MemoryServiceTagsSource, ServiceTagsApiError } from '../../src/adapters/serviceTagsApi';
import { MemoryServiceTagsStore, ServiceTagsStoreError, decodeStoredServiceTags } from '../../src/adapters/serviceTagsStore';
import { ServiceTagsFormatError } from '../../src/core/network/serviceTags';
import { refreshServiceTags, type ServiceTagsRefreshDeps } from '../../src/app/serviceTagsRefresh';

const NOW = Date.UTC(2026, 10, 23, 3, 17);

/** An ARM "Service Tags – List" answer, shortened: more tags than TokenWatch keeps. */
const armAnswer = {
  name: 'Public',
  id: '/subscriptions/6a7b0000-0000-4000-8000-00000000c0de/providers/Microsoft.Network/serviceTags/Public',
  type: 'Microsoft.Network/serviceTags',
  changeNumber: '412',
  cloud: 'Public',
  values: [
    { name: 'ActionGroup', id: 'ActionGroup', properties: { changeNumber: '40', region: '', systemService: 'ActionGroup', addressPrefixes: ['198.51.100.0/24'] } },
    { name: 'AzureCloud', id: 'AzureCloud', properties: { changeNumber: '300', region: '', systemService: '', addressPrefixes: ['192.0.2.0/24', '2001:db8:a::/48'] } },
    { name: 'AzureCloud.westeurope', id: 'AzureCloud.westeurope', properties: { changeNumber: '170', region: 'westeurope', systemService: '', addressPrefixes: ['192.0.2.0/25'] } },
    { name: 'Storage.WestEurope', id: 'Storage.WestEurope', properties: { changeNumber: '88', region: 'westeurope', systemService: 'AzureStorage', addressPrefixes: ['192.0.2.64/26'] } },
  ],
};

function context(logs: { level: string; text: string }[]): InvocationContext {
  return new InvocationContext({ invocationId: 'timer-1', functionName: 'serviceTagsRefresh', logHandler: (level, ...args) => logs.push({ level, text: args.map(String).join(' ') }) });
}

function deps(answer: unknown, store = new MemoryServiceTagsStore()): ServiceTagsRefreshDeps & { store: MemoryServiceTagsStore } {
  return { source: new MemoryServiceTagsSource(answer), store, now: () => NOW };
}

describe('serviceTagsRefresh timer', () => {
  it('stores only the AzureCloud tags of the answer, with the retrieval time, and logs one line', async () => {
    const logs: { level: string; text: string }[] = [];
    const d = deps(armAnswer);
    const report = await refreshServiceTags(context(logs), d);
    expect(report).toEqual({ changeNumber: 412, regionCount: 1, tags: 2 });
    const stored = decodeStoredServiceTags(d.store.storedText ?? '');
    expect(stored.retrievedAtMs).toBe(NOW);
    expect(stored.document).toMatchObject({ name: 'Public', changeNumber: '412', cloud: 'Public' });
    const names = (stored.document as { values: { name: string }[] }).values.map((tag) => tag.name);
    expect(names).toEqual(['AzureCloud', 'AzureCloud.westeurope']);
    expect(logs).toHaveLength(1);
    expect(logs[0]?.level).toBe('information');
    expect(JSON.parse(logs[0]?.text ?? '')).toEqual({
      event: 'serviceTagsRefresh.stored', changeNumber: 412, regionCount: 1, tags: 2, cloud: 'Public', ipv4Prefixes: 1, ipv6Prefixes: 1, retrievedAt: '2026-11-23T03:17:00.000Z',
    });
  });

  it('throws when the API fails, logs the stage, and leaves the stored copy alone', async () => {
    const logs: { level: string; text: string }[] = [];
    const store = new MemoryServiceTagsStore();
    await store.save({ document: armAnswer, retrievedAtMs: NOW - 86_400_000 });
    const before = store.storedText;
    const failure = new ServiceTagsApiError('service tags: GET https://management.azure.com/… answered 403 (AuthorizationFailed: …)', 403);
    await expect(refreshServiceTags(context(logs), deps(failure, store))).rejects.toBe(failure);
    expect(store.storedText).toBe(before);
    expect(logs.map((l) => l.level)).toEqual(['error']);
    expect(JSON.parse(logs[0]?.text ?? '')).toMatchObject({ event: 'serviceTagsRefresh.failed', stage: 'fetch', error: expect.stringContaining('ServiceTagsApiError: service tags: GET') });
  });

  it.each([
    ['no AzureCloud tag', { ...armAnswer, values: [armAnswer.values[0]] }, /no AzureCloud or AzureCloud\.\* tag/],
    ['a bad AzureCloud prefix', { ...armAnswer, values: [{ name: 'AzureCloud', id: 'AzureCloud', properties: { region: '', addressPrefixes: ['192.0.2.1/24'] } }] }, /host bits set/],
  ])('never replaces a good copy with an answer that has %s', async (_, answer, message) => {
    const logs: { level: string; text: string }[] = [];
    const store = new MemoryServiceTagsStore();
    await expect(refreshServiceTags(context(logs), deps(answer, store))).rejects.toThrow(ServiceTagsFormatError);
    await expect(refreshServiceTags(context(logs), deps(answer, store))).rejects.toThrow(message);
    expect(store.saves).toBe(0);
    expect(JSON.parse(logs[0]?.text ?? '')).toMatchObject({ event: 'serviceTagsRefresh.failed', stage: 'validate' });
  });

  it('throws when the store cannot be written', async () => {
    const logs: { level: string; text: string }[] = [];
    const store = new MemoryServiceTagsStore();
    store.failNext = new ServiceTagsStoreError('cannot write https://contosotw.blob.core.windows.net/tokenwatch-service-tags/AzureCloud.json: 403');
    await expect(refreshServiceTags(context(logs), deps(armAnswer, store))).rejects.toBeInstanceOf(ServiceTagsStoreError);
    expect(JSON.parse(logs[0]?.text ?? '')).toMatchObject({ event: 'serviceTagsRefresh.failed', stage: 'store' });
  });
});
