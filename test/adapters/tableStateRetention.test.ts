import { InvocationContext } from '@azure/functions';
import type { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../../src/adapters/memoryStateStore';
import type { RowChange } from '../../src/core/state/partition';
import { createTableClient, ensureTable } from '../../src/adapters/tableClient';
import { TableStateRetention } from '../../src/adapters/tableStateRetention';
import { TableStateStore } from '../../src/adapters/tableStateStore';
import { runStateRetention } from '../../src/app/stateRetention';
import { firstUseBucket, firstUseBucketKey, firstUseDayKey, identityPartitionKey, suppressionLedgerKey, tenantPartitionKey, tokenBucketKey } from '../../src/core/remoteUse/partitionKeys';
import { firstKeptStateDays } from '../../src/core/remoteUse/stateRetention';
import { azuriteConnectionString, uniqueTableName } from '../support/azurite';

const TENANT_A = '6f1c2d3e-4a5b-4c7d-8e9f-0a1b2c3d4e5f';
const TENANT_B = 'b0b0b0b0-0000-4000-8000-000000000002';
const ODD_TENANT = 'odd|tenant';
const DAY_MS = 86_400_000;

async function newTable(prefix: string): Promise<TableClient> {
  const conn = azuriteConnectionString();
  const table = uniqueTableName(prefix);
  await ensureTable(conn, table);
  return createTableClient({ connectionString: conn }, table);
}

async function partitionsOf(client: TableClient): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const e of client.listEntities({ queryOptions: { select: ['PartitionKey', 'RowKey'] } })) out.set(e.partitionKey!, (out.get(e.partitionKey!) ?? 0) + 1);
  return out;
}

/**
 * A state table as the detectors leave it: for each tenant, token buckets, first uses (by issuance
 * and, for Storage token hashes, by day) and ledger hours on both sides of the cut-off, one bucket
 * over 100 rows; identity, tenant, host and correlation partitions that never expire.
 */
function stateChanges(): RowChange[] {
  const changes: RowChange[] = [];
  const rows = (partitionKey: string, n: number, kind: RowChange['kind'] = 'create'): void => {
    for (let i = 0; i < n; i++) changes.push({ kind, partitionKey, rowKey: `r${String(i).padStart(4, '0')}`, data: { at: i }, ...(kind === 'upsert' ? { unguarded: true } : {}) } as RowChange);
  };
  for (const tenant of [TENANT_A, TENANT_B, ODD_TENANT]) {
    for (const ms of [Date.UTC(2026, 10, 20, 9), Date.UTC(2026, 10, 28, 23, 30), Date.UTC(2026, 10, 29, 0, 5), Date.UTC(2026, 11, 6, 22)]) {
      rows(tokenBucketKey(tenant, ms, 'uti'), 3, 'upsert');
      rows(firstUseBucketKey(tenant, firstUseBucket(ms)), 2);
      rows(firstUseDayKey(tenant, Math.floor(ms / DAY_MS)), 1);
      rows(suppressionLedgerKey(tenant, ms, 'object-1', 4), 2, 'upsert');
    }
    rows(suppressionLedgerKey(tenant, Date.UTC(2026, 9, 1, 12), 'object-1'), 1, 'upsert');
    rows(identityPartitionKey(tenant, 'object-1'), 2, 'upsert');
    rows(tenantPartitionKey(tenant), 2, 'upsert');
  }
  rows(tokenBucketKey(TENANT_A, Date.UTC(2026, 10, 27, 5), 'uti'), 230, 'upsert');
  rows(`host|${TENANT_A}|web-01`, 2, 'upsert');
  rows('corr|vm-01', 1, 'upsert');
  return changes;
}

const NOW = Date.UTC(2026, 11, 7, 4, 53);
const RETENTION = { tokenDays: 8, ledgerDays: 30 };

