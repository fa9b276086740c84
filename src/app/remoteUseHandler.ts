import type { InvocationContext } from '@azure/functions';
import type { AlertSink } from '../adapters/alertSink';
import type { RejectSink } from '../adapters/rejectSink';
import type { StateStore } from '../adapters/stateStore';
import { serviceTagsAge } from '../core/network/serviceTagsAge';
import type { RemoteUseSettings } from '../core/remoteUse/settings';
import { judgeInSlices, messagesOfInvocation, type InvocationSlicing } from './eventHubBatch';
import { parseAuditMessages, runRemoteUseEvents, type RemoteUseBatchReport } from './remoteUseRunner';
import { TenantlessRecords } from './tenantlessRecords';
import type { StoredServiceTagsSettings } from './storedServiceTags';
import type { CorrelationDeps } from './correlateAlerts';
import { redactedJson } from '../core/redact/redactSecrets';

export interface RemoteUseHandlerDeps {
  readonly store: StateStore;
  readonly sink: AlertSink;
  readonly deadLetter: RejectSink;
  /**
   * Settings; `processedAt` is set per invocation from `now`. With `serviceTags`, `classifyIp` and
   * `serviceTags` are replaced per batch by those of the newest stored tags (these are the ASN-only
   * fallback); without, they are used as they are (a TOKENWATCH_SERVICE_TAGS_FILE, or ASN only).
   */
  readonly settings: RemoteUseSettings;
  /** The service tags the serviceTagsRefresh timer stores; absent when a file is configured or no store is. */
  readonly serviceTags?: StoredServiceTagsSettings | undefined;
  /** The theft-and-use join (runner: RemoteUseDeps.correlation). */
  readonly correlation?: CorrelationDeps | undefined;
  readonly now: () => number;
  /** How the invocation is cut into slices (default: SLICE_BODY_BYTES of bodies each). */
  readonly slicing?: InvocationSlicing | undefined;
}

/**
 * The Event Hub handler of the remote-use detector. Bad records are counted, logged once per batch
 * with their reasons and dead-lettered; store, sink and dead-letter failures are thrown so the
 * retry policy redelivers the batch and the checkpoint does not move. Service tags never fail a
 * batch: without them Azure addresses are known by ASN only and have no region.
 *
 * The batch is judged slice by slice (eventHubBatch.ts: invocationSlices), each slice decoded,
 * parsed, judged, committed and sent before the next is read, so an invocation's memory is bounded
 * by a slice and not by the batch. A slice is judged as a batch of its own would be (the detector
 * gives the same alerts however a stream is cut into batches); a failure in any slice fails the
 * invocation, and the redelivery judges the slices already committed again without a change
 * (their alerts are sent again with the same AlertIds).
 */
export async function handleRemoteTokenUse(messages: unknown, context: InvocationContext, deps: RemoteUseHandlerDeps): Promise<RemoteUseBatchReport> {
  const { list, originOf, batchId } = messagesOfInvocation(messages, context);
  const now = deps.now();
  const base = deps.serviceTags ? await deps.serviceTags.settings(deps.settings, now, context) : deps.settings;
  const settings = { ...base, processedAt: now };
  warnWhenStale(settings, now, batchId, context);
  const tenantless = new TenantlessRecords(settings.homeTenantId ?? '');
  const { report, slices } = await judgeInSlices(list, context, { batchId, event: 'remoteTokenUse', slicing: deps.slicing }, async (messages, firstIndex, sliceId) => {
    const parsed = parseAuditMessages(messages, (i) => originOf(firstIndex + i), now, tenantless);
    return { records: parsed.records, report: await runRemoteUseEvents(parsed, { ...deps, settings }, sliceId) };
  });
  const line = {
    event: 'remoteTokenUse.batch',
    batchId,
    retry: context.retryContext?.retryCount ?? 0,
    records: report.records,
    slices,
    byCategory: report.byCategory,
    rejects: report.rejects,
    rejectsByReason: report.rejectsByReason,
    alerts: report.alertsBySeverity,
    // Daily exposure rows (TOKENWATCH_USUAL_EXTERNAL=exposure), counted among the Low alerts above too.
    exposures: report.alerts.filter((alert) => alert.Detector === 'RemoteTokenUseExposure').length,
    suppressed: report.detection.suppressed,
    reemitted: report.detection.reemitted,
    // Uses more than the lateness allowance behind their identity's watermark: judged, teaching nothing (docs/operations.md).
    late: report.detection.late,
    miUses: report.detection.miUses,
    nonMiUses: report.detection.nonMiUses,
    stateChanges: report.stateChanges,
    conflictRetries: report.conflictRetries,
    sinkFailures: report.sinkFailures,
    lagSeconds: enqueuedLagSeconds(context, now),
  };
  if (report.rejects > 0 || report.sinkFailures > 0) context.warn(redactedJson(line));
  else context.log(redactedJson(line));
  return report;
}

/**
 * Seconds from the enqueue of the batch's oldest event to the start of its processing: how far the
 * detector runs behind the hub (the workbook's lag tile). Wall-clock against the hub's enqueue
 * times, for monitoring only: detection itself runs on event time. Null when the trigger names no
 * enqueue time.
 */
export function enqueuedLagSeconds(context: InvocationContext, now: number): number | null {
  const times = context.triggerMetadata?.['enqueuedTimeUtcArray'];
  if (!Array.isArray(times)) return null;
  let oldest = Number.POSITIVE_INFINITY;
  for (const time of times) {
    const ms = time instanceof Date ? time.getTime() : Date.parse(String(time));
    if (ms < oldest) oldest = ms;
  }
  return Number.isFinite(oldest) ? Math.max(0, Math.round((now - oldest) / 1000)) : null;
}

/** Tags older than 30 days (SERVICE_TAGS_STALE_MS): one warning line per batch until they are refreshed. */
function warnWhenStale(settings: RemoteUseSettings, now: number, batchId: string, context: InvocationContext): void {
  const info = settings.serviceTags;
  const age = info ? serviceTagsAge(info.retrievedAtMs, now) : undefined;
  if (info === undefined || age === undefined || !age.stale) return;
  context.warn(JSON.stringify({
    event: 'serviceTags.stale',
    batchId,
    ageDays: age.ageDays,
    changeNumber: info.changeNumber,
    retrievedAt: info.retrievedAtMs === null ? null : new Date(info.retrievedAtMs).toISOString(),
    detail: 'Azure service tags are older than 30 days: new Azure ranges look external and lack a region. Check the serviceTagsRefresh timer (or replace TOKENWATCH_SERVICE_TAGS_FILE).',
  }));
}
