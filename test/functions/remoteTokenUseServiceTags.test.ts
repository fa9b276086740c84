import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { MemoryStateStore } from '../../src/adapters/memoryStateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import { SERVICE_TAGS_RECHECK_MS, SERVICE_TAGS_RETRY_MS, ServiceTagsCache } from '../../src/adapters/serviceTagsCache';
import { MemoryServiceTagsStore, ServiceTagsStoreError } from '../../src/adapters/serviceTagsStore';
import { classifierForServiceTags } from '../../src/app/ipClassifier';
import { handleRemoteTokenUse, type RemoteUseHandlerDeps } from '../../src/app/remoteUseHandler';
import { StoredServiceTagsSettings } from '../../src/app/storedServiceTags';
import { parseAzureCloudRanges } from '../../src/core/network/serviceTags';
import { defaultRemoteUseSettings, type RemoteUseSettings } from '../../src/core/remoteUse/settings';
import { ATTACKER_IP, AZURE_IP, TEST_ASNS, testClassifier } from '../support/auditFixtures';

/**
 * The remote-use handler and the service tags it classifies with: the stored copy is read at the
 * first batch, re-checked at most hourly, turned into a new classifier only when its change number
 * changes; stale tags warn on every batch; missing tags are logged once and detection runs on
 * ASN only. The clock is the handler's `now`, moved by hand.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 23, 8);

/** AZURE_IP (192.0.2.10, Microsoft's AS in the test table) is in westeurope; ATTACKER_IP (203.0.113.66) in eastus. */
function tagsDocument(changeNumber: string) {
  return {
    name: 'Public',
    type: 'Microsoft.Network/serviceTags',
    changeNumber,
    cloud: 'Public',
    values: [
      { name: 'AzureCloud', id: 'AzureCloud', properties: { region: '', addressPrefixes: ['192.0.2.0/24', '203.0.113.0/24'] } },
      { name: 'AzureCloud.westeurope', id: 'AzureCloud.westeurope', properties: { region: 'westeurope', addressPrefixes: ['192.0.2.0/24'] } },
      { name: 'AzureCloud.eastus', id: 'AzureCloud.eastus', properties: { region: 'eastus', addressPrefixes: ['203.0.113.0/24'] } },
    ],
  };
}

interface Harness {
  readonly deps: RemoteUseHandlerDeps;
  readonly tagsStore: MemoryServiceTagsStore;
  readonly logs: { level: string; line: Record<string, unknown> }[];
  clock: number;
  batch(): Promise<void>;
  /** The settings the next batch would use. */
  settings(): Promise<RemoteUseSettings>;
}

function harness(options: { settings?: RemoteUseSettings; stored?: boolean } = {}): Harness {
  const tagsStore = new MemoryServiceTagsStore();
  const logs: Harness['logs'] = [];
  const context = new InvocationContext({
    invocationId: 'inv-1',
    functionName: 'remoteTokenUse',
    triggerMetadata: { partitionContext: { partitionId: '0' }, sequenceNumberArray: [7] },
    logHandler: (level, ...args) => logs.push({ level, line: JSON.parse(args.map(String).join(' ')) as Record<string, unknown> }),
  });
  const serviceTags = options.stored === false ? undefined : new StoredServiceTagsSettings(new ServiceTagsCache(tagsStore), TEST_ASNS);
  const h: Harness = {
    tagsStore,
    logs,
    clock: T0,
    deps: {
      store: new MemoryStateStore(),
      sink: new MemoryAlertSink(),
      deadLetter: new MemoryRejectSink(),
      settings: options.settings ?? defaultRemoteUseSettings(testClassifier),
      serviceTags,
      now: () => h.clock,
    },
    batch: async () => {
      await handleRemoteTokenUse([{ records: [] }], context, h.deps);
    },
    settings: () => (serviceTags ? serviceTags.settings(h.deps.settings, h.clock, context) : Promise.resolve(h.deps.settings)),
  };
  return h;
}

function events(h: Harness): string[] {
  return h.logs.map((l) => `${l.level} ${String(l.line['event'])}`);
}

