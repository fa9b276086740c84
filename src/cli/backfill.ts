/**
 * `tokenwatch backfill`: replays the last N days of a Log Analytics workspace's remote-use tables
 * into the state table in history mode (src/app/remoteUseBackfill.ts), so the detector is active on
 * day one. Progress goes to stderr, the summary of what the history would have raised to stdout.
 * Run it again to resume; once finished, running it again changes nothing. Its flags are checked
 * by tokenwatch.ts (backfillOptionsFromFlags) before this module and its clients are loaded.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { LogsQueryClient } from '@azure/monitor-query-logs';
import { LogAnalyticsQueryClient, type LogQueryClient } from '../adapters/logAnalyticsQuery';
import { MemoryStateBackend, MemoryStateStore } from '../adapters/memoryStateStore';
import type { RejectSink } from '../adapters/rejectSink';
import type { StateStore } from '../adapters/stateStore';
import { createTableClient, ensureTable } from '../adapters/tableClient';
import { TableStateStore } from '../adapters/tableStateStore';
import { runRemoteUseBackfill, type BackfillProgress, type BackfillReport } from '../app/remoteUseBackfill';
import { SEVERITIES } from '../core/alerts/alertRow';
import type { RemoteUseSettings } from '../core/remoteUse/settings';
import { backfillProgress } from '../core/workspaceRows/backfillMark';
import { formatCounts } from './alertTable';
import { remoteUseSettingsFromFiles } from './commandSettings';
import { openTableTarget } from './stateTable';

export interface BackfillCommandOptions {
  readonly workspaceId: string;
  readonly days: number;
  /** `memory`, `azurite` (started from node_modules), an https table endpoint, or a connection string. */
  readonly store: string;
  readonly table: string;
  readonly serviceTagsFile?: string | undefined;
  readonly allowlistFile?: string | undefined;
}

export interface BackfillCommandIo {
  /** Progress lines (stderr). */
  readonly err: (line: string) => void;
  /** The summary (stdout). */
  readonly out: (line: string) => void;
}

export interface BackfillCommandOverrides {
  /** The workspace (tests: the in-memory twin); default: the query API with the signed-in identity. */
  readonly query?: LogQueryClient;
  readonly now?: () => number;
  /** A progress line at most this often (default 2 s); the last one always. */
  readonly progressEveryMs?: number;
  /** The detector's settings (tests: the documentation-range ASN table); default: from the options' files. */
  readonly settings?: RemoteUseSettings;
}

export async function runBackfillCommand(options: BackfillCommandOptions, io: BackfillCommandIo, overrides: BackfillCommandOverrides = {}): Promise<BackfillReport> {
  const now = overrides.now ?? Date.now;
  const stores = await openStores(options.store, options.table);
  try {
    const query = overrides.query ?? new LogAnalyticsQueryClient(new LogsQueryClient(new DefaultAzureCredential()), options.workspaceId);
    const everyMs = overrides.progressEveryMs ?? 2000;
    let lastLine = Number.NEGATIVE_INFINITY;
    let lastProgress: BackfillProgress | undefined;
    const report = await runRemoteUseBackfill(
      { query, markStore: stores.marks, store: stores.detector, deadLetter: COUNTED_ONLY, settings: overrides.settings ?? remoteUseSettingsFromFiles(options), workspaceId: options.workspaceId, now },
      {
        days: options.days,
        onProgress: (progress) => {
          lastProgress = progress;
          if (now() - lastLine < everyMs) return;
          lastLine = now();
          io.err(formatProgress(progress));
        },
      },
    );
    if (lastProgress !== undefined) io.err(formatProgress(lastProgress));
    for (const line of formatBackfillReport(report, options.days)) io.out(line);
    return report;
  } finally {
    await stores.close();
  }
}

/** Rejects are counted in the report (by reason); a month of them is not kept in memory. */
const COUNTED_ONLY: RejectSink = { send: async () => undefined };

export function formatProgress(progress: BackfillProgress): string {
  const { mark } = progress;
  const eta = progress.etaMs === undefined ? 'ETA unknown' : `ETA ${duration(progress.etaMs)}`;
  return `backfill: ${progress.slices} slices, through ${new Date(mark.position.throughMs).toISOString()} (${(progress.done * 100).toFixed(1)} %), ${progress.rows.toLocaleString('en-US')} rows (${Math.round(progress.rowsPerSecond).toLocaleString('en-US')}/s), ${eta}`;
}

export function formatBackfillReport(report: BackfillReport, daysAsked: number): string[] {
  const { mark } = report;
  const range = `${new Date(mark.startMs).toISOString()} to ${new Date(mark.liveStartMs).toISOString()} (${mark.days} days)`;
  const lines: string[] = [];
  if (report.status === 'finished-before') lines.push(`backfill of ${range} finished at ${new Date(mark.finishedAtMs ?? mark.updatedAtMs).toISOString()}: nothing to do`);
  else lines.push(`backfill ${report.status === 'started' ? 'of' : 'resumed over'} ${range}: ${report.done ? 'done' : `${(backfillProgress(mark) * 100).toFixed(1)} % done`}`);
  if (report.status !== 'started' && daysAsked !== mark.days) lines.push(`  (--days ${daysAsked} ignored: the range was fixed when this backfill started)`);
  if (report.status !== 'finished-before') {
    const r = report.replay;
    lines.push(`  this run: ${r.windows} slices, ${r.rows.toLocaleString('en-US')} rows, ${r.queries} queries (${r.shrinks} slices halved), ${duration(report.elapsedMs)}`);
    if (r.absentTables.length > 0) lines.push(`  tables not in the workspace: ${r.absentTables.join(', ')}`);
    lines.push(`  records by category: ${formatCounts(report.byCategory)}`);
    lines.push(`  rejects by reason: ${formatCounts(report.rejectsByReason)}`);
    const raised = report.wouldHaveRaised;
    lines.push(`  would have raised ${raised.total} alerts (not sent): ${SEVERITIES.map((s) => `${s} ${raised.bySeverity[s]}`).join(', ')}`);
    lines.push(`  by rule: ${formatCounts(raised.byRule)}`);
    if (raised.topIdentities.length > 0) {
      lines.push('  top identities:');
      for (const i of raised.topIdentities) lines.push(`    ${String(i.alerts).padStart(5)}  highest ${i.highest.padEnd(6)}  ${i.name || '(no name)'}  ${i.objectId}  tenant ${i.tenantId}`);
    }
  }
  const total = mark.wouldHaveRaised;
  lines.push(`  all runs: ${mark.slices} slices, ${mark.rows.toLocaleString('en-US')} rows, would have raised ${total.total} (${formatCounts(total.bySeverity)})`);
  if (report.done) lines.push('  the state holds the catalog, the baselines and the tenant\'s first event: alerts start with the first live batch');
  return lines;
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

interface Stores {
  /** The detector's state. */
  readonly detector: StateStore;
  /** The watermark row (same table, its own small cache). */
  readonly marks: StateStore;
  close(): Promise<void>;
}

async function openStores(store: string, table: string): Promise<Stores> {
  if (store === 'memory') {
    const backend = new MemoryStateBackend();
    return { detector: new MemoryStateStore(backend), marks: new MemoryStateStore(backend), close: async () => undefined };
  }
  const { target, stop } = await openTableTarget(store);
  if ('connectionString' in target) await ensureTable(target.connectionString, table);
  return {
    detector: new TableStateStore(createTableClient(target, table), { cachePartitions: 20_000 }),
    marks: new TableStateStore(createTableClient(target, table), { cachePartitions: 16 }),
    close: stop,
  };
}
