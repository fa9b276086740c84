import { LogsQueryResultStatus } from '@azure/monitor-query-logs';
import { describe, expect, it } from 'vitest';
import { LogAnalyticsQueryClient, LogQueryError, MemoryLogQueryClient, type WorkspaceQuery } from '../../src/adapters/logAnalyticsQuery';

const span = { startTime: new Date('2026-03-01T00:00:00Z'), endTime: new Date('2026-03-01T01:00:00Z') };
const table = {
  name: 'PrimaryResult',
  columnDescriptors: [
    { name: 'DeviceId', type: 'string' as const },
    { name: 'Timestamp', type: 'datetime' as const },
    { name: 'AdditionalFields', type: 'dynamic' as const },
  ],
  rows: [['d1', new Date('2026-03-01T00:10:00Z'), { host: '169.254.169.254' }]],
};

function fake(result: () => Promise<unknown>): WorkspaceQuery & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    queryWorkspace: (async (...args: unknown[]) => {
      calls.push(args);
      return result();
    }) as WorkspaceQuery['queryWorkspace'],
  };
}

describe('LogAnalyticsQueryClient', () => {
  it('queries the workspace with the timespan and turns rows into column-name records', async () => {
    const client = fake(async () => ({ status: LogsQueryResultStatus.Success, tables: [table] }));
    const rows = await new LogAnalyticsQueryClient(client, 'ws-1').query('DeviceNetworkEvents | take 1', span);
    expect(rows).toEqual([{ DeviceId: 'd1', Timestamp: new Date('2026-03-01T00:10:00Z'), AdditionalFields: { host: '169.254.169.254' } }]);
    expect(client.calls[0]?.slice(0, 3)).toEqual(['ws-1', 'DeviceNetworkEvents | take 1', span]);
  });

  it('returns no rows for a result without tables', async () => {
    const client = fake(async () => ({ status: LogsQueryResultStatus.Success, tables: [] }));
    expect(await new LogAnalyticsQueryClient(client, 'ws').query('T', span)).toEqual([]);
  });

  it('throws on a partial result, so the sweep retries instead of advancing past unread rows', async () => {
    const client = fake(async () => ({ status: LogsQueryResultStatus.PartialFailure, partialTables: [table], partialError: { code: 'PartialError', message: 'limit' } }));
    await expect(new LogAnalyticsQueryClient(client, 'ws').query('T', span)).rejects.toThrow(LogQueryError);
  });

  it('throws a LogQueryError carrying the code when the query fails', async () => {
    const client = fake(async () => {
      throw Object.assign(new Error('Syntax error'), { code: 'BadArgumentError', status: LogsQueryResultStatus.Failure });
    });
    await expect(new LogAnalyticsQueryClient(client, 'ws').query('T |', span)).rejects.toMatchObject({ name: 'LogQueryError', code: 'BadArgumentError' });
  });
});

describe('MemoryLogQueryClient', () => {
  it('answers from its function, records the queries and throws returned errors', async () => {
    const memory = new MemoryLogQueryClient((kql) => (kql.startsWith('Fail') ? new Error('down') : [{ kql }]));
    expect(await memory.query('DeviceFileEvents', span)).toEqual([{ kql: 'DeviceFileEvents' }]);
    await expect(memory.query('Fail', span)).rejects.toThrow('down');
    expect(memory.queries.map((q) => q.kql)).toEqual(['DeviceFileEvents', 'Fail']);
  });
});
