import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { COLD_IMPORT_ENV } from '../../src/bench/coldImport';

/** How the composition root wires the service tags: a file wins, else the stored copy, else ASN only; the timer's parts on first use. */

const dir = mkdtempSync(join(tmpdir(), 'deps-service-tags-'));
const FILE = join(dir, 'ServiceTags_Public_20251028.json');
writeFileSync(
  FILE,
  JSON.stringify({
    changeNumber: 375,
    cloud: 'Public',
    values: [
      { name: 'AzureCloud', id: 'AzureCloud', properties: { region: '', addressPrefixes: ['203.0.113.0/24'] } },
      { name: 'AzureCloud.westeurope', id: 'AzureCloud.westeurope', properties: { region: 'westeurope', addressPrefixes: ['203.0.113.0/25'] } },
    ],
  }),
);

const REFRESH = {
  TOKENWATCH_BLOB_ENDPOINT: 'https://contosotw.blob.core.windows.net/',
  TOKENWATCH_SUBSCRIPTION_ID: '6a7b0000-0000-4000-8000-00000000c0de',
  TOKENWATCH_SERVICE_TAGS_LOCATION: 'westeurope',
  TOKENWATCH_SERVICE_TAGS_SCHEDULE: '0 17 3 * * *',
};

async function build(env: Record<string, string>) {
  for (const [k, v] of Object.entries({ ...COLD_IMPORT_ENV, AZURE_CLIENT_ID: '00000000-0000-4000-8000-0000000000aa', ...env })) vi.stubEnv(k, v);
  const { dependencies } = await import('../../functions/dependencies.js');
  return dependencies();
}

describe('the composition root and the service tags', () => {
  beforeEach(() => {
    vi.resetModules();
    vi.unstubAllEnvs();
    for (const key of Object.keys(process.env)) if (key.startsWith('TOKENWATCH_')) vi.stubEnv(key, undefined);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without a file or a store: ASN only, no stored-tags reader, no refresh', async () => {
    const built = await build({});
    expect(built.remoteUse.serviceTags).toBeUndefined();
    expect(built.remoteUse.settings.serviceTags).toBeUndefined();
    expect(built.remoteUse.settings.classifyIp('20.42.1.7')).toMatchObject({ scope: 'azure', region: '' });
    expect(() => built.serviceTagsRefresh()).toThrow(/TOKENWATCH_SUBSCRIPTION_ID is not set/);
  });

  it('with the blob store: the remote-use handler reads the stored copy; the timer gets the API client and the same store', async () => {
    const built = await build(REFRESH);
    expect(built.remoteUse.serviceTags?.constructor.name).toBe('StoredServiceTagsSettings');
    const refresh = built.serviceTagsRefresh();
    expect(refresh.source.constructor.name).toBe('ArmServiceTagsSource');
    expect('url' in refresh.source ? refresh.source.url : '').toBe(
      'https://management.azure.com/subscriptions/6a7b0000-0000-4000-8000-00000000c0de/providers/Microsoft.Network/locations/westeurope/serviceTags?api-version=2025-05-01',
    );
    expect(refresh.store.constructor.name).toBe('BlobServiceTagsStore');
    expect(built.serviceTagsRefresh()).toBe(refresh);
  });

  it('with TOKENWATCH_SERVICE_TAGS_FILE: the file wins over the store, dated by its name', async () => {
    const built = await build({ ...REFRESH, TOKENWATCH_SERVICE_TAGS_FILE: FILE });
    expect(built.remoteUse.serviceTags).toBeUndefined();
    expect(built.remoteUse.settings.serviceTags).toEqual({ changeNumber: 375, retrievedAtMs: Date.UTC(2025, 9, 28), regionCount: 1 });
    expect(built.remoteUse.settings.classifyIp('203.0.113.9')).toMatchObject({ scope: 'azure', region: 'westeurope' });
    // The timer still refreshes the stored copy (other workers, a later switch to it).
    expect(built.serviceTagsRefresh().store.constructor.name).toBe('BlobServiceTagsStore');
  });
});
