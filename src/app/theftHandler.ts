import type { InvocationContext } from '@azure/functions';
import { messagesOfInvocation } from './eventHubBatch';
import { judgeEndpointOutcomes, parseEndpointMessages, type TheftBatchReport, type TheftDeps } from './theftRunner';

export interface TheftHandlerDeps extends Omit<TheftDeps, 'processedAt'> {
  readonly now: () => number;
}

/**
 * The Event Hub handler of the token-theft detector (endpoint telemetry hub). Same contract as
 * the remote-use handler: bad records are counted and dead-lettered, infrastructure failures throw.
 */
export async function handleTokenTheft(messages: unknown, context: InvocationContext, deps: TheftHandlerDeps): Promise<TheftBatchReport> {
  const { list, originOf, batchId } = messagesOfInvocation(messages, context);
  const { outcomes, rejects } = parseEndpointMessages(list, originOf);
  try {
    const report = await judgeEndpointOutcomes(outcomes, { ...deps, processedAt: deps.now() }, batchId, rejects);
    const line = {
      event: 'tokenTheft.batch',
      batchId,
      retry: context.retryContext?.retryCount ?? 0,
      records: report.records,
      byFormat: report.byFormat,
      ignored: report.summary.ignored,
      rejects: report.rejects,
      rejectsByReason: report.rejectsByReason,
      alerts: report.summary.detection.alertsBySeverity,
      alertsByVector: report.summary.detection.alertsByVector,
      trusted: report.summary.detection.trusted,
      suppressed: report.suppressed,
      stateChanges: report.stateChanges,
      conflictRetries: report.conflictRetries,
    };
    if (report.rejects > 0) context.warn(JSON.stringify(line));
    else context.log(JSON.stringify(line));
    return report;
  } catch (error) {
    context.error(JSON.stringify({ event: 'tokenTheft.failed', batchId, records: outcomes.length, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
    throw error;
  }
}
