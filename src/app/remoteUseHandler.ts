import type { InvocationContext } from '@azure/functions';
import type { AlertSink } from '../adapters/alertSink';
import type { RejectSink } from '../adapters/rejectSink';
import type { StateStore } from '../adapters/stateStore';
import { serviceTagsAge } from '../core/network/serviceTagsAge';
import type { RemoteUseSettings } from '../core/remoteUse/settings';
import { messagesOfInvocation } from './eventHubBatch';
import { parseAuditMessages, runRemoteUseEvents, type RemoteUseBatchReport } from './remoteUseRunner';
import type { StoredServiceTagsSettings } from './storedServiceTags';
import type { CorrelationDeps } from './correlateAlerts';

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
}

/**
 * The Event Hub handler of the remote-use detector. Bad records are counted, logged once per batch
 * with their reasons and dead-lettered; store, sink and dead-letter failures are thrown so the
 * retry policy redelivers the batch and the checkpoint does not move. Service tags never fail a
 * batch: without them Azure addresses are known by ASN only and have no region.
 */
export async function handleRemoteTokenUse(messages: unknown, context: InvocationContext, deps: RemoteUseHandlerDeps): Promise<RemoteUseBatchReport> {
  const { list, originOf, batchId } = messagesOfInvocation(messages, context);
  const parsed = parseAuditMessages(list, originOf);
  const now = deps.now();
  const base = deps.serviceTags ? await deps.serviceTags.settings(deps.settings, now, context) : deps.settings;
  const settings = { ...base, processedAt: now };
  warnWhenStale(settings, now, batchId, context);
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
