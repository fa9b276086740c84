import { odata, RestError, type TableClient, type TableEntity } from '@azure/data-tables';
import { LRUCache } from 'lru-cache';
import { rowAddressKey, type PartitionSnapshot, type RowAddress, type RowChange, type RowData, type RowValue } from '../core/state/partition';
import { commitPhases, StateStoreError, type CommitResult, type RefusedRow, type StateStore } from './stateStore';
import { operationSize, submitStorable, transactionChunks, type EntityOperation, type RefusedOperation } from './tableTransaction';
import { appendAll } from '../core/arrays';

/**
 * The state store on Azure Table Storage.
 *
 * One detector partition = one Table Storage partition. A partition is read with one query
 * (paged), kept in a bounded LRU cache, and written in entity-group transactions (up to 100
 * operations each). Writes to a loaded partition are guarded by a version row (`~v`): the first
 * transaction updates it with the ETag seen at load time (or creates it), so a concurrent writer
 * makes the transaction fail with 412/409 atomically; the partition is then reported as a
 * conflict, dropped from the cache, and the caller reloads and judges again. Partitions whose
 * changes are all write-once rows are written without the guard, as inserts that fall back to
 * upserts when the rows exist (submitWriteOnce); such a partition stays cached
 * after the write only when it is a refreshed one (see `refresh`), so its view of other writers'
 * rows is never older than the refresh period.
 *
 * A row Table Storage cannot hold (a value over 64 KiB, an entity over 1 MiB, or a number JSON
 * cannot carry) is checked for before sending and left out; transactions are cut at 4 MiB of body
 * as well as at 100 operations; and a row the service still refuses for its size is left out and
 * the rest sent again (submitStorable). Each such row is reported in CommitResult.refused (see
 * RefusedRow for why that is a reject and not a thrown error); the partition's other rows, its
 * guard, and the other partitions are written.
 */
export interface TableStateStoreOptions {
  /** Most partitions kept in memory (LRU). */
  readonly cachePartitions: number;
  /**
   * Most rows kept in memory over all cached partitions (LRU; default DEFAULT_CACHE_ROWS). An
   * identity partition holds a few rows, a tenant catalog one per identity: bounding partitions
   * alone would let a few large ones outgrow the heap. A partition larger than the bound is not
   * kept and is read again when next needed.
   */
  readonly cacheRows?: number;
  /**
   * Partitions whose key starts with one of these prefixes are re-read after this many ms of wall
   * time even when cached: shared tenant-wide state (the identity catalog) that other instances
   * extend without this instance writing it.
   */
  readonly refresh?: { readonly prefixes: readonly string[]; readonly afterMs: number };
  /** Requests in flight at once when a batch loads, writes or reads many partitions or rows. */
  readonly loadConcurrency?: number;
}

/** About 90 MB of cached rows per store (~360 bytes of heap each, measured for rows of four fields) under the deployed 384 MB heap. */
export const DEFAULT_CACHE_ROWS = 250_000;

const VERSION_ROW = '~v';
const SYSTEM_KEYS = new Set(['partitionKey', 'rowKey', 'etag', 'timestamp', 'odata.metadata', 'odata.etag']);

interface CachedPartition {
  readonly rows: Map<string, RowData>;
  /** ETag of the version row when loaded; undefined = no version row existed. */
  readonly versionEtag: string | undefined;
  readonly version: number;
  /** The snapshot of this version, made on its first load: every load of it hands out the same one (see PartitionSnapshot.derived). */
  snapshot?: PartitionSnapshot;
}

/**
 * The version a handed-out snapshot was loaded at, carried by the snapshot itself (the core never
 * reads it): apart from the LRU, so eviction cannot lose a guard, and per snapshot, so concurrent
 * invocations each write against what they judged (one store serves every invocation of its
 * function on this instance).
 */
const LOADED_AT = Symbol('loadedAt');
type LoadedSnapshot = PartitionSnapshot & { readonly [LOADED_AT]?: CachedPartition };

export class TableStateStore implements StateStore {
  private readonly cache: LRUCache<string, CachedPartition>;

  constructor(private readonly client: TableClient, private readonly options: TableStateStoreOptions) {
    this.cache = new LRUCache<string, CachedPartition>({
      max: Math.max(1, options.cachePartitions),
      maxSize: Math.max(1, options.cacheRows ?? DEFAULT_CACHE_ROWS),
      sizeCalculation: (partition) => partition.rows.size + 1,
      ttlAutopurge: false,
    });
  }

