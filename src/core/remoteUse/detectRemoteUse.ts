import { ATTACK, EMPTY_ALERT_FIELDS, type AlertRow, type Evidence, type IpScope, type Severity } from '../alerts/alertRow';
import { alertId } from '../alerts/alertId';
import { rememberBounded } from '../boundedMemo';
import { decideDedup, dedupStateFromRow, dedupStateToRow, type DedupState } from '../alerts/dedup';
import { recordKeyText, type AuditEvent, type TokenIssuance, type TokenUse } from '../records/auditEvent';
import { isoTime, utcDay } from '../records/time';
import { rowAddressKey, type DerivedRows, type PartitionSnapshot, type RowAddress, type RowChange } from '../state/partition';
import { EMPTY_ROWS, num, str, WorkingPartition, type RowData } from '../state/workingPartition';
import { ALERT_NAMES, judgeUse, type LadderOutcome } from './ladder';
import {
  asnRowKey,
  catalogRowKey,
  dedupRowKey,
  identityPartitionKey,
  ipRowKey,
  TENANT_META_ROW,
  tenantPartitionKey,
  tokenBucketCandidates,
  tokenBucketKey,
  tokenRowKey,
  suppressionLedgerKey,
  suppressionRowKey,
} from './partitionKeys';
import type { IpClassifier, IpFacts, RemoteUseSettings } from './settings';

export interface RemoteUseSummary {
  issuances: number;
  uses: number;
  miUses: number;
  nonMiUses: number;
  userUses: number;
  other: Record<string, number>;
  alerts: Record<Severity, number>;
  /** Alerts deduplicated into an earlier alert's state (counted there too). */
  suppressed: number;
  /** Alerts emitted again for a redelivered trigger (same AlertId). */
  reemitted: number;
  learned: number;
  /** Uses from a scope the ladder does not act on, by scope. */
  byScope: Record<string, number>;
}

export interface RemoteUseResult {
  readonly alerts: AlertRow[];
  readonly changes: RowChange[];
  readonly summary: RemoteUseSummary;
  /**
   * Alerts whose token was not issued in this batch, with the rows that may register its issuance:
   * the caller reads those rows (point reads) and hands them to `linkIssuances`.
   */
  readonly issuanceLookups: IssuanceLookup[];
}

/** Where the issuance of an alert's token may be registered (the buckets of its iat and iat + 10 min). */
export interface IssuanceLookup {
  readonly alertId: string;
  readonly rows: readonly RowAddress[];
}

/** Azure Arc-enabled servers, in any casing (tested without lower-casing a copy of the id: every use asks). */
const ARC_MARKER = /\/providers\/microsoft\.hybridcompute\/machines\//i;
/** Evidence lists are capped so an alert row stays small (Log Analytics dynamic column). */
const EVIDENCE_LIST_MAX = 10;

/**
 * Partitions the remote-use detector needs before it can judge `events`, in two rounds: first
 * the tenant partitions (catalog, activation), then, once the catalog is known, the partitions of
 * every identity whose use must be judged or whose token is issued. Token buckets are not loaded:
 * a bucket holds every sign-in of a tenant's hour, and a batch needs only the few tokens its
 * alerts cite (IssuanceLookup), read row by row after judging.
 *
 * The first round, from the tenants the events name (the runner collects them while it reads the
 * records: ParsedAuditBatch.tenants); each once, sorted, without the empty id.
 */
export function tenantPartitions(tenantIds: Iterable<string>): string[] {
  return [...new Set(tenantIds)].filter((t) => t !== '').map(tenantPartitionKey).sort();
}

/**
 * What planning learnt about a batch, handed on to judging so that it does not look the same
 * identities up again: each lookup of a catalog entry is a walk through memory the batch's other
 * records have pushed out of the caches.
 */
export class BatchPlan {
  constructor(
    readonly events: readonly AuditEvent[],
    /** The identity partitions to load after the tenants' (identity keys only), each once, in no particular order. */
    readonly partitionKeys: readonly string[],
    /** Per event (same index): the loaded catalog's entry for its object id, when planning found one. */
    readonly catalogued: readonly (CatalogEntry | undefined)[],
    /** The catalog index planning read per tenant: judging trusts `catalogued` only against the same one. */
    readonly indexes: ReadonlyMap<string, CatalogIndex>,
  ) {}
}

export function planBatch(events: readonly AuditEvent[], loaded: ReadonlyMap<string, PartitionSnapshot>): BatchPlan {
  // Which identities the batch touches: a light version of resolveManagedIdentity that reads the
  // loaded catalogs plus this batch's sign-ins, without building working state. One pass: a use
  // that neither the catalog nor its own claims place waits until every sign-in has been seen.
  // Catalogued identities are collected as entries, each once by its plan stamp (see
  // CatalogEntry.plannedIn), and keyed at the end; the others by key. The two never name the same
  // identity: an id is keyed only once the catalog has been asked and does not know it.
  const stamp = ++planStamps;
  const catalogued: CatalogEntry[] = [];
  const collect = (entry: CatalogEntry): void => {
    if (entry.plannedIn === stamp) return;
    entry.plannedIn = stamp;
    catalogued.push(entry);
  };
  const keys = new Set<string>();
  const tenants = new Map<string, BatchTenant>();
  const entries: (CatalogEntry | undefined)[] = new Array(events.length).fill(undefined);
  const unplaced: TokenUse[] = [];
  const place = (tenant: BatchTenant, objectId: string): void => {
    const known = tenant.index.byObjectId.get(objectId);
    if (known) collect(known);
    else keys.add(identityPartitionKey(tenant.tenantId, objectId));
  };
  // A batch is nearly always one tenant: the tenant changes rarely from one event to the next.
  let tenant: BatchTenant | undefined;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.kind === 'other' || !e.tenantId) continue;
    if (tenant?.tenantId !== e.tenantId) tenant = batchTenant(tenants, e.tenantId, loaded);
    if (e.kind === 'issuance') {
      tenant.issued.add(e);
      place(tenant, e.objectId);
      continue;
    }
    if (e.principalType === 'user') continue;
    // A catalogued identity brings its key (hot path: most uses); the others are keyed here.
    const known = e.objectId ? tenant.index.byObjectId.get(e.objectId) : undefined;
    if (known) {
      collect(known);
      entries[i] = known;
    } else if (e.objectId && e.miResourceId) keys.add(identityPartitionKey(e.tenantId, e.objectId));
    else unplaced.push(e);
  }
  for (const e of unplaced) {
    const batch = tenants.get(e.tenantId)!;
    if (e.objectId && batch.issued.objectIds.has(e.objectId)) {
      keys.add(identityPartitionKey(e.tenantId, e.objectId));
      continue;
    }
    const byApp = e.appId ? batch.index.byAppId.get(e.appId) : undefined;
    if (byApp) {
      collect(byApp);
      continue;
    }
    const owner = (e.appId ? batch.issued.appOwners.get(e.appId) : undefined) || batch.issued.tokenOwners.get(e.tokenId);
    if (owner) place(batch, owner);
  }
  // The store takes any order, and sorting a key per identity cost 2 % of the whole function.
  const partitionKeys = [...keys];
  for (const entry of catalogued) partitionKeys.push(entry.partitionKey);
  const indexes = new Map<string, CatalogIndex>();
  for (const [tenantId, batch] of tenants) indexes.set(tenantId, batch.index);
  return new BatchPlan(events, partitionKeys, entries, indexes);
}

