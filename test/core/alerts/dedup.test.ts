import { describe, expect, it } from 'vitest';
import { decideDedup, dedupStateFromRow, dedupStateToRow, DEDUP_WINDOW_MS } from '../../../src/core/alerts/dedup';

const T = Date.UTC(2026, 0, 1);

describe('dedup decision', () => {
  it('raises the first alert of a key', () => {
    expect(decideDedup(undefined, T, 'a1')).toEqual({ kind: 'raise', next: { lastRaisedAt: T, lastAlertId: 'a1', suppressedCount: 0, recentlySuppressed: [] } });
  });
  it.each([
    ['one ms before the window ends', DEDUP_WINDOW_MS - 1, 'suppress'],
    ['exactly at the window end', DEDUP_WINDOW_MS, 'raise'],
    ['after the window', DEDUP_WINDOW_MS + 1, 'raise'],
    ['out of order, inside the window', -DEDUP_WINDOW_MS + 1, 'suppress'],
  ])('%s', (_name, delta, kind) => {
    const state = decideDedup(undefined, T, 'a1').next;
    expect(decideDedup(state, T + delta, 'a2').kind).toBe(kind);
  });
  it('counts suppressions on the state, once per record even when redelivered', () => {
    let state = decideDedup(undefined, T, 'a1').next;
    const first = decideDedup(state, T + 1000, 'a2');
    expect(first).toMatchObject({ kind: 'suppress', counted: true });
    state = first.next;
    expect(state.suppressedCount).toBe(1);
    const again = decideDedup(state, T + 1000, 'a2');
    expect(again).toMatchObject({ kind: 'suppress', counted: false });
    expect(again.next.suppressedCount).toBe(1);
  });
  it('counts a late, out-of-order record that was never seen', () => {
    let state = decideDedup(undefined, T, 'a1').next;
    state = decideDedup(state, T + 5000, 'a2').next;
    const late = decideDedup(state, T + 1000, 'a3');
    expect(late).toMatchObject({ kind: 'suppress', counted: true });
    expect(late.next.suppressedCount).toBe(2);
  });

  it('round-trips through a table row', () => {
    let state = decideDedup(undefined, T, 'a1').next;
    state = decideDedup(state, T + 1, 'b2c3d4e5f6a7b8c9').next;
    expect(dedupStateFromRow(dedupStateToRow(state))).toEqual(state);
    expect(dedupStateFromRow({ raisedAt: 'x' })).toBeUndefined();
  });

  it('re-emits the same alert for a redelivered trigger without changing state', () => {
    const state = decideDedup(undefined, T, 'a1').next;
    expect(decideDedup(state, T, 'a1')).toEqual({ kind: 'reemit', next: state });
  });
});