  async load(partitionKeys: readonly string[]): Promise<Map<string, PartitionSnapshot>> {
    const out = new Map<string, PartitionSnapshot>();
    const missing: string[] = [];
    for (const key of partitionKeys) {
      const cached = this.cache.get(key);
      if (cached) out.set(key, this.snapshotOf(key, cached));
      else missing.push(key);
    }
    const partitions = await this.inWaves(missing, (key) => this.readPartition(key));
    missing.forEach((key, j) => {
      const partition = partitions[j]!;
      this.remember(key, partition);
      out.set(key, this.snapshotOf(key, partition));
    });
    return out;
  }

  async commit(changes: readonly RowChange[], judgedOn: ReadonlyMap<string, PartitionSnapshot>): Promise<CommitResult> {
    const conflicts: string[] = [];
    const refused: RefusedRow[] = [];
    let written = 0;
    const { judged, unguarded } = commitPhases(changes);
    const write = async (groups: readonly [string, RowChange[]][]): Promise<void> => {
      // Partitions are independent: write them concurrently, a bounded number at a time.
      const results = await this.inWaves(groups, ([key, group]) => this.commitPartition(key, group, judgedOn.get(key)));
      results.forEach((result, j) => {
        const key = groups[j]![0];
        if (result === CONFLICT) {
          conflicts.push(key);
          return;
        }
        written++;
        // Only rows of written partitions: a conflicting one is judged again, and its rows come back.
        for (const { operation, problem } of result) refused.push({ partitionKey: key, rowKey: operation.rowKey, ...problem });
      });
    };
    await write(judged);
    // Unguarded rows only once the judgement they record stands (see StateStore).
    if (conflicts.length === 0) await write(unguarded);
    return refused.length > 0 ? { written, conflicts, refused } : { written, conflicts };
  }

  /** CONFLICT on a guard conflict (nothing of the partition was written), else the rows left out. */
  private async commitPartition(key: string, group: readonly RowChange[], judged: PartitionSnapshot | undefined): Promise<RefusedOperation[] | typeof CONFLICT> {
    if (group.every((c) => c.kind === 'create')) return this.createRows(key, group);
    const guarded = group.some((c) => c.kind !== 'upsert' || !c.unguarded);
    const loaded = (judged as LoadedSnapshot | undefined)?.[LOADED_AT];
    if (guarded && !loaded) {
      // Not judged on a snapshot of this store: cannot be guarded, reload first.
      this.cache.delete(key);
      return CONFLICT;
    }
    // An unguarded partition merges its rows into what this instance holds of it, if anything.
    const base = loaded ?? this.cache.get(key);
    // A create stays an insert among guarded changes: insert-only writers do not move the version row.
    // Write-once rows are inserted too (see submitWriteOnce).
    const { storable: operations, refused } = storableOperations(key, group.map((c) => (c.kind === 'delete' ? { op: 'delete', rowKey: c.rowKey } : { op: c.kind === 'create' || !guarded ? 'create' : 'upsert', rowKey: c.rowKey, data: c.data })));
    // Nothing left to write: the guard alone would only move the version.
    if (operations.length === 0) return refused;
    const nextVersion = (base?.version ?? 0) + 1;
    if (guarded) {
      const versionData = { n: nextVersion };
      operations.unshift(base?.versionEtag ? { op: 'replace', rowKey: VERSION_ROW, data: versionData, ifMatch: base.versionEtag } : { op: 'create', rowKey: VERSION_ROW, data: versionData });
    }
    let versionEtag = base?.versionEtag;
    const chunks = transactionChunks(key, operations);
    for (let i = 0; i < chunks.length; i++) {
      try {
        const response = guarded ? await submitStorable(this.client, key, chunks[i]!, isDataRow) : await this.submitWriteOnce(key, chunks[i]!);
        appendAll(refused, response.refused);
        // Sub-responses carry status and ETag but no keys, in the order of the actions: the guard
        // is the first action of the first chunk (and of its first transaction when it is split).
        if (i === 0 && guarded) versionEtag = response.first?.subResponses[0]?.etag ?? versionEtag;
      } catch (error) {
        // Only the first chunk carries the guard; a conflict there means nothing was written.
        if (i === 0 && guarded && isConflict(error)) {
          this.cache.delete(key);
          return CONFLICT;
        }
        this.cache.delete(key);
        throw new StateStoreError(`table state: writing partition ${key} failed: ${describe(error)}`, { cause: error });
      }
    }
    if (base) {
      const rows = new Map(base.rows);
      const left = refused.length > 0 ? new Set(refused.map((r) => r.operation.rowKey)) : undefined;
      for (const c of group) {
        if (left?.has(c.rowKey)) continue; // not in the table: the cache holds what the table does
        if (c.kind === 'delete') rows.delete(c.rowKey);
        else rows.set(c.rowKey, c.data);
      }
      if (guarded) this.remember(key, { rows, versionEtag, version: nextVersion });
      else if (this.refreshAfterMs(key) !== undefined) {
        // Other writers' rows may be missing from an unguarded partition, which is why it is a
        // refreshed one: keep it with our rows added until its refresh is due (not a minute more).
        const remaining = this.cache.getRemainingTTL(key);
        if (remaining > 0 && Number.isFinite(remaining)) this.cache.set(key, { rows, versionEtag: base.versionEtag, version: base.version }, { ttl: remaining });
        else this.cache.delete(key);
      } else this.cache.delete(key); // nothing would ever re-read it: read it again next time
    }
    return refused;
  }

