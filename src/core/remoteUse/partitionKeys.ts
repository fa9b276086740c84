import { rememberBounded } from '../boundedMemo';
import { tableKey } from '../state/keys';

/**
 * Partition layout of the remote-use state (one Table Storage table):
 *   tenant|<tenantId>            `meta` (earliest event) + `mi|<objectId>` catalog rows
 *   mi|<tenantId>|<objectId>     one identity: `asn|<n>`, `ip|<ip>`, `rg|<region>` baseline rows,
 *                                `rn|<network>` networks caught replaying its tokens, `dd|…` dedup rows
 *                                (`hd|…` those of backfilled history)
 *   tok|<tenantId>|<yyyymmddhh>  tokens issued in that UTC hour: RowKey = uniqueTokenIdentifier
 *                                (`…|<shard>` when the tenant's sign-in rate needs shards)
 *   use|<tenantId>|<yyyymmddhh>  the first use of each token issued in the 2 UTC hours from that
 *                                (even) hour, by `iat`: RowKey = the token id; its network,
 *                                address and time
 *   use|<tenantId>|<yyyymmdd>    the same for tokens whose uses carry no issue time (Storage's
 *                                `identity.tokenHash`), by the UTC day of their first use
 *   sup|<tenantId>|<yyyymmddhh> alert candidates suppressed by dedup in that UTC hour (write-once
 *                                rows, RowKey = <objectId>|<candidate AlertId>; `…|<shard>` of
 *                                the object id with token shards)
 * One identity's state is one partition, so a batch reads it once and writes it in one
 * transaction. Tokens are bucketed by issuance hour, not by identity, so that the sign-ins and
 * first uses of a batch cost one transaction per bucket instead of one per identity: a tenant
 * issues each identity a new token about once a day, and a write per identity and token would be
 * most of the detector's table traffic. First uses are bucketed by 2 hours of issuance. Not 1: a
 * token's first use can come hours after its issuance, so a batch's first uses name tokens of
 * several hours, and each bucket costs a transaction (5.5 requests per 1,000 records in the bench
 * with hour buckets, 4.4 with 2-hour ones). Not 6: a first use is an insert, which Azurite checks
 * against every row of its partition, and the bench's 6-hour partitions grow to 6,800 rows
 * (13,800 to 18,100 records/s through Azurite, against 20,100 to 21,300 with 2-hour ones;
 * docs/performance.md). A token lives 24 hours, so the first-use partitions a batch needs are the
 * last day's (13), which stay cached between batches.
 */
/**
 * Every record names its tenant, identity, address and token hour, and the detector needs their
 * keys several times per batch: the key strings are memoised, each memo bounded (rememberBounded).
 */
const MEMO_MAX_ENTRIES = 50_000;

function remember<K>(memory: Map<K, string>, key: K, value: string): string {
  return rememberBounded(memory, key, value, MEMO_MAX_ENTRIES);
}

/** One memo per tenant for keys that also depend on an identity or an hour. */
function tenantMemo<K, V = string>(memories: Map<string, Map<K, V>>, tenantId: string): Map<K, V> {
  return memories.get(tenantId) ?? rememberBounded(memories, tenantId, new Map<K, V>(), 1_000);
}

const tenantKeys = new Map<string, string>();
export function tenantPartitionKey(tenantId: string): string {
  return tenantKeys.get(tenantId) ?? remember(tenantKeys, tenantId, tableKey('tenant', tenantId));
}

const identityKeys = new Map<string, Map<string, string>>();
export function identityPartitionKey(tenantId: string, objectId: string): string {
  const memory = tenantMemo(identityKeys, tenantId);
  return memory.get(objectId) ?? remember(memory, objectId, tableKey('mi', tenantId, objectId));
}

const HOUR_MS = 3_600_000;

/**
 * The bucket of a token: its tenant and issuance hour, and with `shards` > 1 a shard picked by a
 * hash of the token id (`tok|<tenant>|<yyyymmddhh>|<shard>`). A Table Storage partition takes about
 * 2,000 entities/s; a tenant registering more sign-ins per second than that needs shards. One
 * shard (the default) keeps the plain hour key. Changing the number re-keys new buckets: tokens
 * registered under the old layout are no longer found, so issuance evidence is missing for up to
 * a token lifetime (24 h) after the change.
 */
const bucketKeys = new Map<string, Map<number, string>>();
export function tokenBucketKey(tenantId: string, issuedAtMs: number, tokenId: string, shards = 1): string {
  return shardedHourKey(bucketKeys, 'tok', tenantId, issuedAtMs, tokenId, shards);
}

