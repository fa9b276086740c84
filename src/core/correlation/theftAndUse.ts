/**
 * One story from two halves: a token theft on a host (TokenTheft) and a remote use of that host's
 * Managed Identity (RemoteTokenUse) within 24 hours of each other, in either order, raise one High
 * TheftAndUse alert naming both. Each half is remembered for a day in the machine's partition
 * (`corr|<machine name>`: `t|<AlertId>` thefts, `u|<AlertId>` uses), written by whichever detector
 * raised it, so the second half finds the first whatever batch, function or instance it came
 * from. Pure: alerts and loaded partitions in, join alerts and row changes out; event time decides
 * the window, and the join's AlertId comes from the two halves' ids.
 */
import { ATTACK, EMPTY_ALERT_FIELDS, type AlertRow } from '../alerts/alertRow';
import { alertId } from '../alerts/alertId';
import { decideDedup, dedupStateFromRow, dedupStateToRow } from '../alerts/dedup';
import { isoTime } from '../records/time';
import { tableKey } from '../state/keys';
import type { PartitionSnapshot, RowChange } from '../state/partition';
import { num, str, WorkingPartition, type RowData } from '../state/workingPartition';
import { machineOfAlert, machineOfHost, machineOfIdentity, sameMachine, type Machine, type MachineLink } from './machineLink';

/** 24 hours: a Managed Identity token lives at most that long, so a theft and a use further apart are not one token's story. */
export const THEFT_AND_USE_WINDOW_MS = 24 * 3_600_000;

export interface CorrelationSettings {
  /** The dedup window of the join, per machine and identity (the detectors' 5 days). */
  readonly dedupWindowMs: number;
  /** Wall-clock time of processing for TimeGenerated; omitted in replays. */
  readonly processedAt?: number | undefined;
  /**
   * How far one stream may lag the other (endpoint telemetry and resource logs reach the app by
   * different paths and delays): halves are kept for the window plus this past the partition's
   * watermark, the latest alert time it has seen. Default 2 days, like the remote-use detector's.
   */
  readonly latenessAllowanceMs?: number;
}

/** How far one stream may lag the other by default (CorrelationSettings.latenessAllowanceMs). */
export const DEFAULT_LATENESS_MS = 2 * 24 * 3_600_000;
const META_ROW = 'meta';

export interface CorrelationResult {
  readonly alerts: AlertRow[];
  readonly changes: RowChange[];
}

export const correlationPartitionKey = (machineName: string): string => tableKey('corr', machineName);

/** The partitions a batch's alerts need: one per machine they name. */
export function correlationPartitions(alerts: readonly AlertRow[]): string[] {
  const keys = new Set<string>();
  for (const alert of alerts) {
    const machine = machineOfAlert(alert);
    if (machine) keys.add(correlationPartitionKey(machine.name));
  }
  return [...keys];
}

export function joinTheftAndUse(alerts: readonly AlertRow[], partitions: ReadonlyMap<string, PartitionSnapshot>, settings: CorrelationSettings): CorrelationResult {
  const working = new Map<string, WorkingPartition>();
  const joins: AlertRow[] = [];
  let latestMs = -Infinity;
  const ordered = alerts
    .map((alert) => ({ alert, machine: machineOfAlert(alert), atMs: Date.parse(alert.EventTime) }))
    .filter((a): a is { alert: AlertRow; machine: Machine; atMs: number } => a.machine !== undefined && Number.isFinite(a.atMs))
    .sort((a, b) => a.atMs - b.atMs || (a.alert.AlertId < b.alert.AlertId ? -1 : a.alert.AlertId > b.alert.AlertId ? 1 : 0));
  for (const { alert, machine, atMs } of ordered) {
    latestMs = Math.max(latestMs, atMs);
    const key = correlationPartitionKey(machine.name);
    let partition = working.get(key);
    if (!partition) {
      partition = new WorkingPartition(key, partitions.get(key));
      working.set(key, partition);
    }
    const half = halfOf(alert, atMs);
    partition.set(half.rowKey, half.row);
    const partner = partnerOf(half, machine, partition);
    if (!partner) continue;
    const theft = half.kind === 'theft' ? half : partner.half;
    const use = half.kind === 'use' ? half : partner.half;
    const id = alertId(['TheftAndUse', theft.alertId, use.alertId]);
    const dedupKey = tableKey('dd', str(use.row, 'identity'));
    const decision = decideDedup(dedupStateFromRow(partition.get(dedupKey)), Math.max(theft.atMs, use.atMs), id, settings.dedupWindowMs);
    if (decision.kind === 'suppress') continue;
    if (decision.kind === 'raise') partition.set(dedupKey, dedupStateToRow(decision.next));
    joins.push(joinAlert(id, theft, use, partner.link, settings));
  }
  const changes: RowChange[] = [];
  for (const partition of working.values()) {
    expire(partition, latestMs, settings.dedupWindowMs, settings.latenessAllowanceMs ?? DEFAULT_LATENESS_MS);
    for (const change of partition.changes()) changes.push(change);
  }
  return { alerts: joins, changes };
}

