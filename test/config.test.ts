import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { noFiles, PRODUCTION_ENV as BASE } from './support/configEnv';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, noFiles);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

describe('config', () => {
  it('accepts the identity-based settings and fills defaults, frozen', () => {
    const config = loadConfig(BASE, noFiles);
    expect(config.table).toEqual({ target: { endpoint: 'https://contosotw.table.core.windows.net' }, stateTable: 'TokenWatchState', rejectsTable: 'TokenWatchRejects' });
    expect(config.alertFeed?.stream).toBe('Custom-TokenWatchAlerts');
    expect(config.sweep).toEqual({ enabled: false, workspaceId: '', schedule: '0 */5 * * * *' });
    expect(config.cachePartitions).toBe(20000);
    expect(config.cacheRows).toBe(250000);
    expect(config.tokenBucketShards).toBe(1);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every missing or bad setting at once', () => {
    const found = problems({ TOKENWATCH_TABLE_ENDPOINT: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=k', TOKENWATCH_SWEEP_ENABLED: 'maybe', TOKENWATCH_CACHE_IDENTITIES: '12', TOKENWATCH_CACHE_ROWS: '500', TOKENWATCH_TOKEN_BUCKET_SHARDS: '65' });
    expect(found.map((p) => p.split(' ')[0])).toEqual([
      'TOKENWATCH_EVENTHUB__fullyQualifiedNamespace',
      'TOKENWATCH_AUDIT_HUB',
      'TOKENWATCH_ENDPOINT_HUB',
      'TOKENWATCH_TABLE_ENDPOINT',
      'TOKENWATCH_DCR_ENDPOINT',
      'TOKENWATCH_DCR_IMMUTABLE_ID',
      'TOKENWATCH_SWEEP_ENABLED',
      'TOKENWATCH_CACHE_IDENTITIES',
      'TOKENWATCH_CACHE_ROWS',
      'TOKENWATCH_TOKEN_BUCKET_SHARDS',
    ]);
  });

  it('reads the home tenant Key Vault uses are judged in: a GUID, lower case; none by default', () => {
    expect(loadConfig(BASE, noFiles).homeTenantId).toBe('');
    expect(loadConfig({ ...BASE, TOKENWATCH_HOME_TENANT_ID: '72F988BF-0000-4000-8000-00000000C0DE' }, noFiles).homeTenantId).toBe('72f988bf-0000-4000-8000-00000000c0de');
    expect(problems({ ...BASE, TOKENWATCH_HOME_TENANT_ID: 'contoso.onmicrosoft.com' })).toEqual([expect.stringMatching(/^TOKENWATCH_HOME_TENANT_ID must be a tenant id/)]);
  });

  it('requires a workspace id when the sweep is enabled', () => {
    expect(problems({ ...BASE, TOKENWATCH_SWEEP_ENABLED: 'true' })).toEqual([expect.stringMatching(/^TOKENWATCH_WORKSPACE_ID/)]);
    expect(problems({ ...BASE, TOKENWATCH_SWEEP_ENABLED: 'true', TOKENWATCH_WORKSPACE_ID: '6a7b0000-0000-4000-8000-00000000beef' })).toEqual([]);
  });

  it('reads the remote-use sweep and backfill settings: off by default, frozen', () => {
    const config = loadConfig(BASE, noFiles);
    expect(config.remoteUseSweep).toEqual({ enabled: false, schedule: '0 */5 * * * *' });
    expect(config.backfill).toEqual({ days: 0 });
    expect(Object.isFrozen(config.remoteUseSweep) && Object.isFrozen(config.backfill)).toBe(true);
    const on = loadConfig({ ...BASE, TOKENWATCH_REMOTE_USE_SWEEP_ENABLED: 'true', TOKENWATCH_REMOTE_USE_SWEEP_SCHEDULE: '0 */2 * * * *', TOKENWATCH_BACKFILL_DAYS: '30', TOKENWATCH_WORKSPACE_ID: '6a7b0000-0000-4000-8000-00000000beef' }, noFiles);
    expect(on.remoteUseSweep).toEqual({ enabled: true, schedule: '0 */2 * * * *' });
    expect(on.backfill).toEqual({ days: 30 });
    expect(on.sweep.workspaceId).toBe('6a7b0000-0000-4000-8000-00000000beef');
  });

  it('requires the workspace id for the remote-use sweep and the backfill too, naming why', () => {
    expect(problems({ ...BASE, TOKENWATCH_REMOTE_USE_SWEEP_ENABLED: 'true' })).toEqual([
      'TOKENWATCH_WORKSPACE_ID must be the Log Analytics workspace (customer) id GUID when TOKENWATCH_REMOTE_USE_SWEEP_ENABLED is true',
    ]);
    expect(problems({ ...BASE, TOKENWATCH_BACKFILL_DAYS: '7', TOKENWATCH_SWEEP_ENABLED: 'true', TOKENWATCH_WORKSPACE_ID: 'contoso-law' })).toEqual([
      'TOKENWATCH_WORKSPACE_ID must be the Log Analytics workspace (customer) id GUID when TOKENWATCH_SWEEP_ENABLED is true and TOKENWATCH_BACKFILL_DAYS is above 0, not "contoso-law"',
    ]);
    expect(problems({ ...BASE, TOKENWATCH_BACKFILL_DAYS: '0' })).toEqual([]);
  });

  it('refuses a backfill longer than the 30-day baseline, a bad switch and a bad schedule', () => {
    expect(problems({ ...BASE, TOKENWATCH_BACKFILL_DAYS: '31' })).toEqual(['TOKENWATCH_BACKFILL_DAYS must be a whole number from 0 to 30, not "31"']);
    expect(problems({ ...BASE, TOKENWATCH_BACKFILL_DAYS: '-1' })).toEqual(['TOKENWATCH_BACKFILL_DAYS must be a whole number from 0 to 30, not "-1"']);
    expect(problems({ ...BASE, TOKENWATCH_BACKFILL_DAYS: 'a month' })).toEqual(['TOKENWATCH_BACKFILL_DAYS must be a whole number from 0 to 30, not "a month"']);
    expect(problems({ ...BASE, TOKENWATCH_REMOTE_USE_SWEEP_ENABLED: 'maybe' })).toEqual(['TOKENWATCH_REMOTE_USE_SWEEP_ENABLED must be true or false, not "maybe"']);
    expect(problems({ ...BASE, TOKENWATCH_REMOTE_USE_SWEEP_SCHEDULE: '*/5 * * * *' })).toEqual(['TOKENWATCH_REMOTE_USE_SWEEP_SCHEDULE must be a six-field NCRONTAB expression, e.g. "0 */5 * * * *"']);
  });

  it('accepts the local emulator connection string, refuses other keys', () => {
    expect(loadConfig({ ...BASE, TOKENWATCH_TABLE_ENDPOINT: 'UseDevelopmentStorage=true' }, noFiles).table.target).toEqual({ connectionString: 'UseDevelopmentStorage=true' });
    expect(problems({ ...BASE, TOKENWATCH_TABLE_ENDPOINT: 'http://contoso.table.core.windows.net' })).toHaveLength(1);
  });

  it('reads and validates the allowlist inline or from a file, not both', () => {
    const file = JSON.stringify({ tenant: { asns: [64500] } });
    const config = loadConfig({ ...BASE, TOKENWATCH_ALLOWLIST_FILE: '/etc/tw/allow.json' }, (p) => (p === '/etc/tw/allow.json' ? file : noFiles(p)));
    expect(config.remoteUseAllowlist.match({ tenantId: 't', objectId: 'o', appId: '', resourceId: '' }, { ip: '198.51.100.1', parsed: undefined, scope: 'external', asn: 64500, asOrganization: '', region: '' })).toContain('AS64500');
    expect(problems({ ...BASE, TOKENWATCH_ALLOWLIST: '{"tenant":{"asns":["x"]}}' })).toEqual(['TOKENWATCH_ALLOWLIST: allowlist.tenant.asns[0]: must be an AS number (0 to 4294967295)']);
    expect(problems({ ...BASE, TOKENWATCH_ALLOWLIST: '{}', TOKENWATCH_ALLOWLIST_FILE: 'a.json' })).toEqual(['TOKENWATCH_ALLOWLIST and TOKENWATCH_ALLOWLIST_FILE are both set: choose one']);
    expect(problems({ ...BASE, TOKENWATCH_ALLOWLIST_FILE: 'missing.json' })[0]).toMatch(/^TOKENWATCH_ALLOWLIST_FILE: cannot read missing.json/);
    expect(problems({ ...BASE, TOKENWATCH_THEFT_ALLOWLIST: 'not json' })[0]).toMatch(/^TOKENWATCH_THEFT_ALLOWLIST: not valid JSON/);
  });

  describe('Azure service tags', () => {
    const REFRESH = {
      TOKENWATCH_BLOB_ENDPOINT: 'https://contosotw.blob.core.windows.net/',
      TOKENWATCH_SUBSCRIPTION_ID: '6a7b0000-0000-4000-8000-00000000c0de',
      TOKENWATCH_SERVICE_TAGS_LOCATION: 'westeurope',
      TOKENWATCH_SERVICE_TAGS_SCHEDULE: '0 17 3 * * *',
    };

    it('has no store and no refresh by default (ASN only, or the file)', () => {
      const config = loadConfig({ ...BASE, TOKENWATCH_SERVICE_TAGS_FILE: 'data/ServiceTags_Public_20251028.json' }, noFiles);
      expect([config.serviceTagsFile, config.serviceTagsStore, config.serviceTagsRefresh]).toEqual(['data/ServiceTags_Public_20251028.json', undefined, undefined]);
    });

    it('reads the store and the daily refresh, frozen, with the default container', () => {
      const config = loadConfig({ ...BASE, ...REFRESH }, noFiles);
      expect(config.serviceTagsStore).toEqual({ target: { endpoint: 'https://contosotw.blob.core.windows.net' }, container: 'tokenwatch-service-tags' });
      expect(config.serviceTagsRefresh).toEqual({ subscriptionId: '6a7b0000-0000-4000-8000-00000000c0de', location: 'westeurope', schedule: '0 17 3 * * *' });
      expect(Object.isFrozen(config.serviceTagsStore)).toBe(true);
      expect(Object.isFrozen(config.serviceTagsStore?.target)).toBe(true);
      expect(Object.isFrozen(config.serviceTagsRefresh)).toBe(true);
    });

    it('takes the location from the app\'s region (REGION_NAME, a display name) when not set', () => {
      const { TOKENWATCH_SERVICE_TAGS_LOCATION: _, ...withoutLocation } = REFRESH;
      expect(loadConfig({ ...BASE, ...withoutLocation, REGION_NAME: 'West Europe' }, noFiles).serviceTagsRefresh?.location).toBe('westeurope');
      expect(problems({ ...BASE, ...withoutLocation })).toEqual([expect.stringMatching(/^TOKENWATCH_SERVICE_TAGS_LOCATION must be an Azure location name .*required with TOKENWATCH_SUBSCRIPTION_ID/)]);
    });

    it('accepts the local emulator for the store, refuses keys for anything else', () => {
      const emulator = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;';
      expect(loadConfig({ ...BASE, TOKENWATCH_BLOB_ENDPOINT: emulator }, noFiles).serviceTagsStore?.target).toEqual({ connectionString: emulator });
      expect(loadConfig({ ...BASE, TOKENWATCH_BLOB_ENDPOINT: 'UseDevelopmentStorage=true' }, noFiles).serviceTagsStore?.target).toEqual({ connectionString: 'UseDevelopmentStorage=true' });
      expect(problems({ ...BASE, TOKENWATCH_BLOB_ENDPOINT: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=k;BlobEndpoint=https://x.blob.core.windows.net' })).toEqual([expect.stringMatching(/^TOKENWATCH_BLOB_ENDPOINT must be an https:\/\/ blob endpoint/)]);
      expect(problems({ ...BASE, TOKENWATCH_BLOB_ENDPOINT: 'http://contosotw.blob.core.windows.net' })).toEqual([expect.stringMatching(/^TOKENWATCH_BLOB_ENDPOINT/)]);
    });

    it('names every bad service-tags setting at once', () => {
      const found = problems({
        ...BASE,
        TOKENWATCH_BLOB_ENDPOINT: 'https://contosotw.blob.core.windows.net',
        TOKENWATCH_SERVICE_TAGS_CONTAINER: 'Service_Tags',
        TOKENWATCH_SUBSCRIPTION_ID: 'my-subscription',
        TOKENWATCH_SERVICE_TAGS_LOCATION: 'West Europe',
        TOKENWATCH_SERVICE_TAGS_SCHEDULE: 'daily',
      });
      expect(found.map((p) => p.split(' ')[0])).toEqual([
        'TOKENWATCH_SERVICE_TAGS_CONTAINER',
        'TOKENWATCH_SUBSCRIPTION_ID',
        'TOKENWATCH_SERVICE_TAGS_LOCATION',
        'TOKENWATCH_SERVICE_TAGS_SCHEDULE',
      ]);
    });

    it('needs the store and a schedule for the refresh', () => {
      const { TOKENWATCH_BLOB_ENDPOINT: _, TOKENWATCH_SERVICE_TAGS_SCHEDULE: __, ...withoutStore } = REFRESH;
      expect(problems({ ...BASE, ...withoutStore }).map((p) => p.split(' ')[0])).toEqual(['TOKENWATCH_SERVICE_TAGS_SCHEDULE', 'TOKENWATCH_BLOB_ENDPOINT']);
    });
  });
});
