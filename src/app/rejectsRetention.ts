import type { InvocationContext } from '@azure/functions';
import type { ExpiringRejectStore, RejectsDeletion } from '../adapters/rejectSink';
import { firstKeptRejectDay } from '../core/records/rejectRetention';

export interface RejectsRetentionDeps {
  readonly rejects: ExpiringRejectStore;
  /** TOKENWATCH_REJECTS_RETENTION_DAYS. */
  readonly retentionDays: number;
  readonly now: () => number;
}

/**
 * The rejectsRetention timer's run: delete the dead letters older than the retention and log one
 * line saying what went. A store failure is logged and thrown; the next daily run deletes what
 * this one left, since expiry is decided from the day in the key, not from the last run.
 */
export async function runRejectsRetention(context: InvocationContext, deps: RejectsRetentionDeps): Promise<RejectsDeletion> {
  const firstKeptDay = firstKeptRejectDay(deps.now(), deps.retentionDays);
  try {
    const deleted = await deps.rejects.deleteRejectsBefore(firstKeptDay);
    context.log(JSON.stringify({ event: 'rejectsRetention.run', retentionDays: deps.retentionDays, ...deleted }));
    return deleted;
  } catch (error) {
    context.error(JSON.stringify({ event: 'rejectsRetention.failed', retentionDays: deps.retentionDays, firstKeptDay, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
    throw error;
  }
}