/** One half of a story as its machine's partition keeps it. */
interface Half {
  readonly kind: 'theft' | 'use';
  readonly alertId: string;
  readonly atMs: number;
  readonly rowKey: string;
  readonly row: RowData;
}

function halfOf(alert: AlertRow, atMs: number): Half {
  if (alert.Detector === 'TokenTheft') {
    return {
      kind: 'theft',
      alertId: alert.AlertId,
      atMs,
      rowKey: tableKey('t', alert.AlertId),
      row: {
        at: atMs, tenant: alert.AADTenantId, host: alert.HostName, hostId: alert.HostId, process: alert.ProcessName, processPath: alert.ProcessPath,
        account: alert.AccountName, vector: alert.Vector, target: alert.Target, severity: alert.Severity,
      },
    };
  }
  const evidence = alert.Evidence;
  return {
    kind: 'use',
    alertId: alert.AlertId,
    atMs,
    rowKey: tableKey('u', alert.AlertId),
    row: {
      at: atMs, tenant: alert.AADTenantId, identity: alert.IdentityObjectId, identityName: alert.IdentityName, identityAppId: alert.IdentityAppId,
      identityResourceId: alert.IdentityResourceId, ip: alert.IPAddress, scope: alert.IPScope, asn: alert.ASN ?? 0, asOrg: alert.ASOrganization,
      network: typeof evidence['network'] === 'string' ? evidence['network'] : '', region: typeof evidence['callerRegion'] === 'string' ? evidence['callerRegion'] : '',
      tokenId: alert.TokenId, severity: alert.Severity, rule: typeof evidence['rule'] === 'string' ? evidence['rule'] : '',
    },
  };
}

function halfFromRow(rowKey: string, row: RowData): Half | undefined {
  const kind = rowKey.startsWith('t|') ? 'theft' : rowKey.startsWith('u|') ? 'use' : undefined;
  const atMs = num(row, 'at');
  if (kind === undefined || atMs === undefined) return undefined;
  return { kind, alertId: rowKey.slice(2), atMs, rowKey, row };
}

function machineOfHalf(half: Half): Machine | undefined {
  return half.kind === 'theft' ? machineOfHost(str(half.row, 'host'), str(half.row, 'hostId')) : machineOfIdentity(str(half.row, 'identityResourceId'));
}

/** The earliest half of the other kind on the same machine within the window (ties: AlertId). */
function partnerOf(half: Half, machine: Machine, partition: WorkingPartition): { half: Half; link: MachineLink } | undefined {
  let best: { half: Half; link: MachineLink } | undefined;
  // Tenants are not compared: endpoint telemetry often names none, and a Sentinel export's TenantId
  // is the workspace's, not the Entra tenant. The machine is the link (its resource id when known).
  for (const [rowKey, row] of partition.entries()) {
    const other = halfFromRow(rowKey, row);
    if (!other || other.kind === half.kind || Math.abs(other.atMs - half.atMs) > THEFT_AND_USE_WINDOW_MS) continue;
    const otherMachine = machineOfHalf(other);
    const link = otherMachine ? sameMachine(machine, otherMachine) : undefined;
    if (!link) continue;
    if (!best || other.atMs < best.half.atMs || (other.atMs === best.half.atMs && other.alertId < best.half.alertId)) best = { half: other, link };
  }
  return best;
}

