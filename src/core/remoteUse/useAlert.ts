/**
 * The alert row of a judged use: evidence, reason and columns, from the use, its identity, its
 * address and the ladder's outcome.
 */
import { ATTACK, EMPTY_ALERT_FIELDS, type AlertRow, type Evidence, type Severity } from '../alerts/alertRow';
import type { TokenUse } from '../records/auditEvent';
import { isoTime } from '../records/time';
import { num, type RowData } from '../state/workingPartition';
import type { CatalogEntry } from './catalog';
import { issuanceClause, minutesBetween } from './issuanceLink';
import { ALERT_NAMES, type LadderOutcome } from './ladder';
import type { IpFacts } from './settings';
import type { RegisteredToken } from './tokenRegistry';

/** A use's ASN and IP rows as judging read them (raising writes only a dedup row, so they still hold). */
export interface UseRows {
  readonly asn: RowData | undefined;
  readonly ip: RowData | undefined;
}

/** Everything an alert row of a use is made of. */
export interface UseAlertInput {
  readonly use: TokenUse;
  readonly identity: CatalogEntry;
  readonly ip: IpFacts;
  readonly outcome: LadderOutcome;
  readonly severity: Severity;
  readonly alertId: string;
  /** The identity's baseline at the use's time (IdentityBaseline.describe). */
  readonly baseline: { readonly asns: readonly number[]; readonly ipCount: number };
  readonly rows: UseRows;
  readonly firstEventAt: number;
  /** The token's issuance when this batch registered it. */
  readonly token: RegisteredToken | undefined;
  readonly processedAt: number | undefined;
}

export function useAlertRow(input: UseAlertInput): AlertRow {
  const { use: e, identity, ip, outcome, severity, alertId: id, token, rows, firstEventAt } = input;
  const known = input.baseline;
  const issuedAt = token?.issuedAt ?? e.issuedAtMs;
  const { asn: asnRow, ip: ipRow } = rows;
  const name = identity.name || identity.objectId;
  const evidence: Evidence = {
    rule: outcome.ruleId,
    learningPhase: outcome.ruleId === 'learning',
    tenantFirstEventAt: isoTime(firstEventAt),
    baselineAsns: known.asns.slice(0, EVIDENCE_LIST_MAX),
    baselineAsnCount: known.asns.length,
    baselineIpCount: known.ipCount,
    asnFirstSeen: asnRow ? isoTime(num(asnRow, 'first') ?? 0) : null,
    asnLastSeen: asnRow ? isoTime(num(asnRow, 'last') ?? 0) : null,
    ipFirstSeen: ipRow ? isoTime(num(ipRow, 'first') ?? 0) : null,
    ipLastSeen: ipRow ? isoTime(num(ipRow, 'last') ?? 0) : null,
    tokenLinkedToIssuance: token !== undefined,
    tokenIssuedAt: issuedAt !== undefined ? isoTime(issuedAt) : null,
    minutesFromIssuanceToUse: issuedAt !== undefined ? minutesBetween(issuedAt, e.timeMs) : null,
    issuingIdentityObjectId: token?.objectId ?? null,
    issuingIdentityName: token?.name ?? null,
    callerIpAsLogged: e.callerIp,
  };
  return {
    ...EMPTY_ALERT_FIELDS,
    AlertId: id,
    TimeGenerated: isoTime(input.processedAt ?? e.timeMs),
    EventTime: isoTime(e.timeMs),
    Detector: 'RemoteTokenUse',
    AlertName: ALERT_NAMES[severity],
    Severity: severity,
    TenantId: e.tenantId,
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
    Reason: `${reasonFor(outcome, name, ip, known.asns)}${issuanceClause(token !== undefined ? issuedAt : undefined, e.timeMs)}.`,
    Evidence: evidence,
    ...ATTACK,
  };
}

/** Evidence lists are capped so an alert row stays small (Log Analytics dynamic column). */
const EVIDENCE_LIST_MAX = 10;

function reasonFor(outcome: LadderOutcome, name: string, ip: IpFacts, knownAsns: readonly number[]): string {
  const where = `${ip.ip}${ip.asn !== null ? ` (AS${ip.asn}${ip.asOrganization ? ` ${ip.asOrganization}` : ''})` : ''}`;
  const knownList = knownAsns.length ? knownAsns.slice(0, 5).map((a) => `AS${a}`).join(', ') : 'none';
  switch (outcome.ruleId) {
    case 'learning':
      return `Managed identity '${name}' used its token outside Azure from ${where} while the tenant is in its 14-day learning period`;
    case 'unusual-asn':
      return `Managed identity '${name}' used its token from ${where}, an autonomous system absent from its 30-day baseline (known: ${knownList})`;
    case 'unusual-ip':
      return `Managed identity '${name}' used its token from ${where}, an IP address absent from its 30-day baseline inside an ASN it normally uses`;
    default:
      return `Managed identity '${name}' used its token outside Azure from ${where}, an IP and ASN already in its 30-day baseline`;
  }
}
