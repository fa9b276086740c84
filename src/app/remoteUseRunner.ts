import type { AlertRow, Severity } from '../core/alerts/alertRow';
import { TokenIssuanceEvent, TokenUseEvent, type AuditEvent } from '../core/records/auditEvent';
import { parseAuditRecord } from '../core/records/auditRecord';
import { noTenant } from '../core/records/resourceCall';
import { noSignInTenant } from '../core/records/signIn';
import { eventTimeWindow, type EventTimeWindow } from '../core/records/eventTimeWindow';
import { countByReason, makeReject, type Reject } from '../core/records/reject';
import { redactAlertRows } from '../core/redact/redactAlertRow';
import { planBatch, tenantPartitions, type BatchPlan } from '../core/remoteUse/batchPlan';
import type { RemoteUseResult, RemoteUseSummary } from '../core/remoteUse/batchRun';
import { detectRemoteUse } from '../core/remoteUse/detectRemoteUse';
import { linkIssuances } from '../core/remoteUse/issuanceLink';
import { SHARED_PARTITION_PREFIXES } from '../core/remoteUse/partitionKeys';
import type { RemoteUseSettings } from '../core/remoteUse/settings';
import type { PartitionSnapshot } from '../core/state/partition';
import { sinkFailureReason, type AlertSink } from '../adapters/alertSink';
import type { RejectSink } from '../adapters/rejectSink';
import { RefusedRows, StateStoreError, type StateStore } from '../adapters/stateStore';
import { correlateAlerts, type CorrelationDeps } from './correlateAlerts';
import { forEachDecodedRecord, type SourcedRecord } from './decodeMessages';
import { TenantlessRecords } from './tenantlessRecords';

/**
 * How long a cached shared partition (the tenant catalog) is trusted before it is read again: a
 * new identity catalogued by another instance is seen here within a minute.
 */
export const SHARED_STATE_REFRESH = { prefixes: SHARED_PARTITION_PREFIXES, afterMs: 60_000 } as const;

export interface RemoteUseDeps {
  readonly store: StateStore;
  readonly sink: AlertSink;
  readonly deadLetter: RejectSink;
  readonly settings: RemoteUseSettings;
  /** How often a batch is judged again after ETag conflicts before the invocation fails. */
  readonly maxConflictRetries?: number;
  /** The theft-and-use join; without it, remote uses are not correlated with thefts. */
  readonly correlation?: CorrelationDeps | undefined;
}

export interface RemoteUseBatchReport {
  readonly records: number;
  readonly byCategory: Record<string, number>;
  readonly rejects: number;
  readonly rejectsByReason: Record<string, number>;
  readonly alerts: AlertRow[];
  readonly alertsBySeverity: Record<Severity, number>;
  readonly detection: RemoteUseSummary;
  readonly stateChanges: number;
  readonly conflictRetries: number;
  readonly sinkFailures: number;
}

/** A batch turned into audit events: what the detector judges, and what was rejected on the way. */
export interface ParsedAuditBatch {
  /** Records read (events + the rejects among them). */
  readonly records: number;
  readonly events: AuditEvent[];
  readonly rejects: Reject[];
  readonly byCategory: Record<string, number>;
  /** The tenants the events name (the first load round), collected as they were read: no extra pass over the events. */
  readonly tenants: readonly string[];
}

/**
 * Parses records into audit events; what is not an Entra/Azure record is a counted reject, and so
 * is an event dated outside the window of `processedAt` (see EventTimeWindow; none in replays).
 */
export function parseAuditRecords(records: readonly SourcedRecord[], processedAt?: number, tenantless?: TenantlessRecords): ParsedAuditBatch {
  const parsed = new ParsingBatch(eventTimeWindow(processedAt), tenantless);
  for (const { record, origin } of records) parsed.add(record, origin);
  return parsed.finish(records.length);
}

/**
 * Decodes Event Hub messages and parses their records into audit events one message at a time:
 * a message's raw records are dropped as soon as its events exist, so an invocation holds its
 * events, not its whole decoded JSON (which would survive into the old generation and make
 * garbage collection the largest cost of a batch). A bad message is a counted reject.
 */
