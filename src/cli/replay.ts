/**
 * `tokenwatch replay` as a function: input files through both detectors the way the functions
 * run them, with the state store, alert sink and dead letter a replay needs, and its summary.
 */
import type { UsualExternalMode } from '../core/remoteUse/settings';
import { createWriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { MemoryStateStore } from '../adapters/memoryStateStore';
import { NdjsonAlertSink } from '../adapters/ndjsonAlertSink';
import { createTableClient, ensureTable, RequestCounter } from '../adapters/tableClient';
import { TableStateStore } from '../adapters/tableStateStore';
import type { StateStore } from '../adapters/stateStore';
import type { SourcedRecord } from '../app/decodeMessages';
import { parseAuditRecords, runRemoteUseEvents, type ParsedAuditBatch } from '../app/remoteUseRunner';
import { routeRecords } from '../app/routeRecords';
import { judgeEndpointOutcomes, type TheftDeps } from '../app/theftRunner';
import type { AlertRow, Severity } from '../core/alerts/alertRow';
import type { EndpointParsed } from '../core/records/endpoint/endpointEvent';
import { parseEndpointRecord } from '../core/records/endpoint/parseEndpointRecord';
import { endpointWithinWindow, eventTimeWindow } from '../core/records/eventTimeWindow';
import type { Reject } from '../core/records/reject';
import { archiveTimeOf } from './archiveOrder';
import { HeapWatch } from './heapWatch';
import { readInputBlocksOrSkip } from './inputFiles';
import { INPUT_FILE_KINDS, listInputs, STDIN, type InputFile, type SkippedEntry } from './inputListing';
import { loadTheftSettings } from '../app/theftSettings';
import { appendAll } from '../core/arrays';
import { CommandFailure } from './cliErrors';
import { readJson, remoteUseSettingsFromFiles } from './commandSettings';
import { LineFile, openOutputFile, writeFailure } from './outputFile';
import { printable } from './terminalText';
import type { ReplayProgressState } from './replayProgress';
import { ReplayRejects } from './replayRejects';
import { TenantlessRecords } from '../app/tenantlessRecords';
import { describeStore, openTableTarget } from './stateTable';
import { formatStaleServiceTags, staleServiceTags, type StaleServiceTags } from './replayServiceTags';
import { days, formatTimeOrderWarning, TimeOrderWatch, type TimeOrderWarning } from './timeOrder';

export interface ReplayOptions {
  /** Files, folders, and `-` for standard input. */
  readonly inputs: readonly string[];
  readonly out?: string | undefined;
  /** `memory` (default), `azurite` (started from node_modules), or a table endpoint / connection string. */
  readonly store?: string | undefined;
  /** Records per invocation; default: one invocation per input file. */
  readonly batchSize?: number | undefined;
  readonly allowlistFile?: string | undefined;
  readonly theftAllowlistFile?: string | undefined;
  readonly serviceTagsFile?: string | undefined;
  /** What a usual external use becomes (TOKENWATCH_USUAL_EXTERNAL); `alert` when undefined. */
  readonly usualExternal?: UsualExternalMode | undefined;
  /** The tenant uses whose records name none are judged in (see TenantlessRecords); undefined: inferred from the records. */
  readonly tenant?: string | undefined;
  /** Every reject as NDJSON (see ReplayRejects). */
  readonly rejectsFile?: string | undefined;
  /** Write alert rows to stdout when no --out (default true for the CLI). */
  readonly alertsToStdout?: boolean;
  /** Standard output and input (default: the process's). */
  readonly stdout?: Writable;
  readonly stdin?: Readable;
  /** Told how far the replay is, after each invocation and every few thousand records read. */
  readonly onProgress?: (state: ReplayProgressState) => void;
  /** Warnings as they arise (skipped folder entries, event time running backwards); also in the summary. */
  readonly warn?: (line: string) => void;
}

export interface ReplaySummary {
  files: number;
  /** Records read (rejected or not), not counting the rejects of undecodable lines and bodies. */
  records: number;
  invocations: number;
  byCategory: Record<string, number>;
  /** Records the detectors read and do not act on, by kind (`sign-in.user`, `sysmon.event-12`). */
  ignoredByKind: Record<string, number>;
  rejectsByReason: Record<string, number>;
  alertsBySeverity: Record<Severity, number>;
  alertsByDetector: Record<string, number>;
  suppressed: number;
  /** Remote-use uses judged late (RemoteUseSummary.late): they taught nothing. */
  lateUses: number;
  tableRequests: number | undefined;
  stateChanges: number;
  elapsedMs: number;
  alerts: AlertRow[];
  /** The first rejects (KEPT_REJECTS); all are counted in rejectsByReason and written to the rejects file. */
  rejects: Reject[];
  /** Folder entries not read. */
  skipped: SkippedEntry[];
  timeOrderWarnings: TimeOrderWarning[];
  /** Service tags more than 30 days older than the events (said once, at the first batch that found it). */
  staleServiceTags: StaleServiceTags | undefined;
  /** Records that named no tenant, judged in the one tenant the replay had seen, their identity not seen in it (TenantlessRecords.guesses). */
  guessedTenant: { readonly records: number; readonly tenant: string };
}

const TABLE = 'TokenWatchState';
const THEFT_TABLE = 'TokenWatchTheftState';

/** Progress is reported every this many records read (2^12), besides after each invocation. */
const PROGRESS_EVERY_RECORDS = 4096;

/**
 * Feeds log files through the same pipeline as the functions: records in name order, batched as
 * the function would receive them, state in memory, in Azurite, or in a real table. Files are
 * parsed one at a time so that each file's event times are known: a file starting further back
 * than the dedup window before what its detector read already is a warning (see TimeOrderWatch).
 */
export async function replay(options: ReplayOptions, clock: () => number = Date.now): Promise<ReplaySummary> {
  const started = clock();
  const warn = options.warn ?? (() => undefined);
  const outputs = [...(options.out ? [{ flag: '--out', path: options.out }] : []), ...(options.rejectsFile ? [{ flag: '--rejects', path: options.rejectsFile }] : [])];
  const { files, skipped } = listInputs(options.inputs, outputs);
  for (const entry of skipped) warn(`warning: skipped ${printable(entry.path)}: ${printable(entry.reason)}`);
  if (files.length === 0) {
    const where = options.inputs.join(', ');
    throw new CommandFailure(`nothing to replay: ${where} ${options.inputs.length === 1 ? 'holds' : 'hold'} no log files (${INPUT_FILE_KINDS})${skipped.length > 0 ? ' that could be read' : ''}`);
  }
  if (files.filter((f) => f.path === STDIN).length > 1) throw new CommandFailure('"-" (standard input) can be read once only');
  // Settings before outputs: a bad allowlist fails before --out is emptied.
  const settings = remoteUseSettingsFromFiles(options);
  const theftSettings = theftSettingsOf(options.theftAllowlistFile);
  const outFd = options.out ? openOutputFile('--out', options.out) : undefined;
  const rejectsFile = options.rejectsFile ? LineFile.open('--rejects', options.rejectsFile) : undefined;
  // A failed write to --out (a full disk) fails the sink's write, and so the run, naming the file;
  // the stream's 'error' event is handled so that it is not an unhandled one as well.
  const outFile = options.out ? createWriteStream(options.out, { fd: outFd }).on('error', () => undefined) : undefined;
  const out: Writable | undefined = outFile ?? (options.alertsToStdout === false ? undefined : (options.stdout ?? process.stdout));
  const sink = new NdjsonAlertSink(out, options.out ? (error) => writeFailure('--out', options.out!, error) : undefined);
  const deadLetter = new ReplayRejects(rejectsFile);
  // A use further back than the lateness allowance is judged late (it teaches nothing): that, not the
  // longer dedup window, is how far back a later file of Entra and Azure records may start.
  const auditWindow = Math.min(settings.dedupWindowMs, settings.latenessAllowanceMs);
  const timeOrder = {
    audit: new TimeOrderWatch(auditWindow, 'Entra and Azure records', `uses further back than the ${days(auditWindow)} lateness allowance are judged late and teach nothing`),
    endpoint: new TimeOrderWatch(settings.dedupWindowMs, 'endpoint telemetry', `the dedup window is ${days(settings.dedupWindowMs)}`),
  };
  const summary: ReplaySummary = {
    files: files.length, records: 0, invocations: 0, byCategory: {}, ignoredByKind: {}, rejectsByReason: {}, alertsBySeverity: { Low: 0, Medium: 0, High: 0 },
    alertsByDetector: {}, suppressed: 0, lateUses: 0, tableRequests: undefined, stateChanges: 0, elapsedMs: 0, alerts: sink.rows, rejects: deadLetter.kept, skipped, timeOrderWarnings: [],
    staleServiceTags: undefined,
    guessedTenant: { records: 0, tenant: '' },
  };
  const tally = new ReadTally(files, options.onProgress);
  const heap = new HeapWatch(HEAP_SHARE_FOR_RECORDS);
  let stores: Stores | undefined;
  let closeFailure: Error | undefined;
  try {
    stores = await openStores(options.store ?? 'memory');
    // The theft-and-use join keeps its machine partitions in the remote-use state, for both detectors.
    const correlation = { store: stores.remote, dedupWindowMs: settings.dedupWindowMs };
    const remoteUse = { store: stores.remote, sink, deadLetter, settings, correlation };
    const theft: TheftDeps = { store: stores.theft, sink, deadLetter, settings: theftSettings, correlation };
    // A file gone or unreadable by the time its turn comes is skipped as at the start, not the end of the run.
    const skip = (entry: SkippedEntry): void => {
      skipped.push(entry);
      warn(`warning: skipped ${printable(entry.path)}: ${printable(entry.reason)}`);
    };
    // One for the whole replay: the tenant it infers follows the records, not the batches.
    const tenantless = new TenantlessRecords(options.tenant ?? '', options.tenant === undefined);
    for await (const batch of batchesOf(files, options.batchSize, tally, options.stdin, heap, skip)) {
      summary.invocations++;
      const { audit, auditRecords, outcomes, fileRejects } = parseBatch(batch, started, timeOrder, tenantless, (warning) => {
        summary.timeOrderWarnings.push(warning);
        warn(formatTimeOrderWarning(warning));
      });
      for (const part of batch.parts) summary.records += part.records.length;
      if (summary.staleServiceTags === undefined && audit.events.length > 0) {
        summary.staleServiceTags = staleServiceTags(settings.serviceTags, latestEventMs(audit.events));
        if (summary.staleServiceTags) warn(formatStaleServiceTags(summary.staleServiceTags));
      }
      if (auditRecords > 0 || fileRejects.length > 0) {
        const report = await runRemoteUseEvents({ ...audit, rejects: appendAll(fileRejects, audit.rejects) }, remoteUse, batch.id);
        merge(summary.byCategory, report.byCategory);
        merge(summary.ignoredByKind, report.detection.other);
        merge(summary.ignoredByKind, { 'use.by-user': report.detection.userUses, 'use.not-managed-identity': report.detection.nonMiUses });
        summary.suppressed += report.detection.suppressed;
        summary.lateUses += report.detection.late;
        summary.stateChanges += report.stateChanges;
      }
      if (outcomes.length > 0) {
        const report = await judgeEndpointOutcomes(outcomes, theft, batch.id);
        merge(summary.byCategory, report.byFormat);
        merge(summary.ignoredByKind, report.summary.ignored);
        summary.suppressed += report.suppressed;
        summary.stateChanges += report.stateChanges;
      }
      tally.report();
    }
    summary.guessedTenant = tenantless.guesses;
  } finally {
    rejectsFile?.close();
    if (outFile) closeFailure = await new Promise<Error | undefined>((resolve) => outFile.end((error?: Error | null) => resolve(error ?? undefined)));
    await stores?.close();
  }
  // The last lines are written as the file closes: a failure there ends the run too.
  if (closeFailure !== undefined && options.out) throw writeFailure('--out', options.out, closeFailure);
  for (const alert of sink.rows) {
    summary.alertsBySeverity[alert.Severity]++;
    summary.alertsByDetector[alert.Detector] = (summary.alertsByDetector[alert.Detector] ?? 0) + 1;
  }
  summary.rejectsByReason = deadLetter.byReason;
  summary.tableRequests = stores?.counter?.requests;
  summary.elapsedMs = clock() - started;
  return summary;
}

/** One input file's share of an invocation. */
interface FilePart {
  readonly file: string;
  readonly records: SourcedRecord[];
  readonly rejects: Reject[];
}

interface Batch {
  readonly id: string;
  readonly parts: FilePart[];
}

/** How far reading has got, for progress. */
class ReadTally {
  records = 0;
  filesDone = 0;
  bytesRead = 0;
  private readonly bytesTotal: number | undefined;

  constructor(
    private readonly files: readonly InputFile[],
    private readonly onProgress: ((state: ReplayProgressState) => void) | undefined,
  ) {
    this.bytesTotal = files.every((f) => f.bytes !== undefined) ? files.reduce((sum, f) => sum + (f.bytes ?? 0), 0) : undefined;
  }

  report(): void {
    this.onProgress?.({ records: this.records, filesDone: this.filesDone, files: this.files.length, bytesRead: this.bytesRead, bytesTotal: this.bytesTotal });
  }
}

/**
 * The invocations of a replay: one per file, or (with a batch size) cuts of that many records
 * across files, read as they are needed, so that only one invocation's records are held.
 * Undecodable lines and bodies ride with the next invocation as its rejects. An invocation whose
 * records fill more than HEAP_SHARE_FOR_RECORDS of the heap ends the replay with a message
 * saying what to change (tooLargeForHeap), before judging it would exhaust the heap.
 */
async function* batchesOf(files: readonly InputFile[], batchSize: number | undefined, tally: ReadTally, stdin: Readable | undefined, heap: HeapWatch, skip: (entry: SkippedEntry) => void): AsyncGenerator<Batch> {
  const partOf = (file: InputFile): FilePart => ({ file: file.path === STDIN ? 'stdin' : file.path, records: [], rejects: [] });
  let parts: FilePart[] = [];
  let pending = 0;
  let held = 0;
  let checkedAtBytes = tally.bytesRead;
  let n = 0;
  for (const [index, file] of files.entries()) {
    let part = partOf(file);
    parts.push(part);
    for await (const block of readInputBlocksOrSkip(file, { stdin, onBytes: (bytes) => (tally.bytesRead += bytes) }, skip)) {
      for (const item of block) {
        if (++tally.records % PROGRESS_EVERY_RECORDS === 0) tally.report();
        if ('reject' in item) {
          part.rejects.push(item.reject);
          continue;
        }
        part.records.push(item);
        // Every so many records, or bytes read: a few large records fill the heap as many small ones do.
        const bytesDue = tally.bytesRead - checkedAtBytes >= HEAP_CHECK_EVERY_BYTES;
        if ((++held % HEAP_CHECK_EVERY_RECORDS === 0 || bytesDue) && heap.overShare()) throw tooLargeForHeap(part.file, held, batchSize, heap.limitMb);
        if (bytesDue) checkedAtBytes = tally.bytesRead;
        if (batchSize && ++pending >= batchSize) {
          yield { id: `batch-${n++}`, parts };
          part = partOf(file);
          parts = [part];
          pending = 0;
          held = 0;
        }
      }
    }
    tally.filesDone++;
    // Without --batch-size a file is an invocation, but an archive's blobs of one hour are one
    // together (every container's records of that hour, as a hub would deliver them): judged in
    // their time order, not container by container, so the hour's first use of a token is its first.
    if (!batchSize && !sameArchiveHour(file, files[index + 1])) {
      yield { id: parts.length === 1 ? file.path : `${parts[0]!.file} and ${parts.length - 1} more of its hour`, parts };
      parts = [];
      held = 0;
    }
  }
  if (batchSize && (pending > 0 || parts.some((p) => p.rejects.length > 0))) yield { id: `batch-${n}`, parts };
}

/** Both files are blobs of a storage-account archive for the same hour (archiveOrder.ts lists them together). */
function sameArchiveHour(file: InputFile, next: InputFile | undefined): boolean {
  if (next === undefined) return false;
  const hour = archiveTimeOf(file.path);
  return hour !== undefined && hour === archiveTimeOf(next.path);
}

/** Half of what filled the heap, in a round number (50,000 at most: what one invocation of a live hub would rarely exceed). */
function suggestedBatchSize(held: number): number {
  const half = Math.max(1, Math.floor(held / 2));
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(half)));
  return Math.min(50_000, Math.floor(half / magnitude) * magnitude);
}

