import type { InvocationContext } from '@azure/functions';
import type { ExpiringRejectStore, RejectsDeletion } from '../adapters/rejectSink';
import { firstKeptRejectDay } from '../core/records/rejectRetention';
import { runLoggedRetention } from './retentionRun';

export interface RejectsRetentionDeps {
  readonly rejects: ExpiringRejectStore;
  /** TOKENWATCH_REJECTS_RETENTION_DAYS. */
  readonly retentionDays: number;
  readonly now: () => number;
}

/**
 * The rejectsRetention timer's run: delete the dead letters older than the retention and log one
 * line saying what went (runLoggedRetention).
 */
export async function runRejectsRetention(context: InvocationContext, deps: RejectsRetentionDeps): Promise<RejectsDeletion> {
  const firstKeptDay = firstKeptRejectDay(deps.now(), deps.retentionDays);
  return runLoggedRetention(context, 'rejectsRetention', { retentionDays: deps.retentionDays }, { firstKeptDay }, () => deps.rejects.deleteRejectsBefore(firstKeptDay));
}
