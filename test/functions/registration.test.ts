import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('@azure/functions', async (original) => {
  const real = await original<typeof import('@azure/functions')>();
  return { ...real, app: { ...real.app, eventHub: vi.fn(), timer: vi.fn() } };
});

const VALID_ENV: Record<string, string> = {
  TOKENWATCH_EVENTHUB__fullyQualifiedNamespace: 'contoso-tw.servicebus.windows.net',
  TOKENWATCH_AUDIT_HUB: 'entra-audit',
  TOKENWATCH_ENDPOINT_HUB: 'endpoint-telemetry',
  TOKENWATCH_TABLE_ENDPOINT: 'https://contosotw.table.core.windows.net',
  TOKENWATCH_DCR_ENDPOINT: 'https://dcr-contoso.westeurope-1.ingest.monitor.azure.com',
  TOKENWATCH_DCR_IMMUTABLE_ID: 'dcr-00112233445566778899aabbccddeeff',
};

describe('function registrations', () => {
  beforeEach(() => {
    vi.resetModules();
    for (const [k, v] of Object.entries(VALID_ENV)) vi.stubEnv(k, v);
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
