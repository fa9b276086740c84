import type { InvocationContext } from '@azure/functions';
import type { LogQueryClient } from '../adapters/logAnalyticsQuery';
import type { StateStore } from '../adapters/stateStore';
import type { Severity } from '../core/alerts/alertRow';
import type { Reject } from '../core/records/reject';
import { tableKey } from '../core/state/keys';
import { sweepWindow } from '../core/theft/sweep/sweepWatermark';
import { INGESTION_MARGIN_MS } from '../core/workspaceRows/backfillMark';
import type { RemoteUseTable } from '../core/workspaceRows/remoteUseTables';
import { INITIAL_SIZING, parseReplayPosition, type ReplayPosition } from '../core/workspaceRows/replayPosition';
import type { SourcedRecord } from './decodeMessages';
import { mergeCounts } from './historySummary';
import type { RemoteUseHandlerDeps } from './remoteUseHandler';
import { runRemoteUseBatch, type RemoteUseBatchReport, type RemoteUseDeps } from './remoteUseRunner';
import { loadJsonRow } from './stateJsonRow';
import { replayWindows } from './workspaceReplay';
import { redactedJson } from '../core/redact/redactSecrets';

/**
 * The remote-use sweep, for tenants that will not add Event Hubs: on a timer, read the remote-use
 * tables of the workspace for the rows ingested since the last run and judge them through the same
 * detector as the Event Hub path, sending its alerts.
 *
 * Windows are on ingestion_time(), like the theft sweep's (sweepWindow: the first run reads the
 * last hour): a row that reaches the workspace late still falls in a later window. Each window
 * ends an ingestion margin before now, because a row becomes queryable a little after the time it
 * is stamped with; within a window the rows are paged exactly (TimeGenerated, table, _ItemId), so
 * no overlap and no seen-set are needed, and they are fed in event-time order across the tables.
 * The watermark (`remoteUseSweep|<workspace>`, row `watermark`) moves only once a window's alerts
 * were sent: a failed run leaves it, and the next run reads the gap. With Event Hubs as well, the
 * same use judged twice gives the same AlertId (one state, deterministic ids): Sentinel dedups.
 */
export interface RemoteUseSweepDeps {
  readonly query: LogQueryClient;
  readonly markStore: StateStore;
  readonly remoteUse: RemoteUseHandlerDeps;
  readonly workspaceId: string;
  readonly tables?: readonly RemoteUseTable[] | undefined;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  readonly batchRecords?: number | undefined;
  /** Wall-clock time a run may take (default SWEEP_BUDGET_MS); the rest is read by the next run. */
  readonly budgetMs?: number | undefined;
  readonly marginMs?: number | undefined;
  readonly runBatch?: ((records: readonly SourcedRecord[], rejects: readonly Reject[], deps: RemoteUseDeps, batchId: string) => Promise<RemoteUseBatchReport>) | undefined;
}

export interface RemoteUseSweepReport {
  /** The ingestion-time range this run was to cover. */
  readonly fromMs: number;
  readonly toMs: number;
  /** The run read all of it (false: its time ran out, the next run continues). */
  readonly caughtUp: boolean;
  readonly position: ReplayPosition;
  readonly windows: number;
  readonly rows: number;
  readonly queries: number;
  readonly shrinks: number;
  readonly absentTables: string[];
  readonly alertIds: string[];
  readonly alertsBySeverity: Record<Severity, number>;
  readonly byCategory: Record<string, number>;
  readonly rejectsByReason: Record<string, number>;
}

/** 4 minutes a run: under half the 10-minute function timeout (host.json), with room for a last page query (120 s server timeout) and batch. */
export const SWEEP_BUDGET_MS = 4 * 60 * 1000;
export const SWEEP_ROW = 'watermark';

export function remoteUseSweepPartition(workspaceId: string): string {
  return tableKey('remoteUseSweep', workspaceId);
}