/** One tenant of a batch while its partitions are planned: the loaded catalog and the batch's sign-ins. */
interface BatchTenant {
  readonly tenantId: string;
  readonly index: CatalogIndex;
  readonly issued: BatchIssuances;
}

function batchTenant(tenants: Map<string, BatchTenant>, tenantId: string, loaded: ReadonlyMap<string, PartitionSnapshot>): BatchTenant {
  let tenant = tenants.get(tenantId);
  if (!tenant) {
    const catalog = loaded.get(tenantPartitionKey(tenantId));
    tenant = { tenantId, index: catalog ? catalogIndexOf(tenantId, catalog.rows) : EMPTY_INDEX, issued: new BatchIssuances() };
    tenants.set(tenantId, tenant);
  }
  return tenant;
}

/**
 * A tenant's sign-ins in one batch, keyed by the ids as parsed. Per tenant rather than by
 * `tenant|id` strings: joining and hashing three such strings per sign-in was most of planning.
 */
class BatchIssuances {
  readonly objectIds = new Set<string>();
  /** The object id of the batch's first sign-in with that app id. */
  readonly appOwners = new Map<string, string>();
  readonly tokenOwners = new Map<string, string>();

  add(e: TokenIssuance): void {
    this.objectIds.add(e.objectId);
    if (e.appId && !this.appOwners.has(e.appId)) this.appOwners.set(e.appId, e.objectId);
    if (e.tokenId) this.tokenOwners.set(e.tokenId, e.objectId);
  }
}

/**
 * Judges one batch of audit events against the loaded state. Pure: the same events and
 * snapshots always give the same alerts and changes. Events are processed in event-time order
 * (ties: issuance before use, then record key), so the order of messages in a batch does not matter.
 */
export function detectRemoteUse(
  events: readonly AuditEvent[],
  partitions: ReadonlyMap<string, PartitionSnapshot>,
  settings: RemoteUseSettings,
  /** What planning found (planBatch over the same events); judging gives the same result without it. */
  plan?: BatchPlan,
): RemoteUseResult {
  const planned = plan?.events === events ? plan : undefined;
  const run = new BatchRun(partitions, settings, planned?.indexes);
  for (const i of eventOrder(events)) run.process(events[i]!, planned?.catalogued[i]);
  return run.finish();
}

/** The indexes of `events` in judging order: event time; ties issuance before use, then record key. */
export function eventOrder(events: readonly AuditEvent[]): number[] {
  const rank = (e: AuditEvent): number => (e.kind === 'issuance' ? 0 : e.kind === 'use' ? 1 : 2);
  const keyOf = (e: AuditEvent): string => (e.kind === 'other' ? e.category : recordKeyText(e.recordKey));
  // The times are copied into one dense array first: comparing two events by reading them costs
  // two fetches from memory per comparison (about 11 comparisons per event), the copy one per event.
  const times = new Float64Array(events.length);
  const order = new Array<number>(events.length);
  for (let i = 0; i < events.length; i++) {
    times[i] = events[i]!.timeMs;
    order[i] = i;
  }
  return order.sort((i, j) => {
    const byTime = times[i]! - times[j]!;
    if (byTime !== 0) return byTime;
    const a = events[i]!, b = events[j]!;
    return rank(a) - rank(b) || (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0);
  });
}

// ---------------------------------------------------------------------------------------------

/** What a catalog row says about a Managed Identity. */
interface CatalogFields {
  readonly objectId: string;
  readonly appId: string;
  readonly name: string;
  readonly resourceId: string;
}

interface CatalogEntry extends CatalogFields {
  /** Owned by an Azure Arc-enabled server: worked out once per entry, not on every use. */
  readonly isArc: boolean;
  /** The identity's own partition (its baseline), keyed once per entry, not on every use. */
  readonly partitionKey: string;
  /**
   * The stamp of the latest planBatch call that collected this entry: planning collects each
   * identity once by comparing a number on the entry it already holds, where a set of entries
   * cost a third of planning (0.3 us per record). planBatch is synchronous and takes a new stamp
   * per call, so batches planned one after another (or concurrently, between their awaits) never
   * see each other's stamps.
   */
  plannedIn: number;
}

/** The last stamp planBatch took (see CatalogEntry.plannedIn). */
let planStamps = 0;

