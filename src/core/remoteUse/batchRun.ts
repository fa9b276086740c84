/**
 * One batch of the remote-use detector, event by event in judging order: issuances register their
 * token and catalog their identity; uses are resolved to a Managed Identity and judged against its
 * baseline by the ladder; alerts pass dedup; learning and expiry become row changes.
 * This is where a use is judged (`BatchRun.judge`).
 */
import type { AlertRow, Severity } from '../alerts/alertRow';
import { alertId, windowAlertId } from '../alerts/alertId';
import { rememberBounded } from '../boundedMemo';
import { recordKeyText, type AuditEvent, type TokenUse } from '../records/auditEvent';
import type { PartitionSnapshot, RowChange } from '../state/partition';
import { EMPTY_ROWS, num, str, type RowData } from '../state/workingPartition';
import { baselineDaysOf, batchLatestMinute, IN_BASELINE, LEARNED_AS_IS, learnedRow, NO_DAYS, rowFacts, watermarkOf, type RowReader } from './baselineRows';
import { TenantCatalog, type CatalogEntry, type CatalogIndex } from './catalog';
import { CALLER_ADDRESS_MEMO_MAX, CallerAddress, callerAddressMemo, type CallerAddressMemo } from './callerAddress';
import { IdentityBaseline } from './identityBaseline';
import type { IssuanceLookup } from './issuanceLink';
import { judgeUse, type LadderOutcome } from './ladder';
import { displacedUse, FirstUseRegistry, firstUseAt, firstUseNetwork, firstUseOf, tokenKeyOf, UNTRACKED, type FirstUse } from './firstUses';
import { dedupRowKey, historyDedupRowKey, tenantPartitionKey, tokenRowKey } from './partitionKeys';
import { resolveManagedIdentity } from './resolveIdentity';
import type { RemoteUseSettings } from './settings';
import { SuppressionLedger } from './suppressionLedger';
import { TokenRegistry } from './tokenRegistry';
import { exposureOf, useAlertRow, type Exposure, type UseRows } from './useAlert';
import { appendAll } from '../arrays';
import { isAllowlisted } from './allowlist';

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
  /** Uses of a token first used from another network. */
  replays: number;
  /**
   * Uses older than their identity's watermark less the lateness allowance: judged on the state as
   * it is, teaching nothing (no baseline, first use or replay mark), never moving a dedup time back.
   * A late use of a token first used from another network (recorded, or by a late use of the same
   * batch) is still a replay.
   */
  late: number;
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
  private readonly firstUses: FirstUseRegistry;
  private readonly alerts: AlertRow[] = [];
  private readonly issuanceLookups: IssuanceLookup[] = [];
  private readonly summary: RemoteUseSummary = {
    issuances: 0, uses: 0, miUses: 0, nonMiUses: 0, userUses: 0, other: {},
    alerts: { Low: 0, Medium: 0, High: 0 }, suppressed: 0, reemitted: 0, learned: 0, replays: 0, late: 0, byScope: {},
  };
  private readonly addresses: CallerAddressMemo;
  /** The minute of the batch's latest event, known before judging (see watermarkOf). */
  private readonly latestMinute: number;

  constructor(
    private readonly partitions: ReadonlyMap<string, PartitionSnapshot>,
    private readonly settings: RemoteUseSettings,
    private readonly plannedIndexes: ReadonlyMap<string, CatalogIndex> | undefined,
    /** The batch's latest event (of all it holds): what it advances the watermarks of the identities it writes to. */
    private readonly latestMs: number,
  ) {
    this.latestMinute = batchLatestMinute(latestMs);
    this.addresses = callerAddressMemo(settings.classifyIp);
    this.tokens = new TokenRegistry(settings.tokenBucketShards);
    this.suppressions = new SuppressionLedger(settings.tokenBucketShards);
    this.firstUses = new FirstUseRegistry(partitions);
  }

  /** `planned`: the loaded catalog's entry for the event's object id, when planning found one (BatchPlan). */
  process(e: AuditEvent, planned: CatalogEntry | undefined): void {
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
    const { asnKey, ipKey, azureNetworkKey, network } = address;
    this.summary.byScope[address.scope] = (this.summary.byScope[address.scope] ?? 0) + 1;
    // Most uses only read their identity's rows: the working copy is made on the first write, and
    // until then the rows' day codes answer (BaselineDays), the rows themselves being read only
    // when a code cannot, an alert cites them, or learning rewrites them.
    const working = this.identities.size > 0 ? this.identities.get(identity.partitionKey) : undefined;
    const loaded = working ? undefined : this.partitions.get(identity.partitionKey);
    const rows: RowReader = working ? working.partition : loaded?.rows ?? EMPTY_ROWS;
    const days = working ? undefined : loaded ? baselineDaysOf(loaded) : NO_DAYS;
    const windowMs = settings.baselineWindowMs;
    const watermark = watermarkOf(days, rows, this.latestMinute);
    // History (a backfill) is old by definition and runs beside live batches: it is never late.
    const late = watermark !== undefined && e.timeMs < watermark - settings.latenessAllowanceMs && settings.history !== true;
    if (late) this.summary.late++;
    const asnFacts = rowFacts(days, rows, asnKey, e.timeMs, windowMs);
    const ipFacts = rowFacts(days, rows, ipKey, e.timeMs, windowMs);
    // An Azure use is judged by its region's row, or by its ASN's when no regional tag holds it.
    const azureFacts = azureNetworkKey === '' ? 0 : azureNetworkKey === asnKey ? asnFacts : rowFacts(days, rows, azureNetworkKey, e.timeMs, windowMs);
    const allowlisted = isAllowlisted(settings.allowlist, e.tenantId, identity, address);
    // The token's first use, from any batch: a use from another network proves a copy. Allowlisted
    // uses are usual by decree and take no part, neither as a first use nor as a replay. A late use
    // reads the recorded first uses and the batch's own late ones, and records nothing (FirstUseRegistry.findForLate).
    const tokenKey = network !== undefined && !allowlisted ? tokenKeyOf(e) : '';
    const tokenRow = tokenKey !== '' ? tokenRowKey(tokenKey) : '';
    const found = tokenRow === '' ? undefined : late ? this.firstUses.findForLate(e, tokenRow) : this.firstUses.find(e, tokenRow);
    const otherNetwork = found !== undefined && found !== UNTRACKED && firstUseNetwork(found) !== network ? found : undefined;
    // The row names the earliest use judged so far. One later than this use is not what this use
    // replays but its replay, judged first because partitions lag (judgeLaterReplay).
    const laterReplay = otherNetwork !== undefined && firstUseAt(otherNetwork) > e.timeMs ? otherNetwork : undefined;
    // This use's own row, written when it displaced a later use (judged again after a conflict).
    const displaced = found !== undefined && found !== UNTRACKED && otherNetwork === undefined && found['rat'] !== undefined && firstUseAt(found) === e.timeMs ? displacedUse(found) : undefined;
    const tokenReplayed = otherNetwork !== undefined && laterReplay === undefined;
    const firstUse = tokenReplayed ? firstUseOf(otherNetwork) : undefined;
    const replayedFacts = network !== undefined ? rowFacts(days, rows, address.replayedKey, e.timeMs, windowMs) : 0;
    const firstEventAt = catalog.firstEventAt ?? e.timeMs;
    const outcome = judgeUse({
      scope: address.scope,
      tenantActive: e.timeMs - firstEventAt >= settings.activationMs,
      isArc: identity.isArc,
      allowlisted,
      asnInBaseline: asnKnown(address, asnFacts, ipFacts),
      ipInBaseline: (ipFacts & IN_BASELINE) !== 0,
      azureNetworkInBaseline: (azureFacts & IN_BASELINE) !== 0,
      tokenReplayed,
      networkReplayed: (replayedFacts & IN_BASELINE) !== 0,
    });
    if (tokenRow !== '') {
      if (late) {
        if (found === undefined) this.firstUses.noteLate(tokenRow, network!, address.facts.ip, e.timeMs);
      } else if (found === undefined || laterReplay !== undefined) this.firstUses.record(e, tokenRow, network!, address.facts.ip, laterReplay);
    }
    if (tokenReplayed) this.summary.replays++;

    // Raising writes only a dedup row: the rows read here are still those learning sees.
    if (outcome.severity) {
      const useRows: UseRows = { asn: rows.get(asnKey), ip: rows.get(ipKey), region: azureNetworkKey !== '' && azureNetworkKey !== asnKey ? rows.get(azureNetworkKey) : undefined };
      this.raise(e, identity, address, outcome, working ?? this.identity(identity.partitionKey), useRows, firstEventAt, firstUse, late);
    }

    if (late) return;
    if (outcome.learn) {
      // Private addresses have no ASN: their IP is learned, no ASN row is invented.
      const learnAsn = address.asn !== null && (asnFacts & LEARNED_AS_IS) === 0;
      const learnIp = (ipFacts & LEARNED_AS_IS) === 0;
      const learnRegion = azureNetworkKey !== '' && azureNetworkKey !== asnKey && (azureFacts & LEARNED_AS_IS) === 0;
      if (learnAsn || learnIp || learnRegion) {
        const baseline = this.identity(identity.partitionKey);
        const asnLearned = learnAsn ? learnedRow(rows.get(asnKey), e.timeMs, 'org', address.asOrganization) : undefined;
        const ipLearned = learnIp ? learnedRow(rows.get(ipKey), e.timeMs, 'asn', address.asn ?? 0) : undefined;
        const regionLearned = learnRegion ? learnedRow(rows.get(azureNetworkKey), e.timeMs, 'asn', address.asn ?? 0) : undefined;
        if (asnLearned) baseline.partition.set(asnKey, asnLearned);
        if (ipLearned) baseline.partition.set(ipKey, ipLearned);
        if (regionLearned) baseline.partition.set(azureNetworkKey, regionLearned);
        this.summary.learned++;
      }
    } else if (outcome.rules.includes('token-replay') || outcome.rules.includes('replayed-network')) {
      this.markReplayedNetwork(e, identity, address, rows, replayedFacts, asnFacts, azureFacts, firstUse);
    }
    const replayedLater = laterReplay ?? displaced;
    if (replayedLater !== undefined) this.judgeLaterReplay(e, identity, catalog, address, replayedLater);
  }

  /**
   * A token used from this use's network first and then from another, whose use was judged
   * before this one (partitions lag): in event-time order that later use is the replay, so it is
   * judged again as one now, on the facts of its own time: the replay alert it would have raised in
   * order (suppressed by its key's dedup window when its own judging already raised that key: an
   * unusual ASN and its replay share one), and its network marked as replaying. The alert names
   * the replaying address and time from the first-use row; its record (category, operation, the
   * AlertId's key) is this use's, the only record the batch has of the pair.
   */
  private judgeLaterReplay(first: TokenUse, identity: CatalogEntry, catalog: TenantCatalog, firstAddress: CallerAddress, replay: RowData): void {
    const { settings } = this;
    const address = this.callerAddressOfText(str(replay, 'ip'));
    if (address.network === undefined || firstAddress.network === undefined) return;
    const atMs = firstUseAt(replay);
    const baseline = this.identity(identity.partitionKey);
    const rows = baseline.partition;
    // Judged before its token's first use, the replaying use may have taught the baseline its
    // network (an external one during learning): what it alone taught is unlearned, as judging in
    // order would not have learned it, so that its network is marked as replaying below.
    for (const key of [address.asnKey, address.ipKey, address.azureNetworkKey]) {
      if (key !== '' && num(rows.get(key), 'first') === atMs) rows.delete(key);
    }
    const windowMs = settings.baselineWindowMs;
    const asnFacts = rowFacts(undefined, rows, address.asnKey, atMs, windowMs);
    const ipFacts = rowFacts(undefined, rows, address.ipKey, atMs, windowMs);
    const azureFacts = address.azureNetworkKey === '' ? 0 : rowFacts(undefined, rows, address.azureNetworkKey, atMs, windowMs);
    const replayedFacts = rowFacts(undefined, rows, address.replayedKey, atMs, windowMs);
    const allowlisted = isAllowlisted(settings.allowlist, first.tenantId, identity, address);
    if (allowlisted) return;
    const firstEventAt = catalog.firstEventAt ?? atMs;
    const outcome = judgeUse({
      scope: address.scope,
      tenantActive: atMs - firstEventAt >= settings.activationMs,
      isArc: identity.isArc,
      allowlisted,
      asnInBaseline: asnKnown(address, asnFacts, ipFacts),
      ipInBaseline: (ipFacts & IN_BASELINE) !== 0,
      azureNetworkInBaseline: (azureFacts & IN_BASELINE) !== 0,
      tokenReplayed: true,
      networkReplayed: (replayedFacts & IN_BASELINE) !== 0,
    });
    this.summary.replays++;
    const use: TokenUse = { ...first, callerIp: address.facts.ip, callerIpv4: undefined, timeMs: atMs };
    const firstUse: FirstUse = { network: firstAddress.network, ip: firstAddress.facts.ip, atMs: first.timeMs };
    if (outcome.severity) {
      const useRows: UseRows = { asn: rows.get(address.asnKey), ip: rows.get(address.ipKey), region: address.azureNetworkKey !== '' && address.azureNetworkKey !== address.asnKey ? rows.get(address.azureNetworkKey) : undefined };
      this.raise(use, identity, address, outcome, baseline, useRows, firstEventAt, firstUse, false);
    }
    if (!outcome.learn) this.markReplayedNetwork(use, identity, address, rows, replayedFacts, asnFacts, azureFacts, firstUse);
  }

  /**
   * A replay's second network stays unusual for this identity until an operator allowlists it: an
   * `rn|<network>` row, refreshed (at most daily) while the network keeps being used, expiring
   * like a baseline row 30 days after its last use. A network already in the baseline when its
   * replay is seen is not marked: it is the identity's own, and the thief's copy was used first.
   */
  private markReplayedNetwork(e: TokenUse, identity: CatalogEntry, address: CallerAddress, rows: RowReader, replayedFacts: number, asnFacts: number, azureFacts: number, firstUse: FirstUse | undefined): void {
    const marked = (replayedFacts & IN_BASELINE) !== 0;
    if (!marked) {
      const usual = address.scope === 'azure' ? azureFacts : asnFacts;
      if ((usual & IN_BASELINE) !== 0) return;
    } else if ((replayedFacts & LEARNED_AS_IS) !== 0) return;
    const row = learnedRow(rows.get(address.replayedKey), e.timeMs, 'firstNetwork', firstUse?.network ?? '');
    if (row) this.identity(identity.partitionKey).partition.set(address.replayedKey, row);
  }

  private raise(e: TokenUse, identity: CatalogEntry, address: CallerAddress, outcome: LadderOutcome, baseline: IdentityBaseline, rows: UseRows, firstEventAt: number, replayOf: FirstUse | undefined, late: boolean): void {
    const severity = outcome.severity as Severity;
    // A usual external use in exposure mode: deduplicated per identity and UTC day, one row per day (useAlert.ts).
    const exposure = exposureOf(this.settings, outcome, e.tenantId, identity.objectId, e.timeMs);
    const attribute = exposure?.dedupAttribute ?? attributeOf(outcome, address);
    // The candidate: this record's alert. Dedup windows name the record that raised them, so that
    // its redelivery is sent again and no other use of the window is.
    const candidate = alertId(['RemoteTokenUse', e.tenantId, identity.objectId, severity, attribute, e.category, recordKeyText(e.recordKey)]);
    const history = this.settings.history === true;
    const dedupKey = history ? historyDedupRowKey(severity, attribute) : dedupRowKey(severity, attribute);
    // The key's dedup windows decide, whatever order its uses come in (IdentityBaseline.decideDedup).
    const decision = baseline.decideDedup(dedupKey, e.timeMs, candidate, this.settings.dedupWindowMs, late);
    if (decision === 'suppress') {
      // Counted in the ledger, not on the dedup row: the row changes only when a window opens or moves.
      this.summary.suppressed++;
      if (!history) this.suppressions.count(e, identity.objectId, severity, attribute, candidate);
      return;
    }
    if (decision === 'reemit') this.summary.reemitted++;
    else this.summary.alerts[severity]++;
    // The AlertId names the window (windowAlertId). Two windows of a key raised on one day
    // (possible only when uses come days out of order) keep their records'.
    const id = exposure?.alertId ?? (baseline.anotherRaiseOnDay(dedupKey, candidate, e.timeMs) ? candidate : windowAlertId(['RemoteTokenUse', e.tenantId, identity.objectId, severity, attribute], e.timeMs));
    this.alerts.push(this.alertRow(e, identity, address, outcome, severity, id, baseline, rows, firstEventAt, replayOf, exposure));
  }

  private alertRow(e: TokenUse, identity: CatalogEntry, address: CallerAddress, outcome: LadderOutcome, severity: Severity, id: string, baseline: IdentityBaseline, rows: UseRows, firstEventAt: number, replayOf: FirstUse | undefined, exposure?: Exposure): AlertRow {
    // Linked only through the use record's own issue time (`iat` / `tokenIssuedAt`), which names the
    // token bucket: a lookup that depended on which sign-ins happen to share the batch would make
    // the evidence depend on batch boundaries.
    const token = this.tokens.find(e.tenantId, e.tokenId, e.issuedAtMs);
    if (!token && e.tokenId && e.issuedAtMs !== undefined) this.issuanceLookups.push({ alertId: id, rows: this.tokens.candidates(e.tenantId, e.tokenId, e.issuedAtMs) });
    return useAlertRow({
      use: e,
      identity,
      ip: address.facts,
      network: address.network,
      outcome,
      severity,
      alertId: id,
      baseline: baseline.describe(e.timeMs),
      rows,
      firstEventAt,
      token,
      replayOf,
      serviceTags: this.settings.serviceTags,
      processedAt: this.settings.processedAt,
      exposure,
    });
  }

  finish(): RemoteUseResult {
    const changes: RowChange[] = [];
    for (const catalog of this.catalogs.values()) appendAll(changes, catalog.partition.changes());
    for (const identity of this.identities.values()) {
      identity.finish(this.latestMs, this.settings.dedupWindowMs, this.settings.latenessAllowanceMs);
      appendAll(changes, identity.partition.changes());
    }
    appendAll(changes, this.tokens.changes());
    appendAll(changes, this.firstUses.changes());
    appendAll(changes, this.suppressions.changes());
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

  /** The caller address of an address as text (a first-use row's). */
  private callerAddressOfText(ip: string): CallerAddress {
    const { byText } = this.addresses;
    return byText.get(ip) ?? rememberBounded(byText, ip, new CallerAddress(this.settings.classifyIp(ip)), CALLER_ADDRESS_MEMO_MAX);
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


/** The value that names what was unusual: the last part of the alert's dedup key (see UnusualAttribute). */
function attributeOf(outcome: LadderOutcome, address: CallerAddress): string {
  switch (outcome.attribute) {
    case 'asn':
      return String(address.asn ?? 0);
    case 'ip':
      return address.facts.ip;
    case 'region':
    case 'network':
      return address.network ?? '';
    default:
      return '';
  }
}

/**
 * Whether the use's ASN is in the identity's baseline. An address the ASN data does not know
 * (`asn|0`, never learned: it would make every unknown address one network) counts as known once
 * its IP is: an on-premises server on a block the snapshot lacks is not High every dedup window.
 */
function asnKnown(address: { readonly asn: number | null }, asnFacts: number, ipFacts: number): boolean {
  return (asnFacts & IN_BASELINE) !== 0 || (address.asn === null && (ipFacts & IN_BASELINE) !== 0);
}
