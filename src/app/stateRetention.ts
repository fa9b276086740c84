import type { InvocationContext } from '@azure/functions';
import type { ExpiringStateStore, StateDeletion } from '../adapters/stateStore';
import { firstKeptStateDays, type StateRetention } from '../core/remoteUse/stateRetention';
import { runLoggedRetention } from './retentionRun';

export interface StateRetentionDeps {
  readonly state: ExpiringStateStore;
  /** TOKENWATCH_TOKEN_RETENTION_DAYS and TOKENWATCH_LEDGER_RETENTION_DAYS. */
  readonly retention: StateRetention;
  readonly now: () => number;
}

/**
 * The stateRetention timer's run: delete the remote-use detector's expired write-once partitions
 * (token buckets, first uses, the suppression ledger) and log one line saying what went
 * (runLoggedRetention).
 */
export async function runStateRetention(context: InvocationContext, deps: StateRetentionDeps): Promise<StateDeletion> {
  const firstKeptDays = firstKeptStateDays(deps.now(), deps.retention);
  const settings = { tokenRetentionDays: deps.retention.tokenDays, ledgerRetentionDays: deps.retention.ledgerDays };
  return runLoggedRetention(context, 'stateRetention', settings, { firstKeptDays }, () => deps.state.deleteExpiredPartitions(firstKeptDays));
}
