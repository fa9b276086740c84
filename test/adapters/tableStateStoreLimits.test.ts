import { RestError, createHttpHeaders, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline';
import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import type { StateStore } from '../../src/adapters/stateStore';
import { createTableClient, ensureTable, RequestCounter } from '../../src/adapters/tableClient';
import { TableStateStore } from '../../src/adapters/tableStateStore';
import { isDataError, isTooLargeError, MAX_PROPERTY_CHARS, operationSize, submitStorable, type EntityOperation } from '../../src/adapters/tableTransaction';
import { handleRemoteTokenUse } from '../../src/app/remoteUseHandler';
import { identityPartitionKey } from '../../src/core/remoteUse/partitionKeys';
import { defaultRemoteUseSettings } from '../../src/core/remoteUse/settings';
import type { RowChange } from '../../src/core/state/partition';
import { activityUse, at, ATTACKER_IP, identity, miSignIn, TENANT, testClassifier } from '../support/auditFixtures';
import { azuriteConnectionString, uniqueTableName } from '../support/azurite';

/**
 * Table Storage's limits (64 KiB per string property, 1 MiB per entity, 4 MiB per `$batch`) against
 * Azurite, which enforces them as the service does: a row over a limit is left out and reported as
 * refused, never thrown (thrown, the batch would be redelivered forever); the partition's other rows,
 * its guard and the other partitions are written.
 */

async function newStore() {
  const conn = azuriteConnectionString();
  const table = uniqueTableName('limits');
  await ensureTable(conn, table);
  const counter = new RequestCounter();
  const client = createTableClient({ connectionString: conn }, table, counter);
  return { client, counter, store: new TableStateStore(client, { cachePartitions: 100 }) };
}

const upsert = (partitionKey: string, rowKey: string, data: Record<string, string | number | boolean>): RowChange => ({ kind: 'upsert', partitionKey, rowKey, data });

async function rowKeysOf(client: ReturnType<typeof createTableClient>, partitionKey: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const entity of client.listEntities({ queryOptions: { filter: `PartitionKey eq '${partitionKey}'` } })) keys.push(String(entity.rowKey));
  return keys.sort();
}