export async function runRemoteUseSweep(deps: RemoteUseSweepDeps, context: InvocationContext): Promise<RemoteUseSweepReport> {
  const r = deps.remoteUse;
  const now = r.now();
  let row = await loadJsonRow(deps.markStore, remoteUseSweepPartition(deps.workspaceId), SWEEP_ROW, parseReplayPosition);
  // The theft sweep's window, without its overlap (exact paging makes it unnecessary) or its cap:
  // replayWindows sizes its own queries and stops at the run's budget.
  const range = sweepWindow(row.value === undefined ? undefined : { throughMs: row.value.throughMs, seen: [] }, now - (deps.marginMs ?? INGESTION_MARGIN_MS), 0, undefined, Number.POSITIVE_INFINITY);
  const start: ReplayPosition = row.value ?? { throughMs: range.fromMs, sizing: INITIAL_SIZING };
  const base = r.serviceTags ? await r.serviceTags.settings(r.settings, now, context) : r.settings;
  const settings = { ...base, processedAt: now };
  const runBatch = deps.runBatch ?? runRemoteUseBatch;
  const alertIds: string[] = [];
  const alertsBySeverity: Record<Severity, number> = { Low: 0, Medium: 0, High: 0 };
  const byCategory: Record<string, number> = {};
  const rejectsByReason: Record<string, number> = {};
  const judge = async (records: SourcedRecord[], batchId: string): Promise<void> => {
    const batch = await runBatch(records, [], { store: r.store, sink: r.sink, deadLetter: r.deadLetter, settings }, batchId);
    for (const alert of batch.alerts) {
      alertIds.push(alert.AlertId);
      alertsBySeverity[alert.Severity]++;
    }
    mergeCounts(byCategory, batch.byCategory);
    mergeCounts(rejectsByReason, batch.rejectsByReason);
  };
  const outcome = await replayWindows(
    { query: deps.query, judge, now: r.now, tables: deps.tables, sleep: deps.sleep, batchRecords: deps.batchRecords },
    start,
    {
      on: 'ingestion',
      endMs: range.toMs,
      deadlineMs: now + (deps.budgetMs ?? SWEEP_BUDGET_MS),
      batchPrefix: `sweep-${deps.workspaceId}`,
      checkpoint: async (position) => {
        row = await row.save(position);
      },
    },
  );
  return {
    fromMs: range.fromMs,
    toMs: range.toMs,
    caughtUp: outcome.reachedEnd,
    position: outcome.position,
    windows: outcome.windows,
    rows: outcome.rows,
    queries: outcome.queries,
    shrinks: outcome.shrinks,
    absentTables: outcome.absentTables,
    alertIds,
    alertsBySeverity,
    byCategory,
    rejectsByReason,
  };
}

/** The timer's handler: one run, one summary line; a failure is logged and thrown (the timer's retry policy, then the next run, read the gap). */
export async function handleRemoteUseSweepTimer(context: InvocationContext, deps: RemoteUseSweepDeps): Promise<RemoteUseSweepReport> {
  try {
    const report = await runRemoteUseSweep(deps, context);
    const line = {
      event: 'remoteTokenUseSweep.run',
      from: new Date(report.fromMs).toISOString(),
      to: new Date(report.toMs).toISOString(),
      caughtUp: report.caughtUp,
      through: new Date(report.position.throughMs).toISOString(),
      windows: report.windows,
      rows: report.rows,
      queries: report.queries,
      shrinks: report.shrinks,
      byCategory: report.byCategory,
      alerts: report.alertsBySeverity,
      rejects: report.rejectsByReason,
      absentTables: report.absentTables,
    };
    if (!report.caughtUp || Object.keys(report.rejectsByReason).length > 0) context.warn(redactedJson(line));
    else context.log(redactedJson(line));
    return report;
  } catch (error) {
    context.error(redactedJson({ event: 'remoteTokenUseSweep.failed', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
    throw error;
  }
}