describe('TableStateRetention against Azurite', () => {
  it('deletes the expired token buckets, first uses and ledger hours of every tenant, and nothing else', async () => {
    const client = await newTable('stateretention');
    const changes = stateChanges();
    // Written as the detector writes them: through the state store.
    const store = new TableStateStore(client, { cachePartitions: 100 });
    for (const change of changes) if (change.kind === 'upsert' && !change.unguarded) throw new Error('guarded rows need a load');
    await store.commit(changes, new Map());
    const before = await partitionsOf(client);

    const firstKeptDays = firstKeptStateDays(NOW, RETENTION);
    const deleted = await new TableStateRetention(client).deleteExpiredPartitions(firstKeptDays);

    const after = await partitionsOf(client);
    const expected = new Map([...before].filter(([key]) => {
      const time = /^(tok|use|sup)\|[^|]*\|(\d{8})/.exec(key);
      return time === null || time[2]! >= firstKeptDays[time[1] as 'tok' | 'use' | 'sup'];
    }));
    expect(after).toEqual(expected);
    const gone = [...before].filter(([key]) => !after.has(key));
    // Per tenant: tok 20 Nov + 28 Nov (and A's 27 Nov), use 20 Nov and 28 Nov by bucket and by day, sup 1 Oct.
    expect(gone.map(([key]) => key.split('|')[0])).toEqual(expect.arrayContaining(['tok', 'use', 'sup']));
    expect(deleted).toEqual({ firstKeptDays, tenants: { tok: 3, use: 3, sup: 3 }, partitions: gone.length, rows: gone.reduce((sum, [, n]) => sum + n, 0) });
    expect(deleted.rows).toBe(3 * (2 * 3 + 2 * 2 + 2 * 1 + 1) + 230);
    // Kept: the first kept day's first hour, identity, tenant, host and correlation partitions.
    expect(after.has(tokenBucketKey(TENANT_A, Date.UTC(2026, 10, 29, 0, 5), 'uti'))).toBe(true);
    expect(after.has(firstUseDayKey(TENANT_A, Math.floor(Date.UTC(2026, 10, 29) / DAY_MS)))).toBe(true);
    expect(after.has(suppressionLedgerKey(ODD_TENANT, Date.UTC(2026, 10, 20, 9), 'object-1', 4))).toBe(true);
    for (const key of [identityPartitionKey(TENANT_B, 'object-1'), tenantPartitionKey(ODD_TENANT), `host|${TENANT_A}|web-01`, 'corr|vm-01']) expect(after.get(key)).toBe(2 - (key === 'corr|vm-01' ? 1 : 0));

    // The in-memory twin deletes the same partitions.
    const twin = new MemoryStateStore();
    await twin.commit(changes, new Map());
    const twinDeleted = await twin.deleteExpiredPartitions(firstKeptDays);
    expect(twinDeleted).toEqual(deleted);
    expect(new Map([...twin.backend.partitions].map(([key, p]) => [key, p.rows.size]))).toEqual(after);

    // A second run finds nothing more to delete.
    expect(await new TableStateRetention(client).deleteExpiredPartitions(firstKeptDays)).toMatchObject({ partitions: 0, rows: 0 });
  });

  it('runs as the stateRetention timer: the cut-offs from the clock and the retentions, one log line', async () => {
    const client = await newTable('statetimer');
    const store = new TableStateStore(client, { cachePartitions: 100 });
    const row = (partitionKey: string): RowChange => ({ kind: 'create', partitionKey, rowKey: 'u1', data: { at: 1 } });
    await store.commit([row(firstUseBucketKey(TENANT_A, firstUseBucket(Date.UTC(2026, 10, 27, 13)))), row(firstUseBucketKey(TENANT_A, firstUseBucket(Date.UTC(2026, 10, 28, 1))))], new Map());
    const logs: string[] = [];
    const context = new InvocationContext({ invocationId: 'inv-s', functionName: 'stateRetention', logHandler: (level, ...args) => logs.push(`${level} ${args.map(String).join(' ')}`) });
    const report = await runStateRetention(context, { state: new TableStateRetention(client), retention: { tokenDays: 9, ledgerDays: 30 }, now: () => NOW });
    expect(report).toMatchObject({ firstKeptDays: { tok: '20261128', use: '20261128', sup: '20261107' }, rows: 1, partitions: 1 });
    expect([...(await partitionsOf(client)).keys()]).toEqual([`use|${TENANT_A}|2026112800`]);
    expect(logs).toHaveLength(1);
    expect(JSON.parse(logs[0]!.replace(/^information /, ''))).toMatchObject({ event: 'stateRetention.run', tokenRetentionDays: 9, ledgerRetentionDays: 30, rows: 1, tenants: { tok: 0, use: 1, sup: 0 } });
  });

  it('fails the retention run loudly when the table cannot be reached', async () => {
    const client = createTableClient(
      { connectionString: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;' },
      'state',
      undefined,
      2_000,
    );
    const logs: string[] = [];
    const context = new InvocationContext({ invocationId: 'inv-f', functionName: 'stateRetention', logHandler: (level, ...args) => logs.push(`${level} ${args.map(String).join(' ')}`) });
    await expect(runStateRetention(context, { state: new TableStateRetention(client), retention: RETENTION, now: () => NOW })).rejects.toThrow(/state retention/);
    expect(logs.some((line) => line.startsWith('error') && line.includes('stateRetention.failed'))).toBe(true);
  }, 60_000);
});