/**
 * Advances the partition's watermark (the latest alert time it has seen, never back) and drops the
 * halves no alert up to the lateness allowance behind it can pair with, and dedup rows past their
 * window: measured from the watermark the batch found, not from the batch, so a theft arriving late
 * still finds the use a later batch of the other stream wrote, and a batch spanning days, delivered
 * again after its commit (the alert sink failed), still finds the halves its joins paired with.
 * The meta row keeps the watermark the batch advanced from (`before`) for that second delivery,
 * whose own newest alert is then the stored watermark.
 */
function expire(partition: WorkingPartition, batchLatestMs: number, dedupWindowMs: number, latenessMs: number): void {
  if (!partition.changed) return;
  const meta = partition.get(META_ROW);
  const stored = num(meta, 'wm');
  const found = stored === batchLatestMs ? num(meta, 'before') ?? stored : stored;
  const watermark = stored === undefined ? batchLatestMs : Math.max(stored, batchLatestMs);
  if (watermark !== stored) partition.set(META_ROW, { wm: watermark, before: stored ?? 0 });
  if (found === undefined) return;
  const horizon = found - latenessMs;
  for (const [rowKey, row] of [...partition.entries()]) {
    if (rowKey === META_ROW) continue;
    const limit = rowKey.startsWith('dd|') ? (num(row, 'raisedAt') ?? 0) + dedupWindowMs : (num(row, 'at') ?? 0) + THEFT_AND_USE_WINDOW_MS;
    if (limit < horizon) partition.delete(rowKey);
  }
}

function joinAlert(id: string, theft: Half, use: Half, link: MachineLink, settings: CorrelationSettings): AlertRow {
  const t = theft.row;
  const u = use.row;
  const host = str(t, 'host') || str(t, 'hostId');
  const network = str(u, 'network');
  const asn = num(u, 'asn') ?? 0;
  const where = network === '' ? str(u, 'ip') : /^[0-9]+$/.test(network) ? `AS${network}${str(u, 'asOrg') ? ` ${str(u, 'asOrg')}` : ''}` : `Azure region ${network}`;
  const atMs = Math.max(theft.atMs, use.atMs);
  const minutes = Math.round((use.atMs - theft.atMs) / 60_000);
  const identityName = str(u, 'identityName') || str(u, 'identity');
  const order = minutes >= 0 ? `${minutes} minutes after the theft` : `${-minutes} minutes before the theft was seen`;
  return {
    ...EMPTY_ALERT_FIELDS,
    AlertId: id,
    TimeGenerated: isoTime(settings.processedAt ?? atMs),
    EventTime: isoTime(atMs),
    Detector: 'TheftAndUse',
    AlertName: `Managed Identity token stolen on ${host} and used from ${where}`,
    Severity: 'High',
    AADTenantId: str(u, 'tenant') || str(t, 'tenant'),
    IdentityObjectId: str(u, 'identity'),
    IdentityAppId: str(u, 'identityAppId'),
    IdentityName: identityName,
    IdentityResourceId: str(u, 'identityResourceId'),
    IPAddress: str(u, 'ip'),
    IPScope: (str(u, 'scope') as AlertRow['IPScope']) || '',
    ASN: asn === 0 ? null : asn,
    ASOrganization: str(u, 'asOrg'),
    TokenId: str(u, 'tokenId'),
    HostName: str(t, 'host'),
    HostId: str(t, 'hostId'),
    ProcessName: str(t, 'process'),
    ProcessPath: str(t, 'processPath'),
    AccountName: str(t, 'account'),
    Vector: (str(t, 'vector') as AlertRow['Vector']) || '',
    Target: str(t, 'target'),
    Reason:
      `${str(t, 'process') || 'A process'} on ${host} reached for a token (${str(t, 'vector') || 'theft'} alert at ${isoTime(theft.atMs)}), and managed identity '${identityName}' of that machine ` +
      `used a token from ${str(u, 'ip')} (${where}) ${order}: the token was stolen and used.`,
    Evidence: {
      theftAlertId: theft.alertId,
      remoteUseAlertId: use.alertId,
      machineLink: link,
      theftAt: isoTime(theft.atMs),
      useAt: isoTime(use.atMs),
      minutesFromTheftToUse: minutes,
      theftSeverity: str(t, 'severity'),
      useSeverity: str(u, 'severity'),
      useRule: str(u, 'rule'),
      host,
      process: str(t, 'processPath') || str(t, 'process'),
      identity: str(u, 'identity'),
      callerIp: str(u, 'ip'),
      network: network || null,
    },
    ...ATTACK,
  };
}
