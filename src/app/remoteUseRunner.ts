import type { AlertRow, Severity } from '../core/alerts/alertRow';
import type { AuditEvent } from '../core/records/auditEvent';
import { parseAuditRecord } from '../core/records/auditRecord';
import { countByReason, makeReject, type Reject } from '../core/records/reject';
import { detectRemoteUse, firstRoundPartitions, secondRoundPartitions, type RemoteUseSummary } from '../core/remoteUse/detectRemoteUse';
import { SHARED_PARTITION_PREFIXES } from '../core/remoteUse/partitionKeys';
import type { RemoteUseSettings } from '../core/remoteUse/settings';
import type { PartitionSnapshot } from '../core/state/partition';
import type { AlertSink } from '../adapters/alertSink';
import type { RejectSink } from '../adapters/rejectSink';
import { StateStoreError, type StateStore } from '../adapters/stateStore';
import type { SourcedRecord } from './decodeMessages';

/**
 * How long a cached shared partition (catalog, token bucket) is trusted before it is read again:
 * a new identity or a token registered by another instance is seen here within a minute.
 */
export const SHARED_STATE_REFRESH = { prefixes: SHARED_PARTITION_PREFIXES, afterMs: 60_000 } as const;

export interface RemoteUseDeps {
  readonly store: StateStore;
  readonly sink: AlertSink;
  readonly deadLetter: RejectSink;
  readonly settings: RemoteUseSettings;
  /** How often a batch is judged again after ETag conflicts before the invocation fails. */
  readonly maxConflictRetries?: number;
}

export interface RemoteUseBatchReport {
  readonly records: number;
  readonly byCategory: Record<string, number>;
  readonly rejects: number;
  readonly rejectsByReason: Record<string, number>;
  readonly alerts: AlertRow[];
  readonly alertsBySeverity: Record<Severity, number>;
  readonly detection: RemoteUseSummary;
  readonly stateChanges: number;
  readonly conflictRetries: number;
  readonly sinkFailures: number;
}

/** Parses records into audit events; what is not an Entra/Azure record is a counted reject. */
export function parseAuditRecords(records: readonly SourcedRecord[]): { events: AuditEvent[]; rejects: Reject[]; byCategory: Record<string, number> } {
  const events: AuditEvent[] = [];
  const rejects: Reject[] = [];
  const byCategory: Record<string, number> = {};
  for (const { record, origin } of records) {
    const parsed = parseAuditRecord(record, origin);
    if (parsed === undefined) {
      rejects.push(makeReject('record.not-azure-log', 'The record is not an Entra ID or Azure resource log record.', record, origin));
      continue;
    }
    if (!parsed.ok) {
      rejects.push(parsed.reject);
      continue;
    }
    events.push(parsed.value);
    const category = parsed.value.category || '(none)';
    byCategory[category] = (byCategory[category] ?? 0) + 1;
  }
  return { events, rejects, byCategory };
}

/**
 * One invocation of the remote-use detector: load the state the batch needs (two rounds: tenant
 * catalogs and token buckets, then identities), judge the batch in the pure core, commit the
 * changes ETag-guarded, and on a conflict reload what changed and judge again (the core is
 * idempotent, so work committed in an earlier round is not repeated). Then send the alerts and
 * dead-letter the rejects. Store, sink and dead-letter failures throw: the retry policy redelivers.
 */
export async function runRemoteUseBatch(records: readonly SourcedRecord[], initialRejects: readonly Reject[], deps: RemoteUseDeps, batchId: string): Promise<RemoteUseBatchReport> {
  const parsed = parseAuditRecords(records);
  const rejects = [...initialRejects, ...parsed.rejects];
  const maxRetries = deps.maxConflictRetries ?? 5;

  let conflictRetries = 0;
  let stateChanges = 0;
  let result: ReturnType<typeof detectRemoteUse> | undefined;
  for (let round = 0; ; round++) {
    const snapshots = await loadTwoRounds(parsed.events, deps.store, deps.settings.tokenBucketShards);
    result = detectRemoteUse(parsed.events, snapshots, deps.settings);
    const commit = await deps.store.commit(result.changes);
    stateChanges += result.changes.length;
    if (commit.conflicts.length === 0) break;
    if (round >= maxRetries) {
      throw new StateStoreError(`remoteTokenUse: ${commit.conflicts.length} partition(s) still conflicting after ${maxRetries} retries: ${commit.conflicts.slice(0, 3).join(', ')}`);
    }
    conflictRetries++;
  }

  const sent = result.alerts.length > 0 ? await deps.sink.send(result.alerts) : { sent: 0, failed: [] };
  const sinkRejects = sent.failed.map((f) => makeReject('alert.sink-refused', f.reason, result.alerts.find((a) => a.AlertId === f.alertId) ?? f.alertId, `alert ${f.alertId}`));
  const allRejects = [...rejects, ...sinkRejects];
  if (allRejects.length > 0) await deps.deadLetter.send(allRejects, { detector: 'RemoteTokenUse', batchId });

  const alertsBySeverity: Record<Severity, number> = { Low: 0, Medium: 0, High: 0 };
  for (const alert of result.alerts) alertsBySeverity[alert.Severity]++;
  return {
    records: records.length,
    byCategory: parsed.byCategory,
    rejects: allRejects.length,
    rejectsByReason: countByReason(allRejects),
    alerts: result.alerts,
    alertsBySeverity,
    detection: result.summary,
    stateChanges,
    conflictRetries,
    sinkFailures: sent.failed.length,
  };
}

async function loadTwoRounds(events: readonly AuditEvent[], store: StateStore, tokenBucketShards: number): Promise<Map<string, PartitionSnapshot>> {
  const snapshots = await store.load(firstRoundPartitions(events, tokenBucketShards));
  const second = secondRoundPartitions(events, snapshots, tokenBucketShards).filter((key) => !snapshots.has(key));
  if (second.length > 0) for (const [key, snapshot] of await store.load(second)) snapshots.set(key, snapshot);
  return snapshots;
}
