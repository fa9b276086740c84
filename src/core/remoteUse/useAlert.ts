/**
 * The alert row of a judged use: evidence, reason and columns, from the use, its identity, its
 * address, the ladder's outcome and, for a replay, the token's first use. Also the daily exposure
 * row a usual external use becomes with TOKENWATCH_USUAL_EXTERNAL=exposure (`exposureOf`).
 */
import { alertId } from '../alerts/alertId';
import { ATTACK, EMPTY_ALERT_FIELDS, type AlertRow, type Evidence, type Severity } from '../alerts/alertRow';
import type { TokenUse } from '../records/auditEvent';
import { isoTime } from '../records/time';
import { num, type RowData } from '../state/workingPartition';
import type { CatalogEntry } from './catalog';
import type { FirstUse } from './firstUses';
import type { BaselineSummary } from './identityBaseline';
import { issuanceClause, minutesBetween } from './issuanceLink';
import { alertNameOf, isUsualExternalOnly, type LadderOutcome } from './ladder';
import { networkLabel } from './network';
import type { IpFacts, RemoteUseSettings, ServiceTagsInfo } from './settings';
import type { RegisteredToken } from './tokenRegistry';

/** A use's baseline rows as judging read them (raising writes only a dedup row, so they still hold). */
export interface UseRows {
  readonly asn: RowData | undefined;
  readonly ip: RowData | undefined;
  /** The `rg|<region>` row of an Azure use whose address a regional tag holds. */
  readonly region: RowData | undefined;
}

/** Everything an alert row of a use is made of. */
export interface UseAlertInput {
  readonly use: TokenUse;
  readonly identity: CatalogEntry;
  readonly ip: IpFacts;
  /** The address's network (network.ts). */
  readonly network: string | undefined;
  readonly outcome: LadderOutcome;
  readonly severity: Severity;
  readonly alertId: string;
  /** The identity's baseline at the use's time. */
  readonly baseline: BaselineSummary;
  readonly rows: UseRows;
  readonly firstEventAt: number;
  /** The token's issuance when this batch registered it. */
  readonly token: RegisteredToken | undefined;
  /** The token's first use, when this use replays it from another network. */
  readonly replayOf: FirstUse | undefined;
  readonly serviceTags: ServiceTagsInfo | undefined;
  readonly processedAt: number | undefined;
  /** Set when the row is the identity's daily exposure row rather than an alert (see exposureOf). */
  readonly exposure?: Exposure | undefined;
}

/**
 * A usual external use kept as its identity's exposure row of the day (TOKENWATCH_USUAL_EXTERNAL=exposure):
 * - `day`: the UTC day of the use's event time (`2026-03-22`), never of processing, so a replay
 *   or a redelivery puts the use in the same day;
 * - `alertId`: the row's id, from tenant, identity and day alone, so every row written for that
 *   identity and day (a redelivery, a late use after the dedup row expired) is one row in Sentinel;
 * - `dedupAttribute`: the last part of its dedup key (`day:2026-03-22`), so dedup holds per
 *   identity and day: the day's first use seen is the row, the day's later uses are suppressed and
 *   counted in the suppression ledger.
 */
export interface Exposure {
  readonly day: string;
  readonly alertId: string;
  readonly dedupAttribute: string;
}

export const EXPOSURE_DETECTOR = 'RemoteTokenUseExposure';
const EXPOSURE_NAME = 'Managed Identity token used outside Azure from a usual network (daily exposure)';

/** The exposure of a judged use, or undefined when it stays an alert (the mode is `alert`, or a stronger rule applied). */
export function exposureOf(settings: Pick<RemoteUseSettings, 'usualExternal'>, outcome: LadderOutcome, tenantId: string, objectId: string, timeMs: number): Exposure | undefined {
  if (settings.usualExternal !== 'exposure' || !isUsualExternalOnly(outcome)) return undefined;
  const day = isoTime(timeMs).slice(0, 10);
  return { day, alertId: alertId([EXPOSURE_DETECTOR, tenantId, objectId, day]), dedupAttribute: `day:${day}` };
}

/** Evidence lists are capped so an alert row stays small (Log Analytics dynamic column). */
const EVIDENCE_LIST_MAX = 10;
const DAY_MS = 86_400_000;

