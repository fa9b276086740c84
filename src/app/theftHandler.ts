import type { InvocationContext } from '@azure/functions';
import { judgeInSlices, messagesOfInvocation, type InvocationSlicing } from './eventHubBatch';
import { judgeScreenedBatch, screenEndpointMessages, type TheftBatchReport, type TheftDeps } from './theftRunner';
import { redactedJson } from '../core/redact/redactSecrets';

export interface TheftHandlerDeps extends Omit<TheftDeps, 'processedAt'> {
  readonly now: () => number;
  /** How the invocation is cut into slices (default: SLICE_BODY_BYTES of bodies each). */
  readonly slicing?: InvocationSlicing | undefined;
}

/**
 * The Event Hub handler of the token-theft detector (endpoint telemetry hub). Same contract as
 * the remote-use handler: bad records are counted and dead-lettered, infrastructure failures throw,
 * and the batch is judged slice by slice so its memory is bounded by a slice.
 */
export async function handleTokenTheft(messages: unknown, context: InvocationContext, deps: TheftHandlerDeps): Promise<TheftBatchReport> {
  const { list, originOf, batchId } = messagesOfInvocation(messages, context);
  const processedAt = deps.now();
  const { report, slices } = await judgeInSlices(list, context, { batchId, event: 'tokenTheft', slicing: deps.slicing }, async (messages, firstIndex, sliceId) => {
    const { batch, rejects } = screenEndpointMessages(messages, (i) => originOf(firstIndex + i), deps.settings, processedAt);
    return { records: batch.records, report: await judgeScreenedBatch(batch, { ...deps, processedAt }, sliceId, rejects) };
  });
  const line = {
    event: 'tokenTheft.batch',
    batchId,
    retry: context.retryContext?.retryCount ?? 0,
    records: report.records,
    slices,
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
  if (report.rejects > 0) context.warn(redactedJson(line));
  else context.log(redactedJson(line));
  return report;
}
