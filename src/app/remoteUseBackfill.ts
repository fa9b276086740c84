import type { InvocationContext } from '@azure/functions';
import type { LogQueryClient } from '../adapters/logAnalyticsQuery';
import type { RejectSink } from '../adapters/rejectSink';
import type { StateStore } from '../adapters/stateStore';
import type { Reject } from '../core/records/reject';
import type { RemoteUseSettings } from '../core/remoteUse/settings';
import { tableKey } from '../core/state/keys';
import { backfillProgress, isBackfillDone, parseBackfillMark, planBackfill, type BackfillMark } from '../core/workspaceRows/backfillMark';
import type { RemoteUseTable } from '../core/workspaceRows/remoteUseTables';
import type { SourcedRecord } from './decodeMessages';
import { addCounts, HistoryAlertCollector, mergeCounts, type WouldHaveRaised } from './historySummary';
import { runRemoteUseBatch, type RemoteUseDeps, type RemoteUseBatchReport } from './remoteUseRunner';
import { loadJsonRow } from './stateJsonRow';
import type { StoredServiceTagsSettings } from './storedServiceTags';
import { replayWindows, type ReplayOutcome } from './workspaceReplay';
import { redactedJson } from '../core/redact/redactSecrets';

/**
 * The backfill: "active on day one". It replays the last N days (at most 30) of the remote-use
 * tables of a Log Analytics workspace through the detector in history mode, in event-time order
 * across the tables, so the identity catalog, the 30-day baselines and the tenant's first event
 * are in the state before the first live batch, and alerts start with it instead of after a
 * 14-day learning period. History raises nothing: what it would have raised is summarised.
 *
 * Resumable: the watermark row (`backfill|<workspace>`, row `remoteUse`) records the range and
 * the end of the last slice fully fed (or the last row fed when a run stops part-way); a run
 * continues after it. Idempotent: a finished backfill does nothing, and a slice fed twice leaves
 * the state as once (the detector's writes are keyed by what the records say).
 */
export interface BackfillDeps {
  readonly query: LogQueryClient;
  /** Where the watermark row lives (the state table). */
  readonly markStore: StateStore;
  /** The detector's state, dead letters and settings (history mode is set here). */
  readonly store: StateStore;
  readonly deadLetter: RejectSink;
  readonly settings: RemoteUseSettings;
  readonly workspaceId: string;
  readonly now: () => number;
  readonly tables?: readonly RemoteUseTable[] | undefined;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  readonly batchRecords?: number | undefined;
  /** Judges one batch (default: the remote-use runner, as for Event Hub batches). */
  readonly runBatch?: ((records: readonly SourcedRecord[], rejects: readonly Reject[], deps: RemoteUseDeps, batchId: string) => Promise<RemoteUseBatchReport>) | undefined;
}

export interface BackfillOptions {
  /** Days before the start of live processing to replay, 1 to 30 (used when no backfill was started yet). */
  readonly days: number;
  /** Wall-clock time this run may take; it stops at the next batch after it (default: no limit). */
  readonly budgetMs?: number | undefined;
  readonly onProgress?: ((progress: BackfillProgress) => void) | undefined;
}

export interface BackfillProgress {
  readonly mark: BackfillMark;
  /** Slices and rows of this run, and its rows per second. */
  readonly slices: number;
  readonly rows: number;
  readonly rowsPerSecond: number;
  /** Share of the range done, 0 to 1. */
  readonly done: number;
  /** Estimated ms left at this run's pace; undefined before anything was done. */
  readonly etaMs: number | undefined;
}

export interface BackfillReport {
  /** `started`: a new backfill; `resumed`: one that was under way; `finished-before`: nothing left to do. */
  readonly status: 'started' | 'resumed' | 'finished-before';
  /** The backfill has reached the start of live processing. */
  readonly done: boolean;
  readonly mark: BackfillMark;
  readonly elapsedMs: number;
  readonly replay: Pick<ReplayOutcome, 'windows' | 'rows' | 'queries' | 'shrinks' | 'absentTables'>;
  /** What this run's history would have raised. */
  readonly wouldHaveRaised: WouldHaveRaised;
  readonly byCategory: Record<string, number>;
  readonly rejectsByReason: Record<string, number>;
}

export const BACKFILL_ROW = 'remoteUse';

export function backfillPartition(workspaceId: string): string {
  return tableKey('backfill', workspaceId);
}

/** The backfill's watermark, undefined before its first run. */
export async function loadBackfillMark(deps: Pick<BackfillDeps, 'markStore' | 'workspaceId'>): Promise<BackfillMark | undefined> {
  return (await loadJsonRow(deps.markStore, backfillPartition(deps.workspaceId), BACKFILL_ROW, parseBackfillMark)).value;
}

