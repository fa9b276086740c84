import { LogsQueryResultStatus, type LogsQueryClient, type LogsTable } from '@azure/monitor-query-logs';

/**
 * Runs a KQL query against one Log Analytics workspace and returns its rows as column-name →
 * value records (datetime columns as Date, dynamic columns as parsed JSON, as the SDK returns them).
 * A failed or partially failed query throws, so the timer invocation fails and the sweep retries
 * the same window next time: a partial result would advance the watermark past unread rows.
 */
export interface LogQueryClient {
  query(kql: string, timespan: { startTime: Date; endTime: Date }): Promise<Record<string, unknown>[]>;
}

export class LogQueryError extends Error {
  override readonly name = 'LogQueryError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The part of LogsQueryClient used here (a twin in tests, the SDK client in production). */
export type WorkspaceQuery = Pick<LogsQueryClient, 'queryWorkspace'>;

/** 120 s of server time per query: the sweep's queries are single-table filters. */
const SERVER_TIMEOUT_SECONDS = 120;

export class LogAnalyticsQueryClient implements LogQueryClient {
  constructor(
    private readonly client: WorkspaceQuery,
    private readonly workspaceId: string,
  ) {}

  async query(kql: string, timespan: { startTime: Date; endTime: Date }): Promise<Record<string, unknown>[]> {
    let result: Awaited<ReturnType<WorkspaceQuery['queryWorkspace']>>;
    try {
      result = await this.client.queryWorkspace(this.workspaceId, kql, timespan, { serverTimeoutInSeconds: SERVER_TIMEOUT_SECONDS });
    } catch (error) {
      const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : 'QueryFailed';
      throw new LogQueryError(`logAnalyticsQuery: the query failed (${code}): ${error instanceof Error ? error.message : String(error)}`, code);
    }
    if (result.status === LogsQueryResultStatus.PartialFailure) {
      throw new LogQueryError(`logAnalyticsQuery: partial result (${result.partialError.code}): ${result.partialError.message}`, result.partialError.code);
    }
    if (result.status !== LogsQueryResultStatus.Success) throw new LogQueryError('logAnalyticsQuery: unexpected query status', 'UnexpectedStatus');
    const table = result.tables[0];
    return table === undefined ? [] : rowsOf(table);
  }
}

export function rowsOf(table: LogsTable): Record<string, unknown>[] {
  return table.rows.map((row) => {
    const record: Record<string, unknown> = {};
    table.columnDescriptors.forEach((column, i) => {
      record[column.name] = row[i];
    });
    return record;
  });
}

/** In-memory twin: answers each query with rows chosen by a function of the query, and records the queries. */
export class MemoryLogQueryClient implements LogQueryClient {
  readonly queries: { kql: string; timespan: { startTime: Date; endTime: Date } }[] = [];

  constructor(private readonly answer: (kql: string, timespan: { startTime: Date; endTime: Date }) => Record<string, unknown>[] | Error) {}

  async query(kql: string, timespan: { startTime: Date; endTime: Date }): Promise<Record<string, unknown>[]> {
    this.queries.push({ kql, timespan });
    const rows = this.answer(kql, timespan);
    if (rows instanceof Error) throw rows;
    return rows;
  }
}
