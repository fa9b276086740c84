import { LogsQueryResultStatus, type LogsQueryClient, type LogsTable } from '@azure/monitor-query-logs';
import { compareCursors, pageSpecOf, ROW_ID_COLUMN, ROW_TIME_COLUMN, tickText, type RowCursor, type RowPageSpec } from '../core/workspaceRows/rowPage';

/**
 * Runs a KQL query against one Log Analytics workspace and returns its rows as column-name →
 * value records (datetime columns as Date, dynamic columns as parsed JSON, as the SDK returns them).
 * A failed or partially failed query throws, so the timer invocation fails and the sweep retries
 * the same window next time: a partial result would advance the watermark past unread rows.
 */
export interface LogQueryClient {
  query(kql: string, timespan: { startTime: Date; endTime: Date }): Promise<Record<string, unknown>[]>;
}

/**
 * What went wrong with a query, as far as a caller can act on it:
 * - `partial`: the result hit a limit of the query API (500,000 rows or ~100 MB, 64 MB compressed,
 *   per result: https://learn.microsoft.com/azure/azure-monitor/fundamentals/service-limits#query-api),
 *   which answers with a partial error and the rows it had (LogsQueryResultStatus.PartialFailure);
 *   ask for less (a shorter window, a smaller page);
 * - `timeout`: the query ran past its server timeout (HTTP 504; default 3 minutes, at most 10:
 *   https://learn.microsoft.com/azure/azure-monitor/logs/api/timeouts); ask for less;
 * - `throttled`: HTTP 429, over the per-user limits (5 concurrent queries, 200 queries per 30
 *   seconds, 3 minutes in the queue); wait and ask again;
 * - `table-missing`: the workspace has no such table (nothing was ever sent to it);
 * - `failed`: anything else (syntax, permissions, network): throw.
 */
export type LogQueryFailure = 'partial' | 'timeout' | 'throttled' | 'table-missing' | 'failed';

export class LogQueryError extends Error {
  override readonly name = 'LogQueryError';
  readonly kind: LogQueryFailure;
  constructor(
    message: string,
    readonly code: string,
    kind?: LogQueryFailure,
    readonly statusCode?: number,
  ) {
    super(message);
    this.kind = kind ?? classifyQueryFailure(code, message, statusCode);
  }
}

export function classifyQueryFailure(code: string, message: string, statusCode?: number): LogQueryFailure {
  const text = `${code} ${message}`;
  if (statusCode === 429 || /TooManyRequests|throttl/i.test(text)) return 'throttled';
  if (statusCode === 504 || /GatewayTimeout|timed? ?out/i.test(text)) return 'timeout';
  // The semantic error of a query naming a table the workspace does not have (SEM0100).
  if (/Failed to resolve table|could not be resolved|SEM0100/i.test(text)) return 'table-missing';
  return 'failed';
}

/** The part of LogsQueryClient used here (a twin in tests, the SDK client in production). */
export type WorkspaceQuery = Pick<LogsQueryClient, 'queryWorkspace'>;

