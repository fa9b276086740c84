import type { InvocationContext } from '@azure/functions';
import type { AlertSink } from '../adapters/alertSink';
import type { RejectSink } from '../adapters/rejectSink';
import type { StateStore } from '../adapters/stateStore';
import type { RemoteUseSettings } from '../core/remoteUse/settings';
import { messagesOfInvocation } from './eventHubBatch';
import { parseAuditMessages, runRemoteUseEvents, type RemoteUseBatchReport } from './remoteUseRunner';

export interface RemoteUseHandlerDeps {
  readonly store: StateStore;
  readonly sink: AlertSink;
  readonly deadLetter: RejectSink;
  /** Settings; `processedAt` is set per invocation from `now`. */
  readonly settings: RemoteUseSettings;
  readonly now: () => number;
}

/**
 * The Event Hub handler of the remote-use detector. Bad records are counted, logged once per batch
 * with their reasons and dead-lettered; store, sink and dead-letter failures are thrown so the
 * retry policy redelivers the batch and the checkpoint does not move.
 */
export async function handleRemoteTokenUse(messages: unknown, context: InvocationContext, deps: RemoteUseHandlerDeps): Promise<RemoteUseBatchReport> {
  const { list, originOf, batchId } = messagesOfInvocation(messages, context);
  const parsed = parseAuditMessages(list, originOf);
  const settings = { ...deps.settings, processedAt: deps.now() };
  try {
    const report = await runRemoteUseEvents(parsed, { ...deps, settings }, batchId);
    const line = {
      event: 'remoteTokenUse.batch',
      batchId,
      retry: context.retryContext?.retryCount ?? 0,
      records: report.records,
      byCategory: report.byCategory,
      rejects: report.rejects,
      rejectsByReason: report.rejectsByReason,
      alerts: report.alertsBySeverity,
      suppressed: report.detection.suppressed,
      reemitted: report.detection.reemitted,
      miUses: report.detection.miUses,
      nonMiUses: report.detection.nonMiUses,
      stateChanges: report.stateChanges,
      conflictRetries: report.conflictRetries,
      sinkFailures: report.sinkFailures,
    };
    if (report.rejects > 0 || report.sinkFailures > 0) context.warn(JSON.stringify(line));
    else context.log(JSON.stringify(line));
    return report;
  } catch (error) {
    context.error(JSON.stringify({ event: 'remoteTokenUse.failed', batchId, records: parsed.records, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
    throw error;
  }
}
