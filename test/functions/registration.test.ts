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

  it('registers the Event Hub functions with batching, identity-based connection and an exponential retry policy', async () => {
    const { app } = await import('@azure/functions');
    await import('../../functions/index.js');
    const calls = vi.mocked(app.eventHub).mock.calls;
    const remote = calls.find(([name]) => name === 'remoteTokenUse');
    expect(remote?.[1]).toMatchObject({
      connection: 'TOKENWATCH_EVENTHUB',
      eventHubName: '%TOKENWATCH_AUDIT_HUB%',
      consumerGroup: '%TOKENWATCH_AUDIT_CONSUMER_GROUP%',
      cardinality: 'many',
      retry: { strategy: 'exponentialBackoff', maxRetryCount: -1 },
    });
  });

  it('registers tokenTheft on the endpoint hub, and the sweep timer only when it is enabled', async () => {
    const { app } = await import('@azure/functions');
    await import('../../functions/index.js');
    expect(vi.mocked(app.eventHub).mock.calls.find(([name]) => name === 'tokenTheft')?.[1]).toMatchObject({
      connection: 'TOKENWATCH_EVENTHUB',
      eventHubName: '%TOKENWATCH_ENDPOINT_HUB%',
      consumerGroup: '%TOKENWATCH_ENDPOINT_CONSUMER_GROUP%',
      cardinality: 'many',
      retry: { strategy: 'exponentialBackoff', maxRetryCount: -1 },
    });
    expect(vi.mocked(app.timer)).not.toHaveBeenCalled();
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

  it('fails the cold start with a message naming every bad setting', async () => {
    vi.stubEnv('TOKENWATCH_TABLE_ENDPOINT', 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=secret');
    vi.stubEnv('TOKENWATCH_DCR_IMMUTABLE_ID', 'not-a-dcr');
    vi.stubEnv('TOKENWATCH_ALLOWLIST', '{"tenant":{"cidrs":["300.1.1.1/8"]}}');
    await expect(import('../../functions/index.js')).rejects.toThrow(/TOKENWATCH_TABLE_ENDPOINT.*TOKENWATCH_DCR_IMMUTABLE_ID.*TOKENWATCH_ALLOWLIST: allowlist\.tenant\.cidrs\[0\]/);
  });
});