function catalogEntry(tenantId: string, fields: CatalogFields): CatalogEntry {
  return {
    objectId: fields.objectId,
    appId: fields.appId,
    name: fields.name,
    resourceId: fields.resourceId,
    isArc: ARC_MARKER.test(fields.resourceId),
    partitionKey: identityPartitionKey(tenantId, fields.objectId),
    plannedIn: 0,
  };
}

interface CatalogIndex {
  readonly byObjectId: ReadonlyMap<string, CatalogEntry>;
  readonly byAppId: ReadonlyMap<string, CatalogEntry>;
}

/**
 * Catalog indexes by loaded snapshot: the state store hands out the same row map for a cached
 * partition, so a tenant's catalog (one row per identity) is indexed once, not once per batch.
 */
const catalogIndexes = new WeakMap<ReadonlyMap<string, RowData>, CatalogIndex>();

function catalogIndexOf(tenantId: string, rows: ReadonlyMap<string, RowData>): CatalogIndex {
  let index = catalogIndexes.get(rows);
  if (!index) {
    const byObjectId = new Map<string, CatalogEntry>();
    const byAppId = new Map<string, CatalogEntry>();
    for (const [rowKey, data] of rows) {
      if (rowKey === TENANT_META_ROW) continue;
      const objectId = str(data, 'objectId');
      if (!objectId) continue;
      const entry = catalogEntry(tenantId, { objectId, appId: str(data, 'appId'), name: str(data, 'name'), resourceId: str(data, 'resourceId') });
      byObjectId.set(entry.objectId, entry);
      if (entry.appId) byAppId.set(entry.appId, entry);
    }
    index = { byObjectId, byAppId };
    catalogIndexes.set(rows, index);
  }
  return index;
}

const EMPTY_INDEX: CatalogIndex = { byObjectId: new Map(), byAppId: new Map() };

/** The tenant partition: the earliest event seen, and the catalog of known Managed Identities. */
class TenantCatalog {
  readonly partition: WorkingPartition;
  private readonly base: CatalogIndex;
  /** Entries learned or completed in this batch, over the loaded index. */
  private readonly byObjectId = new Map<string, CatalogEntry>();
  private readonly byAppId = new Map<string, CatalogEntry>();

  /** Whether entries planning found (BatchPlan.catalogued) come from this catalog's loaded index. */
  private readonly plannedOnBase: boolean;

  constructor(readonly tenantId: string, snapshot: PartitionSnapshot | undefined, plannedIndex: CatalogIndex | undefined) {
    this.partition = new WorkingPartition(tenantPartitionKey(tenantId), snapshot);
    this.base = snapshot ? catalogIndexOf(tenantId, snapshot.rows) : EMPTY_INDEX;
    this.plannedOnBase = plannedIndex === this.base;
    this.first = num(this.partition.get(TENANT_META_ROW), 'firstEventAt');
  }

  /** Read once from the meta row, then kept here: every event of the batch asks. */
  private first: number | undefined;

  get firstEventAt(): number | undefined {
    return this.first;
  }

  observe(timeMs: number): void {
    if (this.first === undefined || timeMs < this.first) {
      this.first = timeMs;
      this.partition.set(TENANT_META_ROW, { firstEventAt: timeMs });
    }
  }

  /**
   * The entry of an object id: one learnt in this batch, else the loaded one, which `planned`
   * already is when planning found it in the same index (the batch's own map, nearly always
   * empty, is not even hashed into).
   */
  byObject(objectId: string, planned: CatalogEntry | undefined): CatalogEntry | undefined {
    const learnt = this.byObjectId.size > 0 ? this.byObjectId.get(objectId) : undefined;
    if (learnt) return learnt;
    return planned !== undefined && this.plannedOnBase ? planned : this.base.byObjectId.get(objectId);
  }

  byApp(appId: string): CatalogEntry | undefined {
    return appId ? this.byAppId.get(appId) ?? this.base.byAppId.get(appId) : undefined;
  }

  learnIssuance(e: TokenIssuance): void {
    this.learn({ objectId: e.objectId, appId: e.appId, name: e.name, resourceId: e.resourceId });
  }

  /**
   * Adds or completes an entry; a known entry is rewritten only when it gains information.
   * `known`: the entry of the candidate's object id when the caller has just looked it up.
   */
  learn(candidate: CatalogFields, known = this.byObjectId.get(candidate.objectId) ?? this.base.byObjectId.get(candidate.objectId)): CatalogEntry {
    const appId = candidate.appId || known?.appId || '';
    const name = candidate.name || known?.name || '';
    const resourceId = candidate.resourceId || known?.resourceId || '';
    if (known && known.appId === appId && known.name === name && known.resourceId === resourceId) return known;
    const merged = catalogEntry(this.tenantId, { objectId: candidate.objectId, appId, name, resourceId });
    this.index(merged);
    this.partition.set(catalogRowKey(merged.objectId), { objectId: merged.objectId, appId, name, resourceId });
    return merged;
  }

  private index(entry: CatalogEntry): void {
    if (!entry.objectId) return;
    this.byObjectId.set(entry.objectId, entry);
    if (entry.appId) this.byAppId.set(entry.appId, entry);
  }
}

interface RegisteredToken {
  readonly objectId: string;
  readonly appId: string;
  readonly name: string;
  readonly issuedAt: number;
}

function registeredToken(data: RowData, fallbackIssuedAt: number): RegisteredToken {
  return { objectId: str(data, 'objectId'), appId: str(data, 'appId'), name: str(data, 'name'), issuedAt: num(data, 'issuedAt') ?? fallbackIssuedAt };
}

/**
 * Partitions of write-once rows (token buckets, suppression ledger hours), opened as the batch
 * needs them. Never loaded: their rows are written blind and only this batch's are read back.
 */
class WriteOncePartitions {
  private readonly partitions = new Map<string, WorkingPartition>();

  get(key: string): WorkingPartition {
    let partition = this.partitions.get(key);
    if (!partition) {
      partition = new WorkingPartition(key, undefined, true);
      this.partitions.set(key, partition);
    }
    return partition;
  }

