/**
 * `tokenwatch baseline`: prints what the remote-use detector has learned about one Managed
 * Identity (its ASNs, IPs and Azure regions with first and last seen, the networks caught
 * replaying its tokens, its open dedup states), read from the state table, so an operator can
 * review what the learning period taught before trusting it.
 */
import type { StateStore } from '../adapters/stateStore';
import { baselineReport, type BaselineEntry, type BaselineReport } from '../core/remoteUse/baselineReport';
import { dedupRowKey, identityPartitionKey, MAX_TOKEN_BUCKET_SHARDS, suppressionLedgerKey, tenantPartitionKey } from '../core/remoteUse/partitionKeys';
import { CommandFailure, UsageError } from './cliErrors';
import { decimalWholeNumber } from './commandLine';
import { num, str } from '../core/state/workingPartition';

export interface IdentityBaseline {
  readonly tenantId: string;
  readonly objectId: string;
  readonly name: string;
  readonly resourceId: string;
  readonly report: BaselineReport;
  /** Suppressions since each open dedup state's raise, by its `key`, counted in the suppression ledger. */
  readonly suppressed: ReadonlyMap<string, number>;
}

/**
 * The identity named by object id, app id or name in the tenant's catalog; undefined when the
 * catalog does not know it. An id wins over a name; a name two identities share (system-assigned
 * identities are named after their resources, which may repeat across resource groups) is a
 * failure listing their object ids.
 */
export async function loadIdentityBaseline(store: StateStore, tenantId: string, identity: string, atMs: number, windowMs: number, ledgerShards = 1): Promise<IdentityBaseline | undefined> {
  const tenant = tenantId.toLowerCase();
  const catalog = (await store.load([tenantPartitionKey(tenant)])).get(tenantPartitionKey(tenant));
  const wanted = identity.toLowerCase();
  let byId: { objectId: string; name: string; resourceId: string } | undefined;
  const byName: { objectId: string; name: string; resourceId: string }[] = [];
  for (const [rowKey, data] of catalog?.rows ?? []) {
    if (!rowKey.startsWith('mi|')) continue;
    const entry = { objectId: str(data, 'objectId'), appId: str(data, 'appId'), name: str(data, 'name'), resourceId: str(data, 'resourceId') };
    if (entry.objectId.toLowerCase() === wanted || entry.appId.toLowerCase() === wanted) {
      byId = entry;
      break;
    }
    if (entry.name.toLowerCase() === wanted) byName.push(entry);
  }
  if (byId === undefined && byName.length > 1) {
    throw new CommandFailure(`--identity "${identity}" names ${byName.length} identities of the tenant (object ids ${byName.map((e) => e.objectId).join(', ')}): give one of their object ids`);
  }
  const found = byId ?? byName[0];
  if (!found) return undefined;
  const key = identityPartitionKey(tenant, found.objectId);
  const rows = (await store.load([key])).get(key)?.rows ?? new Map();
  const report = baselineReport(rows, atMs, windowMs);
  return { tenantId: tenant, ...found, report, suppressed: await suppressionCounts(store, tenant, found.objectId, report.dedup, atMs, ledgerShards) };
}

const HOUR_MS = 3_600_000;
/** The ledger hours read at most: 31 days, past any dedup window (TOKENWATCH_DEDUP_DAYS is at most 30). */
const MAX_LEDGER_HOURS = 31 * 24;

/**
 * The suppressions of each open dedup state since its raise, up to `atMs`: the identity's rows in
 * the tenant's suppression ledger hours (`sup|<tenant>|<hour>`) with the state's severity and
 * attribute. The detector keeps no count on the dedup row (it would cost a guarded write per batch).
 */
async function suppressionCounts(store: StateStore, tenant: string, objectId: string, dedup: BaselineReport['dedup'], atMs: number, shards: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>(dedup.map((d) => [d.key, 0]));
  if (dedup.length === 0) return counts;
  const lastHour = Math.floor(atMs / HOUR_MS);
  const firstHour = Math.max(Math.floor(Math.min(...dedup.map((d) => d.lastRaisedAtMs)) / HOUR_MS), lastHour - MAX_LEDGER_HOURS);
  const keys: string[] = [];
  for (let hour = firstHour; hour <= lastHour; hour++) keys.push(suppressionLedgerKey(tenant, hour * HOUR_MS, objectId, shards));
  const byRowKey = new Map(dedup.map((d) => [d.rowKey, d]));
  for (const partition of (await store.load(keys)).values()) {
    for (const data of partition.rows.values()) {
      if (str(data, 'objectId') !== objectId) continue;
      const state = byRowKey.get(dedupRowKey(str(data, 'severity'), str(data, 'attribute')));
      const at = num(data, 'at');
      if (state !== undefined && at !== undefined && at >= state.lastRaisedAtMs && at <= atMs) counts.set(state.key, (counts.get(state.key) ?? 0) + 1);
    }
  }
  return counts;
}


/**
 * The suppression ledger's shards as the function app writes them: its TOKENWATCH_TOKEN_BUCKET_SHARDS
 * (default 1), from the environment. A value the app would refuse is refused here too.
 */
export function ledgerShardsSetting(env: Readonly<Record<string, string | undefined>>): number {
  const setting = env['TOKENWATCH_TOKEN_BUCKET_SHARDS'];
  if (setting === undefined) return 1;
  const shards = decimalWholeNumber(setting);
  if (shards === undefined || shards < 1 || shards > MAX_TOKEN_BUCKET_SHARDS) throw new UsageError(`TOKENWATCH_TOKEN_BUCKET_SHARDS must be a whole number from 1 to ${MAX_TOKEN_BUCKET_SHARDS}, not "${setting}"`);
  return shards;
}

/** The report as text: one section per kind, one line per row. */
export function formatIdentityBaseline(baseline: IdentityBaseline, atMs: number): string[] {
  const lines = [`${baseline.name || baseline.objectId} (object id ${baseline.objectId}, tenant ${baseline.tenantId})`];
  if (baseline.resourceId) lines.push(`  resource: ${baseline.resourceId}`);
  lines.push(`  as of ${new Date(atMs).toISOString()}; * = in the 30-day baseline`);
  const section = (title: string, entries: readonly BaselineEntry[]): void => {
    lines.push(`  ${title} (${entries.length})`);
    for (const e of entries) lines.push(`    ${e.current ? '*' : ' '} ${e.value.padEnd(40)} first ${e.firstSeen ?? '-'}  last ${e.lastSeen ?? '-'}${e.detail ? `  ${e.detail}` : ''}`);
  };
  section('ASNs', baseline.report.asns);
  section('IP addresses', baseline.report.ips);
  section('Azure regions', baseline.report.regions);
  section('networks caught replaying its tokens (High until allowlisted)', baseline.report.replayedNetworks);
  lines.push(`  open dedup states (${baseline.report.dedup.length})`);
  for (const d of baseline.report.dedup) lines.push(`      ${d.key.padEnd(40)} raised ${d.lastRaisedAt}  suppressed since ${baseline.suppressed.get(d.key) ?? 0}`);
  return lines;
}