export function parseAuditMessages(messages: readonly unknown[], originOf: (index: number) => string, processedAt?: number, tenantless?: TenantlessRecords): ParsedAuditBatch {
  const parsed = new ParsingBatch(eventTimeWindow(processedAt), tenantless);
  const records = forEachDecodedRecord(messages, originOf, (record, origin) => parsed.add(record, origin), (reject) => parsed.rejects.push(reject));
  return parsed.finish(records);
}

/** A batch while its records are read: events, rejects, and the events counted by category. */
class ParsingBatch {
  readonly events: AuditEvent[] = [];
  readonly rejects: Reject[] = [];
  // No prototype: a category comes from the record, and `__proto__` or `constructor` must count like any other.
  private readonly byCategory: Record<string, number> = Object.create(null);
  // Consecutive records nearly always share a category (a message comes from one diagnostic
  // setting): the current run is counted in a variable and added to the object when it ends.
  private runCategory = '';
  private runLength = 0;
  private readonly tenants = new Set<string>();
  private lastTenant = '';

  /** `tenantless`: what judges a use whose record names no tenant (without it, such a use is rejected). */
  constructor(
    private readonly window: EventTimeWindow,
    private readonly tenantless: TenantlessRecords | undefined,
  ) {}

  add(record: unknown, origin: string): void {
    const parsed = parseAuditRecord(record, origin, this.window);
    if (parsed === undefined) {
      this.rejects.push(makeReject('record.not-azure-log', 'The record is not an Entra ID or Azure resource log record.', record, origin));
      return;
    }
    if (!parsed.ok) {
      this.rejects.push(parsed.reject);
      return;
    }
    let event = parsed.value;
    if (event.tenantId === '' && (event instanceof TokenUseEvent || event instanceof TokenIssuanceEvent)) {
      const tenant = this.tenantless?.tenant(event.objectId);
      if (tenant === undefined) {
        this.rejects.push(event.kind === 'use' ? noTenant(record, origin) : noSignInTenant(record, origin));
        return;
      }
      event = event.withTenant(tenant);
    } else if (this.tenantless !== undefined && (event.kind === 'issuance' || (event.kind === 'use' && event.principalType !== 'user'))) {
      this.tenantless.saw(event.tenantId, event.objectId);
    }
    this.events.push(event);
    const tenant = event.tenantId;
    if (tenant !== this.lastTenant) {
      this.lastTenant = tenant;
      if (tenant) this.tenants.add(tenant);
    }
    const category = event.category || '(none)';
    if (category === this.runCategory) {
      this.runLength++;
      return;
    }
    this.endRun();
    this.runCategory = category;
    this.runLength = 1;
  }

  finish(records: number): ParsedAuditBatch {
    this.endRun();
    return { records, events: this.events, rejects: this.rejects, byCategory: this.byCategory, tenants: [...this.tenants] };
  }

  private endRun(): void {
    if (this.runLength > 0) this.byCategory[this.runCategory] = (this.byCategory[this.runCategory] ?? 0) + this.runLength;
    this.runLength = 0;
  }
}

/**
 * One invocation of the remote-use detector: load the state the batch needs (two rounds: tenant
 * catalogs, then identities), judge the batch in the pure core, commit the changes ETag-guarded,
 * and on a conflict reload what changed and judge again (the core is idempotent, so work committed
 * in an earlier round is not repeated). Then read the token rows the alerts cite and link them,
 * send the alerts and dead-letter the rejects. Store, sink and dead-letter failures throw: the
 * retry policy redelivers.
 */
export async function runRemoteUseBatch(records: readonly SourcedRecord[], initialRejects: readonly Reject[], deps: RemoteUseDeps, batchId: string): Promise<RemoteUseBatchReport> {
  const parsed = parseAuditRecords(records, deps.settings.processedAt, new TenantlessRecords(deps.settings.homeTenantId ?? ''));
  return runRemoteUseEvents({ ...parsed, rejects: [...initialRejects, ...parsed.rejects] }, deps, batchId);
}

