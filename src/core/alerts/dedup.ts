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
   * Event time of the last suppressed (or raised) alert: a redelivered record at or before it was
   * already counted, so it is not counted again.
   */
  readonly lastSuppressedAt: number;
}

export type DedupDecision =
  | { readonly kind: 'raise'; readonly next: DedupState }
  /** The triggering record was already turned into this alert (redelivery): emit it again, state unchanged. */
  | { readonly kind: 'reemit'; readonly next: DedupState }
  | { readonly kind: 'suppress'; readonly next: DedupState; readonly counted: boolean };

/** 5 days: the deduplication period of the anchor rule, used by both detectors. */
export const DEDUP_WINDOW_MS = 5 * 24 * 60 * 60 * 1000;

export function decideDedup(
  state: DedupState | undefined,
  eventTime: number,
  candidateAlertId: string,
  windowMs: number = DEDUP_WINDOW_MS,
): DedupDecision {
  if (state === undefined) {
    return { kind: 'raise', next: { lastRaisedAt: eventTime, lastAlertId: candidateAlertId, suppressedCount: 0, lastSuppressedAt: eventTime } };
  }
  if (state.lastAlertId === candidateAlertId) return { kind: 'reemit', next: state };
  // Out-of-order events (earlier than the last raised one) fall inside the window too: |delta| < window.
  if (Math.abs(eventTime - state.lastRaisedAt) < windowMs) {
    if (eventTime <= state.lastSuppressedAt) return { kind: 'suppress', next: state, counted: false };
    return {
      kind: 'suppress',
      counted: true,
      next: { ...state, suppressedCount: state.suppressedCount + 1, lastSuppressedAt: eventTime },
    };
  }
  return { kind: 'raise', next: { lastRaisedAt: eventTime, lastAlertId: candidateAlertId, suppressedCount: 0, lastSuppressedAt: eventTime } };
}