export function useAlertRow(input: UseAlertInput): AlertRow {
  const { use: e, identity, ip, outcome, severity, alertId: id, token, rows, firstEventAt, replayOf, serviceTags } = input;
  const known = input.baseline;
  const issuedAt = token?.issuedAt ?? e.issuedAtMs;
  const name = identity.name || identity.objectId;
  const seen = (row: RowData | undefined, field: 'first' | 'last'): string | null => (row ? isoTime(num(row, field) ?? 0) : null);
  const evidence: Evidence = {
    rule: outcome.ruleId,
    rules: [...outcome.rules],
    learningPhase: outcome.rules.includes('learning'),
    tenantFirstEventAt: isoTime(firstEventAt),
    network: input.network ?? null,
    callerRegion: ip.region || null,
    baselineAsns: known.asns.slice(0, EVIDENCE_LIST_MAX),
    baselineAsnCount: known.asns.length,
    baselineRegions: known.regions.slice(0, EVIDENCE_LIST_MAX),
    baselineIpCount: known.ipCount,
    asnFirstSeen: seen(rows.asn, 'first'),
    asnLastSeen: seen(rows.asn, 'last'),
    ipFirstSeen: seen(rows.ip, 'first'),
    ipLastSeen: seen(rows.ip, 'last'),
    regionFirstSeen: seen(rows.region, 'first'),
    regionLastSeen: seen(rows.region, 'last'),
    ...replayEvidence(replayOf, input.network, e),
    ...serviceTagsEvidence(serviceTags, input.processedAt ?? e.timeMs),
    tokenLinkedToIssuance: token !== undefined,
    tokenIssuedAt: issuedAt !== undefined ? isoTime(issuedAt) : null,
    minutesFromIssuanceToUse: issuedAt !== undefined ? minutesBetween(issuedAt, e.timeMs) : null,
    issuingIdentityObjectId: token?.objectId ?? null,
    issuingIdentityName: token?.name ?? null,
    tokenHash: e.tokenHash || null,
    callerIpAsLogged: e.callerIp,
    // The row stands for the day: it is the first use of the day the detector saw; the day's later
    // uses are suppression-ledger rows under the same dedup key.
    ...(input.exposure !== undefined ? { exposureDay: input.exposure.day, exposureUse: 'first of the day' } : {}),
  };
  return {
    ...EMPTY_ALERT_FIELDS,
    AlertId: id,
    TimeGenerated: isoTime(input.processedAt ?? e.timeMs),
    EventTime: isoTime(e.timeMs),
    Detector: input.exposure !== undefined ? EXPOSURE_DETECTOR : 'RemoteTokenUse',
    AlertName: input.exposure !== undefined ? EXPOSURE_NAME : alertNameOf(outcome),
    Severity: severity,
    AADTenantId: e.tenantId,
    IdentityObjectId: identity.objectId,
    IdentityAppId: identity.appId,
    IdentityName: name,
    IdentityResourceId: identity.resourceId || e.miResourceId,
    IPAddress: ip.ip,
    IPScope: ip.scope,
    ASN: ip.asn,
    ASOrganization: ip.asOrganization,
    TokenId: e.tokenId,
    TokenIssuedAt: issuedAt !== undefined ? isoTime(issuedAt) : null,
    SourceCategory: e.category,
    Operation: e.operation,
    Reason: `${reasonFor(input, name)}${issuanceClause(token !== undefined ? issuedAt : undefined, e.timeMs)}.`,
    Evidence: evidence,
    ...ATTACK,
  };
}

function replayEvidence(first: FirstUse | undefined, network: string | undefined, e: TokenUse): Evidence {
  if (first === undefined) return {};
  return {
    firstUseIp: first.ip,
    firstUseNetwork: first.network,
    firstUseAt: isoTime(first.atMs),
    secondUseIp: e.callerIp,
    secondUseNetwork: network ?? null,
    secondUseAt: isoTime(e.timeMs),
    minutesBetweenUses: minutesBetween(first.atMs, e.timeMs),
  };
}

function serviceTagsEvidence(tags: ServiceTagsInfo | undefined, atMs: number): Evidence {
  if (tags === undefined) return { serviceTagsChangeNumber: null, serviceTagsAgeDays: null };
  return {
    serviceTagsChangeNumber: tags.changeNumber,
    serviceTagsAgeDays: tags.retrievedAtMs !== null ? Math.round(((atMs - tags.retrievedAtMs) / DAY_MS) * 10) / 10 : null,
  };
}

