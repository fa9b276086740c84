import { describe, expect, it } from 'vitest';
import { MemoryStateBackend } from '../../src/adapters/memoryStateStore';
import { createTableClient, ensureTable } from '../../src/adapters/tableClient';
import { TableStateStore } from '../../src/adapters/tableStateStore';
import type { SourcedRecord } from '../../src/app/decodeMessages';
import { runRemoteUseBatch } from '../../src/app/remoteUseRunner';
import { ClassifyingRequestCounter } from '../../src/bench/classifyingCounter';
import { NaiveStateStore } from '../../src/bench/naiveStateStore';
import { runPerRecord } from '../../src/bench/perRecord';
import { remoteDeps } from '../../src/bench/purePhases';
import { defaultRemoteUseSettings } from '../../src/core/remoteUse/settings';
import { activityUse, at, AZURE_IP, AZURE_IP_2, graphUse, identity, miSignIn, ONPREM_IP, testClassifier, tokenId } from '../support/auditFixtures';
import { azuriteConnectionString, uniqueTableName } from '../support/azurite';
import { replayRecords } from '../support/remoteUseHarness';

const settings = defaultRemoteUseSettings(testClassifier);
const a = identity(1);
const b = identity(2);
/** Two identities over two days: sign-ins, repeated uses from known addresses, one new address. */
const RECORDS = [
  miSignIn(a, at(0)),
  activityUse(a, at(0, 5), AZURE_IP, { token: tokenId(a, at(0)), iatMs: at(0) }),
  activityUse(a, at(0, 9), AZURE_IP, { token: tokenId(a, at(0)), iatMs: at(0) }),
  miSignIn(b, at(0, 20)),
  graphUse(b, at(0, 25), AZURE_IP_2, { token: tokenId(b, at(0, 20)), issuedAtMs: at(0, 20) }),
  activityUse(a, at(1, 5), ONPREM_IP, { token: tokenId(a, at(0)), iatMs: at(0) }),
  activityUse(a, at(1, 6), ONPREM_IP, { token: tokenId(a, at(0)), iatMs: at(0) }),
];
const bodies = [{ text: JSON.stringify({ records: RECORDS }), records: RECORDS.length }];

async function freshTable(counter: ClassifyingRequestCounter) {
  const conn = azuriteConnectionString();
  const table = uniqueTableName('naive');
  await ensureTable(conn, table);
  return createTableClient({ connectionString: conn }, table, counter);
}

describe('NaiveStateStore, the per-record reference', () => {
  it('reads every partition a record needs and writes every changed row as a request of its own, for every record', async () => {
    const counter = new ClassifyingRequestCounter();
    const client = await freshTable(counter);
    const store = new NaiveStateStore(client);
    const perRecord: number[] = [];
    let stateChanges = 0;
    const done = await runPerRecord(bodies, async (records: SourcedRecord[], batchId) => {
      const before = counter.requests;
      const report = await runRemoteUseBatch(records, [], remoteDeps(store, settings), batchId);
      stateChanges += report.stateChanges;
      perRecord.push(counter.requests - before);
    });

    expect(done.records).toBe(RECORDS.length);
    // Each record at least reads its tenant partition: nothing is cached between records.
    expect(perRecord.every((n) => n >= 1)).toBe(true);
    expect(store.reads).toBeGreaterThanOrEqual(RECORDS.length);
    // Small partitions: one GET per partition read and per token row an alert cites; one PUT/DELETE per changed row; no transactions.
    expect(counter.byKind).toEqual({ query: store.reads, read: store.rowReads, transaction: 0, write: store.writes });
    expect(store.writes).toBe(stateChanges);
    expect(stateChanges).toBeGreaterThan(0);
  });

  it('leaves the same state as the real detector fed one record at a time, so it is the same detector, only unbatched', async () => {
    const counter = new ClassifyingRequestCounter();
    const client = await freshTable(counter);
    await runPerRecord(bodies, (records, batchId) => runRemoteUseBatch(records, [], remoteDeps(new NaiveStateStore(client), settings), batchId));
    const backend = new MemoryStateBackend();
    await replayRecords(RECORDS, { batchSize: 1, backend });

    const inTable = new Map<string, Record<string, unknown>>();
    for await (const entity of client.listEntities<Record<string, unknown>>()) {
      const { partitionKey, rowKey, etag: _etag, timestamp: _timestamp, ...data } = entity;
      inTable.set(`${partitionKey}/${rowKey}`, data);
    }
    const inMemory = new Map<string, Record<string, unknown>>();
    for (const [key, partition] of backend.partitions) for (const [rowKey, row] of partition.rows) inMemory.set(`${key}/${rowKey}`, { ...row });
    expect(inMemory.size).toBeGreaterThan(3);
    expect([...inTable.keys()].sort()).toEqual([...inMemory.keys()].sort());
    for (const [key, data] of inMemory) expect(inTable.get(key)).toMatchObject(data);
  });

  it('costs more requests than the batched, cached store on the same records', async () => {
    const naiveCounter = new ClassifyingRequestCounter();
    const naiveClient = await freshTable(naiveCounter);
    await runPerRecord(bodies, (records, batchId) => runRemoteUseBatch(records, [], remoteDeps(new NaiveStateStore(naiveClient), settings), batchId));

    const batchedCounter = new ClassifyingRequestCounter();
    const batchedClient = await freshTable(batchedCounter);
    const store = new TableStateStore(batchedClient, { cachePartitions: 100 });
    const records = RECORDS.map((record, i) => ({ record, origin: `record ${i}` }));
    await runRemoteUseBatch(records, [], remoteDeps(store, settings), 'one-batch');

    expect(batchedCounter.requests).toBeGreaterThan(0);
    expect(naiveCounter.requests).toBeGreaterThan(2 * batchedCounter.requests);
  });
});
