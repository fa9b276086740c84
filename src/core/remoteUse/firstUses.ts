/**
 * The first use of every token: the network, address and time a Managed Identity token was first
 * seen used from, so a later use from another network proves the token was copied (a replay).
 * One row per token, written once, in partitions by 6 hours of the token's issuance (`use|<tenant>|
 * <yyyymmddhh>`, hh 00/06/12/18) or, for tokens whose uses carry no issue time (Storage's
 * `identity.tokenHash`), by the day of the first use (`use|<tenant>|<yyyymmdd>`): a batch's new
 * tokens land in one or two partitions and cost a transaction per 100 rows. Nothing reads a
 * partition once its tokens have expired (24 hours), so the rows age out of use by themselves.
 *
 * The rows are written as creates (insert-only partitions, RowChange 'create'): two instances that
 * each saw a different first use of the same token must not both win, so the second one's write
 * conflicts, it reloads and judges its use again as the replay it is. The partitions a batch
 * loads are planned from its time span (partitionKeys.firstUsePartitionsBetween).
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
      const row = this.lastBucketRows?.get(rowKey);
      if (row !== undefined) return row;
      const own = this.recorded.size > 0 ? this.recorded.get(this.lastBucketKey)?.get(rowKey) : undefined;
      return own ?? (this.lastBucketRows === undefined ? UNTRACKED : undefined);
    }
    const day = Math.floor(e.timeMs / DAY_MS);
    const today = this.readDay(firstUseDayKey(e.tenantId, day), rowKey);
    return today === undefined ? this.readDay(firstUseDayKey(e.tenantId, day - 1), rowKey) : today;
  }

  /** Records the use as its token's first (`find` found none and the partition is tracked). */
  record(e: TokenUse, rowKey: string, network: string, ip: string): void {
    const partitionKey = e.issuedAtMs !== undefined ? firstUseBucketKey(e.tenantId, firstUseBucket(e.issuedAtMs)) : firstUseDayKey(e.tenantId, Math.floor(e.timeMs / DAY_MS));
    let rows = this.recorded.get(partitionKey);
    if (rows === undefined) {
      rows = new Map();
      this.recorded.set(partitionKey, rows);
    }
    rows.set(rowKey, { net: network, ip, at: e.timeMs });
  }

  changes(): RowChange[] {
    const out: RowChange[] = [];
    for (const [partitionKey, rows] of this.recorded) for (const [rowKey, data] of rows) out.push({ kind: 'create', partitionKey, rowKey, data });
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

/** The network a first-use row names. */
export function firstUseNetwork(row: RowData): string {
  const network = row['net'];
  return typeof network === 'string' ? network : str(row, 'net');
}

/** The whole first use, for a replay's evidence. */
export function firstUseOf(row: RowData): FirstUse {
  return { network: firstUseNetwork(row), ip: str(row, 'ip'), atMs: num(row, 'at') ?? 0 };
}
