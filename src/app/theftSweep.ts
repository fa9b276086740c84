import { LogQueryError, type LogQueryClient } from '../adapters/logAnalyticsQuery';
import type { StateStore } from '../adapters/stateStore';
import { StateStoreError } from '../adapters/stateStore';
import type { EndpointParsed } from '../core/records/endpoint/endpointEvent';
import { tableKey } from '../core/state/keys';
import type { RowValue } from '../core/state/partition';
import { buildSweepQuery, SWEEP_ROW_LIMIT, SWEEP_TABLES, type SweepTable } from '../core/theft/sweep/sweepQueries';
import { parseSweepRow, sweepRowIdentity, sweepRowIngestedAt } from '../core/theft/sweep/sweepRows';
import { advanceWatermark, parseSweepWatermark, sweepWindow, type SweepWatermark } from '../core/theft/sweep/sweepWatermark';
import { judgeEndpointOutcomes, type TheftBatchReport, type TheftDeps } from './theftRunner';

export interface SweepDeps {
  readonly query: LogQueryClient;
  /** Where the per-table watermarks live (the state table). */
  readonly store: StateStore;
  readonly theft: TheftDeps;
  readonly workspaceId: string;
  readonly now: () => number;
  readonly tables?: readonly SweepTable[];
}

export interface SweepReport {
  readonly rowsByTable: Record<string, number>;
  readonly freshByTable: Record<string, number>;
  readonly truncated: string[];
  /** Every table was read up to now (false after an outage, while the sweep catches up window by window, or when a window was cut by the row limit). */
  readonly caughtUp: boolean;
  /**
   * Tables the workspace does not have (nothing was ever sent to them: no Sysmon through the legacy
   * agent, no Defender for Containers): skipped, their watermark left where it was, so the sweep
   * reads them from the start of its window once they appear.
   */
  readonly missingTables: string[];
  readonly detection: TheftBatchReport;
}

/** 30,000 UTF-16 characters per property: under the 64 KiB string limit of Table Storage. */
const CHUNK_CHARS = 30_000;

/**
 * One run of the Log Analytics sweep: for each endpoint table the workspace has, query the rows ingested since the
 * table's watermark (with overlap; at most SWEEP_MAX_SPAN_MS of them per run), judge only rows not judged before, through the same theft
 * rules as the Event Hub path, then advance the watermarks. Watermarks are saved only after the
 * alerts were sent: a failed run is repeated, and a repeated row re-emits the same AlertId.
 */
export async function runTheftSweep(deps: SweepDeps): Promise<SweepReport> {
  const partitionKey = tableKey('sweep', deps.workspaceId);
  const loaded = await deps.store.load([partitionKey]);
  const snapshot = loaded.get(partitionKey);
  const now = deps.now();
  const outcomes: EndpointParsed[] = [];
  const next = new Map<SweepTable, SweepWatermark>();
  const rowsByTable: Record<string, number> = {};
  const freshByTable: Record<string, number> = {};
  const truncated: string[] = [];
  const missingTables: string[] = [];
  let caughtUp = true;
  for (const table of deps.tables ?? SWEEP_TABLES) {
    const previous = readWatermark(snapshot?.rows.get(table));
    const window = sweepWindow(previous, now);
    const query = buildSweepQuery(table, window);
    let rows: Record<string, unknown>[];
    try {
      rows = await deps.query.query(query.kql, query.timespan);
    } catch (error) {
      // One table a workspace lacks must not stop the sweep of the others; any other failure does.
      if (!(error instanceof LogQueryError && error.kind === 'table-missing')) throw error;
      missingTables.push(table);
      continue;
    }
    const isTruncated = rows.length >= SWEEP_ROW_LIMIT;
    if (isTruncated) truncated.push(table);
    if (isTruncated || window.toMs < now) caughtUp = false;
    const stamps = rows.map((row) => ({ id: sweepRowIdentity(table, row), ingestedAtMs: sweepRowIngestedAt(row) ?? window.toMs }));
    const advanced = advanceWatermark(previous, window, stamps, isTruncated);
    for (const i of advanced.fresh) outcomes.push(parseSweepRow(table, rows[i]!, `${table} ${stamps[i]!.id}`));
    rowsByTable[table] = rows.length;
    freshByTable[table] = advanced.fresh.length;
    next.set(table, advanced.next);
  }
  const detection = await judgeEndpointOutcomes(outcomes, { ...deps.theft, processedAt: now }, `sweep-${new Date(now).toISOString()}`);
  const commit = await deps.store.commit(
    [...next].map(([table, watermark]) => ({ kind: 'upsert' as const, partitionKey, rowKey: table, data: writeWatermark(watermark) })),
    loaded,
  );
  if (commit.conflicts.length > 0) throw new StateStoreError('tokenTheftSweep: the watermarks were changed by another run; this run is repeated');
  return { rowsByTable, freshByTable, truncated, caughtUp, missingTables, detection };
}

function writeWatermark(watermark: SweepWatermark): Record<string, RowValue> {
  const json = JSON.stringify(watermark);
  const data: Record<string, RowValue> = { chunks: Math.ceil(json.length / CHUNK_CHARS) };
  for (let i = 0; i * CHUNK_CHARS < json.length; i++) data[`w${i}`] = json.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
  return data;
}

function readWatermark(data: Readonly<Record<string, RowValue>> | undefined): SweepWatermark | undefined {
  if (!data) return undefined;
  const chunks = Number(data['chunks'] ?? 0);
  let json = '';
  for (let i = 0; i < chunks; i++) json += String(data[`w${i}`] ?? '');
  try {
    return parseSweepWatermark(JSON.parse(json) as unknown);
  } catch {
    return undefined;
  }
}
