import type { InvocationContext } from '@azure/functions';
import type { ExpiringStateStore, StateDeletion } from '../adapters/stateStore';
import { firstKeptStateDays, type StateRetention } from '../core/remoteUse/stateRetention';

export interface StateRetentionDeps {
  readonly state: ExpiringStateStore;
  /** TOKENWATCH_TOKEN_RETENTION_DAYS and TOKENWATCH_LEDGER_RETENTION_DAYS. */
  readonly retention: StateRetention;
  readonly now: () => number;
}

/**
 * The stateRetention timer's run: delete the remote-use detector's expired write-once partitions
 * (token buckets, first uses, the suppression ledger) and log one line saying what went. A store
 * failure is logged and thrown; the next daily run deletes what this one left, since expiry is
 * decided from the time in the key, not from the last run.
 */
export async function runStateRetention(context: InvocationContext, deps: StateRetentionDeps): Promise<StateDeletion> {
  const firstKeptDays = firstKeptStateDays(deps.now(), deps.retention);
  try {
    const deleted = await deps.state.deleteExpiredPartitions(firstKeptDays);
    context.log(JSON.stringify({ event: 'stateRetention.run', tokenRetentionDays: deps.retention.tokenDays, ledgerRetentionDays: deps.retention.ledgerDays, ...deleted }));
    return deleted;
  } catch (error) {
    context.error(JSON.stringify({ event: 'stateRetention.failed', tokenRetentionDays: deps.retention.tokenDays, ledgerRetentionDays: deps.retention.ledgerDays, firstKeptDays, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
    throw error;
  }
}