describe('TableStateStore at Table Storage limits (Azurite)', () => {
  it('leaves out a row whose property exceeds 32,768 characters, and writes the rest of its partition and the others', async () => {
    const { client, store } = await newStore();
    const pk = identityPartitionKey(TENANT, 'oid-limits-1');
    const other = identityPartitionKey(TENANT, 'oid-limits-2');
    const judged = await store.load([pk, other]);
    const result = await store.commit(
      [upsert(pk, 'asn|64500', { first: 1, last: 2, org: 'Contoso Telecom' }), upsert(pk, 'big', { name: 'x'.repeat(MAX_PROPERTY_CHARS + 1) }), upsert(other, 'asn|64501', { first: 1, last: 1 })],
      judged,
    );
    expect(result.written).toBe(2);
    expect(result.conflicts).toEqual([]);
    expect(result.refused).toEqual([{ partitionKey: pk, rowKey: 'big', reason: 'state.value-too-large', detail: expect.stringContaining('32769 characters') }]);
    expect(await rowKeysOf(client, pk)).toEqual(['asn|64500', '~v']);
    expect(await rowKeysOf(client, other)).toEqual(['asn|64501', '~v']);
    // The guard moved with the write: the next batch's guarded write of the same partition succeeds.
    expect(await store.commit([upsert(pk, 'asn|64500', { first: 1, last: 3, org: 'Contoso Telecom' })], await store.load([pk]))).toEqual({ written: 1, conflicts: [] });
    // And the cache holds what the table holds: not the refused row.
    expect((await store.load([pk])).get(pk)?.rows.has('big')).toBe(false);
  });

  it('leaves out an entity over 1 MiB (UTF-16, as the service counts) whose every property fits', async () => {
    const { client, store } = await newStore();
    const pk = identityPartitionKey(TENANT, 'oid-limits-3');
    const wide: Record<string, string> = {};
    for (let i = 0; i < 20; i++) wide[`p${i}`] = 'y'.repeat(30_000);
    const result = await store.commit([upsert(pk, 'wide', wide), upsert(pk, 'small', { n: 1 })], await store.load([pk]));
    expect(result.refused?.map((r) => [r.rowKey, r.reason])).toEqual([['wide', 'state.value-too-large']]);
    expect(await rowKeysOf(client, pk)).toEqual(['small', '~v']);
  });

  it('cuts a partition whose rows exceed 4 MiB of body into several transactions, all written', async () => {
    const { client, store, counter } = await newStore();
    const pk = identityPartitionKey(TENANT, 'oid-limits-4');
    // 60 rows of 30,000 characters: each under every per-row limit, together over 4 MiB of body.
    const changes = Array.from({ length: 60 }, (_, i) => upsert(pk, `r${String(i).padStart(2, '0')}`, { v: 'z'.repeat(30_000) }));
    const judged = await store.load([pk]);
    const before = counter.requests;
    const result = await store.commit(changes, judged);
    expect(result).toEqual({ written: 1, conflicts: [] });
    expect(counter.requests - before).toBeGreaterThan(1);
    expect((await rowKeysOf(client, pk)).length).toBe(61);
  });

  it('leaves out a number Table Storage cannot carry instead of failing the partition', async () => {
    const { client, store } = await newStore();
    const pk = identityPartitionKey(TENANT, 'oid-limits-5');
    const result = await store.commit([upsert(pk, 'nan', { n: Number.NaN }), upsert(pk, 'ok', { n: 1 })], await store.load([pk]));
    expect(result.refused?.map((r) => [r.rowKey, r.reason])).toEqual([['nan', 'state.value-not-storable']]);
    expect(await rowKeysOf(client, pk)).toEqual(['ok', '~v']);
  });

  it('leaves out a row the service itself refuses, by the index its error names, and sends the rest again', async () => {
    const { client } = await newStore();
    // Sent as they are (no check before sending): Azurite answers `1:The property value exceeds…`.
    const operations: EntityOperation[] = [
      { op: 'upsert', rowKey: 'a', data: { v: 'small' } },
      { op: 'upsert', rowKey: 'b', data: { v: 'x'.repeat(40_000) } },
      { op: 'upsert', rowKey: 'c', data: { v: 'small' } },
    ];
    const { refused } = await submitStorable(client, 'p-refused', operations);
    expect(refused.map((r) => [r.operation.rowKey, r.problem.reason])).toEqual([['b', 'state.value-too-large']]);
    expect(await rowKeysOf(client, 'p-refused')).toEqual(['a', 'c']);
  });

  it('splits a transaction the service refuses as a whole (413) until every row fits', async () => {
    const { client, counter } = await newStore();
    // 50 rows of 90,000 characters: 4.5 MB of body in one transaction, over the 4 MiB Azurite enforces.
    const operations: EntityOperation[] = Array.from({ length: 50 }, (_, i) => ({ op: 'upsert', rowKey: `r${String(i).padStart(2, '0')}`, data: { a: 'q'.repeat(30_000), b: 'q'.repeat(30_000), c: 'q'.repeat(30_000) } }));
    const before = counter.requests;
    const { refused, first } = await submitStorable(client, 'p-split', operations);
    expect(refused).toEqual([]);
    // The refused whole, then its halves: three requests at least, and the first result is the first operation's.
    expect(counter.requests - before).toBeGreaterThanOrEqual(3);
    expect(first?.subResponses.length).toBe(25);
    expect((await rowKeysOf(client, 'p-split')).length).toBe(50);
  });

  it('never leaves out an operation that may not be refused (a guard): that refusal is thrown', async () => {
    const { client } = await newStore();
    const guard: EntityOperation = { op: 'upsert', rowKey: '~v', data: { v: 'x'.repeat(40_000) } };
    await expect(submitStorable(client, 'p-guard', [guard], (op) => op.rowKey !== '~v')).rejects.toSatisfy(isTooLargeError);
  });

  it('a row refused at commit is a counted state.value-too-large reject, and the batch goes on', async () => {
    const { store } = await newStore();
    // A store whose caller adds a row no bound would let through: the last line holds.
    const poisoned: StateStore = {
      load: (keys) => store.load(keys),
      readRows: (addresses) => store.readRows(addresses),
      commit: (changes, judgedOn) => {
        const first = changes.find((c) => c.kind === 'upsert');
        const extra: RowChange[] = first ? [upsert(first.partitionKey, 'poison', { v: 'p'.repeat(100_000) })] : [];
        return store.commit([...changes, ...extra], judgedOn);
      },
    };
    const id = identity(41);
    const deps = { store: poisoned, sink: new MemoryAlertSink(), deadLetter: new MemoryRejectSink(), settings: defaultRemoteUseSettings(testClassifier), now: () => at(30) };
    const context = new InvocationContext({ invocationId: 'limits', functionName: 'limits', triggerMetadata: { partitionContext: { partitionId: '0' } }, logHandler: () => undefined });
    const report = await handleRemoteTokenUse([{ records: [miSignIn(id, at(20)), activityUse(id, at(20, 5), ATTACKER_IP)] }], context, deps);
    expect(report.rejectsByReason).toEqual({ 'state.value-too-large': 1 });
    expect(deps.deadLetter.rejects[0]?.origin).toMatch(/^state .* poison$/);
    expect(report.alerts.map((a) => a.IdentityObjectId)).toEqual([id.objectId]);
  });
});

describe('what the adapter counts as a data error', () => {
  it('size refusals and 400s are data errors; conflicts, throttling, 5xx, auth and a missing table are not', () => {
    expect(isTooLargeError(new RestError('too big', { statusCode: 413 }))).toBe(true);
    for (const code of ['PropertyValueTooLarge', 'EntityTooLarge', 'RequestBodyTooLarge']) expect(isTooLargeError(new RestError('0:x', { statusCode: 400, code }))).toBe(true);
    expect(isDataError(new RestError('0:x', { statusCode: 400, code: 'InvalidInput' }))).toBe(true);
    for (const statusCode of [403, 404, 408, 409, 412, 429, 500, 503]) expect(isDataError(new RestError('x', { statusCode })), String(statusCode)).toBe(false);
    expect(isDataError(new Error('socket hang up'))).toBe(false);
  });

  it('a failure that is not the data (here a 403 while a role assignment propagates) is thrown as it is', async () => {
    const { client } = await newStore();
    const failing: HttpClient = { sendRequest: async (request: PipelineRequest) => ({ request, status: 403, headers: createHttpHeaders(), bodyAsText: '' }) };
    await expect(submitStorable(client, 'p', [{ op: 'upsert', rowKey: 'a', data: { v: 1 } }], () => true, failing)).rejects.toMatchObject({ statusCode: 403 });
  });

  it('estimates a body share that covers the JSON escapes of the worst characters', () => {
    const operation: EntityOperation = { op: 'upsert', rowKey: 'r', data: { v: '\u0001'.repeat(1_000) } };
    const escaped = JSON.stringify('\u0001'.repeat(1_000)).length;
    expect(operationSize('p', operation).bodyBytes).toBeGreaterThan(escaped);
  });
});