/** The same invocation for a batch already parsed (the Event Hub handler parses message by message). */
export async function runRemoteUseEvents(parsed: ParsedAuditBatch, deps: RemoteUseDeps, batchId: string): Promise<RemoteUseBatchReport> {
  const rejects = parsed.rejects;
  const maxRetries = deps.maxConflictRetries ?? 5;

  let conflictRetries = 0;
  let stateChanges = 0;
  let result: ReturnType<typeof detectRemoteUse> | undefined;
  // Rows the store cannot hold are rejects, not failures (see RefusedRow): the batch goes on.
  const refused = new RefusedRows();
  for (let round = 0; ; round++) {
    const { snapshots, plan } = await loadTwoRounds(parsed, deps.store);
    result = detectRemoteUse(parsed.events, snapshots, deps.settings, plan);
    const commit = await deps.store.commit(result.changes, snapshots);
    refused.add(commit);
    stateChanges += result.changes.length;
    if (commit.conflicts.length === 0) break;
    if (round >= maxRetries) {
      throw new StateStoreError(`remoteTokenUse: ${commit.conflicts.length} partition(s) still conflicting after ${maxRetries} retries: ${commit.conflicts.slice(0, 3).join(', ')}`);
    }
    conflictRetries++;
  }

  // Credentials in record text never reach a sink or the join's stored halves.
  const useAlerts = redactAlertRows(await linkedAlerts(result, deps.store));
  // Backfilled history (settings.history) raises nothing, so it takes no part in the join either.
  const joined = deps.correlation && !deps.settings.history ? await correlateAlerts(useAlerts, deps.correlation, deps.settings.processedAt) : undefined;
  const alerts = joined ? [...useAlerts, ...joined.joins] : useAlerts;
  const sent = alerts.length > 0 ? await deps.sink.send(alerts) : { sent: 0, failed: [] };
  const sinkRejects = sent.failed.map((f) => makeReject(sinkFailureReason(f), f.reason, alerts.find((a) => a.AlertId === f.alertId) ?? f.alertId, `alert ${f.alertId}`));
  const allRejects = [...rejects, ...refused.rejects(), ...sinkRejects];
  if (allRejects.length > 0) await deps.deadLetter.send(allRejects, { detector: 'RemoteTokenUse', batchId });

  const alertsBySeverity: Record<Severity, number> = { Low: 0, Medium: 0, High: 0 };
  for (const alert of alerts) alertsBySeverity[alert.Severity]++;
  return {
    records: parsed.records,
    byCategory: parsed.byCategory,
    rejects: allRejects.length,
    rejectsByReason: countByReason(allRejects),
    alerts,
    alertsBySeverity,
    detection: result.summary,
    stateChanges,
    conflictRetries,
    sinkFailures: sent.failed.length,
  };
}

/** A batch's alerts, those citing a token issued in an earlier batch linked to its issuance (its rows read by key). */
export async function linkedAlerts(result: RemoteUseResult, store: StateStore): Promise<AlertRow[]> {
  const lookups = result.issuanceLookups;
  return lookups.length > 0 ? linkIssuances(result.alerts, lookups, await store.readRows(lookups.flatMap((l) => l.rows))) : result.alerts;
}

async function loadTwoRounds(parsed: ParsedAuditBatch, store: StateStore): Promise<{ snapshots: Map<string, PartitionSnapshot>; plan: BatchPlan }> {
  const tenants = await store.load(tenantPartitions(parsed.tenants));
  const plan = planBatch(parsed.events, tenants);
  // Identity and first-use partitions only (never a `tenant|…` key): nothing of the first round again.
  if (plan.partitionKeys.length === 0) return { snapshots: tenants, plan };
  // The few tenant snapshots join the identities' map, not the other way round (one per identity).
  const snapshots = await store.load(plan.partitionKeys);
  for (const [key, snapshot] of tenants) snapshots.set(key, snapshot);
  return { snapshots, plan };
}
