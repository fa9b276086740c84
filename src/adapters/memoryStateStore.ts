import { rowAddressKey, type DerivedRows, type PartitionSnapshot, type RowAddress, type RowChange, type RowData } from '../core/state/partition';
import { isExpiredPartition, parseWriteOncePartitionKey, type WriteOnceFamily } from '../core/remoteUse/stateRetention';
import { commitPhases, type CommitResult, type ExpiringStateStore, type StateDeletion, type StateStore } from './stateStore';

/**
 * The in-memory twin of the Table Storage state store, with the same guard semantics: each
 * partition has a version; a partition loaded at version v can be written only while it is
 * still at v. Several instances can share one `MemoryStateBackend` to imitate concurrent hosts.
 */
export class MemoryStateBackend {
  readonly partitions = new Map<string, StoredPartition>();
  /** Counts calls the way Table Storage would bill them: one per partition read, one per transaction. */
  reads = 0;
  transactions = 0;
  failNext: Error | undefined;
}

/**
 * One version of a partition, and the snapshot every load of that version hands out (see
 * PartitionSnapshot.derived); the version it carries is what a write judged on it is guarded by.
 * Commit replaces it instead of changing it (copy-on-write) once a load has handed it out.
 */
export class StoredPartition implements PartitionSnapshot {
  derived?: DerivedRows;
  /**
   * Whether a load handed this version out. Until one has, nothing outside the backend holds its
   * rows, so a commit writes into them instead of copying: write-once partitions (token buckets,
   * the suppression ledger) are never loaded, and copying an hour bucket's thousands of rows for
   * every batch's few was the twin's own cost, not the detector's.
   */
  handedOut = false;

  constructor(readonly partitionKey: string, readonly version: number, readonly rows: Map<string, RowData>) {}
}

export class MemoryStateStore implements StateStore, ExpiringStateStore {
  constructor(readonly backend: MemoryStateBackend = new MemoryStateBackend()) {}

  async load(partitionKeys: readonly string[]): Promise<Map<string, PartitionSnapshot>> {
    this.throwIfFailing();
    const out = new Map<string, PartitionSnapshot>();
    for (const key of partitionKeys) {
      this.backend.reads++;
      // Copy-on-write: a stored version is its own snapshot; commit replaces it instead of mutating it.
      const stored = this.backend.partitions.get(key) ?? new StoredPartition(key, 0, new Map<string, RowData>());
      stored.handedOut = true;
      out.set(key, stored);
    }
    return out;
  }

  async readRows(addresses: readonly RowAddress[]): Promise<Map<string, RowData>> {
    this.throwIfFailing();
    const out = new Map<string, RowData>();
    for (const address of addresses) {
      this.backend.reads++;
      const row = this.backend.partitions.get(address.partitionKey)?.rows.get(address.rowKey);
      if (row) out.set(rowAddressKey(address), row);
    }
    return out;
  }

  async commit(changes: readonly RowChange[], judgedOn: ReadonlyMap<string, PartitionSnapshot>): Promise<CommitResult> {
    this.throwIfFailing();
    const conflicts: string[] = [];
    let written = 0;
    const { judged, unguarded } = commitPhases(changes);
    for (const [key, group] of judged) {
      if (this.writePartition(key, group, judgedOn)) written++;
      else conflicts.push(key);
    }
    // Unguarded rows only once the judgement they record stands (see StateStore).
    if (conflicts.length === 0) for (const [key, group] of unguarded) if (this.writePartition(key, group, judgedOn)) written++;
    return { written, conflicts };
  }

  /** Writes one partition's changes; false when they conflict with its stored version (nothing written). */
  private writePartition(key: string, group: readonly RowChange[], judgedOn: ReadonlyMap<string, PartitionSnapshot>): boolean {
    const existing = this.backend.partitions.get(key);
    if (group.every((c) => c.kind === 'create')) return this.createRows(key, existing, group);
    const version = existing?.version ?? 0;
    const guarded = group.some((c) => c.kind !== 'upsert' || !c.unguarded);
    const judged = judgedOn.get(key);
    const loaded = judged instanceof StoredPartition ? judged.version : undefined;
    // Creates among guarded changes (a first-use partition whose row an earlier use replaces)
    // still fail on a row that exists: insert-only writers do not move the version.
    if ((guarded && loaded !== version) || (existing !== undefined && group.some((c) => c.kind === 'create' && existing.rows.has(c.rowKey)))) return false;
    // 99 changes per transaction: the 100-operation limit less the guard row.
    this.backend.transactions += Math.ceil(group.length / 99);
    const rows = existing === undefined ? new Map<string, RowData>() : existing.handedOut ? new Map(existing.rows) : existing.rows;
    for (const change of group) {
      if (change.kind === 'delete') rows.delete(change.rowKey);
      else rows.set(change.rowKey, { ...change.data });
    }
    this.backend.partitions.set(key, new StoredPartition(key, version + 1, rows));
    return true;
  }

  /**
   * An insert-only partition (every change a create): fails, writing nothing, when one of the rows
   * exists, as a Table Storage transaction of inserts does; else adds the rows to the stored copy
   * in place, even one a load handed out (the partition only grows; see RowChange 'create').
   */
  private createRows(key: string, existing: StoredPartition | undefined, group: readonly RowChange[]): boolean {
    if (existing !== undefined && group.some((c) => existing.rows.has(c.rowKey))) return false;
    // 100 inserts per transaction: no guard row.
    this.backend.transactions += Math.ceil(group.length / 100);
    const stored = existing ?? new StoredPartition(key, 0, new Map<string, RowData>());
    for (const change of group) if (change.kind === 'create') stored.rows.set(change.rowKey, { ...change.data });
    if (existing === undefined) this.backend.partitions.set(key, stored);
    return true;
  }

  async deleteExpiredPartitions(firstKeptDays: Readonly<Record<WriteOnceFamily, string>>): Promise<StateDeletion> {
    this.throwIfFailing();
    let rows = 0;
    let partitions = 0;
    const tenants: Record<WriteOnceFamily, Set<string>> = { tok: new Set(), use: new Set(), sup: new Set() };
    for (const [key, stored] of this.backend.partitions) {
      const parsed = parseWriteOncePartitionKey(key);
      if (parsed === undefined) continue;
      tenants[parsed.family].add(parsed.tenantKey);
      if (!isExpiredPartition(key, firstKeptDays) || stored.rows.size === 0) continue;
      rows += stored.rows.size;
      partitions++;
      this.backend.transactions += Math.ceil(stored.rows.size / 100);
      this.backend.partitions.delete(key);
    }
    return { firstKeptDays, tenants: { tok: tenants.tok.size, use: tenants.use.size, sup: tenants.sup.size }, partitions, rows };
  }

  private throwIfFailing(): void {
    const error = this.backend.failNext;
    if (error) {
      this.backend.failNext = undefined;
      throw error;
    }
  }
}
