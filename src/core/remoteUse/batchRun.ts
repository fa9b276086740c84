/**
 * One batch of the remote-use detector, event by event in judging order: issuances register their
 * token and catalog their identity; uses are resolved to a Managed Identity and judged against its
 * baseline by the ladder; alerts pass dedup; learning and expiry become row changes.
 * This is where a use is judged (`BatchRun.judge`).
 */
import type { AlertRow, Severity } from '../alerts/alertRow';
import { alertId } from '../alerts/alertId';
import { decideDedup } from '../alerts/dedup';
import { rememberBounded } from '../boundedMemo';
import { recordKeyText, type AuditEvent, type TokenUse } from '../records/auditEvent';
import type { PartitionSnapshot, RowChange } from '../state/partition';
import { EMPTY_ROWS } from '../state/workingPartition';
import { baselineDaysOf, IN_BASELINE, LEARNED_AS_IS, learnedRow, NO_DAYS, rowFacts, type RowReader } from './baselineRows';
import { TenantCatalog, type CatalogEntry, type CatalogIndex } from './catalog';
import { CALLER_ADDRESS_MEMO_MAX, CallerAddress, callerAddressMemo, type CallerAddressMemo } from './callerAddress';
import { IdentityBaseline } from './identityBaseline';
import type { IssuanceLookup } from './issuanceLink';
import { judgeUse, type LadderOutcome } from './ladder';
import { dedupRowKey, tenantPartitionKey } from './partitionKeys';
import { resolveManagedIdentity } from './resolveIdentity';
import type { IpFacts, RemoteUseSettings } from './settings';
import { SuppressionLedger } from './suppressionLedger';
import { TokenRegistry } from './tokenRegistry';
import { useAlertRow, type UseRows } from './useAlert';

export interface RemoteUseSummary {
  issuances: number;
  uses: number;
  miUses: number;
  nonMiUses: number;
  userUses: number;
  other: Record<string, number>;
  alerts: Record<Severity, number>;
  /** Alerts deduplicated into an earlier alert's state (counted there too). */
  suppressed: number;
  /** Alerts emitted again for a redelivered trigger (same AlertId). */
  reemitted: number;
  learned: number;
  /** Uses from a scope the ladder does not act on, by scope. */
  byScope: Record<string, number>;
}

export interface RemoteUseResult {
  readonly alerts: AlertRow[];
  readonly changes: RowChange[];
  readonly summary: RemoteUseSummary;
  /**
   * Alerts whose token was not issued in this batch, with the rows that may register its issuance:
   * the caller reads those rows (point reads) and hands them to `linkIssuances`.
   */
  readonly issuanceLookups: IssuanceLookup[];
}


export class BatchRun {
  private readonly catalogs = new Map<string, TenantCatalog>();
  /** Identity baselines of the batch by partition key. */
  private readonly identities = new Map<string, IdentityBaseline>();
  private readonly tokens: TokenRegistry;
  private readonly suppressions: SuppressionLedger;
  private readonly alerts: AlertRow[] = [];
  private readonly issuanceLookups: IssuanceLookup[] = [];
  private readonly summary: RemoteUseSummary = {
    issuances: 0, uses: 0, miUses: 0, nonMiUses: 0, userUses: 0, other: {},
    alerts: { Low: 0, Medium: 0, High: 0 }, suppressed: 0, reemitted: 0, learned: 0, byScope: {},
  };
  private earliestMs = Infinity;

  private readonly addresses: CallerAddressMemo;

  constructor(
    private readonly partitions: ReadonlyMap<string, PartitionSnapshot>,
    private readonly settings: RemoteUseSettings,
    private readonly plannedIndexes: ReadonlyMap<string, CatalogIndex> | undefined,
  ) {
    this.addresses = callerAddressMemo(settings.classifyIp);
    this.tokens = new TokenRegistry(settings.tokenBucketShards);
    this.suppressions = new SuppressionLedger(settings.tokenBucketShards);
  }