  /**
   * Write-once rows (RowChange `unguarded`: every writer writes the same data under the same key)
   * are sent as inserts, which Table Storage bills as it bills upserts: a row is new except when
   * its batch is delivered again. An insert that finds its row (409) sends its transaction again as
   * upserts, which write the same data. Why not upserts at once: Azurite looks an upserted row up
   * in its partition twice and an inserted one once, and token buckets are most of what a batch
   * writes (docs/performance.md).
   */
  private async submitWriteOnce(key: string, inserts: readonly EntityOperation[]): ReturnType<typeof submitStorable> {
    try {
      return await submitStorable(this.client, key, inserts);
    } catch (error) {
      if (!isConflict(error)) throw error;
      return submitStorable(this.client, key, inserts.map((o) => (o.op === 'create' ? { op: 'upsert', rowKey: o.rowKey, data: o.data } : o)));
    }
  }

  /**
   * An insert-only partition (every change a create: RowChange 'create'): inserts without the
   * version guard, 100 per transaction. A row that exists already (another writer's first, or this
   * batch's own on a redelivery) fails its transaction with 409: the partition is reported as a
   * conflict and dropped from the cache, so the batch reloads it and is judged again on it. On
   * success the rows join the cached copy in place: the partition only grows, so the copy is not
   * made again for every batch's few hundred rows.
   */
  private async createRows(key: string, group: readonly RowChange[]): Promise<RefusedOperation[] | typeof CONFLICT> {
    const creates: EntityOperation[] = [];
    for (const c of group) if (c.kind === 'create') creates.push({ op: 'create', rowKey: c.rowKey, data: c.data });
    const { storable, refused } = storableOperations(key, creates);
    for (const chunk of transactionChunks(key, storable)) {
      try {
        appendAll(refused, (await submitStorable(this.client, key, chunk)).refused);
      } catch (error) {
        this.cache.delete(key);
        // A later chunk's conflict leaves the earlier chunks written: the reload shows them.
        if (isConflict(error)) return CONFLICT;
        throw new StateStoreError(`table state: writing partition ${key} failed: ${describe(error)}`, { cause: error });
      }
    }
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      const left = refused.length > 0 ? new Set(refused.map((r) => r.operation.rowKey)) : undefined;
      for (const c of group) if (c.kind === 'create' && !left?.has(c.rowKey)) cached.rows.set(c.rowKey, c.data);
      // Set again, so the cache counts the grown partition's rows.
      this.cache.set(key, cached);
    }
    return refused;
  }

  /**
   * Takes partitions into the cache without reading them, for a caller that has just written
   * exactly these rows to the table itself (and no version rows): the benchmark seeds a table from
   * a warm-up run in memory. Guarded writes to them then create their version rows.
   */
  adopt(partitions: ReadonlyMap<string, PartitionSnapshot>): void {
    for (const [key, snapshot] of partitions) this.remember(key, { rows: new Map(snapshot.rows), versionEtag: undefined, version: 0 });
  }

  private snapshotOf(key: string, partition: CachedPartition): PartitionSnapshot {
    if (!partition.snapshot) {
      const snapshot: LoadedSnapshot = { partitionKey: key, rows: partition.rows, [LOADED_AT]: partition };
      partition.snapshot = snapshot;
    }
    return partition.snapshot;
  }

  private async readPartition(key: string): Promise<CachedPartition> {
    const rows = new Map<string, RowData>();
    let versionEtag: string | undefined;
    let version = 0;
    try {
      const pages = this.client.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${key}` } }).byPage({ maxPageSize: 1000 });
      for await (const page of pages) {
        for (const entity of page) {
          const rowKey = String(entity.rowKey);
          if (rowKey === VERSION_ROW) {
            versionEtag = entity.etag;
            version = Number(entity['n'] ?? 0);
            continue;
          }
          rows.set(rowKey, fromEntity(entity));
        }
      }
    } catch (error) {
      throw new StateStoreError(`table state: reading partition ${key} failed: ${describe(error)}`, { cause: error });
    }
    return { rows, versionEtag, version };
  }

  async readRows(addresses: readonly RowAddress[]): Promise<Map<string, RowData>> {
    const out = new Map<string, RowData>();
    const entities = await this.inWaves(addresses, (address) => readEntity(this.client, address));
    addresses.forEach((address, j) => {
      const entity = entities[j];
      if (entity) out.set(rowAddressKey(address), fromEntity(entity));
    });
    return out;
  }

  /** `request` for every item, `loadConcurrency` (default 16) in flight at a time; results in item order. */
  private async inWaves<T, R>(items: readonly T[], request: (item: T) => Promise<R>): Promise<R[]> {
    const concurrency = Math.max(1, this.options.loadConcurrency ?? 16);
    const results: R[] = [];
    for (let i = 0; i < items.length; i += concurrency) appendAll(results, await Promise.all(items.slice(i, i + concurrency).map(request)));
    return results;
  }

  private refreshAfterMs(key: string): number | undefined {
    const refresh = this.options.refresh;
    return refresh && refresh.prefixes.some((p) => key.startsWith(p)) ? refresh.afterMs : undefined;
  }

  private remember(key: string, partition: CachedPartition): void {
    const ttl = this.refreshAfterMs(key);
    this.cache.set(key, partition, ttl !== undefined ? { ttl } : {});
  }
}

/** One entity for the SDK's single-entity calls, in the encoding transactions write (entityJson): numbers as Edm.Double, since epoch milliseconds exceed Int32 and Int64 would read back as bigint. */
export function toEntity(partitionKey: string, rowKey: string, data: Readonly<Record<string, RowValue>>): TableEntity<Record<string, unknown>> {
  const entity: TableEntity<Record<string, unknown>> = { partitionKey, rowKey };
  for (const [name, value] of Object.entries(data)) entity[name] = typeof value === 'number' ? { value, type: 'Double' } : value;
  return entity;
}

function fromEntity(entity: Record<string, unknown>): Record<string, RowValue> {
  const data: Record<string, RowValue> = {};
  for (const [name, value] of Object.entries(entity)) {
    if (SYSTEM_KEYS.has(name) || name.includes('@odata')) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') data[name] = value;
    else if (typeof value === 'bigint') data[name] = Number(value);
    else if (value instanceof Date) data[name] = value.getTime();
  }
  return data;
}

/** One entity by its keys (a point read), undefined when it does not exist; other failures throw StateStoreError. */
export async function readEntity(client: TableClient, address: RowAddress): Promise<Record<string, unknown> | undefined> {
  try {
    return await client.getEntity<Record<string, unknown>>(address.partitionKey, address.rowKey);
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return undefined;
    throw new StateStoreError(`table state: reading row ${address.rowKey} of ${address.partitionKey} failed: ${describe(error)}`, { cause: error });
  }
}

/** What commitPartition returns when another writer got there first. */
const CONFLICT = Symbol('conflict');

/** Every operation but the partition's guard may be left out when the service refuses it. */
function isDataRow(operation: EntityOperation): boolean {
  return operation.rowKey !== VERSION_ROW;
}

/** The operations Table Storage can hold, and the others with their problem (checked before sending). */
function storableOperations(partitionKey: string, operations: readonly EntityOperation[]): { storable: EntityOperation[]; refused: RefusedOperation[] } {
  const storable: EntityOperation[] = [];
  const refused: RefusedOperation[] = [];
  for (const operation of operations) {
    const problem = operationSize(partitionKey, operation).problem;
    if (problem === undefined) storable.push(operation);
    else refused.push({ operation, problem });
  }
  return { storable, refused };
}

function isConflict(error: unknown): boolean {
  return error instanceof RestError && (error.statusCode === 412 || error.statusCode === 409);
}

function describe(error: unknown): string {
  if (error instanceof RestError) return `${error.statusCode ?? 'no status'} ${error.code ?? ''} ${error.message.split('\n')[0] ?? ''}`.trim();
  return error instanceof Error ? error.message : String(error);
}
