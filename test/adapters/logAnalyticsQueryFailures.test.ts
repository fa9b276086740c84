import { LogsQueryResultStatus } from '@azure/monitor-query-logs';
import { describe, expect, it } from 'vitest';
import { classifyQueryFailure, LogAnalyticsQueryClient, LogQueryError, MemoryWorkspace, type WorkspaceQuery } from '../../src/adapters/logAnalyticsQuery';
import { buildRowPageQuery } from '../../src/core/workspaceRows/rowPage';

const span = { startTime: new Date('2026-03-01T00:00:00Z'), endTime: new Date('2026-03-01T01:00:00Z') };

function failing(error: unknown): WorkspaceQuery {
  return {
    queryWorkspace: (async () => {
      throw error;
    }) as WorkspaceQuery['queryWorkspace'],
  };
}

describe('query failures, as a caller can act on them', () => {
  it('tells throttling, timeouts and a missing table from other failures', async () => {
    const kindOf = async (error: unknown): Promise<string> => {
      try {
        await new LogAnalyticsQueryClient(failing(error), 'ws').query('T', span);
        return 'none';
      } catch (caught) {
        return caught instanceof LogQueryError ? caught.kind : 'other';
      }
    };
    expect(await kindOf(Object.assign(new Error('Too many requests'), { code: 'TooManyRequests', statusCode: 429 }))).toBe('throttled');
    expect(await kindOf(Object.assign(new Error('The gateway did not receive a response in time'), { code: 'GatewayTimeout', statusCode: 504 }))).toBe('timeout');
    expect(await kindOf(Object.assign(new Error("'where' operator: Failed to resolve table or column expression named 'AZKVAuditLogs'"), { code: 'BadArgumentError', statusCode: 400 }))).toBe('table-missing');
    expect(await kindOf(Object.assign(new Error('Syntax error'), { code: 'BadArgumentError', statusCode: 400 }))).toBe('failed');
    expect(await kindOf(Object.assign(new Error('Forbidden'), { code: 'InsufficientAccessError', statusCode: 403 }))).toBe('failed');
  });

  it('makes every partial result a partial failure, whatever its code, and keeps none of its rows', async () => {
    const partial: WorkspaceQuery = {
      queryWorkspace: (async () => ({
        status: LogsQueryResultStatus.PartialFailure,
        partialTables: [{ name: 'PrimaryResult', columnDescriptors: [{ name: 'a', type: 'string' }], rows: [['x']] }],
        partialError: { code: 'PartialError', message: 'Query result set has exceeded the internal data size limit 67108864 (E_QUERY_RESULT_SET_TOO_LARGE)' },
      })) as WorkspaceQuery['queryWorkspace'],
    };
    await expect(new LogAnalyticsQueryClient(partial, 'ws').query('T', span)).rejects.toMatchObject({ name: 'LogQueryError', kind: 'partial', code: 'PartialError' });
  });

  it('classifies by status code and text alike', () => {
    expect(classifyQueryFailure('x', 'y', 429)).toBe('throttled');
    expect(classifyQueryFailure('x', 'the request timed out')).toBe('timeout');
    expect(classifyQueryFailure('SemanticError', 'SEM0100: something')).toBe('table-missing');
    expect(new LogQueryError('m', 'c', 'partial').kind).toBe('partial');
  });
});

describe('MemoryWorkspace (the twin of a workspace behind the query client)', () => {
  const T = Date.UTC(2026, 2, 1, 10);
  const window = { on: 'TimeGenerated' as const, fromMs: T, toMs: T + 60_000 };
  const ask = (workspace: MemoryWorkspace, spec: Parameters<typeof buildRowPageQuery>[0]) => {
    const query = buildRowPageQuery(spec);
    return workspace.query(query.kql, query.timespan);
  };

  it('answers a page query with the window\'s rows in order, the added columns, TimeGenerated as a Date', async () => {
    const workspace = new MemoryWorkspace().add('AzureActivity', [
      { TimeGenerated: '2026-03-01T10:00:30.0000002Z', n: 3 },
      { TimeGenerated: '2026-03-01T10:00:30.0000001Z', n: 2 },
      { TimeGenerated: new Date(T), n: 1 },
      { TimeGenerated: new Date(T + 60_000), n: 4 }, // the window's end: the next window's
    ]);
    const rows = await ask(workspace, { table: 'AzureActivity', window, take: 10 });
    expect(rows.map((r) => [r['n'], r['TokenWatchTime']])).toEqual([
      [1, '2026-03-01 10:00:00.0000000'],
      [2, '2026-03-01 10:00:30.0000001'],
      [3, '2026-03-01 10:00:30.0000002'],
    ]);
    expect(rows[0]?.['TimeGenerated']).toEqual(new Date(T));
    const after = { time: '2026-03-01 10:00:30.0000001', table: 'AzureActivity', itemId: String(rows[1]?.['TokenWatchItemId']) };
    expect((await ask(workspace, { table: 'AzureActivity', window, after, take: 10 })).map((r) => r['n'])).toEqual([3]);
  });

  it('fails like the service: an unknown table, a result over the limits, a window that scans too much', async () => {
    const workspace = new MemoryWorkspace().add('AzureActivity', [{ TimeGenerated: new Date(T), big: 'x'.repeat(500) }, { TimeGenerated: new Date(T + 1), big: 'y' }]);
    await expect(ask(workspace, { table: 'AZKVAuditLogs', window, take: 1 })).rejects.toMatchObject({ kind: 'table-missing' });
    workspace.limits = { maxResultRows: 1, maxResultChars: Number.MAX_SAFE_INTEGER, maxScannedRows: 100 };
    await expect(ask(workspace, { table: 'AzureActivity', window, take: 2 })).rejects.toMatchObject({ kind: 'partial' });
    workspace.limits = { maxResultRows: 10, maxResultChars: 400, maxScannedRows: 100 };
    await expect(ask(workspace, { table: 'AzureActivity', window, take: 2 })).rejects.toMatchObject({ kind: 'partial' });
    workspace.limits = { maxResultRows: 10, maxResultChars: 10_000, maxScannedRows: 1 };
    await expect(ask(workspace, { table: 'AzureActivity', window, take: 1 })).rejects.toMatchObject({ kind: 'timeout' });
    await expect(workspace.query('AzureActivity | take 1', span)).rejects.toThrow(/page queries only/);
  });
});
