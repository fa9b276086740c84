import { beforeEach, describe, expect, it, vi } from 'vitest';
// The same complete production configuration the cold-import benchmark starts the entry with.
import { COLD_IMPORT_ENV } from '../../src/bench/coldImport';

vi.mock('@azure/functions', async (original) => {
  const real = await original<typeof import('@azure/functions')>();
  return { ...real, app: { ...real.app, eventHub: vi.fn(), timer: vi.fn() } };
});

describe('function registrations', () => {
  beforeEach(() => {
    vi.resetModules();
    for (const [k, v] of Object.entries(COLD_IMPORT_ENV)) vi.stubEnv(k, v);
  });

  /** The options each Event Hub function was registered with, by name. */
  async function eventHubRegistrations(): Promise<Map<string, Record<string, unknown>>> {
    const { app } = await import('@azure/functions');
    await import('../../functions/index.js');
    return new Map(vi.mocked(app.eventHub).mock.calls.map(([name, options]) => [name, options as unknown as Record<string, unknown>]));
  }

  /**
   * A batching trigger on the hub with identity-based connection and an exponential retry policy,
   * whose explicit trigger (what the library registers) also asks for text bodies.
   */
  function batchingTextTrigger(eventHubName: string, consumerGroup: string): Record<string, unknown> {
    const binding = { connection: 'TOKENWATCH_EVENTHUB', eventHubName, consumerGroup, cardinality: 'many' };
    return {
      ...binding,
      // Without it one non-JSON body fails the binding of the whole batch, forever under this retry policy.
      trigger: { type: 'eventHubTrigger', ...binding, dataType: 'string' },
      retry: { strategy: 'exponentialBackoff', maxRetryCount: -1 },
      handler: expect.any(Function),
    };
  }

  it('registers remoteTokenUse on the audit hub as a batching trigger with text bodies and a retry policy', async () => {
    expect((await eventHubRegistrations()).get('remoteTokenUse')).toMatchObject(batchingTextTrigger('%TOKENWATCH_AUDIT_HUB%', '%TOKENWATCH_AUDIT_CONSUMER_GROUP%'));
  });

  it('registers tokenTheft on the endpoint hub the same way, and the sweep timer only when it is enabled', async () => {
    expect((await eventHubRegistrations()).get('tokenTheft')).toMatchObject(batchingTextTrigger('%TOKENWATCH_ENDPOINT_HUB%', '%TOKENWATCH_ENDPOINT_CONSUMER_GROUP%'));
    const { app } = await import('@azure/functions');
    expect(vi.mocked(app.timer).mock.calls.map(([name]) => name)).not.toContain('tokenTheftSweep');
  });

  it('registers the rejectsRetention timer daily, whatever else is enabled, without a retry policy', async () => {
    const { app } = await import('@azure/functions');
    vi.mocked(app.timer).mockClear();
    await import('../../functions/index.js');
    const calls = vi.mocked(app.timer).mock.calls.filter(([name]) => name === 'rejectsRetention');
    expect(calls).toHaveLength(1);
    // Six fields, seconds first: once a day at 04:41 UTC. The next day's run repeats a failed one.
    expect(calls[0]?.[1]).toEqual({ schedule: '0 41 4 * * *', handler: expect.any(Function) });
  });

  it('registers the stateRetention timer daily after the rejects’ one, whatever else is enabled, without a retry policy', async () => {
    const { app } = await import('@azure/functions');
    vi.mocked(app.timer).mockClear();
    await import('../../functions/index.js');
    const calls = vi.mocked(app.timer).mock.calls.filter(([name]) => name === 'stateRetention');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[1]).toEqual({ schedule: '0 53 4 * * *', handler: expect.any(Function) });
  });

  it('registers the sweep timer with the configured schedule when enabled', async () => {
    vi.stubEnv('TOKENWATCH_SWEEP_ENABLED', 'true');
    vi.stubEnv('TOKENWATCH_WORKSPACE_ID', '6a7b0000-0000-4000-8000-00000000beef');
    const { app } = await import('@azure/functions');
    vi.mocked(app.timer).mockClear();
    await import('../../functions/index.js');
    expect(vi.mocked(app.timer).mock.calls[0]?.[0]).toBe('tokenTheftSweep');
    expect(vi.mocked(app.timer).mock.calls[0]?.[1]).toMatchObject({ schedule: '%TOKENWATCH_SWEEP_SCHEDULE%' });
  });

  it('registers the serviceTagsRefresh timer on its schedule setting only when a subscription is configured', async () => {
    const { app } = await import('@azure/functions');
    vi.mocked(app.timer).mockClear();
    await import('../../functions/index.js');
    expect(vi.mocked(app.timer).mock.calls.map(([name]) => name)).not.toContain('serviceTagsRefresh');

    vi.resetModules();
    vi.stubEnv('TOKENWATCH_SUBSCRIPTION_ID', '6a7b0000-0000-4000-8000-00000000c0de');
    vi.stubEnv('TOKENWATCH_SERVICE_TAGS_LOCATION', 'westeurope');
    vi.stubEnv('TOKENWATCH_SERVICE_TAGS_SCHEDULE', '0 17 3 * * *');
    vi.stubEnv('TOKENWATCH_BLOB_ENDPOINT', 'https://contosotw.blob.core.windows.net/');
    const { app: appAgain } = await import('@azure/functions');
    vi.mocked(appAgain.timer).mockClear();
    await import('../../functions/index.js');
    const calls = vi.mocked(appAgain.timer).mock.calls.filter(([name]) => name === 'serviceTagsRefresh');
    expect(calls).toHaveLength(1);
    // No function-level retry: a failed run is logged and thrown, and the next day's run repeats it.
    expect(calls[0]?.[1]).toEqual({ schedule: '%TOKENWATCH_SERVICE_TAGS_SCHEDULE%', handler: expect.any(Function) });
  });

  it('fails the cold start with a message naming every bad setting', async () => {
    vi.stubEnv('TOKENWATCH_TABLE_ENDPOINT', 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=secret');
    vi.stubEnv('TOKENWATCH_DCR_IMMUTABLE_ID', 'not-a-dcr');
    vi.stubEnv('TOKENWATCH_ALLOWLIST', '{"tenant":{"cidrs":["300.1.1.1/8"]}}');
    await expect(import('../../functions/index.js')).rejects.toThrow(/TOKENWATCH_TABLE_ENDPOINT.*TOKENWATCH_DCR_IMMUTABLE_ID.*TOKENWATCH_ALLOWLIST: allowlist\.tenant\.cidrs\[0\]/);
  });
});
