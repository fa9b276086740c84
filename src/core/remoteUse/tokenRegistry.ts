/**
 * The token registry: tokens issued to Managed Identities, one write-once row per sign-in in the
 * tenant's hour bucket of its issuance (`tok|<tenant>|<yyyymmddhh>`), so that an alert can name
 * the issuance of the token it saw used (by `uti` / `signInActivityId`).
 */
import type { TokenIssuance } from '../records/auditEvent';
import type { RowAddress, RowChange } from '../state/partition';
import { num, str, type RowData } from '../state/workingPartition';
import { tokenBucketCandidates, tokenBucketKey, tokenRowKey } from './partitionKeys';
import { WriteOncePartitions } from './writeOncePartitions';

export interface RegisteredToken {
  readonly objectId: string;
  readonly appId: string;
  readonly name: string;
  readonly issuedAt: number;
}

export function registeredToken(data: RowData, fallbackIssuedAt: number): RegisteredToken {
  return { objectId: str(data, 'objectId'), appId: str(data, 'appId'), name: str(data, 'name'), issuedAt: num(data, 'issuedAt') ?? fallbackIssuedAt };
}

/**
 * Tokens issued to Managed Identities: this batch's sign-ins, registered in their hour buckets
 * (write-once rows written blind: a redelivered sign-in writes the same row again). Tokens issued
 * in earlier batches are not loaded; alerts that cite one are linked by `linkIssuances`.
 */
export class TokenRegistry {
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