  changes(): RowChange[] {
    return [...this.partitions.values()].flatMap((p) => p.changes());
  }
}

/**
 * Tokens issued to Managed Identities: this batch's sign-ins, registered in their hour buckets
 * (write-once rows written blind: a redelivered sign-in writes the same row again). Tokens issued
 * in earlier batches are not loaded; alerts that cite one are linked by `linkIssuances`.
 */
class TokenRegistry {
  private readonly buckets = new WriteOncePartitions();

  constructor(private readonly shards: number) {}

  add(e: TokenIssuance): void {
    if (!e.tokenId) return;
    const bucket = this.buckets.get(tokenBucketKey(e.tenantId, e.timeMs, e.tokenId, this.shards));
    const rowKey = tokenRowKey(e.tokenId);
    if (bucket.get(rowKey)) return; // write-once: the same sign-in twice in one batch is one row
    bucket.set(rowKey, { objectId: e.objectId, appId: e.appId, name: e.name, issuedAt: e.timeMs });
  }

  find(tenantId: string, tokenId: string, issuedAtMs: number | undefined): RegisteredToken | undefined {
    if (!tokenId || issuedAtMs === undefined) return undefined;
    for (const key of tokenBucketCandidates(tenantId, issuedAtMs, tokenId, this.shards)) {
      const data = this.buckets.get(key).get(tokenRowKey(tokenId));
      if (data) return registeredToken(data, issuedAtMs);
    }
    return undefined;
  }

  /** The rows that may register a token issued at `issuedAtMs`, in the order `find` reads them. */
  candidates(tenantId: string, tokenId: string, issuedAtMs: number): RowAddress[] {
    const rowKey = tokenRowKey(tokenId);
    return tokenBucketCandidates(tenantId, issuedAtMs, tokenId, this.shards).map((partitionKey) => ({ partitionKey, rowKey }));
  }

  changes(): RowChange[] {
    return this.buckets.changes();
  }
}

/**
 * Alerts suppressed by dedup: one write-once row per suppressed candidate, keyed by the identity
 * and the candidate's AlertId, holding the dedup key (identity, severity, attribute) and the event
 * time, so the count of an alert is its key's rows between its raise and the next. Every field
 * derives from the record alone, so a redelivered batch rewrites the same rows with the same data
 * and counts nothing twice. Written unguarded and never read by the detector.
 */
class SuppressionLedger {
  private readonly hours = new WriteOncePartitions();

  constructor(private readonly shards: number) {}

  count(e: TokenUse, objectId: string, severity: Severity, attribute: string, candidateAlertId: string): void {
    const hour = this.hours.get(suppressionLedgerKey(e.tenantId, e.timeMs, objectId, this.shards));
    hour.set(suppressionRowKey(objectId, candidateAlertId), { objectId, severity, attribute, at: e.timeMs, category: e.category });
  }

  changes(): RowChange[] {
    return this.hours.changes();
  }
}

/**
 * Decides whether a token use is a Managed Identity's: the `xms_mirid` claim (only MI tokens carry
 * it), or the caller's object id / app id in the MI catalog, or the token id issued to an MI in
 * this batch.
 */
function resolveManagedIdentity(e: TokenUse, catalog: TenantCatalog, tokens: TokenRegistry, planned: CatalogEntry | undefined): CatalogEntry | undefined {
  if (e.principalType === 'user') return undefined;
  const byObject = e.objectId ? catalog.byObject(e.objectId, planned) : undefined;
  const known = byObject ?? catalog.byApp(e.appId);
  if (e.miResourceId) {
    // The usual case, a use that tells the catalog nothing new: what learn would conclude, without
    // building its candidate.
    if (byObject && byObject.name !== '' && byObject.resourceId === e.miResourceId && (e.appId === '' || e.appId === byObject.appId)) return byObject;
    if (!e.objectId && !known) return undefined;
    const objectId = e.objectId || known?.objectId || '';
    // Found by the use's own object id, the entry is what learn would look up again; found by app
    // id it may be an older entry of its object id, which learn then looks up itself.
    return catalog.learn({ objectId, appId: e.appId, name: known?.name || lastSegment(e.miResourceId), resourceId: e.miResourceId }, byObject);
  }
  if (known) return known;
  const token = tokens.find(e.tenantId, e.tokenId, e.issuedAtMs);
  if (token) return catalog.learn({ objectId: token.objectId, appId: token.appId, name: token.name, resourceId: '' });
  return undefined;
}

function lastSegment(resourceId: string): string {
  const parts = resourceId.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? '';
}

/**
 * A baseline row's `first` and `last` (epoch ms). Each names its field as a constant, so V8 reads
 * it as a named property of the few row shapes there are; the general `num` reads a key given as
 * an argument, and a use asks eight times.
 */
function firstSeen(data: RowData): number | undefined {
  const value = data['first'];
  return typeof value === 'number' ? value : num(data, 'first');
}

function lastSeen(data: RowData): number | undefined {
  const value = data['last'];
  return typeof value === 'number' ? value : num(data, 'last');
}

/** In the baseline = seen no later than the event and last seen within the window before it. */
function inBaseline(data: RowData | undefined, timeMs: number, windowMs: number): boolean {
  if (!data) return false;
  const first = firstSeen(data) ?? Infinity;
  const last = lastSeen(data) ?? -Infinity;
  return first <= timeMs && last >= timeMs - windowMs;
}

/**
 * A baseline row after learning a use of it, or undefined when learning changes nothing. `last`
 * advances at most once per UTC day (to the first use of that day), so a steady stream of known
 * behaviour writes an identity's rows at most once a day.
 */
