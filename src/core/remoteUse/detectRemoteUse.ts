/**
 * The remote-use detector's entry point: judges one batch of audit events against the loaded
 * state (see batchRun.ts for how a use is judged, ladder.ts for the rules).
 */
import { recordKeyText, type AuditEvent } from '../records/auditEvent';
import type { PartitionSnapshot } from '../state/partition';
import type { BatchPlan } from './batchPlan';
import { BatchRun, type RemoteUseResult } from './batchRun';
import type { RemoteUseSettings } from './settings';

/**
 * Judges one batch of audit events against the loaded state. Pure: the same events and
 * snapshots always give the same alerts and changes. Events are processed in event-time order
 * (ties: issuance before use, then record key), so the order of messages in a batch does not matter.
 */
export function detectRemoteUse(
  events: readonly AuditEvent[],
  partitions: ReadonlyMap<string, PartitionSnapshot>,
  settings: RemoteUseSettings,
  /** What planning found (planBatch over the same events); judging gives the same result without it. */
  plan?: BatchPlan,
): RemoteUseResult {
  const planned = plan?.events === events ? plan : undefined;
  const order = eventOrder(events);
  const latestMs = order.length > 0 ? events[order[order.length - 1]!]!.timeMs : -Infinity;
  const run = new BatchRun(partitions, settings, planned?.indexes, latestMs);
  for (const i of order) run.process(events[i]!, planned?.catalogued[i]);
  return run.finish();
}

/** The indexes of `events` in judging order: event time; ties issuance before use, then record key. */
export function eventOrder(events: readonly AuditEvent[]): number[] {
  const rank = (e: AuditEvent): number => (e.kind === 'issuance' ? 0 : e.kind === 'use' ? 1 : 2);
  const keyOf = (e: AuditEvent): string => (e.kind === 'other' ? e.category : recordKeyText(e.recordKey));
  // The times are copied into one dense array first: comparing two events by reading them costs
  // two fetches from memory per comparison (about 11 comparisons per event), the copy one per event.
  const times = new Float64Array(events.length);
  const order = new Array<number>(events.length);
  for (let i = 0; i < events.length; i++) {
    times[i] = events[i]!.timeMs;
    order[i] = i;
  }
  return order.sort((i, j) => {
    const byTime = times[i]! - times[j]!;
    if (byTime !== 0) return byTime;
    const a = events[i]!, b = events[j]!;
    return rank(a) - rank(b) || (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0);
  });
}