/** The most shards a tenant's hour can be split into (TOKENWATCH_TOKEN_BUCKET_SHARDS). */
export const MAX_TOKEN_BUCKET_SHARDS = 64;

/** `<family>|<tenant>|<yyyymmddhh>` of the hour of `eventMs`, and `|<shard>` of `shardBy` with `shards` > 1. */
function shardedHourKey(memories: Map<string, Map<number, string>>, family: string, tenantId: string, eventMs: number, shardBy: string, shards: number): string {
  const hour = hourPartitionKey(memories, family, tenantId, Math.floor(eventMs / HOUR_MS));
  return shards > 1 ? `${hour}|${tokenShard(shardBy, shards)}` : hour;
}

/** `<family>|<tenant>|<yyyymmddhh>`, memoised per tenant and hour. */
function hourPartitionKey(memories: Map<string, Map<number, string>>, family: string, tenantId: string, hourNumber: number): string {
  const memory = tenantMemo(memories, tenantId);
  return memory.get(hourNumber) ?? remember(memory, hourNumber, `${tableKey(family, tenantId)}|${hourLabel(hourNumber)}`);
}

/**
 * FNV-1a over the id's UTF-16 units (a token id for token buckets, an object id for the ledger), then MurmurHash3's finaliser (FNV's low bits depend only
 * on the characters' low bits, and `% shards` reads the low bits), modulo `shards`. Stable across
 * processes and versions: it decides where a token is stored.
 */
export function tokenShard(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % shards;
}

/** `yyyymmddhh` of an hour since the epoch; memoised because a batch spans few hours (hot path). */
const hourLabels = new Map<number, string>();
function hourLabel(hour: number): string {
  const label = hourLabels.get(hour);
  if (label !== undefined) return label;
  const d = new Date(hour * HOUR_MS);
  const two = (n: number): string => String(n).padStart(2, '0');
  // 10,000 hours (over a year) of labels at most.
  return rememberBounded(hourLabels, hour, `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}`, 10_000);
}

const firstUseBucketKeys = new Map<string, Map<number, string>>();
const firstUseDayKeys = new Map<string, Map<number, string>>();

/** 2 hours of issuance per first-use bucket (see the layout above). */
const FIRST_USE_BUCKET_HOURS = 2;
const FIRST_USE_BUCKET_MS = FIRST_USE_BUCKET_HOURS * HOUR_MS;
const DAY_MS = 86_400_000;

/** The first-use bucket of a token issued at `issuedAtMs`: the number of 2-hour spans since the epoch. */
export function firstUseBucket(issuedAtMs: number): number {
  return Math.floor(issuedAtMs / FIRST_USE_BUCKET_MS);
}

/** `use|<tenant>|<yyyymmddhh>` of a first-use bucket (hh even). */
export function firstUseBucketKey(tenantId: string, bucket: number): string {
  const memory = tenantMemo(firstUseBucketKeys, tenantId);
  return memory.get(bucket) ?? remember(memory, bucket, `${tableKey('use', tenantId)}|${hourLabel(bucket * FIRST_USE_BUCKET_HOURS)}`);
}

/** `use|<tenant>|<yyyymmdd>`: the first uses, by the day they happened, of tokens whose uses name no issue time. */
export function firstUseDayKey(tenantId: string, dayNumber: number): string {
  const memory = tenantMemo(firstUseDayKeys, tenantId);
  return memory.get(dayNumber) ?? remember(memory, dayNumber, `${tableKey('use', tenantId)}|${hourLabel(dayNumber * 24).slice(0, 8)}`);
}

/**
 * A token is used at most 24 hours (and 5 minutes of back-dated `iat`) after it was issued, and
 * its `iat` is never much later than its uses: the issue times a batch's uses can name.
 */
export const FIRST_USE_LOOKBACK_MS = 25 * HOUR_MS;
export const FIRST_USE_LOOKAHEAD_MS = HOUR_MS;

/**
 * What planning collects of a tenant's uses to know their first-use partitions: the buckets of the
 * issue times they name, when within what a valid token allows around the use (see
 * FIRST_USE_LOOKBACK_MS; a use naming another issue time is not tracked), and the days of those
 * that name none. Numbers in sets: a batch of hostile times spanning centuries still names at most
 * one bucket or day per use, never the centuries in between.
 */
export class FirstUseSpan {
  readonly buckets = new Set<number>();
  readonly days = new Set<number>();