function learnedRow(data: RowData | undefined, timeMs: number, extraName: string, extraValue: string | number): RowData | undefined {
  if (!data) return { first: timeMs, last: timeMs, [extraName]: extraValue };
  const first = firstSeen(data) ?? timeMs;
  const last = lastSeen(data) ?? timeMs;
  const nextFirst = Math.min(first, timeMs);
  const nextLast = utcDay(timeMs) > utcDay(last) ? timeMs : last;
  // The usual case, a known row used again on the same day, allocates and writes nothing.
  if (nextFirst === first && nextLast === last) return undefined;
  return { ...data, first: nextFirst, last: nextLast };
}

/** rowFacts: the row is in the baseline at the use's time (inBaseline). */
const IN_BASELINE = 1;
/** rowFacts: learning the use leaves the row as it is (learnedRow gives undefined). */
const LEARNED_AS_IS = 2;

// Exported under their own statement: an exported const is read from the exports object on every use.
export { IN_BASELINE, LEARNED_AS_IS };

/**
 * What judging a use needs of one baseline row, as IN_BASELINE | LEARNED_AS_IS bits: from the
 * row's day code when `days` (the loaded partition's) settles it, else from the row itself.
 */
export function rowFacts(days: BaselineDays | undefined, rows: RowReader, rowKey: string, timeMs: number, windowMs: number): number {
  if (days !== undefined) {
    const code = days.get(rowKey);
    // No code: no such row (every row of the partition has one, UNCODED when it cannot be coded).
    if (code === undefined) return 0;
    if (code !== UNCODED) {
      const lastDay = code >> DAY_SPAN_BITS;
      const firstDayAtMost = lastDay - (code & MAX_DAY_SPAN);
      const day = utcDay(timeMs);
      // First seen on an earlier day than the use (the usual case): the last day then decides
      // both facts, unless it is the day the window starts in, where the exact times do.
      if (firstDayAtMost < day) {
        const windowStartDay = utcDay(timeMs - windowMs);
        if (lastDay !== windowStartDay) return (lastDay > windowStartDay ? IN_BASELINE : 0) | (lastDay >= day ? LEARNED_AS_IS : 0);
      }
    }
  }
  return exactRowFacts(rows.get(rowKey), timeMs, windowMs);
}

export function exactRowFacts(data: RowData | undefined, timeMs: number, windowMs: number): number {
  return (inBaseline(data, timeMs, windowMs) ? IN_BASELINE : 0) | (data !== undefined && learnedRow(data, timeMs, '', '') === undefined ? LEARNED_AS_IS : 0);
}

/**
 * A loaded identity partition's baseline rows as day codes: the UTC day of `last` and how many
 * days before it `first` fell (at most MAX_DAY_SPAN: then `first` is no later than that), in
 * one small integer, by row key. V8 keeps such an integer in the map itself; reading a row's
 * `first` and `last` meant fetching the row and then each time, a number object of its own,
 * from memory other records had pushed out of the caches: a third of judging a use. Made once
 * per partition version and kept on its snapshot (PartitionSnapshot.derived): identities change
 * rarely, and a store hands out the same snapshot until the partition changes.
 */
export type BaselineDays = DerivedRows;

const DAY_SPAN_BITS = 15;
const MAX_DAY_SPAN = (1 << DAY_SPAN_BITS) - 1;
/** Days after 1970 a code can hold (the code stays below 2^31, a small integer for V8): the year 2149. */
const MAX_CODED_DAY = (1 << (31 - DAY_SPAN_BITS)) - 1;

/** The code of a row that cannot be coded (no first or last, or out of range): rowFacts reads it. */
const UNCODED = -1;

const NO_DAYS: BaselineDays = new Map<string, number>();

export function baselineDaysOf(snapshot: PartitionSnapshot): BaselineDays {
  let days = snapshot.derived;
  if (!days) {
    const coded = new Map<string, number>();
    const rows = snapshot.rows;
    for (const [rowKey, data] of rows) {
      const first = firstSeen(data);
      const last = lastSeen(data);
      const firstDay = first !== undefined ? utcDay(first) : NaN;
      const lastDay = last !== undefined ? utcDay(last) : NaN;
      const codable = lastDay >= 0 && lastDay <= MAX_CODED_DAY && firstDay <= lastDay;
      coded.set(rowKey, codable ? (lastDay << DAY_SPAN_BITS) | Math.min(lastDay - firstDay, MAX_DAY_SPAN) : UNCODED);
    }
    days = coded;
    snapshot.derived = days;
  }
  return days;
}

/**
 * One identity's partition as a batch changes it: its 30-day ASN/IP baseline and its dedup
 * states. Made on the batch's first write to the identity; until then uses read the loaded rows.
 */
class IdentityBaseline {
  readonly partition: WorkingPartition;

  constructor(partitionKey: string, snapshot: PartitionSnapshot | undefined, private readonly windowMs: number) {
    this.partition = new WorkingPartition(partitionKey, snapshot);
  }

  has(rowKey: string, timeMs: number): boolean {
    return inBaseline(this.partition.get(rowKey), timeMs, this.windowMs);
  }

  dedup(rowKey: string): DedupState | undefined {
    return dedupStateFromRow(this.partition.get(rowKey));
  }

  setDedup(rowKey: string, state: DedupState): void {
    this.partition.set(rowKey, dedupStateToRow(state));
  }

  /** Baseline facts for the alert's Evidence. */
  describe(timeMs: number): { asns: number[]; ipCount: number } {
    const asns: number[] = [];
    let ipCount = 0;
    for (const [rowKey] of this.partition.entries()) {
      if (!this.has(rowKey, timeMs)) continue;
      if (rowKey.startsWith('asn|')) asns.push(Number(rowKey.slice(4)));
      else if (rowKey.startsWith('ip|')) ipCount++;
    }
    return { asns: asns.sort((a, b) => a - b), ipCount };
  }