describe('remoteTokenUse with stored service tags', () => {
  it('runs on ASN only while no tags are stored, and says so once', async () => {
    const h = harness();
    await h.batch();
    h.clock += 2 * HOUR;
    await h.batch();
    expect(events(h)).toEqual(['warning serviceTags.none', 'information remoteTokenUse.batch', 'information remoteTokenUse.batch']);
    expect(h.logs[0]?.line).toMatchObject({ keeping: 'asn-only' });
    const settings = await h.settings();
    expect(settings.serviceTags).toBeUndefined();
    expect(settings.classifyIp(AZURE_IP)).toMatchObject({ scope: 'azure', region: '' });
    expect(settings.classifyIp(ATTACKER_IP)).toMatchObject({ scope: 'external', region: '' });
  });

  it('loads the stored tags at the first batch and classifies with their regions; no store read again within the hour', async () => {
    const h = harness();
    await h.tagsStore.save({ document: tagsDocument('412'), retrievedAtMs: T0 - HOUR });
    await h.batch();
    expect(events(h)).toEqual(['information serviceTags.loaded', 'information remoteTokenUse.batch']);
    expect(h.logs[0]?.line).toMatchObject({ changeNumber: 412, cloud: 'Public', regionCount: 2, retrievedAt: new Date(T0 - HOUR).toISOString(), previousChangeNumber: null });
    for (let i = 0; i < 5; i++) {
      h.clock += 10 * 60_000;
      await h.batch();
    }
    expect(h.tagsStore.loads).toBe(1);
    const settings = await h.settings();
    expect(settings.serviceTags).toEqual({ changeNumber: 412, retrievedAtMs: T0 - HOUR, regionCount: 2 });
    expect(settings.classifyIp(AZURE_IP)).toMatchObject({ scope: 'azure', region: 'westeurope' });
    expect(settings.classifyIp(ATTACKER_IP)).toMatchObject({ scope: 'azure', region: 'eastus' });
  });

  it('rebuilds the classifier only when the change number changes; a re-stored copy only moves the retrieval time', async () => {
    const h = harness();
    await h.tagsStore.save({ document: tagsDocument('412'), retrievedAtMs: T0 });
    const first = await h.settings();
    // The next day's run stores the same document again.
    await h.tagsStore.save({ document: tagsDocument('412'), retrievedAtMs: T0 + DAY });
    h.clock += DAY + HOUR;
    const second = await h.settings();
    expect(second.classifyIp).toBe(first.classifyIp);
    expect(second.serviceTags).toEqual({ changeNumber: 412, retrievedAtMs: T0 + DAY, regionCount: 2 });
    // A new document.
    await h.tagsStore.save({ document: tagsDocument('413'), retrievedAtMs: T0 + 2 * DAY });
    h.clock += DAY;
    const third = await h.settings();
    expect(third.classifyIp).not.toBe(first.classifyIp);
    expect(third.serviceTags?.changeNumber).toBe(413);
    expect(h.logs.filter((l) => l.line['event'] === 'serviceTags.loaded').map((l) => [l.line['changeNumber'], l.line['previousChangeNumber']])).toEqual([[412, null], [412, 412], [413, 412]]);
  });

  it('warns on every batch while the tags are older than 30 days, naming their age and change number', async () => {
    const h = harness();
    await h.tagsStore.save({ document: tagsDocument('412'), retrievedAtMs: T0 - 31 * DAY });
    await h.batch();
    await h.batch();
    const stale = h.logs.filter((l) => l.line['event'] === 'serviceTags.stale');
    expect(stale).toHaveLength(2);
    expect(stale[0]).toEqual({ level: 'warning', line: expect.objectContaining({ ageDays: 31, changeNumber: 412, retrievedAt: new Date(T0 - 31 * DAY).toISOString(), batchId: '0-7' }) });
    // A fresh copy ends the warnings at the next check.
    await h.tagsStore.save({ document: tagsDocument('413'), retrievedAtMs: T0 + HOUR });
    h.clock += HOUR;
    h.logs.length = 0;
    await h.batch();
    expect(events(h)).toEqual(['information serviceTags.loaded', 'information remoteTokenUse.batch']);
  });

  it('at 30 days exactly the tags are not yet stale', async () => {
    const h = harness();
    await h.tagsStore.save({ document: tagsDocument('412'), retrievedAtMs: T0 - 30 * DAY });
    await h.batch();
    expect(events(h)).not.toContain('warning serviceTags.stale');
  });

  it('keeps the copy in memory when the store cannot be read, and logs it', async () => {
    const h = harness();
    await h.tagsStore.save({ document: tagsDocument('412'), retrievedAtMs: T0 });
    await h.batch();
    h.tagsStore.failNext = new ServiceTagsStoreError('cannot read https://contosotw.blob.core.windows.net/tokenwatch-service-tags/AzureCloud.json: 403 AuthorizationPermissionMismatch');
    h.clock += SERVICE_TAGS_RECHECK_MS;
    h.logs.length = 0;
    await h.batch();
    expect(events(h)).toEqual(['warning serviceTags.readFailed', 'information remoteTokenUse.batch']);
    expect(h.logs[0]?.line).toMatchObject({ keeping: 'previous copy', changeNumber: 412, error: expect.stringContaining('403 AuthorizationPermissionMismatch') });
    expect((await h.settings()).classifyIp(ATTACKER_IP).region).toBe('eastus');
    // Retried after the shorter interval, and back to quiet once it succeeds.
    h.clock += SERVICE_TAGS_RETRY_MS;
    h.logs.length = 0;
    await h.batch();
    expect(events(h)).toEqual(['information remoteTokenUse.batch']);
  });

  it('runs on ASN only, and logs it, when the first read fails', async () => {
    const h = harness();
    await h.tagsStore.save({ document: tagsDocument('412'), retrievedAtMs: T0 });
    h.tagsStore.failNext = new ServiceTagsStoreError('cannot read …: ECONNREFUSED');
    await h.batch();
    expect(events(h)).toEqual(['warning serviceTags.readFailed', 'information remoteTokenUse.batch']);
    expect(h.logs[0]?.line).toMatchObject({ keeping: 'asn-only' });
    h.clock += SERVICE_TAGS_RETRY_MS;
    expect((await h.settings()).serviceTags?.changeNumber).toBe(412);
  });
});

describe('remoteTokenUse with a service tags file (TOKENWATCH_SERVICE_TAGS_FILE)', () => {
  it('uses the file\'s classifier as it is and warns on every batch once the file is older than 30 days', async () => {
    const fromFile = classifierForServiceTags(TEST_ASNS, { tags: parseAzureCloudRanges(tagsDocument('375')), retrievedAtMs: T0 - 45 * DAY });
    const h = harness({ stored: false, settings: defaultRemoteUseSettings(fromFile.classifyIp, { serviceTags: fromFile.serviceTags }) });
    await h.batch();
    await h.batch();
    expect(events(h)).toEqual(['warning serviceTags.stale', 'information remoteTokenUse.batch', 'warning serviceTags.stale', 'information remoteTokenUse.batch']);
    expect(h.logs[0]?.line).toMatchObject({ ageDays: 45, changeNumber: 375 });
  });

  it('says nothing about service tags when none are configured at all', async () => {
    const h = harness({ stored: false });
    await h.batch();
    expect(events(h)).toEqual(['information remoteTokenUse.batch']);
  });
});
