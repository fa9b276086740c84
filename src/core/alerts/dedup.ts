import type { RowValue } from '../state/partition';

/**
 * Alert deduplication, shared by both detectors.
 *
 * A dedup key names "the same alert" (for example identity + severity + unusual ASN, or
 * host + process path + vector + target). Within `windowMs` of the last *raised* alert for a key,
 * further alerts are suppressed and counted on the key's state, never dropped silently.
 * Event time drives the window, so a replay decides exactly as live processing did.
 */
export interface DedupState {
  /** Event time (ms since epoch) of the last alert raised for this key. */
  readonly lastRaisedAt: number;
  /** AlertId of that alert, so a redelivered trigger re-emits the same alert instead of counting a suppression. */
  readonly lastAlertId: string;
  /** Alerts suppressed since lastRaisedAt. */
  readonly suppressedCount: number;
  /**
   * Short ids of the most recently counted suppressions (each candidate alert id is derived from
   * its record), so a redelivered record is not counted twice while a late, out-of-order record
   * still is.
   */
  readonly recentlySuppressed: readonly string[];
}

export type DedupDecision =
  | { readonly kind: 'raise'; readonly next: DedupState }
  /** The triggering record was already turned into this alert (redelivery): emit it again, state unchanged. */
  | { readonly kind: 'reemit'; readonly next: DedupState }
  | { readonly kind: 'suppress'; readonly next: DedupState; readonly counted: boolean };

/** 5 days: the deduplication period of the anchor rule, used by both detectors. */
export const DEDUP_WINDOW_MS = 5 * 24 * 60 * 60 * 1000;
/**
 * 64 remembered suppressions per key: an Event Hub batch is redelivered whole, and one key rarely
 * collects more suppressions than that within one batch. Beyond it, a redelivery may count an old
 * record again (an overcount, never a lost alert).
 */
const RECENT_SUPPRESSIONS = 64;
/** 12 hex characters of the 128-bit alert id: collisions within 64 entries are negligible. */
const SHORT_ID_CHARS = 12;

export function decideDedup(
  state: DedupState | undefined,
  eventTime: number,
  candidateAlertId: string,
  windowMs: number = DEDUP_WINDOW_MS,
): DedupDecision {
  // The memory of counted records outlives a raise: a redelivered batch may hold records counted
  // against the previous alert before the raise.
  const raise = (): DedupDecision => ({
    kind: 'raise',
    next: { lastRaisedAt: eventTime, lastAlertId: candidateAlertId, suppressedCount: 0, recentlySuppressed: state?.recentlySuppressed ?? [] },
  });
  if (state === undefined) return raise();
  if (state.lastAlertId === candidateAlertId) return { kind: 'reemit', next: state };
  // Out-of-order events (earlier than the last raised one) fall inside the window too: |delta| < window.
  if (Math.abs(eventTime - state.lastRaisedAt) >= windowMs) return raise();
  const shortId = candidateAlertId.slice(0, SHORT_ID_CHARS);
  if (state.recentlySuppressed.includes(shortId)) return { kind: 'suppress', next: state, counted: false };
  return {
    kind: 'suppress',
    counted: true,
    next: { ...state, suppressedCount: state.suppressedCount + 1, recentlySuppressed: [...state.recentlySuppressed, shortId].slice(-RECENT_SUPPRESSIONS) },
  };
}

/** The dedup state as Table Storage row properties (both detectors store it the same way). */
export function dedupStateToRow(state: DedupState): Record<string, RowValue> {
  return { raisedAt: state.lastRaisedAt, alertId: state.lastAlertId, suppressed: state.suppressedCount, recent: state.recentlySuppressed.join(',') };
}

export function dedupStateFromRow(data: Readonly<Record<string, RowValue>> | undefined): DedupState | undefined {
  if (!data) return undefined;
  const { raisedAt, alertId, suppressed, recent } = data;
  if (typeof raisedAt !== 'number' || typeof alertId !== 'string' || typeof suppressed !== 'number') return undefined;
  return { lastRaisedAt: raisedAt, lastAlertId: alertId, suppressedCount: suppressed, recentlySuppressed: typeof recent === 'string' && recent !== '' ? recent.split(',') : [] };
}