/** The share of the heap one invocation's records may fill while read: judging them needs the rest. */
const HEAP_SHARE_FOR_RECORDS = 0.4;
const HEAP_CHECK_EVERY_RECORDS = 1024;
const HEAP_CHECK_EVERY_BYTES = 16 * 1024 * 1024;

function tooLargeForHeap(file: string, held: number, batchSize: number | undefined, limitMb: number): CommandFailure {
  const filled = `fill ${Math.round(HEAP_SHARE_FOR_RECORDS * 100)} % of the ${limitMb} MB heap`;
  const more = `or give Node.js more heap (NODE_OPTIONS=--max-old-space-size=${Math.max(8192, limitMb * 2)})`;
  if (batchSize === undefined) {
    return new CommandFailure(
      `${printable(file)} is too large to replay as one invocation: ${held.toLocaleString('en-US')} of its records ${filled}. ` +
        `Replay it with --batch-size ${suggestedBatchSize(held)} (its records then oldest first: an invocation older than the one before it by more than the 2-day lateness allowance teaches nothing), ${more}`,
    );
  }
  return new CommandFailure(`the replay's state and an invocation of ${held.toLocaleString('en-US')} records (reading ${printable(file)}) ${filled}: use a smaller --batch-size or --store azurite, ${more}`);
}

