import { describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { MemoryStateBackend, MemoryStateStore, StoredPartition } from '../../src/adapters/memoryStateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import { ensureTable } from '../../src/adapters/tableClient';
import { decodeMessages } from '../../src/app/decodeMessages';
import { runRemoteUseBatch } from '../../src/app/remoteUseRunner';
import { formatIdentityBaseline, ledgerShardsSetting, loadIdentityBaseline } from '../../src/cli/baseline';
import { openStateTable } from '../../src/cli/stateTable';
import { catalogRowKey, tenantPartitionKey } from '../../src/core/remoteUse/partitionKeys';
import { defaultRemoteUseSettings } from '../../src/core/remoteUse/settings';
import { activityUse, at, ATTACKER_IP, identity, miSignIn, ONPREM_IP, TENANT, tokenId } from '../support/auditFixtures';
import { azuriteConnectionString, uniqueTableName } from '../support/azurite';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { EASTUS_IP, regionClassifier, TEST_SERVICE_TAGS, WESTEUROPE_IP } from '../support/regionFixtures';

/** The built command line (npm test builds first). */
const CLI = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'tokenwatch.js');
const vm = identity(31);
const DAY = 86_400_000;

describe('tokenwatch baseline', () => {
  it('prints the ASNs, IPs and regions an identity learned, the networks caught replaying its tokens and its dedup states, from Table Storage', async () => {
    const conn = azuriteConnectionString();
    const table = uniqueTableName('baseline');
    await ensureTable(conn, table);
    const records: Record<string, unknown>[] = [];
    for (let day = 0; day <= 16; day++) {
      records.push(miSignIn(vm, at(day, 0)));
      records.push(activityUse(vm, at(day, 5), WESTEUROPE_IP, { token: tokenId(vm, at(day, 0)), iatMs: at(day, 0) }));
    }
    records.push(activityUse(vm, at(3, 10), EASTUS_IP, { token: 'own-eastus' })); // learned during learning
    records.push(activityUse(vm, at(4, 10), ONPREM_IP, { token: 'own-onprem' })); // a Low, learned
    records.push(activityUse(vm, at(16, 30), ATTACKER_IP, { token: tokenId(vm, at(16, 0)), iatMs: at(16, 0) })); // a replay
    // The same thief twice more within the dedup window: suppressed, counted in the ledger.
    records.push(activityUse(vm, at(16, 40), ATTACKER_IP, { token: tokenId(vm, at(16, 0)), iatMs: at(16, 0) }));
    records.push(activityUse(vm, at(16, 50), ATTACKER_IP, { token: tokenId(vm, at(16, 0)), iatMs: at(16, 0) }));
    // A replay from an address no ASN is known for: its network is its /48, stored escaped in row keys.
    records.push(activityUse(vm, at(16, 45), '2001:db8:77::5', { token: tokenId(vm, at(16, 0)), iatMs: at(16, 0) }));
    records.sort((a, b) => String(a['time']).localeCompare(String(b['time'])));
    const deps = { store: openStateTable(conn, table), sink: new MemoryAlertSink(), deadLetter: new MemoryRejectSink(), settings: defaultRemoteUseSettings(regionClassifier(), { serviceTags: TEST_SERVICE_TAGS }) };
    const batch = decodeMessages([{ records }], () => 'history');
    await runRemoteUseBatch(batch.records, batch.rejects, deps, 'history');
    expect(deps.sink.rows.map((a) => a.Severity)).toEqual(['Low', 'High', 'High']);
    // The next day's first use writes the identity (its rows' last day), measured from the watermark the history left.
    const nextDay = decodeMessages([{ records: [activityUse(vm, at(17, 5), WESTEUROPE_IP, { token: tokenId(vm, at(16, 0)), iatMs: at(16, 0) })] }], () => 'next day');
    await runRemoteUseBatch(nextDay.records, nextDay.rejects, deps, 'next-day');

    // Another process reads the table: by name, by object id and by app id alike.
    const atMs = at(18);
    const byName = await loadIdentityBaseline(openStateTable(conn, table), TENANT, vm.name.toUpperCase(), atMs, 30 * DAY);
    expect(await loadIdentityBaseline(openStateTable(conn, table), TENANT, vm.objectId, atMs, 30 * DAY)).toEqual(byName);
    expect(await loadIdentityBaseline(openStateTable(conn, table), TENANT, vm.appId, atMs, 30 * DAY)).toEqual(byName);
    expect(await loadIdentityBaseline(openStateTable(conn, table), TENANT, 'nobody', atMs, 30 * DAY)).toBeUndefined();
    const report = byName!.report;
    expect(report.asns.map((e) => `${e.value} ${e.current}`)).toEqual(['AS8075 true', 'AS64500 true']);
    expect(report.ips.map((e) => e.value)).toEqual([WESTEUROPE_IP, EASTUS_IP, ONPREM_IP].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
    expect(report.regions.map((e) => [e.value, e.firstSeen, e.lastSeen])).toEqual([
      ['eastus', new Date(at(3, 10)).toISOString(), new Date(at(3, 10)).toISOString()],
      ['westeurope', new Date(at(0, 5)).toISOString(), new Date(at(17, 5)).toISOString()],
    ]);
    // The thief's network is not in the baseline, and is marked as caught replaying.
    expect(report.asns.some((e) => e.value === 'AS64501')).toBe(false);
    expect(report.replayedNetworks.map((e) => [e.value, e.detail])).toEqual([
      ['2001:db8:77::/48', 'first used from westeurope'],
      ['64501', 'first used from westeurope'],
    ]);
    // The day-4 Low's dedup row is past its window at the watermark the next day's batch found (day
    // 16, less 2 days of lateness): dropped by that batch, not by the history that wrote it.
    expect(report.dedup.map((d) => d.key)).toEqual(['High|2001:db8:77::/48', 'High|64501']);
    expect(Object.fromEntries(byName!.suppressed)).toEqual({ 'High|2001:db8:77::/48': 0, 'High|64501': 2 });

    const lines = formatIdentityBaseline(byName!, atMs);
    expect(lines[0]).toBe(`${vm.name} (object id ${vm.objectId}, tenant ${TENANT})`);
    expect(lines).toContain('  Azure regions (2)');
    expect(lines.some((l) => /^ {4}\* westeurope +first 2026-03-01T08:05:00.000Z {2}last 2026-03-18T08:05:00.000Z {2}AS8075$/.test(l))).toBe(true);
    expect(lines).toContain('  networks caught replaying its tokens (High until allowlisted) (2)');
    expect(lines.some((l) => /^ {6}High\|64501 +raised 2026-03-17T08:30:00\.000Z {2}suppressed since 2$/.test(l))).toBe(true);
  });
});

describe('tokenwatch baseline: the ledger shards', () => {
  it('takes TOKENWATCH_TOKEN_BUCKET_SHARDS as the app does, 1 when unset, and refuses what the app would', () => {
    expect(ledgerShardsSetting({})).toBe(1);
    expect(ledgerShardsSetting({ TOKENWATCH_TOKEN_BUCKET_SHARDS: '4' })).toBe(4);
    for (const bad of ['0', '65', 'four', '2.5']) expect(() => ledgerShardsSetting({ TOKENWATCH_TOKEN_BUCKET_SHARDS: bad }), bad).toThrow(/TOKENWATCH_TOKEN_BUCKET_SHARDS must be a whole number from 1 to 64/);
  });
});

describe('tokenwatch baseline: which identity', () => {
  it('a name two identities share is a failure listing their object ids; an id still finds its own', async () => {
    const backend = new MemoryStateBackend();
    const key = tenantPartitionKey(TENANT);
    const row = (objectId: string, appId: string): [string, Record<string, string>] => [catalogRowKey(objectId), { objectId, appId, name: 'vm-web01', resourceId: `/subscriptions/s/resourceGroups/${appId}/providers/Microsoft.Compute/virtualMachines/vm-web01` }];
    backend.partitions.set(key, new StoredPartition(key, 1, new Map([row('0b1ec7e5-0000-4000-8000-00000000000a', 'rg-a'), row('0b1ec7e5-0000-4000-8000-00000000000b', 'rg-b')])));
    const store = new MemoryStateStore(backend);
    await expect(loadIdentityBaseline(store, TENANT, 'VM-WEB01', at(1), 30 * DAY)).rejects.toThrow(
      '--identity "VM-WEB01" names 2 identities of the tenant (object ids 0b1ec7e5-0000-4000-8000-00000000000a, 0b1ec7e5-0000-4000-8000-00000000000b): give one of their object ids',
    );
    expect((await loadIdentityBaseline(store, TENANT, '0b1ec7e5-0000-4000-8000-00000000000b', at(1), 30 * DAY))?.resourceId).toContain('/rg-b/');
  });
});

describe('tokenwatch baseline: what it echoes', () => {
  it('an identity the catalog does not hold is named printably: a terminal escape in --identity never reaches the terminal', async () => {
    const conn = azuriteConnectionString();
    const table = uniqueTableName('baselineecho');
    await ensureTable(conn, table);
    const hostile = '\u001b]0;pwned\u0007\u001b[31mred';
    // The built command line (npm test builds first), as an operator runs it.
    const { status, stderr } = spawnSync(process.execPath, [CLI, 'baseline', '--store', conn, '--table', table, '--tenant', TENANT, '--identity', hostile], { encoding: 'utf8' });
    expect(status).toBe(1);
    expect(stderr).toContain('has no Managed Identity');
    expect(stderr).not.toContain('\u001b');
    expect(stderr).not.toContain('\u0007');
  });
});
