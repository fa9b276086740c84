/**
 * The first use of every token: the network, address and time a Managed Identity token was first
 * seen used from, so a later use from another network proves the token was copied (a replay).
 * One row per token, written once, in partitions by 2 hours of the token's issuance (`use|<tenant>|
 * <yyyymmddhh>`, hh even) or, for tokens whose uses carry no issue time (Storage's
 * `identity.tokenHash`), by the day of the first use (`use|<tenant>|<yyyymmdd>`, looked up in the
 * use's day and the days either side of it): a batch's new
 * tokens land in a few partitions and cost a transaction per 100 rows. Nothing reads a
 * partition once its tokens have expired (24 hours), so the rows age out of use by themselves.
 *
 * The rows are written as creates (insert-only partitions, RowChange 'create'): two instances that
 * each saw a different first use of the same token must not both win, so the second one's write
 * conflicts, it reloads and judges its use again as the replay it is. The partitions a batch
 * loads are planned from its time span (partitionKeys.firstUsePartitionsBetween).
 *
 * A row names the earliest use judged so far, not the first one judged: when partitions lag, a
 * token's later use can be judged before its earlier one. The earlier use, from another network,
 * then replaces the row (an upsert, which makes that partition's write version-guarded), so the
 * token's later uses are judged against its real first network (see BatchRun.judge).
 */
import type { TokenUse } from '../records/auditEvent';
import type { PartitionSnapshot, RowChange } from '../state/partition';
import { num, str, type RowData } from '../state/workingPartition';
import { firstUseBucket, firstUseBucketKey, firstUseDayKey } from './partitionKeys';

export interface FirstUse {
  readonly network: string;
  readonly ip: string;
  readonly atMs: number;
}

/**
 * What `find` answers for a use whose first-use partition the batch did not load (an issue time
 * more than a day before the use, or after it: no valid token's). Such a use takes no part in
 * replay detection: writing its row unloaded would conflict forever.
 */
export const UNTRACKED = Symbol('untracked');

/** The key a token's uses share: its id (`uti`, `signInActivityId`) or Storage's token hash; '' when neither. */
export function tokenKeyOf(e: TokenUse): string {
  return e.tokenId !== '' ? e.tokenId : e.tokenHash;
}

const DAY_MS = 86_400_000;

export class FirstUseRegistry {
  /** Rows this batch recorded, by partition: written as creates. */
  private readonly recorded = new Map<string, Map<string, RowData>>();
  /** Rows this batch replaced (an earlier use than the loaded row's), as `partition\nrow`: written as guarded upserts. */
  private readonly replaced = new Set<string>();
  /** The first late use of each token in this batch (noteLate): read by later late uses, never written. */
  private readonly lateUses = new Map<string, RowData>();
  /** The partition of the row `find` last returned. */
  private foundIn = '';
  /** The bucket of the last use asked about, its key and loaded rows: a batch is one tenant and names few buckets. */
  private lastTenant = '';
  private lastBucket = NaN;
  private lastBucketKey = '';
  private lastBucketRows: ReadonlyMap<string, RowData> | undefined;

  constructor(private readonly loaded: ReadonlyMap<string, PartitionSnapshot>) {}

  /**
   * The row of the first use of a token (`rowKey`: tokenRowKey of its key; read its network with
   * `firstUseNetwork`), undefined when the token has none yet, UNTRACKED when its partition was
   * not loaded. Rows, not FirstUse objects: every use asks, and only a replay needs the whole.
   */
  find(e: TokenUse, rowKey: string): RowData | undefined | typeof UNTRACKED {
    if (e.issuedAtMs !== undefined) {
      const bucket = firstUseBucket(e.issuedAtMs);
      if (bucket !== this.lastBucket || e.tenantId !== this.lastTenant) this.useBucket(e.tenantId, bucket);
      this.foundIn = this.lastBucketKey;
      // A row this batch replaced shadows the loaded one (rare: only a replace adds to the set).
      const replacedRow = this.replaced.size > 0 ? this.recorded.get(this.lastBucketKey)?.get(rowKey) : undefined;
      const row = replacedRow ?? this.lastBucketRows?.get(rowKey);
      if (row !== undefined) return row;
      const own = this.recorded.size > 0 ? this.recorded.get(this.lastBucketKey)?.get(rowKey) : undefined;
      return own ?? (this.lastBucketRows === undefined ? UNTRACKED : undefined);
    }
    const day = Math.floor(e.timeMs / DAY_MS);
    const todayKey = firstUseDayKey(e.tenantId, day);
    const today = this.readDay(todayKey, rowKey);
    this.foundIn = todayKey;
    if (today !== undefined) return today;
    const yesterdayKey = firstUseDayKey(e.tenantId, day - 1);
    const yesterday = this.readDay(yesterdayKey, rowKey);
    if (yesterday !== undefined && yesterday !== UNTRACKED) {
      this.foundIn = yesterdayKey;
      return yesterday;
    }
    // A use judged after a later one of its token from the next day (partitions lag across
    // midnight): that use's row is in the next day's partition, and this use, the earlier, replaces it.
    const tomorrowKey = firstUseDayKey(e.tenantId, day + 1);
    const tomorrow = this.readDay(tomorrowKey, rowKey);
    if (tomorrow !== undefined && tomorrow !== UNTRACKED) {
      this.foundIn = tomorrowKey;
      return tomorrow;
    }
    this.foundIn = yesterdayKey;
    return yesterday;
  }