  /** `planned`: the loaded catalog's entry for the event's object id, when planning found one (BatchPlan). */
  process(e: AuditEvent, planned: CatalogEntry | undefined): void {
    this.earliestMs = Math.min(this.earliestMs, e.timeMs);
    const catalog = this.catalog(e.tenantId);
    if (e.tenantId) catalog.observe(e.timeMs);
    if (e.kind === 'other') {
      this.summary.other[e.note] = (this.summary.other[e.note] ?? 0) + 1;
      return;
    }
    if (e.kind === 'issuance') {
      this.summary.issuances++;
      catalog.learnIssuance(e);
      this.tokens.add(e);
      return;
    }
    this.summary.uses++;
    if (e.principalType === 'user') {
      this.summary.userUses++;
      return;
    }
    const identity = resolveManagedIdentity(e, catalog, this.tokens, planned);
    if (!identity) {
      this.summary.nonMiUses++;
      return;
    }
    this.summary.miUses++;
    this.judge(e, identity, catalog);
  }

  private judge(e: TokenUse, identity: CatalogEntry, catalog: TenantCatalog): void {
    const { settings } = this;
    const address = this.callerAddress(e);
    const { asnKey, ipKey } = address;
    this.summary.byScope[address.scope] = (this.summary.byScope[address.scope] ?? 0) + 1;
    // Most uses only read their identity's rows: the working copy is made on the first write, and
    // until then the rows' day codes answer (BaselineDays), the rows themselves being read only
    // when a code cannot, an alert cites them, or learning rewrites them.
    const working = this.identities.size > 0 ? this.identities.get(identity.partitionKey) : undefined;
    const loaded = working ? undefined : this.partitions.get(identity.partitionKey);
    const rows: RowReader = working ? working.partition : loaded?.rows ?? EMPTY_ROWS;
    const days = working ? undefined : loaded ? baselineDaysOf(loaded) : NO_DAYS;
    const asnFacts = rowFacts(days, rows, asnKey, e.timeMs, settings.baselineWindowMs);
    const ipFacts = rowFacts(days, rows, ipKey, e.timeMs, settings.baselineWindowMs);
    const allowlistEntry =
      address.scope === 'external'
        ? settings.allowlist.match({ tenantId: e.tenantId, objectId: identity.objectId, appId: identity.appId, resourceId: identity.resourceId }, address.facts)
        : undefined;
    const firstEventAt = catalog.firstEventAt ?? e.timeMs;
    const outcome = judgeUse({
      scope: address.scope,
      tenantActive: e.timeMs - firstEventAt >= settings.activationMs,
      isArc: identity.isArc,
      allowlisted: allowlistEntry !== undefined,
      asnInBaseline: (asnFacts & IN_BASELINE) !== 0,
      ipInBaseline: (ipFacts & IN_BASELINE) !== 0,
    });

    // Raising writes only a dedup row: the ASN and IP rows read here are still those learning sees.
    if (outcome.severity) this.raise(e, identity, address.facts, outcome, working ?? this.identity(identity.partitionKey), { asn: rows.get(asnKey), ip: rows.get(ipKey) }, firstEventAt);

    if (outcome.learn) {
      // Private addresses have no ASN: their IP is learned, no ASN row is invented.
      const learnAsn = address.asn !== null && (asnFacts & LEARNED_AS_IS) === 0;
      const learnIp = (ipFacts & LEARNED_AS_IS) === 0;
      if (learnAsn || learnIp) {
        const baseline = this.identity(identity.partitionKey);
        const asnLearned = learnAsn ? learnedRow(rows.get(asnKey), e.timeMs, 'org', address.asOrganization) : undefined;
        const ipLearned = learnIp ? learnedRow(rows.get(ipKey), e.timeMs, 'asn', address.asn ?? 0) : undefined;
        if (asnLearned) baseline.partition.set(asnKey, asnLearned);
        if (ipLearned) baseline.partition.set(ipKey, ipLearned);
        this.summary.learned++;
      }
    }
  }