/**
 * An invocation's records parsed for both detectors, file part by file part, so that each part's
 * event times are checked against what its detector read before (see TimeOrderWatch).
 */
function parseBatch(
  batch: Batch,
  /** When the replay started: a record dated more than a day after it is no record of the past (EventTimeWindow). */
  startedMs: number,
  timeOrder: { readonly audit: TimeOrderWatch; readonly endpoint: TimeOrderWatch },
  tenantless: TenantlessRecords,
  onWarning: (warning: TimeOrderWarning) => void,
): { audit: ParsedAuditBatch; auditRecords: number; outcomes: EndpointParsed[]; fileRejects: Reject[] } {
  const audit = emptyParsedBatch();
  const window = eventTimeWindow(startedMs);
  const outcomes: EndpointParsed[] = [];
  const fileRejects: Reject[] = [];
  let auditRecords = 0;
  for (const part of batch.parts) {
    appendAll(fileRejects, part.rejects);
    const routed = routeRecords(part.records);
    auditRecords += routed.audit.length;
    const parsed = parseAuditRecords(routed.audit, startedMs, tenantless);
    const endpoint = routed.endpoint.map(({ record, origin }) => endpointWithinWindow(parseEndpointRecord(record, origin), window, record, origin));
    mergeParsedBatch(audit, parsed);
    appendAll(outcomes, endpoint);
    const spans = [
      { watch: timeOrder.audit, span: timeSpan(parsed.events.map((e) => e.timeMs)) },
      { watch: timeOrder.endpoint, span: timeSpan(endpoint.flatMap((o) => (o.ok === true ? [o.value.timeMs] : []))) },
    ];
    for (const { watch, span } of spans) {
      const warning = span && watch.observe(part.file, span.minMs, span.maxMs);
      if (warning) onWarning(warning);
    }
  }
  return { audit, auditRecords, outcomes, fileRejects };
}