/**
 * 120 s of server time per query (the API's default is 180 s, its maximum 600 s): the sweeps'
 * queries are single-table filters over a short window, and a page query that needs longer is
 * answered with a timeout, on which the backfill and the remote-use sweep halve their window.
 */
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
      const status = typeof error === 'object' && error !== null && 'statusCode' in error ? Number((error as { statusCode: unknown }).statusCode) : undefined;
      const message = error instanceof Error ? error.message : String(error);
      throw new LogQueryError(`logAnalyticsQuery: the query failed (${code}): ${message}`, code, undefined, Number.isFinite(status) ? status : undefined);
    }
    if (result.status === LogsQueryResultStatus.PartialFailure) {
      // Whatever the reason (a result limit, a time limit), the rows are incomplete: never use them.
      throw new LogQueryError(`logAnalyticsQuery: partial result (${result.partialError.code}): ${result.partialError.message}`, result.partialError.code, 'partial');
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

/** A row held by the workspace twin, with what Log Analytics keeps beside the row's own columns. */
interface TwinRow {
  readonly table: string;
  readonly row: Readonly<Record<string, unknown>>;
  /** TimeGenerated as the page queries' fixed-width text (to the tick) and in epoch ms. */
  readonly time: string;
  readonly timeMs: number;
  readonly itemId: string;
  readonly ingestedAtMs: number;
}

export interface MemoryWorkspaceLimits {
  /** Rows one result may hold (the API's 500,000, scaled down in tests); more is a partial result. */
  readonly maxResultRows: number;
  /** JSON characters one result may hold (the API's ~100 MB, scaled down); more is a partial result. */
  readonly maxResultChars: number;
  /** Rows of the window one query may scan before it times out (a stand-in for the 10-minute limit). */
  readonly maxScannedRows: number;
}

/**
 * The in-memory twin of a Log Analytics workspace behind the query client: it answers the page
 * queries of src/core/workspaceRows/rowPage.ts (by the spec on their first line; the KQL itself is
 * checked by the Kusto language service in the tests) the way the service does: the window's rows
 * of one table (a table never written is a semantic error), in the same order, after the cursor,
 * with the two added columns, datetime columns as Date; a result over the limits is a partial
 * failure, a window that scans too much a timeout. It does not evaluate the tables' filters: tests
 * add only rows that pass them. Any other query fails.
 */
export class MemoryWorkspace implements LogQueryClient {
  readonly queries: { readonly spec: RowPageSpec; readonly kql: string; readonly timespan: { startTime: Date; endTime: Date } }[] = [];
  limits: MemoryWorkspaceLimits = { maxResultRows: 500_000, maxResultChars: Number.MAX_SAFE_INTEGER, maxScannedRows: Number.MAX_SAFE_INTEGER };
  /** Throws what it returns for a query (by its spec and its number, from 0), before the query runs. */
  failWhen: ((spec: RowPageSpec, n: number) => Error | undefined) | undefined;
  private readonly tables = new Map<string, TwinRow[]>();
  private nextItem = 0;

  /**
   * Adds rows to a table. TimeGenerated (a Date, or ISO text with up to 7 fractional digits) is
   * required; the row is stored as given and returned with TimeGenerated as a Date. `_ItemId`
   * defaults to a counter, the ingestion time to a minute after TimeGenerated.
   */
  add(table: string, rows: readonly Readonly<Record<string, unknown>>[], options: { itemIds?: readonly string[]; ingestedAtMs?: (row: Readonly<Record<string, unknown>>, timeMs: number) => number } = {}): this {
    const list = this.tables.get(table) ?? [];
    rows.forEach((row, i) => {
      const time = twinTimeText(row['TimeGenerated']);
      const timeMs = Date.parse(`${time.slice(0, 23).replace(' ', 'T')}Z`);
      const itemId = options.itemIds?.[i] ?? `item-${String(this.nextItem++).padStart(9, '0')}`;
      list.push({ table, row, time, timeMs, itemId, ingestedAtMs: options.ingestedAtMs?.(row, timeMs) ?? timeMs + 60_000 });
    });
    this.tables.set(table, list);
    return this;
  }

  /** Declares a table that exists but holds no rows yet. */
  createTable(table: string): this {
    if (!this.tables.has(table)) this.tables.set(table, []);
    return this;
  }

  async query(kql: string, timespan: { startTime: Date; endTime: Date }): Promise<Record<string, unknown>[]> {
    const spec = pageSpecOf(kql);
    if (spec === undefined) throw new LogQueryError('logAnalyticsQuery: the twin answers TokenWatch page queries only', 'BadArgumentError');
    const n = this.queries.length;
    this.queries.push({ spec, kql, timespan });
    const injected = this.failWhen?.(spec, n);
    if (injected) throw injected;
    const rows = this.tables.get(spec.table);
    if (rows === undefined) {
      throw new LogQueryError(`logAnalyticsQuery: the query failed (BadArgumentError): 'where' operator: Failed to resolve table or column expression named '${spec.table}'`, 'BadArgumentError', undefined, 400);
    }
    const { window } = spec;
    const inWindow = rows.filter((r) =>
      (window.on === 'TimeGenerated' ? r.timeMs >= window.fromMs && r.timeMs < window.toMs : r.ingestedAtMs > window.fromMs && r.ingestedAtMs <= window.toMs) &&
      r.timeMs >= timespan.startTime.getTime() && r.timeMs <= timespan.endTime.getTime(),
    );
    if (inWindow.length > this.limits.maxScannedRows) throw new LogQueryError('logAnalyticsQuery: the query failed (GatewayTimeout): the query exceeded its server timeout', 'GatewayTimeout', undefined, 504);
    const cursorOfTwin = (r: TwinRow): RowCursor => ({ time: r.time, table: r.table, itemId: r.itemId });
    const after = spec.after;
    const page = inWindow
      .filter((r) => after === undefined || compareCursors(cursorOfTwin(r), after) > 0)
      .sort((a, b) => compareCursors(cursorOfTwin(a), cursorOfTwin(b)))
      .slice(0, spec.take)
      .map((r) => ({ ...r.row, TimeGenerated: new Date(r.timeMs), [ROW_TIME_COLUMN]: r.time, [ROW_ID_COLUMN]: r.itemId }));
    if (page.length > this.limits.maxResultRows || JSON.stringify(page).length > this.limits.maxResultChars) {
      throw new LogQueryError('logAnalyticsQuery: partial result (PartialError): Query result set has exceeded the internal limit', 'PartialError', 'partial');
    }
    return page;
  }
}

function twinTimeText(value: unknown): string {
  if (value instanceof Date) return tickText(value);
  if (typeof value === 'string') {
    const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?Z?$/.exec(value);
    if (match) return `${match[1]} ${match[2]}.${(match[3] ?? '').padEnd(7, '0')}`;
  }
  throw new TypeError('MemoryWorkspace: a row needs TimeGenerated as a Date or ISO text');
}
