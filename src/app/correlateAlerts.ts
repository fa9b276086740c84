/**
 * Runs the theft-and-use join (src/core/correlation/theftAndUse.ts) over a batch's alerts, after
 * either detector raised them: loads the partitions of the machines they name, judges, commits
 * guarded, and on a conflict (the other detector, or another instance, wrote the same machine)
 * reloads and judges again. Store failures throw, like the detectors' own state writes.
 */
import type { AlertRow } from '../core/alerts/alertRow';
import { correlationPartitions, joinTheftAndUse, type CorrelationSettings } from '../core/correlation/theftAndUse';
import { StateStoreError, type StateStore } from '../adapters/stateStore';

export interface CorrelationDeps {
  /** The store of the `corr|…` partitions: one for both detectors (the remote-use state table). */
  readonly store: StateStore;
  readonly dedupWindowMs: number;
  readonly maxConflictRetries?: number;
}

export interface CorrelationReport {
  readonly joins: AlertRow[];
  readonly stateChanges: number;
  readonly conflictRetries: number;
}

export async function correlateAlerts(alerts: readonly AlertRow[], deps: CorrelationDeps, processedAt: number | undefined): Promise<CorrelationReport> {
  const keys = correlationPartitions(alerts);
  if (keys.length === 0) return { joins: [], stateChanges: 0, conflictRetries: 0 };
  const settings: CorrelationSettings = { dedupWindowMs: deps.dedupWindowMs, processedAt };
  const maxRetries = deps.maxConflictRetries ?? 5;
  let stateChanges = 0;
  for (let round = 0; ; round++) {
    const partitions = await deps.store.load(keys);
    const result = joinTheftAndUse(alerts, partitions, settings);
    const commit = await deps.store.commit(result.changes, partitions);
    stateChanges += result.changes.length;
    if (commit.conflicts.length === 0) return { joins: result.alerts, stateChanges, conflictRetries: round };
    if (round >= maxRetries) throw new StateStoreError(`theftAndUse: ${commit.conflicts.length} machine partition(s) still conflicting after ${maxRetries} retries`);
  }
}
