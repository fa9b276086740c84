import { InvocationContext } from '@azure/functions';
import type { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { createTableClient, ensureTable } from '../../src/adapters/tableClient';
import { TableRejectSink } from '../../src/adapters/tableRejectSink';
import { runRejectsRetention } from '../../src/app/rejectsRetention';
import { makeReject } from '../../src/core/records/reject';
import { azuriteConnectionString, uniqueTableName } from '../support/azurite';

async function newTable(prefix: string): Promise<TableClient> {
  const conn = azuriteConnectionString();
  const table = uniqueTableName(prefix);
  await ensureTable(conn, table);
  return createTableClient({ connectionString: conn }, table);
}

async function rowsOf(client: TableClient): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const e of client.listEntities()) rows.push(e);
  return rows;
}

/** A sink whose clock the test sets: each send lands in the partition of that day. */
function sinkAt(client: TableClient): { sink: TableRejectSink; at: (iso: string) => void } {
  let now = new Date('2026-11-23T10:00:00Z');
  return { sink: new TableRejectSink(client, () => now), at: (iso) => (now = new Date(iso)) };
}

const junk = (n: number, tag: string) => Array.from({ length: n }, (_, i) => makeReject('body.invalid-json', 'The message body is not JSON.', `junk ${tag} ${i}`, `partition 1 seq ${i}`));

describe('TableRejectSink against Azurite', () => {
  it('stores every reject with its reason, and a redelivered batch overwrites its own rows', async () => {
    const client = await newTable('rejects');
    const sink = new TableRejectSink(client, () => new Date('2026-11-23T10:00:00Z'));
    const rejects = Array.from({ length: 130 }, (_, i) => makeReject('body.invalid-json', 'The message body is not JSON.', `junk ${i} /#?`, `partition 1 seq ${i}`));
    await sink.send(rejects, { detector: 'RemoteTokenUse', batchId: '1-500' });
    await sink.send(rejects, { detector: 'RemoteTokenUse', batchId: '1-500' });
    const rows = await rowsOf(client);
    expect(rows).toHaveLength(130);
    expect(rows[0]).toMatchObject({ partitionKey: 'RemoteTokenUse|20261123', reason: 'body.invalid-json', origin: 'partition 1 seq 0', sample: 'junk 0 /#?' });
  });

  it('stores the sample with its credentials redacted', async () => {
    const client = await newTable('rejectsecret');
    const sink = new TableRejectSink(client, () => new Date('2026-11-23T10:00:00Z'));
    const record = { category: 'Unknown', properties: { requestHeaders: { Authorization: 'Bearer 0.AXYA-stored-opaque-token-value' }, url: 'https://contosodata.blob.core.windows.net/c/b?sv=2022-11-02&sig=StoredSig0123456789%3D' } };
    await sink.send([makeReject('record.not-azure-log', 'The record is not an Entra ID or Azure resource log record.', record, 'partition 0 seq 1 record 0')], { detector: 'RemoteTokenUse', batchId: '0-1' });
    const [row] = await rowsOf(client);
    expect(row!['sample']).toContain('"url":"https://contosodata.blob.core.windows.net/c/b?sv=2022-11-02&sig=[REDACTED]"');
    expect(JSON.stringify(row)).not.toMatch(/stored-opaque-token-value|StoredSig0123456789/);
  });

  it('deletes the partitions of days before the first kept day, for every detector, and nothing else', async () => {
    const client = await newTable('rejectexpiry');
    const { sink, at } = sinkAt(client);
    // 30 days at the default retention: on 2026-12-02 the first kept day is 2026-11-02.
    const days = ['2026-10-01', '2026-11-01', '2026-11-02', '2026-12-02'];
    for (const day of days) {
      at(`${day}T12:00:00Z`);
      // 230 rows on the oldest day: more than two delete transactions in one partition.
      await sink.send(junk(day === '2026-10-01' ? 230 : 3, day), { detector: 'TokenTheft', batchId: `b-${day}` });
      await sink.send(junk(2, day), { detector: 'RemoteTokenUse', batchId: `b-${day}` });
    }
    at('2026-10-15T08:00:00Z');
    await sink.send(junk(1, 'odd'), { detector: 'Odd|Detector', batchId: 'b-odd' });
    // A row of another shape, in a partition that sorts between the detectors: stepped over and kept.
    await client.createEntity({ partitionKey: 'SomethingElse', rowKey: 'x', note: 'not a reject' });

    const deleted = await sink.deleteRejectsBefore('20261102');
    expect(deleted).toEqual({ firstKeptDay: '20261102', detectors: ['Odd%7CDetector', 'RemoteTokenUse', 'TokenTheft'], partitions: 5, rows: 230 + 3 + 2 + 2 + 1 });
    const left = (await rowsOf(client)).map((r) => String(r['partitionKey']));
    expect([...new Set(left)].sort()).toEqual(['RemoteTokenUse|20261102', 'RemoteTokenUse|20261202', 'SomethingElse', 'TokenTheft|20261102', 'TokenTheft|20261202']);
    expect(left).toHaveLength(2 + 2 + 1 + 3 + 3);

    // A second run finds nothing more to delete.
    expect(await sink.deleteRejectsBefore('20261102')).toMatchObject({ partitions: 0, rows: 0 });
  });

  it('runs as the rejectsRetention timer: the cut-off from the clock and the retention, one log line', async () => {
    const client = await newTable('rejecttimer');
    const { sink, at } = sinkAt(client);
    at('2026-11-20T23:00:00Z');
    await sink.send(junk(4, 'old'), { detector: 'TokenTheft', batchId: 'b-old' });
    at('2026-11-21T01:00:00Z');
    await sink.send(junk(2, 'kept'), { detector: 'TokenTheft', batchId: 'b-kept' });
    const logs: string[] = [];
    const context = new InvocationContext({ invocationId: 'inv-r', functionName: 'rejectsRetention', logHandler: (level, ...args) => logs.push(`${level} ${args.map(String).join(' ')}`) });
    const report = await runRejectsRetention(context, { rejects: sink, retentionDays: 7, now: () => Date.parse('2026-11-28T04:41:00Z') });
    expect(report).toMatchObject({ firstKeptDay: '20261121', rows: 4, partitions: 1 });
    expect((await rowsOf(client)).map((r) => r['partitionKey'])).toEqual(['TokenTheft|20261121', 'TokenTheft|20261121']);
    expect(logs).toHaveLength(1);
    expect(JSON.parse(logs[0]!.replace(/^information /, ''))).toMatchObject({ event: 'rejectsRetention.run', retentionDays: 7, firstKeptDay: '20261121', rows: 4 });
  });

  it('fails the retention run loudly when the table cannot be reached', async () => {
    const client = createTableClient(
      { connectionString: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;' },
      'rejects',
      undefined,
      2_000,
    );
    const logs: string[] = [];
    const context = new InvocationContext({ invocationId: 'inv-f', functionName: 'rejectsRetention', logHandler: (level, ...args) => logs.push(`${level} ${args.map(String).join(' ')}`) });
    await expect(runRejectsRetention(context, { rejects: new TableRejectSink(client, () => new Date()), retentionDays: 30, now: () => Date.parse('2026-11-28T04:41:00Z') })).rejects.toThrow(/dead-letter retention/);
    expect(logs.some((line) => line.startsWith('error') && line.includes('rejectsRetention.failed'))).toBe(true);
  }, 60_000);
});
