import { linkedAlerts, parseAuditMessages, type RemoteUseDeps } from '../app/remoteUseRunner';
import { planBatch, tenantPartitions } from '../core/remoteUse/batchPlan';
import { detectRemoteUse } from '../core/remoteUse/detectRemoteUse';
import type { Invocation } from './invocations';
import { nowMs } from './measure';

/** Milliseconds spent in each step of the remote-use invocation, summed over a stream. */
export interface RemoteUseStageTimes {
  /** Decoding the bodies (`JSON.parse`) and reading their records into events, message by message. */
  parse: number;
  /** tenantPartitions + planBatch: working out which partitions a batch needs. */
  partitionKeys: number;
  load: number;
  detect: number;
  commit: number;
  sinks: number;
}

export const REMOTE_USE_STAGES: readonly (keyof RemoteUseStageTimes)[] = ['parse', 'partitionKeys', 'load', 'detect', 'commit', 'sinks'];

/**
 * The steps of `runRemoteUseBatch` one by one with a clock around each, to find where the time
 * goes. Mirrors the runner for a single writer (no conflict retries: the bench's store has no
 * other writer, and a conflict here is reported as an error). The bench checks that it produces
 * the same alerts and state changes as the runner.
 */
export async function timeRemoteUseStages(invocations: readonly Invocation[], deps: RemoteUseDeps): Promise<{ times: RemoteUseStageTimes; alerts: number; stateChanges: number; records: number }> {
  const times: RemoteUseStageTimes = { parse: 0, partitionKeys: 0, load: 0, detect: 0, commit: 0, sinks: 0 };
  let alerts = 0, stateChanges = 0, records = 0;
  for (let i = 0; i < invocations.length; i++) {
    let t = nowMs();
    const lap = (stage: keyof RemoteUseStageTimes): void => {
      const now = nowMs();
      times[stage] += now - t;
      t = now;
    };
    const parsed = parseAuditMessages(invocations[i]!.bodies.map((b) => b.text), (m) => `invocation ${i} message ${m}`);
    lap('parse');
    const first = tenantPartitions(parsed.tenants);
    lap('partitionKeys');
    const snapshots = await deps.store.load(first);
    lap('load');
    const plan = planBatch(parsed.events, snapshots);
    lap('partitionKeys');
    if (plan.partitionKeys.length > 0) for (const [key, snapshot] of await deps.store.load(plan.partitionKeys)) snapshots.set(key, snapshot);
    lap('load');
    const result = detectRemoteUse(parsed.events, snapshots, deps.settings, plan);
    lap('detect');
    const commit = await deps.store.commit(result.changes, snapshots);
    if (commit.conflicts.length > 0) throw new Error(`remote-use stages: ${commit.conflicts.length} conflict(s) with a single writer`);
    lap('commit');
    const linked = await linkedAlerts(result, deps.store);
    if (linked.length > 0) await deps.sink.send(linked);
    const rejects = parsed.rejects;
    if (rejects.length > 0) await deps.deadLetter.send(rejects, { detector: 'RemoteTokenUse', batchId: `stages-${i}` });
    lap('sinks');
    alerts += result.alerts.length;
    stateChanges += result.changes.length;
    records += parsed.records;
  }
  return { times, alerts, stateChanges, records };
}
