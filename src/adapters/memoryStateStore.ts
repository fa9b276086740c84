import { rowAddressKey, type PartitionSnapshot, type RowAddress, type RowChange, type RowData } from '../core/state/partition';
import { groupByPartition, type CommitResult, type StateStore } from './stateStore';

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

/** One version of a partition. Commit replaces it instead of changing it (copy-on-write). */
export interface StoredPartition {
  readonly version: number;
  readonly rows: Map<string, RowData>;
  /** The snapshot of this version, made on its first load: every load of the same version hands out the same one (see PartitionSnapshot.derived). */
  snapshot?: LoadedSnapshot;
}

/** The version a handed-out snapshot was loaded at, on the snapshot itself: concurrent batches each keep their own. */
const LOADED_VERSION = Symbol('loadedVersion');
type LoadedSnapshot = PartitionSnapshot & { readonly [LOADED_VERSION]?: number };

export class MemoryStateStore implements StateStore {
  constructor(readonly backend: MemoryStateBackend = new MemoryStateBackend()) {}

  async load(partitionKeys: readonly string[]): Promise<Map<string, PartitionSnapshot>> {
    this.throwIfFailing();
    const out = new Map<string, PartitionSnapshot>();
    for (const key of partitionKeys) {
      this.backend.reads++;
      const stored = this.backend.partitions.get(key);
      // Copy-on-write: snapshots share the stored map; commit replaces it instead of mutating it.
      const snapshot: LoadedSnapshot = stored
        ? (stored.snapshot ??= { partitionKey: key, rows: stored.rows, [LOADED_VERSION]: stored.version })
        : { partitionKey: key, rows: new Map<string, RowData>(), [LOADED_VERSION]: 0 };
      out.set(key, snapshot);
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
    for (const [key, group] of groupByPartition(changes)) {
      const existing = this.backend.partitions.get(key);
      const stored: { version: number; rows: Map<string, RowData> } = { version: existing?.version ?? 0, rows: new Map<string, RowData>(existing?.rows ?? []) };
      const guarded = group.some((c) => c.kind === 'delete' || !c.unguarded);
      const loaded = (judgedOn.get(key) as LoadedSnapshot | undefined)?.[LOADED_VERSION];
      if (guarded && loaded !== stored.version) {
        conflicts.push(key);
        continue;
      }
      // 99 changes per transaction: the 100-operation limit less the guard row.
      this.backend.transactions += Math.ceil(group.length / 99);
      for (const change of group) {
        if (change.kind === 'upsert') stored.rows.set(change.rowKey, { ...change.data });
        else stored.rows.delete(change.rowKey);
      }
      stored.version++;
      this.backend.partitions.set(key, stored);
      written++;
    }
    return { written, conflicts };
  }

  private throwIfFailing(): void {
    const error = this.backend.failNext;
    if (error) {
      this.backend.failNext = undefined;
      throw error;
    }
  }
}
