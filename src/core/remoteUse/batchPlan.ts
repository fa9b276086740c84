/**
 * Planning a batch: which partitions the remote-use detector must load before it can judge the
 * batch's events (the tenants first, then the identities the events name), and what planning
 * learnt on the way, handed on to judging so that it does not look the same identities up again.
 */
import type { AuditEvent, TokenIssuance, TokenUse } from '../records/auditEvent';
import type { PartitionSnapshot } from '../state/partition';
import { catalogIndexOf, EMPTY_INDEX, type CatalogEntry, type CatalogIndex } from './catalog';
import { firstUsePartitionsOf, FirstUseSpan, identityPartitionKey, tenantPartitionKey } from './partitionKeys';

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
    /** The partitions to load after the tenants' (identities and token first uses, never a tenant key), each once, in no particular order. */
    readonly partitionKeys: readonly string[],
    /** Per event (same index): the loaded catalog's entry for its object id, when planning found one. */
    readonly catalogued: readonly (CatalogEntry | undefined)[],
    /** The catalog index planning read per tenant: judging trusts `catalogued` only against the same one. */
    readonly indexes: ReadonlyMap<string, CatalogIndex>,
  ) {}
}

/** The last stamp planBatch took (see CatalogEntry.plannedIn). */
let planStamps = 0;

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
    tenant.span.add(e);
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
  for (const [tenantId, batch] of tenants) {
    indexes.set(tenantId, batch.index);
    for (const key of firstUsePartitionsOf(tenantId, batch.span)) partitionKeys.push(key);
  }
  return new BatchPlan(events, partitionKeys, entries, indexes);
}

/** One tenant of a batch while its partitions are planned: the loaded catalog and the batch's sign-ins. */
interface BatchTenant {
  readonly tenantId: string;
  readonly index: CatalogIndex;
  readonly issued: BatchIssuances;
  /** Which first-use partitions the tenant's uses can read (firstUsePartitionsOf). */
  readonly span: FirstUseSpan;
}

function batchTenant(tenants: Map<string, BatchTenant>, tenantId: string, loaded: ReadonlyMap<string, PartitionSnapshot>): BatchTenant {
  let tenant = tenants.get(tenantId);
  if (!tenant) {
    const catalog = loaded.get(tenantPartitionKey(tenantId));
    tenant = { tenantId, index: catalog ? catalogIndexOf(tenantId, catalog.rows) : EMPTY_INDEX, issued: new BatchIssuances(), span: new FirstUseSpan() };
    tenants.set(tenantId, tenant);
  }
  return tenant;
}

/**
 * A tenant's sign-ins in one batch, keyed by the ids as parsed. Per tenant rather than by
 * `tenant|id` strings: joining and hashing three such strings per sign-in was most of planning.
 */
export class BatchIssuances {
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