function latestEventMs(events: readonly { readonly timeMs: number }[]): number {
  let latest = -Infinity;
  for (const e of events) if (e.timeMs > latest) latest = e.timeMs;
  return latest;
}

function emptyParsedBatch(): { records: number; events: ParsedAuditBatch['events']; rejects: Reject[]; byCategory: Record<string, number>; tenants: string[] } {
  return { records: 0, events: [], rejects: [], byCategory: {}, tenants: [] };
}

function mergeParsedBatch(into: ReturnType<typeof emptyParsedBatch>, part: ParsedAuditBatch): void {
  into.records += part.records;
  appendAll(into.events, part.events);
  appendAll(into.rejects, part.rejects);
  merge(into.byCategory, part.byCategory);
  for (const tenant of part.tenants) if (!into.tenants.includes(tenant)) into.tenants.push(tenant);
}

/** The earliest and latest of event times; undefined when there are none. */
function timeSpan(times: readonly number[]): { minMs: number; maxMs: number } | undefined {
  let minMs = Number.POSITIVE_INFINITY;
  let maxMs = Number.NEGATIVE_INFINITY;
  for (const ms of times) {
    if (!Number.isFinite(ms)) continue;
    if (ms < minMs) minMs = ms;
    if (ms > maxMs) maxMs = ms;
  }
  return minMs <= maxMs ? { minMs, maxMs } : undefined;
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
    try {
      await ensureTable(target.connectionString, TABLE);
      await ensureTable(target.connectionString, THEFT_TABLE);
    } catch (error) {
      await stop();
      throw new Error(`state store (${describeStore(store)}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  const cache = { cachePartitions: 20_000 };
  return {
    remote: new TableStateStore(createTableClient(target, TABLE, counter), cache),
    theft: new TableStateStore(createTableClient(target, THEFT_TABLE, counter), cache),
    counter,
    close: stop,
  };
}

/** Adds counts (a zero count adds no key). */
function merge(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) if (v !== 0) into[k] = (into[k] ?? 0) + v;
}

/** The theft allowlist overrides a `--theft-allowlist` file holds: invalid ones (a `null` included) are a failure naming the flag. */
function theftSettingsOf(file: string | undefined): ReturnType<typeof loadTheftSettings> {
  if (file === undefined) return loadTheftSettings(undefined);
  const json = readJson('--theft-allowlist', file);
  // `null` would read as no overrides at all: a file that says nothing is more likely a mistake.
  if (json === null) throw new CommandFailure(`--theft-allowlist ${file}: holds null, not the JSON object of overrides (docs/theft.md)`);
  try {
    return loadTheftSettings(json);
  } catch (error) {
    throw new CommandFailure(`--theft-allowlist ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
