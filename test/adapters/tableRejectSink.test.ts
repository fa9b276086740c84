import { describe, expect, it } from 'vitest';
import { createTableClient, ensureTable } from '../../src/adapters/tableClient';
import { TableRejectSink } from '../../src/adapters/tableRejectSink';
import { makeReject } from '../../src/core/records/reject';
import { azuriteConnectionString, uniqueTableName } from '../support/azurite';

describe('TableRejectSink against Azurite', () => {
  it('stores every reject with its reason, and a redelivered batch overwrites its own rows', async () => {
    const conn = azuriteConnectionString();
    const table = uniqueTableName('rejects');
    await ensureTable(conn, table);
    const client = createTableClient({ connectionString: conn }, table);
    const sink = new TableRejectSink(client, () => new Date('2026-11-23T10:00:00Z'));
    const rejects = Array.from({ length: 130 }, (_, i) => makeReject('body.invalid-json', 'The message body is not JSON.', `junk ${i} /#?`, `partition 1 seq ${i}`));
    await sink.send(rejects, { detector: 'RemoteTokenUse', batchId: '1-500' });
    await sink.send(rejects, { detector: 'RemoteTokenUse', batchId: '1-500' });
    const rows: Record<string, unknown>[] = [];
    for await (const e of client.listEntities()) rows.push(e);
    expect(rows).toHaveLength(130);
    expect(rows[0]).toMatchObject({ partitionKey: 'RemoteTokenUse|20261123', reason: 'body.invalid-json', origin: 'partition 1 seq 0', sample: 'junk 0 /#?' });
  });
});
