import type { Invocation } from './invocations';
import { parseAuditMessages, runRemoteUseEvents, type RemoteUseDeps } from '../app/remoteUseRunner';
import { judgeScreenedBatch, screenEndpointMessages, type TheftDeps } from '../app/theftRunner';

/** What a stream of invocations produced: enough to check the run did real work. */
export interface StreamOutcome {
  readonly invocations: number;
  readonly records: number;
  readonly alerts: number;
  readonly rejects: number;
  readonly stateChanges: number;
  readonly conflictRetries: number;
}

/**
 * The physical floor: `JSON.parse` of every body, nothing else. Returns the records parsed so
 * the work cannot be optimised away and the caller can check it against the stream.
 */
export function parseFloor(invocations: readonly Invocation[]): number {
  let records = 0;
  for (const invocation of invocations) {
    for (const body of invocation.bodies) {
      const parsed = JSON.parse(body.text) as { records?: unknown[] };
      records += Array.isArray(parsed.records) ? parsed.records.length : 1;
    }
  }
  return records;
}

interface BatchReport {
  readonly records: number;
  readonly alerts: readonly unknown[];
  readonly rejects: number;
  readonly stateChanges: number;
  readonly conflictRetries: number;
}

/**
 * Hands each invocation's bodies (JSON text, as the host hands them over) to one detector, the way
 * its handler does. `firstIndex` numbers the first invocation (batch ids and origins) when a
 * stream is run one invocation at a time.
 */
async function runStream(
  invocations: readonly Invocation[],
  batchPrefix: string,
  firstIndex: number,
  runBatch: (bodies: string[], originOf: (m: number) => string, batchId: string) => Promise<BatchReport>,
): Promise<StreamOutcome> {
  let records = 0, alerts = 0, rejects = 0, stateChanges = 0, conflictRetries = 0;
  for (let k = 0; k < invocations.length; k++) {
    const i = firstIndex + k;
    const bodies = invocations[k]!.bodies.map((b) => b.text);
    const report = await runBatch(bodies, (m) => `invocation ${i} message ${m}`, `${batchPrefix}-${i}`);
    records += report.records;
    alerts += report.alerts.length;
    rejects += report.rejects;
    stateChanges += report.stateChanges;
    conflictRetries += report.conflictRetries;
  }
  return { invocations: invocations.length, records, alerts, rejects, stateChanges, conflictRetries };
}

/** The outcome of a stream run in parts, as one: every count is a sum. */
export function sumOutcomes(parts: readonly StreamOutcome[]): StreamOutcome {
  const sum: Record<keyof StreamOutcome, number> = { invocations: 0, records: 0, alerts: 0, rejects: 0, stateChanges: 0, conflictRetries: 0 };
  for (const part of parts) for (const key of Object.keys(sum) as (keyof StreamOutcome)[]) sum[key] += part[key];
  return sum;
}

/** The remote-use function minus the host: decode and parse message by message, load state, detect, commit, send alerts, dead-letter rejects. */
export function runRemoteUseStream(invocations: readonly Invocation[], deps: RemoteUseDeps, batchPrefix = 'remote', firstIndex = 0): Promise<StreamOutcome> {
  return runStream(invocations, batchPrefix, firstIndex, (bodies, originOf, batchId) => runRemoteUseEvents(parseAuditMessages(bodies, originOf), deps, batchId));
}

/** The theft function minus the host, the same way. */
export function runTheftStream(invocations: readonly Invocation[], deps: TheftDeps, batchPrefix = 'theft', firstIndex = 0): Promise<StreamOutcome> {
  return runStream(invocations, batchPrefix, firstIndex, (bodies, originOf, batchId) => {
    const { batch, rejects } = screenEndpointMessages(bodies, originOf, deps.settings);
    return judgeScreenedBatch(batch, deps, batchId, rejects);
  });
}
