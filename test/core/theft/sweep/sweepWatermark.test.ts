import { describe, expect, it } from 'vitest';
import { advanceWatermark, parseSweepWatermark, SWEEP_MAX_SPAN_MS, SWEEP_OVERLAP_MS, sweepWindow, type SweepWatermark } from '../../../../src/core/theft/sweep/sweepWatermark';

const MIN = 60_000;
const t0 = Date.UTC(2026, 2, 1, 10);

describe('sweep watermark', () => {
  it('starts one hour back, then overlaps the previous window', () => {
    expect(sweepWindow(undefined, t0)).toEqual({ fromMs: t0 - 60 * MIN, toMs: t0 });
    expect(sweepWindow({ throughMs: t0, seen: [] }, t0 + 5 * MIN)).toEqual({ fromMs: t0 - SWEEP_OVERLAP_MS, toMs: t0 + 5 * MIN });
  });

  it('reads at most SWEEP_MAX_SPAN_MS per window after an outage, and catches up window by window', () => {
    const outage = 3 * 24 * 60 * MIN;
    let previous: SweepWatermark = { throughMs: t0, seen: [] };
    const now = t0 + outage;
    const windows: { fromMs: number; toMs: number }[] = [];
    for (let run = 0; run < 100 && previous.throughMs < now; run++) {
      const w = sweepWindow(previous, now);
      expect(w.toMs - w.fromMs).toBeLessThanOrEqual(SWEEP_MAX_SPAN_MS);
      windows.push(w);
      previous = advanceWatermark(previous, w, [], false).next;
    }
    expect(previous.throughMs).toBe(now);
    // Consecutive windows overlap by SWEEP_OVERLAP_MS and leave no gap: each starts before the last one ended.
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.fromMs).toBe(windows[i - 1]!.toMs - SWEEP_OVERLAP_MS);
    // 72 h at 6 h less the 10-minute overlap per run.
    expect(windows).toHaveLength(Math.ceil((outage + SWEEP_OVERLAP_MS) / (SWEEP_MAX_SPAN_MS - SWEEP_OVERLAP_MS)));
    // The first run after the outage reads its first six hours, not three days.
    expect(windows[0]).toEqual({ fromMs: t0 - SWEEP_OVERLAP_MS, toMs: t0 - SWEEP_OVERLAP_MS + SWEEP_MAX_SPAN_MS });
  });

  it('judges each row once across overlapping windows, including a row ingested late inside the overlap', () => {
    const w1 = sweepWindow(undefined, t0);
    const r1 = advanceWatermark(undefined, w1, [
      { id: 'a', ingestedAtMs: t0 - 30 * MIN },
      { id: 'b', ingestedAtMs: t0 - 2 * MIN },
    ], false);
    expect(r1.fresh).toEqual([0, 1]);
    expect(r1.next.throughMs).toBe(t0);
    expect(r1.next.seen.map((s) => s.id)).toEqual(['b']); // a is older than the overlap

    // Next run: b comes back through the overlap; c was ingested at t0-1min but became visible only now.
    const w2 = sweepWindow(r1.next, t0 + 5 * MIN);
    const r2 = advanceWatermark(r1.next, w2, [
      { id: 'b', ingestedAtMs: t0 - 2 * MIN },
      { id: 'c', ingestedAtMs: t0 - 1 * MIN },
      { id: 'd', ingestedAtMs: t0 + 4 * MIN },
    ], false);
    expect(r2.fresh).toEqual([1, 2]);
    expect(r2.next.throughMs).toBe(t0 + 5 * MIN);
  });

  it('continues a truncated window from its last row', () => {
    const w = sweepWindow({ throughMs: t0, seen: [] }, t0 + 60 * MIN);
    const r = advanceWatermark({ throughMs: t0, seen: [] }, w, [
      { id: 'x', ingestedAtMs: t0 + 1 * MIN },
      { id: 'y', ingestedAtMs: t0 + 2 * MIN },
    ], true);
    expect(r.next.throughMs).toBe(t0 + 2 * MIN);
    expect(r.next.seen.map((s) => s.id)).toEqual(['x', 'y']);
  });

  it('never moves backwards and counts a duplicate row within one result once', () => {
    const prev: SweepWatermark = { throughMs: t0, seen: [] };
    const r = advanceWatermark(prev, { fromMs: t0 - 20 * MIN, toMs: t0 - 10 * MIN }, [
      { id: 'z', ingestedAtMs: t0 - 15 * MIN },
      { id: 'z', ingestedAtMs: t0 - 15 * MIN },
    ], false);
    expect(r.next.throughMs).toBe(t0);
    expect(r.fresh).toEqual([0]);
  });

  it('reads a stored watermark back, and refuses a malformed one', () => {
    const stored = JSON.parse(JSON.stringify({ throughMs: t0, seen: [{ id: 'b', ingestedAtMs: t0 - MIN }] })) as unknown;
    expect(parseSweepWatermark(stored)).toEqual({ throughMs: t0, seen: [{ id: 'b', ingestedAtMs: t0 - MIN }] });
    expect(parseSweepWatermark({ throughMs: 'x', seen: [] })).toBeUndefined();
    expect(parseSweepWatermark({ throughMs: t0, seen: [{ id: 1 }] })).toBeUndefined();
    expect(parseSweepWatermark(null)).toBeUndefined();
  });
});
