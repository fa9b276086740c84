/**
 * The tenant catalog: which Managed Identities a tenant has (object id, app id, name, owning
 * resource), learnt from their sign-ins and from the `xms_mirid` claim of their uses, kept as
 * `mi|<objectId>` rows of the tenant partition beside the `meta` row (the tenant's first event,
 * which starts its learning period). Loaded catalogs are indexed once per snapshot.
 */
import type { TokenIssuance } from '../records/auditEvent';
import type { PartitionSnapshot } from '../state/partition';
import { num, str, WorkingPartition, type RowData } from '../state/workingPartition';
import { catalogRowKey, identityPartitionKey, TENANT_META_ROW, tenantPartitionKey } from './partitionKeys';

/** Azure Arc-enabled servers, in any casing (tested without lower-casing a copy of the id: every use asks). */
const ARC_MARKER = /\/providers\/microsoft\.hybridcompute\/machines\//i;

/** What a catalog row says about a Managed Identity. */
export interface CatalogFields {
  readonly objectId: string;
  readonly appId: string;
  readonly name: string;
  readonly resourceId: string;
}

export interface CatalogEntry extends CatalogFields {
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

export function catalogEntry(tenantId: string, fields: CatalogFields): CatalogEntry {
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

export interface CatalogIndex {
  readonly byObjectId: ReadonlyMap<string, CatalogEntry>;
  readonly byAppId: ReadonlyMap<string, CatalogEntry>;
}

/**
 * Catalog indexes by loaded snapshot: the state store hands out the same row map for a cached
 * partition, so a tenant's catalog (one row per identity) is indexed once, not once per batch.
 */
const catalogIndexes = new WeakMap<ReadonlyMap<string, RowData>, CatalogIndex>();

export function catalogIndexOf(tenantId: string, rows: ReadonlyMap<string, RowData>): CatalogIndex {
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

export const EMPTY_INDEX: CatalogIndex = { byObjectId: new Map(), byAppId: new Map() };

/** The tenant partition: the earliest event seen, and the catalog of known Managed Identities. */
export class TenantCatalog {
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