  /**
   * A late use's token first use, read only: the recorded row when there is one, else the first of
   * the batch's own late uses of the token (noteLate). A late body that holds both uses of a
   * replayed token (a day of Activity records delivered days late) still shows the replay; neither
   * use is recorded, as a late use teaches nothing. A recorded use later than this one is not what
   * this use replays, and is left alone (BatchRun.judgeLaterReplay writes, and is not run for a late use).
   */
  findForLate(e: TokenUse, rowKey: string): RowData | undefined {
    const recorded = this.find(e, rowKey);
    return recorded !== undefined && recorded !== UNTRACKED ? recorded : this.lateUses.get(rowKey);
  }

  /** Notes a late use as its token's first in this batch, for findForLate only: nothing is written. */
  noteLate(rowKey: string, network: string, ip: string, atMs: number): void {
    this.lateUses.set(rowKey, { net: network, ip, at: atMs });
  }

  /**
   * Records the use as its token's first: `find` found none and the partition is tracked, or
   * (`replacing`) the row `find` just returned names a later use than this one.
   */
  record(e: TokenUse, rowKey: string, network: string, ip: string, replacing?: RowData): void {
    const partitionKey = replacing
      ? this.foundIn
      : e.issuedAtMs !== undefined
        ? firstUseBucketKey(e.tenantId, firstUseBucket(e.issuedAtMs))
        : firstUseDayKey(e.tenantId, Math.floor(e.timeMs / DAY_MS));
    if (replacing) this.replaced.add(`${partitionKey}\n${rowKey}`);
    // A replacing row keeps the use it displaced (`r…`): should the batch be judged again after
    // this row was written but not its alert (partitions commit one by one), the row still says
    // which later use replayed the token (displacedUse).
    const data: RowData = replacing ? { net: network, ip, at: e.timeMs, rnet: firstUseNetwork(replacing), rip: str(replacing, 'ip'), rat: firstUseAt(replacing) } : { net: network, ip, at: e.timeMs };
    let rows = this.recorded.get(partitionKey);
    if (rows === undefined) {
      rows = new Map();
      this.recorded.set(partitionKey, rows);
    }
    rows.set(rowKey, data);
  }

  changes(): RowChange[] {
    const out: RowChange[] = [];
    for (const [partitionKey, rows] of this.recorded) {
      for (const [rowKey, data] of rows) out.push({ kind: this.replaced.size > 0 && this.replaced.has(`${partitionKey}\n${rowKey}`) ? 'upsert' : 'create', partitionKey, rowKey, data });
    }
    return out;
  }

  private useBucket(tenantId: string, bucket: number): void {
    this.lastTenant = tenantId;
    this.lastBucket = bucket;
    this.lastBucketKey = firstUseBucketKey(tenantId, bucket);
    this.lastBucketRows = this.loaded.get(this.lastBucketKey)?.rows;
  }

  private readDay(partitionKey: string, rowKey: string): RowData | undefined | typeof UNTRACKED {
    const own = this.recorded.get(partitionKey)?.get(rowKey);
    if (own !== undefined) return own;
    const loaded = this.loaded.get(partitionKey);
    return loaded === undefined ? UNTRACKED : loaded.rows.get(rowKey);
  }
}

/** When the use a first-use row names happened (epoch ms). */
export function firstUseAt(row: RowData): number {
  const at = row['at'];
  return typeof at === 'number' ? at : num(row, 'at') ?? 0;
}

/** The network a first-use row names. */
export function firstUseNetwork(row: RowData): string {
  const network = row['net'];
  return typeof network === 'string' ? network : str(row, 'net');
}

/** The later use a replacing row displaced (see FirstUseRegistry.record), as a first-use row; undefined when none. */
export function displacedUse(row: RowData): RowData | undefined {
  const at = num(row, 'rat');
  return at === undefined ? undefined : { net: str(row, 'rnet'), ip: str(row, 'rip'), at };
}

/** The whole first use, for a replay's evidence. */
export function firstUseOf(row: RowData): FirstUse {
  return { network: firstUseNetwork(row), ip: str(row, 'ip'), atMs: firstUseAt(row) };
}
