import type { AlertRow } from '../core/alerts/alertRow';
import { isoTime } from '../core/records/time';
import { parseEndpointRecord } from '../core/records/endpoint/parseEndpointRecord';
import { endpointWithinWindow, eventTimeWindow } from '../core/records/eventTimeWindow';
import type { EndpointParsed } from '../core/records/endpoint/endpointEvent';
import { countByReason, makeReject, type Reject } from '../core/records/reject';
import { redactAlertRows } from '../core/redact/redactAlertRow';
import { detectScreened, partitionKeysForScreened, type TheftDetectorConfig } from '../core/theft/detectTheft';
import { ScreenedBatch } from '../core/theft/screenedBatch';
import type { TheftBatchSummary } from '../core/theft/theftBatchSummary';
import { sinkFailureReason, type AlertSink } from '../adapters/alertSink';
import type { RejectSink } from '../adapters/rejectSink';
import { RefusedRows, StateStoreError, type StateStore } from '../adapters/stateStore';
import { correlateAlerts, type CorrelationDeps } from './correlateAlerts';
import { forEachDecodedRecord, type SourcedRecord } from './decodeMessages';

export interface TheftDeps {
  readonly store: StateStore;
  readonly sink: AlertSink;
  readonly deadLetter: RejectSink;
  readonly settings: TheftDetectorConfig;
  /** Wall-clock time of processing for TimeGenerated; omitted in replays (TimeGenerated = EventTime). */
  readonly processedAt?: number;
  readonly maxConflictRetries?: number;
  /** The theft-and-use join; without it, theft alerts are not correlated with remote uses. */
  readonly correlation?: CorrelationDeps | undefined;
}

export interface TheftBatchReport {
  readonly records: number;
  readonly byFormat: Record<string, number>;
  readonly rejects: number;
  readonly rejectsByReason: Record<string, number>;
  readonly alerts: AlertRow[];
  readonly suppressed: number;
  readonly stateChanges: number;
  readonly conflictRetries: number;
  readonly summary: TheftBatchSummary;
}

/**
 * One invocation of the theft detector: parse endpoint telemetry, load the host partitions, judge,
 * commit (ETag-guarded, reload and judge again on conflict), send alerts, dead-letter rejects.
 * Infrastructure failures throw so the Event Hub retry policy (or the timer) tries again.
 */
export async function runTheftBatch(records: readonly SourcedRecord[], deps: TheftDeps, batchId: string, initialRejects: readonly Reject[] = []): Promise<TheftBatchReport> {
  const window = eventTimeWindow(deps.processedAt);
  return judgeEndpointOutcomes(records.map(({ record, origin }) => endpointWithinWindow(parseEndpointRecord(record, origin), window, record, origin)), deps, batchId, initialRejects);
}

/**
 * Decodes Event Hub messages and parses their records one message at a time, every outcome kept
 * (the handler screens them as they come instead, see screenEndpointMessages): a message's raw
 * records are dropped as soon as they are parsed, so an invocation holds parsed telemetry, not its
 * whole decoded JSON. A bad message is a counted reject,
 * and so is an event dated outside the window of `processedAt` (see EventTimeWindow).
 */
export function parseEndpointMessages(messages: readonly unknown[], originOf: (index: number) => string, processedAt?: number): { outcomes: EndpointParsed[]; rejects: Reject[] } {
  const outcomes: EndpointParsed[] = [];
  const rejects: Reject[] = [];
  const window = eventTimeWindow(processedAt);
  forEachDecodedRecord(messages, originOf, (record, origin) => outcomes.push(endpointWithinWindow(parseEndpointRecord(record, origin), window, record, origin)), (reject) => rejects.push(reject));
  return { outcomes, rejects };
}

/**
 * parseEndpointMessages with each outcome screened as soon as it is parsed (see ScreenedBatch):
 * the Event Hub handler's path. An invocation then holds the events that may alert, not every
 * parsed event; judge the batch with judgeScreenedBatch.
 */
export function screenEndpointMessages(
  messages: readonly unknown[],
  originOf: (index: number) => string,
  settings: TheftDetectorConfig,
  processedAt?: number,
): { batch: ScreenedBatch; rejects: Reject[] } {
  const batch = new ScreenedBatch(settings);
  const rejects: Reject[] = [];
  const window = eventTimeWindow(processedAt);
  forEachDecodedRecord(messages, originOf, (record, origin) => batch.add(endpointWithinWindow(parseEndpointRecord(record, origin), window, record, origin)), (reject) => rejects.push(reject));
  return { batch, rejects };
}

/** The part shared by the Event Hub path and the Log Analytics sweep: parsed telemetry in, alerts out. */
export async function judgeEndpointOutcomes(outcomes: readonly EndpointParsed[], deps: TheftDeps, batchId: string, initialRejects: readonly Reject[] = []): Promise<TheftBatchReport> {
  const batch = new ScreenedBatch(deps.settings);
  for (const outcome of outcomes) batch.add(outcome);
  return judgeScreenedBatch(batch, deps, batchId, initialRejects);
}

/** judgeEndpointOutcomes for outcomes already screened (screenEndpointMessages), with the same settings. */
export async function judgeScreenedBatch(batch: ScreenedBatch, deps: TheftDeps, batchId: string, initialRejects: readonly Reject[] = []): Promise<TheftBatchReport> {
  // Rules and allowlists need no state: only the hosts of events they leave standing are loaded.
  const screened = batch.screened();
  let detection: ReturnType<typeof detectScreened> | undefined;
  let stateChanges = 0;
  let conflictRetries = 0;
  const maxRetries = deps.maxConflictRetries ?? 5;
  // Rows the store cannot hold are rejects, not failures (see RefusedRow): the batch goes on.
  const refused = new RefusedRows();
  for (let round = 0; ; round++) {
    const partitions = await deps.store.load(partitionKeysForScreened(screened));
    detection = detectScreened(screened, partitions, deps.settings);
    const commit = await deps.store.commit(detection.changes, partitions);
    refused.add(commit);
    stateChanges += detection.changes.length;
    if (commit.conflicts.length === 0) break;
    if (round >= maxRetries) throw new StateStoreError(`tokenTheft: ${commit.conflicts.length} host partition(s) still conflicting after ${maxRetries} retries`);
    conflictRetries++;
  }

  const processedAt = deps.processedAt;
  // Credentials in record text never reach a sink or the join's stored halves.
  const theftAlerts = redactAlertRows(processedAt === undefined ? detection.alerts : detection.alerts.map((a) => ({ ...a, TimeGenerated: isoTime(processedAt) })));
  const joined = deps.correlation ? await correlateAlerts(theftAlerts, deps.correlation, processedAt) : undefined;
  const alerts = joined ? [...theftAlerts, ...joined.joins] : theftAlerts;
  const sent = alerts.length > 0 ? await deps.sink.send(alerts) : { sent: 0, failed: [] };
  const allRejects = [
    ...initialRejects,
    ...batch.parseRejects(),
    ...refused.rejects(),
    ...sent.failed.map((f) => makeReject(sinkFailureReason(f), f.reason, alerts.find((a) => a.AlertId === f.alertId) ?? f.alertId, `alert ${f.alertId}`)),
  ];
  if (allRejects.length > 0) await deps.deadLetter.send(allRejects, { detector: 'TokenTheft', batchId });
  return {
    records: batch.records,
    byFormat: batch.byFormat(),
    rejects: allRejects.length,
    rejectsByReason: countByReason(allRejects),
    alerts,
    suppressed: detection.summary.suppressed,
    stateChanges,
    conflictRetries,
    summary: batch.summary(detection.summary),
  };
}