  private raise(e: TokenUse, identity: CatalogEntry, ip: IpFacts, outcome: LadderOutcome, baseline: IdentityBaseline, rows: UseRows, firstEventAt: number): void {
    const severity = outcome.severity as Severity;
    const attribute = outcome.attribute === 'asn' ? String(ip.asn ?? 0) : outcome.attribute === 'ip' ? ip.ip : '';
    const id = alertId(['RemoteTokenUse', e.tenantId, identity.objectId, severity, attribute, e.category, recordKeyText(e.recordKey)]);
    const dedupKey = dedupRowKey(severity, attribute);
    const decision = decideDedup(baseline.dedup(dedupKey), e.timeMs, id, this.settings.dedupWindowMs);
    if (decision.kind === 'suppress') {
      // Counted in the ledger, not on the dedup row: the row changes only when an alert is raised.
      if (decision.counted) {
        this.summary.suppressed++;
        this.suppressions.count(e, identity.objectId, severity, attribute, id);
      }
      return;
    }
    if (decision.kind === 'reemit') this.summary.reemitted++;
    else {
      this.summary.alerts[severity]++;
      baseline.setDedup(dedupKey, decision.next);
    }
    this.alerts.push(this.alertRow(e, identity, ip, outcome, severity, id, baseline, rows, firstEventAt));
  }

  private alertRow(e: TokenUse, identity: CatalogEntry, ip: IpFacts, outcome: LadderOutcome, severity: Severity, id: string, baseline: IdentityBaseline, rows: UseRows, firstEventAt: number): AlertRow {
    // Linked only through the use record's own issue time (`iat` / `tokenIssuedAt`), which names the
    // token bucket: a lookup that depended on which sign-ins happen to share the batch would make
    // the evidence depend on batch boundaries.
    const token = this.tokens.find(e.tenantId, e.tokenId, e.issuedAtMs);
    if (!token && e.tokenId && e.issuedAtMs !== undefined) this.issuanceLookups.push({ alertId: id, rows: this.tokens.candidates(e.tenantId, e.tokenId, e.issuedAtMs) });
    return useAlertRow({ use: e, identity, ip, outcome, severity, alertId: id, baseline: baseline.describe(e.timeMs), rows, firstEventAt, token, processedAt: this.settings.processedAt });
  }

  finish(): RemoteUseResult {
    const changes: RowChange[] = [];
    for (const catalog of this.catalogs.values()) changes.push(...catalog.partition.changes());
    for (const identity of this.identities.values()) {
      identity.expire(this.earliestMs, this.settings.dedupWindowMs);
      changes.push(...identity.partition.changes());
    }
    changes.push(...this.tokens.changes());
    changes.push(...this.suppressions.changes());
    return { alerts: this.alerts, changes, summary: this.summary, issuanceLookups: this.issuanceLookups };
  }

  private catalog(tenantId: string): TenantCatalog {
    let catalog = this.catalogs.get(tenantId);
    if (!catalog) {
      catalog = new TenantCatalog(tenantId, this.partitions.get(tenantPartitionKey(tenantId)), this.plannedIndexes?.get(tenantId));
      this.catalogs.set(tenantId, catalog);
    }
    return catalog;
  }

  /** The caller address of a use as judging needs it: one memo lookup per use (see CallerAddress). */
  private callerAddress(e: TokenUse): CallerAddress {
    const { byIpv4, byText } = this.addresses;
    if (e.callerIpv4 !== undefined) {
      const key = e.callerIpv4 | 0;
      return byIpv4.get(key) ?? rememberBounded(byIpv4, key, new CallerAddress(this.settings.classifyIp(e.callerIp)), CALLER_ADDRESS_MEMO_MAX);
    }
    const raw = e.callerIp;
    return byText.get(raw) ?? rememberBounded(byText, raw, new CallerAddress(this.settings.classifyIp(raw)), CALLER_ADDRESS_MEMO_MAX);
  }

  private identity(partitionKey: string): IdentityBaseline {
    let identity = this.identities.get(partitionKey);
    if (!identity) {
      identity = new IdentityBaseline(partitionKey, this.partitions.get(partitionKey), this.settings.baselineWindowMs);
      this.identities.set(partitionKey, identity);
    }
    return identity;
  }
}

