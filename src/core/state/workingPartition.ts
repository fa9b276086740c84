import type { PartitionSnapshot, RowChange, RowData } from './partition';

export type { RowData } from './partition';

/**
 * A mutable working copy of one partition for the duration of a batch. It records which rows
 * changed so that the batch writes only those: a steady stream of known behaviour writes nothing.
 * Copy-on-write over the loaded snapshot: a large partition (a tenant's identity catalog) is not
 * copied for a batch that reads a few of its rows.
 */
export class WorkingPartition {
  private readonly base: ReadonlyMap<string, RowData>;
  /**
   * Rows written and deleted in this batch, created on the first change: most partitions of a
   * batch (one per identity it touches) are only read, and two empty collections each would be
   * most of what a batch allocates for its state.
   */
  private written: Map<string, RowData> | undefined;
  private deleted: Set<string> | undefined;

  /** `writeOnce`: every row is write-once, so changes are emitted unguarded (see RowChange). */
  constructor(readonly partitionKey: string, snapshot?: PartitionSnapshot, private readonly writeOnce = false) {
    this.base = snapshot?.rows ?? EMPTY_ROWS;
  }

  get(rowKey: string): RowData | undefined {
    if (this.written !== undefined) {
      const written = this.written.get(rowKey);
      if (written !== undefined) return written;
    }
    if (this.deleted !== undefined && this.deleted.has(rowKey)) return undefined;
    return this.base.get(rowKey);
  }

  *entries(): IterableIterator<[string, RowData]> {
    for (const [rowKey, row] of this.base) {
      if (this.written?.has(rowKey) || this.deleted?.has(rowKey)) continue;
      yield [rowKey, row];
    }
    if (this.written !== undefined) yield* this.written.entries();
  }

  /** Writes a row; a value equal to the current one is not a change. */
  set(rowKey: string, data: RowData): void {
    const current = this.get(rowKey);
    if (current && sameData(current, data)) return;
    (this.written ??= new Map()).set(rowKey, data);
    this.deleted?.delete(rowKey);
  }

  delete(rowKey: string): void {
    if (this.get(rowKey) === undefined) return;
    this.written?.delete(rowKey);
    if (this.base.has(rowKey)) (this.deleted ??= new Set()).add(rowKey);
  }

  get changed(): boolean {
    return (this.written?.size ?? 0) > 0 || (this.deleted?.size ?? 0) > 0;
  }

  changes(): RowChange[] {
    const out: RowChange[] = [];
    if (this.written !== undefined) {
      for (const rowKey of [...this.written.keys()].sort()) {
        out.push({ kind: 'upsert', partitionKey: this.partitionKey, rowKey, data: this.written.get(rowKey)!, ...(this.writeOnce ? { unguarded: true } : {}) });
      }
    }
    if (this.deleted !== undefined) for (const rowKey of [...this.deleted].sort()) out.push({ kind: 'delete', partitionKey: this.partitionKey, rowKey });
    return out;
  }
}

/** The rows of a partition that has none (never written to: a read-only map). */
export const EMPTY_ROWS: ReadonlyMap<string, RowData> = new Map();

function sameData(a: RowData, b: RowData): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => a[k] === b[k]);
}

export function num(data: RowData | undefined, key: string): number | undefined {
  const value = data?.[key];
  return typeof value === 'number' ? value : typeof value === 'string' && value !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined;
}

export function str(data: RowData | undefined, key: string): string {
  const value = data?.[key];
  return typeof value === 'string' ? value : value === undefined ? '' : String(value);
}