function where(ip: IpFacts): string {
  return `${ip.ip}${ip.asn !== null ? ` (AS${ip.asn}${ip.asOrganization ? ` ${ip.asOrganization}` : ''})` : ''}`;
}

/** An address with its network: `203.0.113.66 (AS64501 Fabrikam Hosting)`, `192.0.2.140 (Azure region eastus)`. */
function placeOf(ip: IpFacts, network: string | undefined): string {
  if (network === undefined || /^[0-9]+$/.test(network)) return where(ip);
  return `${ip.ip} (${networkLabel(network)})`;
}

/** Why an Azure address was judged by its ASN rather than its region. */
function regionFallback(input: UseAlertInput): string {
  if (input.ip.region !== '') return '';
  return input.serviceTags === undefined || input.serviceTags.regionCount === 0
    ? ' (no Azure regional service tags are configured, so Azure addresses are judged by ASN)'
    : ' (no AzureCloud.<region> service tag holds the address, so it is judged by ASN)';
}

/** The sentence of the rule that decided the severity. */
function mainClause(input: UseAlertInput, name: string): string {
  const { ip, outcome, baseline, replayOf, network } = input;
  const knownAsns = baseline.asns.length ? baseline.asns.slice(0, 5).map((a) => `AS${a}`).join(', ') : 'none';
  const knownRegions = baseline.regions.length ? baseline.regions.slice(0, 5).join(', ') : 'none';
  switch (outcome.ruleId) {
    case 'token-replay': {
      const first = replayOf!;
      return `Managed identity '${name}' token replayed from a second network: first used from ${first.ip} (${networkLabel(first.network)}) at ${isoTime(first.atMs)}, then from ${placeOf(ip, network)} ${minutesBetween(first.atMs, input.use.timeMs)} minutes later`;
    }
    case 'replayed-network':
      return `Managed identity '${name}' used a token from ${placeOf(ip, network)}, a network already caught replaying this identity's tokens`;
    case 'unusual-region':
      return ip.region !== ''
        ? `Managed identity '${name}' used its token from ${ip.ip} in Azure region ${ip.region}, absent from its 30-day baseline (known regions: ${knownRegions})`
        : `Managed identity '${name}' used its token from the Azure address ${where(ip)}, a network absent from its 30-day baseline (known: ${knownAsns})${regionFallback(input)}`;
    case 'learning':
      return `Managed identity '${name}' used its token outside Azure from ${where(ip)} while the tenant is in its 14-day learning period`;
    case 'unusual-asn':
      return `Managed identity '${name}' used its token from ${where(ip)}, an autonomous system absent from its 30-day baseline (known: ${knownAsns})`;
    case 'unusual-ip':
      return `Managed identity '${name}' used its token from ${where(ip)}, an IP address absent from its 30-day baseline inside an ASN it normally uses`;
    default:
      return `Managed identity '${name}' used its token outside Azure from ${where(ip)}, an IP and ASN already in its 30-day baseline`;
  }
}

/** What each other rule that applied adds to the reason. */
const ALSO: Readonly<Record<string, string>> = {
  'token-replay': 'the token was first used from another network',
  'replayed-network': "the network was caught replaying this identity's tokens before",
  'unusual-region': 'the Azure region is absent from the 30-day baseline',
  internal: 'the address is inside Azure',
  learning: "the tenant is in its 14-day learning period",
  'unusual-asn': 'the autonomous system is absent from the 30-day baseline',
  'unusual-ip': 'the IP address is absent from the 30-day baseline',
  'usual-external': 'the IP and ASN are in the 30-day baseline',
};

function reasonFor(input: UseAlertInput, name: string): string {
  if (input.exposure !== undefined) {
    return `${mainClause(input, name)}; its first such use on ${input.exposure.day} (UTC), kept as the day's exposure row: further uses that day are counted, not raised`;
  }
  const others = input.outcome.rules.slice(1).map((rule) => ALSO[rule] ?? rule);
  return `${mainClause(input, name)}${others.length > 0 ? `; also, ${others.join('; ')}` : ''}`;
}
