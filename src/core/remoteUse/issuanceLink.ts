/**
 * Linking an alert to the issuance of its token: the lookups judging leaves for tokens issued in an
 * earlier batch, and the evidence and reason clause that the link adds.
 */
import type { AlertRow } from '../alerts/alertRow';
import { isoTime } from '../records/time';
import { rowAddressKey, type RowAddress } from '../state/partition';
import type { RowData } from '../state/workingPartition';
import { registeredToken } from './tokenRegistry';

/** Where the issuance of an alert's token may be registered (the buckets of its iat and iat + 10 min). */
export interface IssuanceLookup {
  readonly alertId: string;
  readonly rows: readonly RowAddress[];
}

export function issuanceClause(linkedIssuedAt: number | undefined, useMs: number): string {
  return linkedIssuedAt !== undefined ? `; the token was issued by Entra ID ${minutesBetween(linkedIssuedAt, useMs)} minutes earlier` : '';
}

export function minutesBetween(fromMs: number, toMs: number): number {
  return Math.round((toMs - fromMs) / 60_000);
}

/**
 * Links alerts to the issuance of their token from rows read after judging (`rows` as returned by
 * StateStore.readRows for the lookups' addresses): the same evidence and reason as an alert whose
 * token was issued in its own batch. Alerts without a lookup, or whose token is not found, are
 * returned as they are. Pure; AlertIds do not change.
 */
export function linkIssuances(alerts: readonly AlertRow[], lookups: readonly IssuanceLookup[], rows: ReadonlyMap<string, RowData>): AlertRow[] {
  const found = new Map<string, RowData>();
  for (const lookup of lookups) {
    const row = lookup.rows.map((address) => rows.get(rowAddressKey(address))).find((data) => data !== undefined);
    if (row) found.set(lookup.alertId, row);
  }
  if (found.size === 0) return [...alerts];
  return alerts.map((alert) => {
    const data = found.get(alert.AlertId);
    if (!data) return alert;
    const useMs = Date.parse(alert.EventTime);
    // The same fallback as in-batch linking: the use's own iat when the row has no issue time.
    const token = registeredToken(data, alert.TokenIssuedAt ? Date.parse(alert.TokenIssuedAt) : useMs);
    return {
      ...alert,
      TokenIssuedAt: isoTime(token.issuedAt),
      Reason: `${alert.Reason.slice(0, -1)}${issuanceClause(token.issuedAt, useMs)}.`,
      Evidence: {
        ...alert.Evidence,
        tokenLinkedToIssuance: true,
        tokenIssuedAt: isoTime(token.issuedAt),
        minutesFromIssuanceToUse: minutesBetween(token.issuedAt, useMs),
        issuingIdentityObjectId: token.objectId,
        issuingIdentityName: token.name,
      },
    };
  });
}
