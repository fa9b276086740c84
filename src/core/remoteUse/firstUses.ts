/**
 * The first use of every token: the network, address and time a Managed Identity token was first
 * seen used from, so a later use from another network proves the token was copied (a replay).
 * One row per token, written once, in partitions by 6 hours of the token's issuance (`use|<tenant>|
 * <yyyymmddhh>`, hh 00/06/12/18) or, for tokens whose uses carry no issue time (Storage's
 * `identity.tokenHash`), by the day of the first use (`use|<tenant>|<yyyymmdd>`): a batch's new
 * tokens land in one or two partitions and cost a transaction per 100 rows. Nothing reads a
 * partition once its tokens have expired (24 hours), so the rows age out of use by themselves.
 *
 * The rows are written guarded (not blind): two instances that each saw a different first use of
 * the same token must not both win, so the second one's write conflicts, it reloads and judges
 * its use again as the replay it is.
 */
import type { TokenUse } from '../records/auditEvent';
import type { PartitionSnapshot, RowChange } from '../state/partition';
import { num, str, WorkingPartition, type RowData } from '../state/workingPartition';
import { firstUseCandidates, tokenRowKey } from './partitionKeys';

export interface FirstUse {
  readonly network: string;
  readonly ip: string;
  readonly atMs: number;
}

/** The key a token's uses share: its id (`uti`, `signInActivityId`) or Storage's token hash; '' when neither. */
export function tokenKeyOf(e: TokenUse): string {
  return e.tokenId !== '' ? e.tokenId : e.tokenHash;
}

/** The first-use partitions a batch's uses may read: each use's candidates (see firstUseCandidates). */
export function firstUsePartitions(e: TokenUse): readonly string[] {
  return tokenKeyOf(e) !== '' ? firstUseCandidates(e.tenantId, e.issuedAtMs, e.timeMs) : [];
}

export class FirstUseRegistry {
  /** Partitions this batch wrote to, over their loaded snapshots. */
  private readonly written = new Map<string, WorkingPartition>();

  constructor(private readonly loaded: ReadonlyMap<string, PartitionSnapshot>) {}

  find(e: TokenUse, tokenKey: string): FirstUse | undefined {
    const rowKey = tokenRowKey(tokenKey);
    for (const partitionKey of firstUseCandidates(e.tenantId, e.issuedAtMs, e.timeMs)) {
      const working = this.written.get(partitionKey);
      const data = working !== undefined ? working.get(rowKey) : this.loaded.get(partitionKey)?.rows.get(rowKey);
      if (data !== undefined) return firstUseFrom(data);
    }
    return undefined;
  }

  /** Records the use as its token's first (the caller has found none). */
  record(e: TokenUse, tokenKey: string, network: string, ip: string): void {
    const partitionKey = firstUseCandidates(e.tenantId, e.issuedAtMs, e.timeMs)[0]!;
    let working = this.written.get(partitionKey);
    if (working === undefined) {
      working = new WorkingPartition(partitionKey, this.loaded.get(partitionKey));
      this.written.set(partitionKey, working);
    }
    working.set(tokenRowKey(tokenKey), { net: network, ip, at: e.timeMs });
  }

  changes(): RowChange[] {
    const out: RowChange[] = [];
    for (const partition of this.written.values()) for (const change of partition.changes()) out.push(change);
    return out;
  }
}

function firstUseFrom(data: RowData): FirstUse {
  return { network: str(data, 'net'), ip: str(data, 'ip'), atMs: num(data, 'at') ?? 0 };
}
