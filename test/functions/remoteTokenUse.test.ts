import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { MemoryStateBackend, MemoryStateStore } from '../../src/adapters/memoryStateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import { createTableClient, ensureTable } from '../../src/adapters/tableClient';
import { TableStateStore } from '../../src/adapters/tableStateStore';
import { StateStoreError } from '../../src/adapters/stateStore';
import { handleRemoteTokenUse, type RemoteUseHandlerDeps } from '../../src/app/remoteUseHandler';
import { defaultRemoteUseSettings } from '../../src/core/remoteUse/settings';
import { activityUse, at, ATTACKER_IP, AZURE_IP, identity, miSignIn, testClassifier } from '../support/auditFixtures';
import { azuriteConnectionString, uniqueTableName } from '../support/azurite';

function context(logs: string[]): InvocationContext {
  return new InvocationContext({
    invocationId: 'inv-1',
    functionName: 'remoteTokenUse',
    triggerMetadata: { partitionContext: { partitionId: '2' }, sequenceNumberArray: [100, 101, 102, 103, 104] },
    logHandler: (level, ...args) => logs.push(`${level} ${args.map(String).join(' ')}`),
  });
}

function deps(store = new MemoryStateStore()): RemoteUseHandlerDeps & { sink: MemoryAlertSink; deadLetter: MemoryRejectSink } {
  return { store, sink: new MemoryAlertSink(), deadLetter: new MemoryRejectSink(), settings: defaultRemoteUseSettings(testClassifier), now: () => Date.UTC(2026, 10, 23) };
}

const id = identity(61);

describe('remoteTokenUse handler', () => {
  it('rejects a record whose time is past what a Date holds instead of failing the batch on it', async () => {
    // Judged, such a use would raise an alert whose EventTime cannot be formatted: the invocation
    // would throw, and under the unlimited retry policy its partition would stop.
    const d = deps();
    const farFuture = { ...(activityUse(id, at(0, 5), ATTACKER_IP) as Record<string, unknown>), time: 1e16 };
    const report = await handleRemoteTokenUse([{ records: [miSignIn(id, at(0)), farFuture, activityUse(id, at(0, 9), ATTACKER_IP)] }], context([]), d);
    expect(report.rejectsByReason).toEqual({ 'activity.bad-time': 1 });
    expect(d.sink.rows.map((a) => a.EventTime)).toEqual([new Date(at(0, 9)).toISOString()]);
  });

  it('rejects bad bodies and bad records, counts them, dead-letters them and keeps the rest of the batch', async () => {
    const logs: string[] = [];
    const d = deps();
    const messages = [
      { records: [miSignIn(id, at(0)), activityUse(id, at(0, 5), ATTACKER_IP)] },
      'this is not json',
      Buffer.from(JSON.stringify({ records: [{ time: 'yesterday', category: 'ManagedIdentitySignInLogs', properties: {} }, { hello: 'world' }] })),
      JSON.stringify({ records: 'nope' }),
      JSON.stringify(activityUse(id, at(0, 9), AZURE_IP)),
    ];
    const report = await handleRemoteTokenUse(messages, context(logs), d);
    expect(report.records).toBe(5);
    expect(report.rejectsByReason).toEqual({ 'body.invalid-json': 1, 'signin.bad-time': 1, 'record.not-azure-log': 1, 'body.records-not-array': 1 });
    expect(d.deadLetter.rejects.map((r) => r.origin)).toEqual(['partition 2 seq 101', 'partition 2 seq 102 record 0', 'partition 2 seq 102 record 1', 'partition 2 seq 103']);
    expect(d.sink.rows).toHaveLength(1);
    expect(d.sink.rows[0]!.Severity).toBe('Low');
    expect(d.sink.rows[0]!.TimeGenerated).toBe('2026-11-23T00:00:00.000Z');
    expect(d.sink.rows[0]!.EventTime).toBe(new Date(at(0, 5)).toISOString());
    // One structured summary line per batch, a warning because of the rejects.
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^warning \{"event":"remoteTokenUse.batch"/);
    expect(JSON.parse(logs[0]!.slice('warning '.length)).rejects).toBe(4);
  });

  it('counts a use more than the lateness allowance behind its identity as late in the batch line', async () => {
    const d = deps();
    await handleRemoteTokenUse([{ records: [miSignIn(id, at(10)), activityUse(id, at(10, 5), AZURE_IP)] }], context([]), d);
    const logs: string[] = [];
    await handleRemoteTokenUse([{ records: [activityUse(id, at(5, 5), AZURE_IP)] }], context(logs), d);
    const line = JSON.parse(logs[0]!.replace(/^\w+ /, '')) as Record<string, unknown>;
    expect(line['event']).toBe('remoteTokenUse.batch');
    expect(line['late']).toBe(1);
  });

  it('throws when the state store is unreachable, so the batch is redelivered', async () => {
    const logs: string[] = [];
    const backend = new MemoryStateBackend();
    backend.failNext = new StateStoreError('table state: reading partition failed: ECONNREFUSED');
    const d = deps(new MemoryStateStore(backend));
    await expect(handleRemoteTokenUse([{ records: [activityUse(id, at(0), ATTACKER_IP)] }], context(logs), d)).rejects.toBeInstanceOf(StateStoreError);
    expect(d.sink.rows).toHaveLength(0);
    expect(logs.some((l) => l.startsWith('error') && l.includes('remoteTokenUse.failed'))).toBe(true);
  });

  it('throws on a real Table Storage outage (nothing listening) instead of dropping the batch', async () => {
    const client = createTableClient({ connectionString: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;' }, 'state');
    const d = deps(new TableStateStore(client, { cachePartitions: 10 }) as never);
    await expect(handleRemoteTokenUse([{ records: [miSignIn(id, at(0))] }], context([]), d)).rejects.toBeInstanceOf(StateStoreError);
  }, 60_000);

  it('throws when the alert sink fails (the batch is redelivered and the alert re-emitted with the same id)', async () => {
    const conn = azuriteConnectionString();
    const table = uniqueTableName('handler');
    await ensureTable(conn, table);
    const store = new TableStateStore(createTableClient({ connectionString: conn }, table), { cachePartitions: 10 });
    const d = deps(store as never);
    const failing = { send: async () => { throw new Error('503 from the ingestion endpoint'); } };
    const batch = [{ records: [miSignIn(id, at(0)), activityUse(id, at(0, 5), ATTACKER_IP)] }];
    await expect(handleRemoteTokenUse(batch, context([]), { ...d, sink: failing })).rejects.toThrow('503');
    const report = await handleRemoteTokenUse(batch, context([]), d);
    expect(report.alerts).toHaveLength(1);
    expect(report.detection.reemitted).toBe(1);
    expect(d.sink.rows).toHaveLength(1);
  });
});