  /**
   * Drops baseline and dedup rows that can no longer matter, only when the partition is written
   * anyway. "No longer" is measured from the batch's EARLIEST event: every event of the batch is
   * at or after it, so a redelivery of the same batch finds every row it needs.
   */
  expire(earliestMs: number, dedupWindowMs: number): void {
    if (!this.partition.changed) return;
    for (const [rowKey, data] of [...this.partition.entries()]) {
      if (rowKey.startsWith('dd|')) {
        if ((num(data, 'raisedAt') ?? 0) < earliestMs - dedupWindowMs) this.partition.delete(rowKey);
      } else if ((num(data, 'last') ?? 0) < earliestMs - this.windowMs) {
        this.partition.delete(rowKey);
      }
    }
  }
}

/**
 * A caller address as judging needs it: what the classifier says, and the baseline row keys of
 * its ASN and IP. Remembered by the address as logged, per classifier (a classifier always gives
 * an address the same facts), across batches: a tenant's callers are a few thousand addresses
 * used over and over, and classifying, then keying the ASN and the IP, were three memo lookups
 * per use where one does.
 */
class CallerAddress {
  /** What every use reads, copied out of `facts`: one object to fetch from memory, not two. */
  readonly scope: IpScope;
  readonly asn: number | null;
  readonly asOrganization: string;
  /** `asn|<n>`; `asn|0` for an address without an ASN (read, never learned). */
  readonly asnKey: string;
  readonly ipKey: string;

  constructor(readonly facts: IpFacts) {
    this.scope = facts.scope;
    this.asn = facts.asn;
    this.asOrganization = facts.asOrganization;
    this.asnKey = asnRowKey(facts.asn ?? 0);
    this.ipKey = ipRowKey(facts.ip);
  }
}

const CALLER_ADDRESS_MEMO_MAX = 50_000;

/**
 * Caller addresses of one classifier: plain dotted quads by their number (`TokenUse.callerIpv4`,
 * as a signed 32-bit integer, which V8 hashes and compares without a memory access), every other
 * spelling by its text.
 */
interface CallerAddressMemo {
  readonly byIpv4: Map<number, CallerAddress>;
  readonly byText: Map<string, CallerAddress>;
}

const callerAddressMemos = new WeakMap<IpClassifier, CallerAddressMemo>();

function callerAddressMemo(classifier: IpClassifier): CallerAddressMemo {
  let memo = callerAddressMemos.get(classifier);
  if (!memo) {
    memo = { byIpv4: new Map(), byText: new Map() };
    callerAddressMemos.set(classifier, memo);
  }
  return memo;
}

/** Rows by key: a loaded partition's, or the batch's working copy of it. */
interface RowReader {
  get(rowKey: string): RowData | undefined;
}

/** A use's ASN and IP rows as judging read them (raising writes only a dedup row, so they still hold). */
interface UseRows {
  readonly asn: RowData | undefined;
  readonly ip: RowData | undefined;
}

class BatchRun {
  private readonly catalogs = new Map<string, TenantCatalog>();
  /** Identity baselines of the batch by partition key. */
  private readonly identities = new Map<string, IdentityBaseline>();
  private readonly tokens: TokenRegistry;
  private readonly suppressions: SuppressionLedger;
  private readonly alerts: AlertRow[] = [];
  private readonly issuanceLookups: IssuanceLookup[] = [];
  private readonly summary: RemoteUseSummary = {
    issuances: 0, uses: 0, miUses: 0, nonMiUses: 0, userUses: 0, other: {},
    alerts: { Low: 0, Medium: 0, High: 0 }, suppressed: 0, reemitted: 0, learned: 0, byScope: {},
  };
  private earliestMs = Infinity;

  private readonly addresses: CallerAddressMemo;

  constructor(
    private readonly partitions: ReadonlyMap<string, PartitionSnapshot>,
    private readonly settings: RemoteUseSettings,
    private readonly plannedIndexes: ReadonlyMap<string, CatalogIndex> | undefined,
  ) {
    this.addresses = callerAddressMemo(settings.classifyIp);
    this.tokens = new TokenRegistry(settings.tokenBucketShards);
    this.suppressions = new SuppressionLedger(settings.tokenBucketShards);
  }

  /** `planned`: the loaded catalog's entry for the event's object id, when planning found one (BatchPlan). */
  process(e: AuditEvent, planned: CatalogEntry | undefined): void {
    this.earliestMs = Math.min(this.earliestMs, e.timeMs);
    const catalog = this.catalog(e.tenantId);
    if (e.tenantId) catalog.observe(e.timeMs);
    if (e.kind === 'other') {
      this.summary.other[e.note] = (this.summary.other[e.note] ?? 0) + 1;
      return;
    }
    if (e.kind === 'issuance') {
      this.summary.issuances++;
      catalog.learnIssuance(e);
      this.tokens.add(e);
      return;
    }
    this.summary.uses++;
    if (e.principalType === 'user') {
      this.summary.userUses++;
      return;
    }
    const identity = resolveManagedIdentity(e, catalog, this.tokens, planned);
    if (!identity) {
      this.summary.nonMiUses++;
      return;
    }
    this.summary.miUses++;
    this.judge(e, identity, catalog);
  }

