import { parseRowCursor, type RowCursor, type RowWindow } from './rowPage';

/**
 * How far a replay of workspace rows (the backfill, the sweep) has got, and how it slices what is
 * left: windows of time, each read in pages, both sized so every query stays within the Log
 * Analytics query API's limits (500,000 rows and ~100 MB, 64 MB compressed, per result; 10 minutes
 * of server time; https://learn.microsoft.com/azure/azure-monitor/fundamentals/service-limits#query-api).
 * A window whose query comes back partial or times out is halved and read again; a window that
 * needed many pages makes the next one shorter, one that fit in a page makes it longer.
 */
export interface WindowSizing {
  /** Length of the next window. */
  readonly windowMs: number;
  /** Rows per page query (the query asks one more, to know whether another page follows). */
  readonly pageRows: number;
}

export interface ReplayPosition {
  /** Every row before this time (TimeGenerated windows; at or before it for ingestion windows) has been fed. */
  readonly throughMs: number;
  readonly sizing: WindowSizing;
  /** A window left part-way (the invocation's time ran out): its end, and the last row fed in the merged order. */
  readonly partial?: { readonly toMs: number; readonly cursor: RowCursor } | undefined;
}

const SECOND_MS = 1000;
const HOUR_MS = 60 * 60 * SECOND_MS;

/**
 * 2,000 rows a page: these tables' rows are a few KB each, so a page is a few MB, far inside the
 * API's 500,000 rows and ~100 MB per result, and one page of each of the seven tables (what the
 * merge holds) stays well inside the worker's 384 MB heap.
 */
export const PAGE_ROWS = 2000;
/** 100 rows: the smallest page a partial result shrinks to (a result of 100 rows over 64 MB is not a row of these tables). */
export const MIN_PAGE_ROWS = 100;
/** 1 hour: the first window; it grows or shrinks with the rows it holds. */
export const INITIAL_WINDOW_MS = HOUR_MS;
/** 1 second: the shortest window; rows within it are paged, however many. */
export const MIN_WINDOW_MS = SECOND_MS;
/** 1 day: the longest window, so a failure repeats at most a day of a quiet workspace. */
export const MAX_WINDOW_MS = 24 * HOUR_MS;
/** More than 4 pages in one table: the next window is halved (a window's work, what a failure repeats, stays small). */
export const BUSY_PAGES = 4;

export const INITIAL_SIZING: WindowSizing = { windowMs: INITIAL_WINDOW_MS, pageRows: PAGE_ROWS };

/**
 * The window to read next, up to `endMs`; undefined when the replay has reached it. A window left
 * part-way is resumed as it was (its cursor only means something inside it).
 */
export function nextWindow(position: ReplayPosition, endMs: number, on: RowWindow['on']): { window: RowWindow; after: RowCursor | undefined } | undefined {
  if (position.partial !== undefined && position.partial.toMs > position.throughMs) {
    return { window: { on, fromMs: position.throughMs, toMs: position.partial.toMs }, after: position.partial.cursor };
  }
  if (position.throughMs >= endMs) return undefined;
  return { window: { on, fromMs: position.throughMs, toMs: Math.min(endMs, position.throughMs + position.sizing.windowMs) }, after: undefined };
}

/** Half the window and half the page after a partial or timed-out query; undefined when both are as small as they go. */
export function shrinkSizing(sizing: WindowSizing): WindowSizing | undefined {
  if (sizing.windowMs <= MIN_WINDOW_MS && sizing.pageRows <= MIN_PAGE_ROWS) return undefined;
  return { windowMs: Math.max(MIN_WINDOW_MS, Math.floor(sizing.windowMs / 2)), pageRows: Math.max(MIN_PAGE_ROWS, Math.floor(sizing.pageRows / 2)) };
}

/** The sizing after a window read cleanly, from the most pages one table needed. */
export function adaptSizing(sizing: WindowSizing, maxPagesPerTable: number): WindowSizing {
  const pageRows = Math.min(PAGE_ROWS, sizing.pageRows * 2);
  if (maxPagesPerTable > BUSY_PAGES) return { windowMs: Math.max(MIN_WINDOW_MS, Math.floor(sizing.windowMs / 2)), pageRows };
  if (maxPagesPerTable <= 1) return { windowMs: Math.min(MAX_WINDOW_MS, sizing.windowMs * 2), pageRows };
  return { windowMs: sizing.windowMs, pageRows };
}

/** A stored position, validated; undefined when absent or malformed. */
export function parseReplayPosition(json: unknown): ReplayPosition | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { throughMs, sizing, partial } = json as Record<string, unknown>;
  if (!isFiniteNumber(throughMs) || typeof sizing !== 'object' || sizing === null) return undefined;
  const { windowMs, pageRows } = sizing as Record<string, unknown>;
  if (!isFiniteNumber(windowMs) || !isFiniteNumber(pageRows) || windowMs < MIN_WINDOW_MS || pageRows < 1) return undefined;
  let parsedPartial: ReplayPosition['partial'];
  if (partial !== undefined && partial !== null) {
    const { toMs, cursor } = partial as Record<string, unknown>;
    const parsedCursor = parseRowCursor(cursor);
    if (!isFiniteNumber(toMs) || parsedCursor === undefined) return undefined;
    parsedPartial = { toMs, cursor: parsedCursor };
  }
  return { throughMs, sizing: { windowMs, pageRows }, partial: parsedPartial };
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