  add(e: { readonly timeMs: number; readonly issuedAtMs: number | undefined; readonly tokenId: string; readonly tokenHash: string }): void {
    if (e.tokenId === '' && e.tokenHash === '') return;
    const issued = e.issuedAtMs;
    if (issued === undefined) {
      this.days.add(Math.floor(e.timeMs / DAY_MS));
      return;
    }
    if (issued >= e.timeMs - FIRST_USE_LOOKBACK_MS && issued <= e.timeMs + FIRST_USE_LOOKAHEAD_MS) this.buckets.add(firstUseBucket(issued));
  }
}

/**
 * Every first-use partition the uses of a span may read: their buckets, and their days with the
 * day before and after each (a token used across midnight; the next day's when its later use was
 * judged first).
 */
export function firstUsePartitionsOf(tenantId: string, span: FirstUseSpan): string[] {
  const keys: string[] = [];
  for (const bucket of span.buckets) keys.push(firstUseBucketKey(tenantId, bucket));
  const days = new Set<number>();
  for (const day of span.days) {
    days.add(day - 1);
    days.add(day);
    days.add(day + 1);
  }
  for (const day of days) keys.push(firstUseDayKey(tenantId, day));
  return keys;
}

const ledgerKeys = new Map<string, Map<number, string>>();
/**
 * The suppression ledger of a tenant's hour. Every alert suppressed by dedup is a write-once row
 * here rather than an increment on its dedup row: an identity that keeps calling from outside
 * Azure would otherwise cost one guarded transaction per invocation for the count alone, while the
 * ledger takes the whole batch's suppressions in one transaction per hour.
 */
export function suppressionLedgerKey(tenantId: string, eventMs: number, objectId: string, shards = 1): string {
  // The same split as the token buckets (TOKENWATCH_TOKEN_BUCKET_SHARDS), by identity: a tenant
  // suppressing more than a partition's ~2,000 rows/s spreads them. Nothing reads the ledger back,
  // so changing the number re-keys nothing that matters.
  return shardedHourKey(ledgerKeys, 'sup', tenantId, eventMs, objectId, shards);
}

export const suppressionRowKey = (objectId: string, candidateAlertId: string): string => tableKey(objectId, candidateAlertId);

/**
 * Buckets that may hold a token issued at `iatMs`. Entra back-dates `iat` by up to 5 minutes
 * against the sign-in record's time, so the bucket of `iat + 10 min` is read too.
 */
export const TOKEN_IAT_SLACK_MS = 10 * 60_000;

export function tokenBucketCandidates(tenantId: string, iatMs: number, tokenId: string, shards = 1): string[] {
  const first = tokenBucketKey(tenantId, iatMs, tokenId, shards);
  const second = tokenBucketKey(tenantId, iatMs + TOKEN_IAT_SLACK_MS, tokenId, shards);
  return first === second ? [first] : [first, second];
}

/**
 * Partitions every instance extends without this instance writing them and that the detector
 * loads: the tenant catalog (a new identity signs in on another Event Hub partition). A cached copy
 * must be re-read now and then to see those rows. Token buckets are extended the same way but never
 * loaded: the tokens alerts cite are read row by row (IssuanceLookup).
 */
export const SHARED_PARTITION_PREFIXES: readonly string[] = [`${tableKey('tenant')}|`];

export const TENANT_META_ROW = 'meta';
/** An identity partition's `meta` row: its watermark (`wm`, the latest event time a batch wrote it with). */
export const IDENTITY_META_ROW = 'meta';
export const catalogRowKey = (objectId: string): string => tableKey('mi', objectId);
const asnKeys = new Map<number, string>();
export const asnRowKey = (asn: number): string => asnKeys.get(asn) ?? remember(asnKeys, asn, `asn|${asn}`);
const ipKeys = new Map<string, string>();
export const ipRowKey = (ip: string): string => ipKeys.get(ip) ?? remember(ipKeys, ip, tableKey('ip', ip));
const regionKeys = new Map<string, string>();
export const regionRowKey = (region: string): string => regionKeys.get(region) ?? remember(regionKeys, region, tableKey('rg', region));
const replayedNetworkKeys = new Map<string, string>();
export const replayedNetworkRowKey = (network: string): string => replayedNetworkKeys.get(network) ?? remember(replayedNetworkKeys, network, tableKey('rn', network));
export const dedupRowKey = (severity: string, attribute: string): string => tableKey('dd', severity, attribute);
/** The dedup row of history mode (RemoteUseSettings.history): apart from the live one, so history never suppresses a live alert. */
export const historyDedupRowKey = (severity: string, attribute: string): string => tableKey('hd', severity, attribute);
export const tokenRowKey = (tokenId: string): string => tableKey(tokenId);