export async function runRemoteUseBackfill(deps: BackfillDeps, options: BackfillOptions): Promise<BackfillReport> {
  const startedAt = deps.now();
  let row = await loadJsonRow(deps.markStore, backfillPartition(deps.workspaceId), BACKFILL_ROW, parseBackfillMark);
  const collector = new HistoryAlertCollector();
  const byCategory: Record<string, number> = {};
  const rejectsByReason: Record<string, number> = {};
  const report = (status: BackfillReport['status'], mark: BackfillMark, replay: BackfillReport['replay']): BackfillReport => ({
    status, done: isBackfillDone(mark), mark, elapsedMs: deps.now() - startedAt, replay, wouldHaveRaised: collector.summary(), byCategory, rejectsByReason,
  });
  if (row.value !== undefined && isBackfillDone(row.value)) return report('finished-before', row.value, { windows: 0, rows: 0, queries: 0, shrinks: 0, absentTables: [] });
  const status = row.value === undefined ? 'started' : 'resumed';
  let mark: BackfillMark;
  if (row.value === undefined) {
    // The range is fixed by the first run and recorded before any row is read.
    mark = planBackfill(startedAt, options.days);
    row = await row.save(mark);
  } else mark = row.value;
  const doneAtStart = backfillProgress(mark);

  // History mode: the state learns as live processing would; the alerts go to the collector, never out.
  const settings: RemoteUseSettings = { ...deps.settings, history: true, processedAt: undefined };
  const runBatch = deps.runBatch ?? runRemoteUseBatch;
  const judge = async (records: SourcedRecord[], batchId: string): Promise<void> => {
    const batch = await runBatch(records, [], { store: deps.store, sink: collector, deadLetter: deps.deadLetter, settings }, batchId);
    mergeCounts(byCategory, batch.byCategory);
    mergeCounts(rejectsByReason, batch.rejectsByReason);
  };
  let runSlices = 0;
  let runRows = 0;
  const outcome = await replayWindows(
    { query: deps.query, judge, now: deps.now, tables: deps.tables, sleep: deps.sleep, batchRecords: deps.batchRecords },
    mark.position,
    {
      on: 'TimeGenerated',
      endMs: mark.liveStartMs,
      deadlineMs: options.budgetMs === undefined ? Number.POSITIVE_INFINITY : startedAt + options.budgetMs,
      batchPrefix: `backfill-${deps.workspaceId}`,
      checkpoint: async (position, progress) => {
        runSlices += progress.windowsDone;
        runRows += progress.rows;
        const raised = collector.takeDelta();
        const now = deps.now();
        const next: BackfillMark = {
          ...mark,
          position,
          slices: mark.slices + progress.windowsDone,
          rows: mark.rows + progress.rows,
          updatedAtMs: now,
          finishedAtMs: position.throughMs >= mark.liveStartMs && position.partial === undefined ? now : undefined,
          wouldHaveRaised: {
            total: mark.wouldHaveRaised.total + raised.total,
            bySeverity: addCounts(mark.wouldHaveRaised.bySeverity, raised.bySeverity),
            byRule: addCounts(mark.wouldHaveRaised.byRule, raised.byRule),
          },
        };
        row = await row.save(next);
        mark = next;
        const elapsedS = Math.max(0.001, (now - startedAt) / 1000);
        const done = backfillProgress(mark);
        const doneThisRun = done - doneAtStart;
        options.onProgress?.({ mark, slices: runSlices, rows: runRows, rowsPerSecond: runRows / elapsedS, done, etaMs: doneThisRun > 0 ? ((1 - done) / doneThisRun) * elapsedS * 1000 : undefined });
      },
    },
  );
  return report(status, mark, { windows: outcome.windows, rows: outcome.rows, queries: outcome.queries, shrinks: outcome.shrinks, absentTables: outcome.absentTables });
}

/** 5 minutes of replay per timer invocation: half the 10-minute function timeout (host.json), leaving room for the last page query and batch. */
export const BACKFILL_TIMER_BUDGET_MS = 5 * 60 * 1000;

/**
 * The remoteTokenUseBackfill timer's handler: advances the backfill by one budget's worth of
 * slices and logs one line; once the backfill has reached the start of live processing every run
 * reads the watermark row and does nothing else. `settings` are those of the Event Hub path (with
 * the stored service tags when there are some).
 */
export type BackfillTimerDeps = BackfillDeps & { readonly serviceTags?: StoredServiceTagsSettings | undefined; readonly budgetMs?: number | undefined };

export async function handleRemoteUseBackfillTimer(context: InvocationContext, deps: BackfillTimerDeps, days: number): Promise<BackfillReport> {
  try {
    // Finished: one read of the watermark row, nothing else (not even the service tags).
    const before = await loadBackfillMark(deps);
    const settings = before !== undefined && isBackfillDone(before) ? deps.settings : deps.serviceTags ? await deps.serviceTags.settings(deps.settings, deps.now(), context) : deps.settings;
    const report = await runRemoteUseBackfill({ ...deps, settings }, { days, budgetMs: deps.budgetMs ?? BACKFILL_TIMER_BUDGET_MS });
    if (report.status === 'finished-before') return report;
    const { mark } = report;
    context.log(redactedJson({
      event: report.done ? 'remoteTokenUseBackfill.done' : 'remoteTokenUseBackfill.run',
      workspace: deps.workspaceId,
      range: { from: new Date(mark.startMs).toISOString(), liveStart: new Date(mark.liveStartMs).toISOString() },
      through: new Date(mark.position.throughMs).toISOString(),
      done: Math.round(backfillProgress(mark) * 1000) / 10,
      slices: report.replay.windows,
      rows: report.replay.rows,
      shrinks: report.replay.shrinks,
      absentTables: report.replay.absentTables,
      byCategory: report.byCategory,
      rejects: report.rejectsByReason,
      wouldHaveRaised: report.wouldHaveRaised,
      // Over every run so far.
      totals: { slices: mark.slices, rows: mark.rows, wouldHaveRaised: mark.wouldHaveRaised },
    }));
    return report;
  } catch (error) {
    context.error(redactedJson({ event: 'remoteTokenUseBackfill.failed', workspace: deps.workspaceId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
    throw error;
  }
}
