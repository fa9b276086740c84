import { LogQueryError, type LogQueryClient } from '../adapters/logAnalyticsQuery';
import { REMOTE_USE_TABLE_NAMES, type RemoteUseTable } from '../core/workspaceRows/remoteUseTables';
import { adaptSizing, nextWindow, shrinkSizing, type ReplayPosition, type WindowSizing } from '../core/workspaceRows/replayPosition';
import { buildRowPageQuery, compareCursors, cursorOf, withoutOurColumns, type RowCursor, type RowWindow } from '../core/workspaceRows/rowPage';
import type { SourcedRecord } from './decodeMessages';

/**
 * Replays the remote-use tables of a Log Analytics workspace into the record pipeline, window after
 * window, in event-time order across the tables: the engine of the backfill and of the remote-use
 * sweep. Each window is read table by table in pages (one page of each table held at a time), the
 * pages merged by (TimeGenerated, table, _ItemId), and the merged rows fed in batches. A window's
 * end is saved only once every row of it was fed; when the invocation's time runs out part-way,
 * the last row fed is saved with it, and the next run continues after that row.
 */
export interface WorkspaceReplayDeps {
  readonly query: LogQueryClient;
  /** Judges one batch of rows (each the record the pipeline reads), in event-time order. */
  readonly judge: (records: SourcedRecord[], batchId: string) => Promise<void>;
  readonly now: () => number;
  readonly tables?: readonly RemoteUseTable[] | undefined;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Records per batch (default 1,000). */
  readonly batchRecords?: number | undefined;
}

export interface ReplayRun {
  readonly on: RowWindow['on'];
  /** Replay up to this time (exclusive for TimeGenerated, inclusive for ingestion windows). */
  readonly endMs: number;
  /** Wall-clock time after which the run stops at the next batch boundary, saving where it got. */
  readonly deadlineMs: number;
  /** Saves a position (after every window, and where the run stops part-way); a throw fails the run. */
  readonly checkpoint: (position: ReplayPosition, progress: CheckpointProgress) => Promise<void>;
  /** Prefix of the batch ids (dead letters name the batch). */
  readonly batchPrefix: string;
}

/** What happened since the previous checkpoint. */
export interface CheckpointProgress {
  readonly windowsDone: number;
  readonly rows: number;
  /** The window just completed (undefined when the run stopped part-way). */
  readonly window: RowWindow | undefined;
}

export interface ReplayOutcome {
  readonly position: ReplayPosition;
  /** The position reached endMs. */
  readonly reachedEnd: boolean;
  readonly windows: number;
  readonly rows: number;
  readonly queries: number;
  /** Times a window was halved after a partial or timed-out query. */
  readonly shrinks: number;
  /** Tables the workspace does not have (nothing was ever sent to them). */
  readonly absentTables: string[];
}

/** A window that cannot be read even at the smallest window and page. */
export class WorkspaceReplayError extends Error {
  override readonly name = 'WorkspaceReplayError';
}

/** 1,000 records per batch: ten Event Hub batches of a busy hub; a batch is the unit of a state commit. */
export const BATCH_RECORDS = 1000;
/** Throttled queries (HTTP 429) are asked again after 5, 10, 20 and 40 seconds, then the run fails. */
const THROTTLE_WAITS_MS = [5_000, 10_000, 20_000, 40_000];

export async function replayWindows(deps: WorkspaceReplayDeps, start: ReplayPosition, run: ReplayRun): Promise<ReplayOutcome> {
  const absent = new Set<string>();
  const counters = { windows: 0, rows: 0, queries: 0, shrinks: 0 };
  let position = start;
  let rowsSinceCheckpoint = 0;
  const outcome = (reachedEnd: boolean): ReplayOutcome => ({ position, reachedEnd, ...counters, absentTables: [...absent] });
  for (;;) {
    const next = nextWindow(position, run.endMs, run.on);
    if (next === undefined) return outcome(true);
    if (deps.now() >= run.deadlineMs) return outcome(false);
    let read: WindowRead;
    try {
      read = await readWindow(deps, next.window, next.after, position.sizing, absent, run, counters, (rows) => {
        counters.rows += rows;
        rowsSinceCheckpoint += rows;
      });
    } catch (error) {
      if (!(error instanceof LogQueryError) || (error.kind !== 'partial' && error.kind !== 'timeout')) throw error;
      const smaller = shrinkSizing(position.sizing);
      if (smaller === undefined) {
        const { pageRows, windowMs } = position.sizing;
        throw new WorkspaceReplayError(`workspace replay: the rows from ${new Date(next.window.fromMs).toISOString()} cannot be read even ${pageRows} at a time over ${windowMs} ms: ${error.message}`);
      }
      // Read the window again, smaller, from its start: rows fed before the failure are fed again (the detector is idempotent).
      counters.shrinks++;
      position = { throughMs: position.throughMs, sizing: smaller, partial: undefined };
      continue;
    }
    if (read.stoppedAfter !== undefined) {
      position = { throughMs: position.throughMs, sizing: position.sizing, partial: { toMs: next.window.toMs, cursor: read.stoppedAfter } };
      await run.checkpoint(position, { windowsDone: 0, rows: rowsSinceCheckpoint, window: undefined });
      return outcome(false);
    }
    counters.windows++;
    position = { throughMs: next.window.toMs, sizing: adaptSizing(position.sizing, read.maxPages), partial: undefined };
    await run.checkpoint(position, { windowsDone: 1, rows: rowsSinceCheckpoint, window: next.window });
    rowsSinceCheckpoint = 0;
  }
}