  private judge(e: TokenUse, identity: CatalogEntry, catalog: TenantCatalog): void {
    const { settings } = this;
    const address = this.callerAddress(e);
    const { asnKey, ipKey } = address;
    this.summary.byScope[address.scope] = (this.summary.byScope[address.scope] ?? 0) + 1;
    // Most uses only read their identity's rows: the working copy is made on the first write, and
    // until then the rows' day codes answer (BaselineDays), the rows themselves being read only
    // when a code cannot, an alert cites them, or learning rewrites them.
    const working = this.identities.size > 0 ? this.identities.get(identity.partitionKey) : undefined;
    const loaded = working ? undefined : this.partitions.get(identity.partitionKey);
    const rows: RowReader = working ? working.partition : loaded?.rows ?? EMPTY_ROWS;
    const days = working ? undefined : loaded ? baselineDaysOf(loaded) : NO_DAYS;
    const asnFacts = rowFacts(days, rows, asnKey, e.timeMs, settings.baselineWindowMs);
    const ipFacts = rowFacts(days, rows, ipKey, e.timeMs, settings.baselineWindowMs);
    const allowlistEntry =
      address.scope === 'external'
        ? settings.allowlist.match({ tenantId: e.tenantId, objectId: identity.objectId, appId: identity.appId, resourceId: identity.resourceId }, address.facts)
        : undefined;
    const firstEventAt = catalog.firstEventAt ?? e.timeMs;
    const outcome = judgeUse({
      scope: address.scope,
      tenantActive: e.timeMs - firstEventAt >= settings.activationMs,
      isArc: identity.isArc,
      allowlisted: allowlistEntry !== undefined,
      asnInBaseline: (asnFacts & IN_BASELINE) !== 0,
      ipInBaseline: (ipFacts & IN_BASELINE) !== 0,
    });

    // Raising writes only a dedup row: the ASN and IP rows read here are still those learning sees.
    if (outcome.severity) this.raise(e, identity, address.facts, outcome, working ?? this.identity(identity.partitionKey), { asn: rows.get(asnKey), ip: rows.get(ipKey) }, firstEventAt);

    if (outcome.learn) {
      // Private addresses have no ASN: their IP is learned, no ASN row is invented.
      const learnAsn = address.asn !== null && (asnFacts & LEARNED_AS_IS) === 0;
      const learnIp = (ipFacts & LEARNED_AS_IS) === 0;
      if (learnAsn || learnIp) {
        const baseline = this.identity(identity.partitionKey);
        const asnLearned = learnAsn ? learnedRow(rows.get(asnKey), e.timeMs, 'org', address.asOrganization) : undefined;
        const ipLearned = learnIp ? learnedRow(rows.get(ipKey), e.timeMs, 'asn', address.asn ?? 0) : undefined;
        if (asnLearned) baseline.partition.set(asnKey, asnLearned);
        if (ipLearned) baseline.partition.set(ipKey, ipLearned);
        this.summary.learned++;
      }
    }
  }

  private raise(e: TokenUse, identity: CatalogEntry, ip: IpFacts, outcome: LadderOutcome, baseline: IdentityBaseline, rows: UseRows, firstEventAt: number): void {
    const severity = outcome.severity as Severity;
    const attribute = outcome.attribute === 'asn' ? String(ip.asn ?? 0) : outcome.attribute === 'ip' ? ip.ip : '';
    const id = alertId(['RemoteTokenUse', e.tenantId, identity.objectId, severity, attribute, e.category, recordKeyText(e.recordKey)]);
    const dedupKey = dedupRowKey(severity, attribute);
    const decision = decideDedup(baseline.dedup(dedupKey), e.timeMs, id, this.settings.dedupWindowMs);
    if (decision.kind === 'suppress') {
      // Counted in the ledger, not on the dedup row: the row changes only when an alert is raised.
      if (decision.counted) {
        this.summary.suppressed++;
        this.suppressions.count(e, identity.objectId, severity, attribute, id);
      }
      return;
    }
    if (decision.kind === 'reemit') this.summary.reemitted++;
    else {
      this.summary.alerts[severity]++;
      baseline.setDedup(dedupKey, decision.next);
    }
    this.alerts.push(this.alertRow(e, identity, ip, outcome, severity, id, baseline, rows, firstEventAt));
  }

  private alertRow(e: TokenUse, identity: CatalogEntry, ip: IpFacts, outcome: LadderOutcome, severity: Severity, id: string, baseline: IdentityBaseline, rows: UseRows, firstEventAt: number): AlertRow {
    // Linked only through the use record's own issue time (`iat` / `tokenIssuedAt`), which names the
    // token bucket: a lookup that depended on which sign-ins happen to share the batch would make
    // the evidence depend on batch boundaries.
    const token = this.tokens.find(e.tenantId, e.tokenId, e.issuedAtMs);
    if (!token && e.tokenId && e.issuedAtMs !== undefined) this.issuanceLookups.push({ alertId: id, rows: this.tokens.candidates(e.tenantId, e.tokenId, e.issuedAtMs) });
    const issuedAt = token?.issuedAt ?? e.issuedAtMs;
    const known = baseline.describe(e.timeMs);
    const { asn: asnRow, ip: ipRow } = rows;
    const name = identity.name || identity.objectId;
    const evidence: Evidence = {
      rule: outcome.ruleId,
      learningPhase: outcome.ruleId === 'learning',
      tenantFirstEventAt: isoTime(firstEventAt),
      baselineAsns: known.asns.slice(0, EVIDENCE_LIST_MAX),
      baselineAsnCount: known.asns.length,
      baselineIpCount: known.ipCount,
      asnFirstSeen: asnRow ? isoTime(num(asnRow, 'first') ?? 0) : null,
      asnLastSeen: asnRow ? isoTime(num(asnRow, 'last') ?? 0) : null,
      ipFirstSeen: ipRow ? isoTime(num(ipRow, 'first') ?? 0) : null,
      ipLastSeen: ipRow ? isoTime(num(ipRow, 'last') ?? 0) : null,
      tokenLinkedToIssuance: token !== undefined,
      tokenIssuedAt: issuedAt !== undefined ? isoTime(issuedAt) : null,
      minutesFromIssuanceToUse: issuedAt !== undefined ? minutesBetween(issuedAt, e.timeMs) : null,
      issuingIdentityObjectId: token?.objectId ?? null,
      issuingIdentityName: token?.name ?? null,
      callerIpAsLogged: e.callerIp,
    };
    return {
      ...EMPTY_ALERT_FIELDS,
      AlertId: id,
      TimeGenerated: isoTime(this.settings.processedAt ?? e.timeMs),
      EventTime: isoTime(e.timeMs),
      Detector: 'RemoteTokenUse',
      AlertName: ALERT_NAMES[severity],
      Severity: severity,
      TenantId: e.tenantId,
      IdentityObjectId: identity.objectId,
      IdentityAppId: identity.appId,
      IdentityName: name,
      IdentityResourceId: identity.resourceId || e.miResourceId,
      IPAddress: ip.ip,
      IPScope: ip.scope,
      ASN: ip.asn,
      ASOrganization: ip.asOrganization,
      TokenId: e.tokenId,
      TokenIssuedAt: issuedAt !== undefined ? isoTime(issuedAt) : null,
      SourceCategory: e.category,
      Operation: e.operation,
      Reason: `${reasonFor(outcome, name, ip, known.asns)}${issuanceClause(token !== undefined ? issuedAt : undefined, e.timeMs)}.`,
      Evidence: evidence,
      ...ATTACK,
    };
  }

