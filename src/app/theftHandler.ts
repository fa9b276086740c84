import type { InvocationContext } from '@azure/functions';
import { addSliceReports, invocationSlices, messagesOfInvocation, sliceBatchId, type InvocationSlicing } from './eventHubBatch';
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
  const slices = invocationSlices(list, deps.slicing?.maxSliceBytes);
  let report: TheftBatchReport | undefined;
  let records = 0;
  try {
    for (const slice of slices) {
      deps.slicing?.onSlice?.(slice);
      const { batch, rejects } = screenEndpointMessages(list.slice(slice.start, slice.end), (i) => originOf(slice.start + i), deps.settings, processedAt);
      records += batch.records;
      const judged = await judgeScreenedBatch(batch, { ...deps, processedAt }, sliceBatchId(batchId, slice), rejects);
      report = report === undefined ? judged : addSliceReports(report, judged);
    }
  } catch (error) {
    context.error(redactedJson({ event: 'tokenTheft.failed', batchId, retry: context.retryContext?.retryCount ?? 0, records, slices: slices.length, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
    throw error;
  }
  // invocationSlices always gives at least one slice.
  if (report === undefined) throw new Error('tokenTheft: no slice was judged');
  const line = {
    event: 'tokenTheft.batch',
    batchId,
    retry: context.retryContext?.retryCount ?? 0,
    records: report.records,
    slices: slices.length,
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
