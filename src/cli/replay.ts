import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { MemoryStateStore } from '../adapters/memoryStateStore';
import { NdjsonAlertSink } from '../adapters/ndjsonAlertSink';
import { MemoryRejectSink } from '../adapters/rejectSink';
import { createTableClient, ensureTable, RequestCounter } from '../adapters/tableClient';
import { TableStateStore } from '../adapters/tableStateStore';
import type { StateStore } from '../adapters/stateStore';
import type { SourcedRecord } from '../app/decodeMessages';
import { runRemoteUseBatch } from '../app/remoteUseRunner';
import { routeRecords } from '../app/routeRecords';
import { runTheftBatch, type TheftDeps } from '../app/theftRunner';
import type { AlertRow, Severity } from '../core/alerts/alertRow';
import { countByReason, type Reject } from '../core/records/reject';
import { listInputFiles, readInputFile } from './inputFiles';
import { loadTheftSettings } from '../app/theftSettings';
import { appendAll } from '../core/arrays';
import { readJson, remoteUseSettingsFromFiles } from './commandSettings';
import { openTableTarget } from './stateTable';

export interface ReplayOptions {
  readonly inputs: readonly string[];
  readonly out?: string | undefined;
  /** `memory` (default), `azurite` (started from node_modules), or a table endpoint / connection string. */
  readonly store?: string | undefined;
  /** Records per invocation; default: one invocation per input file. */
  readonly batchSize?: number | undefined;
  readonly allowlistFile?: string | undefined;
  readonly theftAllowlistFile?: string | undefined;
  readonly serviceTagsFile?: string | undefined;
  /** Write alert rows to stdout when no --out (default true for the CLI). */
  readonly alertsToStdout?: boolean;
}

export interface ReplaySummary {
  files: number;
  records: number;
  invocations: number;
  byCategory: Record<string, number>;
  rejectsByReason: Record<string, number>;
  alertsBySeverity: Record<Severity, number>;
  alertsByDetector: Record<string, number>;
  suppressed: number;
  tableRequests: number | undefined;
  stateChanges: number;
  elapsedMs: number;
  alerts: AlertRow[];
  rejects: Reject[];
}

const TABLE = 'TokenWatchState';
const THEFT_TABLE = 'TokenWatchTheftState';

/**
 * Feeds log files through the same pipeline as the functions: records in name order, batched as
 * the function would receive them, state in memory, in Azurite, or in a real table.
 */
export async function replay(options: ReplayOptions, clock: () => number = Date.now): Promise<ReplaySummary> {
  const started = clock();
  const files = listInputFiles(options.inputs);
  const stores = await openStores(options.store ?? 'memory');
  const out: Writable | undefined = options.out ? createWriteStream(options.out) : options.alertsToStdout === false ? undefined : process.stdout;
  const sink = new NdjsonAlertSink(out);
  const deadLetter = new MemoryRejectSink();
  const settings = remoteUseSettingsFromFiles(options);
  // The theft-and-use join keeps its machine partitions in the remote-use state, for both detectors.
  const correlation = { store: stores.remote, dedupWindowMs: settings.dedupWindowMs };
  const theft: TheftDeps = { store: stores.theft, sink, deadLetter, settings: loadTheftSettings(options.theftAllowlistFile ? readJson(options.theftAllowlistFile) : undefined), correlation };
  const summary: ReplaySummary = {
    files: files.length, records: 0, invocations: 0, byCategory: {}, rejectsByReason: {}, alertsBySeverity: { Low: 0, Medium: 0, High: 0 },
    alertsByDetector: {}, suppressed: 0, tableRequests: undefined, stateChanges: 0, elapsedMs: 0, alerts: sink.rows, rejects: deadLetter.rejects,
  };
  try {
    const batches = batchesOf(files, options.batchSize);
    for (const batch of batches) {
      summary.invocations++;
      summary.records += batch.records.length;
      const { audit, endpoint } = routeRecords(batch.records);
      if (audit.length > 0 || batch.rejects.length > 0) {
        const report = await runRemoteUseBatch(audit, batch.rejects, { store: stores.remote, sink, deadLetter, settings, correlation }, batch.id);
        merge(summary.byCategory, report.byCategory);
        summary.suppressed += report.detection.suppressed;
        summary.stateChanges += report.stateChanges;
      }
      if (endpoint.length > 0) {
        const report = await runTheftBatch(endpoint, theft, batch.id);
        merge(summary.byCategory, report.byFormat);
        summary.suppressed += report.suppressed;
        summary.stateChanges += report.stateChanges;
      }
    }
  } finally {
    if (out && out !== process.stdout) await new Promise<void>((resolve) => (out as NodeJS.WritableStream).end(() => resolve()));
    await stores.close();
  }
  for (const alert of sink.rows) {
    summary.alertsBySeverity[alert.Severity]++;
    summary.alertsByDetector[alert.Detector] = (summary.alertsByDetector[alert.Detector] ?? 0) + 1;
  }
  summary.rejectsByReason = countByReason(deadLetter.rejects);
  summary.tableRequests = stores.counter?.requests;
  summary.elapsedMs = clock() - started;
  return summary;
}

interface Batch {
  readonly id: string;
  readonly records: SourcedRecord[];
  readonly rejects: Reject[];
}

function* batchesOf(files: readonly string[], batchSize: number | undefined): Generator<Batch> {
  if (!batchSize) {
    for (const file of files) {
      const read = readInputFile(file);
      yield { id: file, ...read };
    }
    return;
  }
  let pending: SourcedRecord[] = [];
  let pendingRejects: Reject[] = [];
  let n = 0;
  for (const file of files) {
    const read = readInputFile(file);
    appendAll(pendingRejects, read.rejects);
    for (const record of read.records) {
      pending.push(record);
      if (pending.length >= batchSize) {
        yield { id: `batch-${n++}`, records: pending, rejects: pendingRejects };
        pending = [];
        pendingRejects = [];
      }
    }
  }
  if (pending.length > 0 || pendingRejects.length > 0) yield { id: `batch-${n}`, records: pending, rejects: pendingRejects };
}

interface Stores {
  readonly remote: StateStore;
  readonly theft: StateStore;
  readonly counter: RequestCounter | undefined;
  close(): Promise<void>;
}

async function openStores(store: string): Promise<Stores> {
  if (store === 'memory') return { remote: new MemoryStateStore(), theft: new MemoryStateStore(), counter: undefined, close: async () => undefined };
  const { target, stop } = await openTableTarget(store);
  const counter = new RequestCounter();
  if ('connectionString' in target) {
    await ensureTable(target.connectionString, TABLE);
    await ensureTable(target.connectionString, THEFT_TABLE);
  }
  const cache = { cachePartitions: 20_000 };
  return {
    remote: new TableStateStore(createTableClient(target, TABLE, counter), cache),
    theft: new TableStateStore(createTableClient(target, THEFT_TABLE, counter), cache),
    counter,
    close: stop,
  };
}

function merge(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}