  finish(): RemoteUseResult {
    const changes: RowChange[] = [];
    for (const catalog of this.catalogs.values()) changes.push(...catalog.partition.changes());
    for (const identity of this.identities.values()) {
      identity.expire(this.earliestMs, this.settings.dedupWindowMs);
      changes.push(...identity.partition.changes());
    }
    changes.push(...this.tokens.changes());
    changes.push(...this.suppressions.changes());
    return { alerts: this.alerts, changes, summary: this.summary, issuanceLookups: this.issuanceLookups };
  }

  private catalog(tenantId: string): TenantCatalog {
    let catalog = this.catalogs.get(tenantId);
    if (!catalog) {
      catalog = new TenantCatalog(tenantId, this.partitions.get(tenantPartitionKey(tenantId)), this.plannedIndexes?.get(tenantId));
      this.catalogs.set(tenantId, catalog);
    }
    return catalog;
  }

  /** The caller address of a use as judging needs it: one memo lookup per use (see CallerAddress). */
  private callerAddress(e: TokenUse): CallerAddress {
    const { byIpv4, byText } = this.addresses;
    if (e.callerIpv4 !== undefined) {
      const key = e.callerIpv4 | 0;
      return byIpv4.get(key) ?? rememberBounded(byIpv4, key, new CallerAddress(this.settings.classifyIp(e.callerIp)), CALLER_ADDRESS_MEMO_MAX);
    }
    const raw = e.callerIp;
    return byText.get(raw) ?? rememberBounded(byText, raw, new CallerAddress(this.settings.classifyIp(raw)), CALLER_ADDRESS_MEMO_MAX);
  }

  private identity(partitionKey: string): IdentityBaseline {
    let identity = this.identities.get(partitionKey);
    if (!identity) {
      identity = new IdentityBaseline(partitionKey, this.partitions.get(partitionKey), this.settings.baselineWindowMs);
      this.identities.set(partitionKey, identity);
    }
    return identity;
  }
}

/** The reason without its final full stop: `issuanceClause` may follow. */
function issuanceClause(linkedIssuedAt: number | undefined, useMs: number): string {
  return linkedIssuedAt !== undefined ? `; the token was issued inside Azure ${minutesBetween(linkedIssuedAt, useMs)} minutes earlier` : '';
}

function minutesBetween(fromMs: number, toMs: number): number {
  return Math.round((toMs - fromMs) / 60_000);
}

/**
 * Links alerts to the issuance of their token from rows read after judging (`rows` as returned by
 * StateStore.readRows for the lookups' addresses): the same evidence and reason as an alert whose
 * token was issued in its own batch. Alerts without a lookup, or whose token is not found, are
 * returned as they are. Pure; AlertIds do not change.
 */
export function linkIssuances(alerts: readonly AlertRow[], lookups: readonly IssuanceLookup[], rows: ReadonlyMap<string, RowData>): AlertRow[] {
  const found = new Map<string, RowData>();
  for (const lookup of lookups) {
    const row = lookup.rows.map((address) => rows.get(rowAddressKey(address))).find((data) => data !== undefined);
    if (row) found.set(lookup.alertId, row);
  }
  if (found.size === 0) return [...alerts];
  return alerts.map((alert) => {
    const data = found.get(alert.AlertId);
    if (!data) return alert;
    const useMs = Date.parse(alert.EventTime);
    // The same fallback as in-batch linking: the use's own iat when the row has no issue time.
    const token = registeredToken(data, alert.TokenIssuedAt ? Date.parse(alert.TokenIssuedAt) : useMs);
    return {
      ...alert,
      TokenIssuedAt: isoTime(token.issuedAt),
      Reason: `${alert.Reason.slice(0, -1)}${issuanceClause(token.issuedAt, useMs)}.`,
      Evidence: {
        ...alert.Evidence,
        tokenLinkedToIssuance: true,
        tokenIssuedAt: isoTime(token.issuedAt),
        minutesFromIssuanceToUse: minutesBetween(token.issuedAt, useMs),
        issuingIdentityObjectId: token.objectId,
        issuingIdentityName: token.name,
      },
    };
  });
}

function reasonFor(outcome: LadderOutcome, name: string, ip: IpFacts, knownAsns: readonly number[]): string {
  const where = `${ip.ip}${ip.asn !== null ? ` (AS${ip.asn}${ip.asOrganization ? ` ${ip.asOrganization}` : ''})` : ''}`;
  const knownList = knownAsns.length ? knownAsns.slice(0, 5).map((a) => `AS${a}`).join(', ') : 'none';
  switch (outcome.ruleId) {
    case 'learning':
      return `Managed identity '${name}' used its token outside Azure from ${where} while the tenant is in its 14-day learning period`;
    case 'unusual-asn':
      return `Managed identity '${name}' used its token from ${where}, an autonomous system absent from its 30-day baseline (known: ${knownList})`;
    case 'unusual-ip':
      return `Managed identity '${name}' used its token from ${where}, an IP address absent from its 30-day baseline inside an ASN it normally uses`;
    default:
      return `Managed identity '${name}' used its token outside Azure from ${where}, an IP and ASN already in its 30-day baseline`;
  }
}