interface WindowRead {
  /** The most pages one table needed. */
  readonly maxPages: number;
  /** Set when the run stopped part-way: the last row fed. */
  readonly stoppedAfter: RowCursor | undefined;
}

interface TableStream {
  readonly table: RemoteUseTable;
  rows: { readonly cursor: RowCursor; readonly row: Readonly<Record<string, unknown>> }[];
  next: number;
  more: boolean;
  pages: number;
  after: RowCursor | undefined;
}

async function readWindow(
  deps: WorkspaceReplayDeps,
  window: RowWindow,
  after: RowCursor | undefined,
  sizing: WindowSizing,
  absent: Set<string>,
  run: ReplayRun,
  counters: { queries: number },
  fed: (rows: number) => void,
): Promise<WindowRead> {
  const streams: TableStream[] = (deps.tables ?? REMOTE_USE_TABLE_NAMES)
    .filter((table) => !absent.has(table))
    .map((table) => ({ table, rows: [], next: 0, more: true, pages: 0, after }));
  const batchSize = Math.max(1, deps.batchRecords ?? BATCH_RECORDS);
  let batch: SourcedRecord[] = [];
  let last: RowCursor | undefined;
  let batches = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const records = batch;
    batch = [];
    await deps.judge(records, `${run.batchPrefix}-${new Date(window.fromMs).toISOString()}-${batches++}`);
    fed(records.length);
  };
  for (;;) {
    for (const stream of streams) if (stream.next >= stream.rows.length && stream.more) await fetchPage(deps, stream, window, sizing, absent, counters);
    let head: TableStream | undefined;
    for (const stream of streams) {
      if (stream.next >= stream.rows.length) continue;
      if (head === undefined || compareCursors(stream.rows[stream.next]!.cursor, head.rows[head.next]!.cursor) < 0) head = stream;
    }
    if (head === undefined) break;
    const { cursor, row } = head.rows[head.next]!;
    head.next++;
    batch.push({ record: withoutOurColumns(row), origin: `${head.table} ${cursor.itemId}` });
    last = cursor;
    if (batch.length >= batchSize) {
      await flush();
      if (deps.now() >= run.deadlineMs) return { maxPages: maxPages(streams), stoppedAfter: last };
    }
  }
  await flush();
  return { maxPages: maxPages(streams), stoppedAfter: undefined };
}

async function fetchPage(deps: WorkspaceReplayDeps, stream: TableStream, window: RowWindow, sizing: WindowSizing, absent: Set<string>, counters: { queries: number }): Promise<void> {
  const query = buildRowPageQuery({ table: stream.table, window, after: stream.after, take: sizing.pageRows + 1 });
  let rows: Record<string, unknown>[];
  try {
    rows = await withThrottleRetry(deps, () => {
      counters.queries++;
      return deps.query.query(query.kql, { startTime: query.timespan.startTime, endTime: query.timespan.endTime });
    });
  } catch (error) {
    if (error instanceof LogQueryError && error.kind === 'table-missing') {
      absent.add(stream.table);
      stream.more = false;
      stream.rows = [];
      stream.next = 0;
      return;
    }
    throw error;
  }
  stream.pages++;
  stream.more = rows.length > sizing.pageRows;
  stream.rows = rows.slice(0, sizing.pageRows).map((row) => ({ cursor: cursorOf(stream.table, row), row }));
  stream.next = 0;
  const lastRow = stream.rows[stream.rows.length - 1];
  if (lastRow !== undefined) stream.after = lastRow.cursor;
}

async function withThrottleRetry<T>(deps: WorkspaceReplayDeps, attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      const wait = THROTTLE_WAITS_MS[i];
      if (!(error instanceof LogQueryError) || error.kind !== 'throttled' || wait === undefined) throw error;
      await (deps.sleep ?? defaultSleep)(wait);
    }
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function maxPages(streams: readonly TableStream[]): number {
  return streams.reduce((max, s) => Math.max(max, s.pages), 0);
}
