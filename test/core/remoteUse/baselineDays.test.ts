import { describe, expect, it } from 'vitest';
import { baselineDaysOf, exactRowFacts, IN_BASELINE, LEARNED_AS_IS, rowFacts } from '../../../src/core/remoteUse/baselineRows';
import type { PartitionSnapshot, RowData } from '../../../src/core/state/partition';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 8, 14, 13, 57, 10, 123);
const snapshotOf = (rows: Map<string, RowData>): PartitionSnapshot => ({ partitionKey: 'mi|t|o', rows });

/** A small deterministic generator (xorshift32): the same cases on every run. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('baseline day codes', () => {
  it('give the facts the rows give, for rows and uses around every day boundary that matters', () => {
    const next = random(20261201);
    // Offsets that put first, last and the use on, just before and just after day and window edges.
    const near = (at: number): number => {
      const pick = next();
      if (pick < 0.3) return at + Math.floor((next() - 0.5) * 6) * DAY + Math.floor(next() * 3 - 1);
      if (pick < 0.6) return Math.floor(at / DAY) * DAY + Math.floor(next() * 3 - 1) + Math.floor((next() - 0.5) * 4) * DAY;
      return at + Math.floor((next() - 0.5) * 80 * DAY);
    };
    let coded = 0;
    for (let i = 0; i < 20_000; i++) {
      const windowMs = [30 * DAY, DAY, 3_600_000, 0][i % 4]!;
      const useAt = near(T0);
      const last = next() < 0.5 ? near(useAt - windowMs) : near(useAt);
      const first = next() < 0.1 ? last + Math.floor(next() * 3 * DAY) : last - Math.floor(next() ** 3 * 40_000) * DAY - Math.floor(next() * DAY);
      const rows = new Map<string, RowData>([['ip|203.0.113.7', { first, last, asn: 64500 }]]);
      const facts = rowFacts(baselineDaysOf(snapshotOf(rows)), rows, 'ip|203.0.113.7', useAt, windowMs);
      expect(facts, `first ${first} last ${last} use ${useAt} window ${windowMs}`).toBe(exactRowFacts(rows.get('ip|203.0.113.7'), useAt, windowMs));
      if (facts & IN_BASELINE) coded++;
    }
    // Both answers occur often: the cases are not all on one side of the window.
    expect(coded).toBeGreaterThan(2_000);
    expect(coded).toBeLessThan(18_000);
  });

  it('a usual row used again on a later day: in the baseline, and learning moves its last seen', () => {
    const rows = new Map<string, RowData>([['asn|8075', { first: T0 - 20 * DAY, last: T0 - 2 * DAY, org: 'Microsoft Corporation' }]]);
    const days = baselineDaysOf(snapshotOf(rows));
    expect(rowFacts(days, rows, 'asn|8075', T0, 30 * DAY)).toBe(IN_BASELINE);
    expect(rowFacts(days, rows, 'asn|8075', T0 - 2 * DAY + 1, 30 * DAY)).toBe(IN_BASELINE | LEARNED_AS_IS);
    expect(rowFacts(days, rows, 'asn|8075', T0 + 40 * DAY, 30 * DAY)).toBe(0);
  });

  it('a row the partition does not have is neither in the baseline nor learned as it is', () => {
    const rows = new Map<string, RowData>([['asn|8075', { first: T0, last: T0, org: '' }]]);
    expect(rowFacts(baselineDaysOf(snapshotOf(rows)), rows, 'ip|198.51.100.1', T0, 30 * DAY)).toBe(0);
  });

  it('rows no code can describe are read: times stored as text, missing times, times past the coded range', () => {
    const rows = new Map<string, RowData>([
      ['ip|a', { first: String(T0 - 3 * DAY), last: String(T0 - DAY), asn: 1 }],
      ['ip|b', { last: T0 - DAY, asn: 1 }],
      ['ip|c', { first: T0 - DAY, last: Date.UTC(2200, 0, 1), asn: 1 }],
      ['ip|d', { first: -5 * DAY, last: -DAY, asn: 1 }],
    ]);
    const days = baselineDaysOf(snapshotOf(rows));
    for (const key of rows.keys()) {
      for (const at of [T0, T0 - 2 * DAY, Date.UTC(2200, 0, 2), 0]) expect(rowFacts(days, rows, key, at, 30 * DAY)).toBe(exactRowFacts(rows.get(key), at, 30 * DAY));
    }
    expect(rowFacts(days, rows, 'ip|a', T0, 30 * DAY)).toBe(IN_BASELINE);
    expect(rowFacts(days, rows, 'ip|b', T0, 30 * DAY)).toBe(0);
  });

  it('are made once per snapshot and kept on it: a partition the store hands out unchanged is not coded again', () => {
    const snapshot = snapshotOf(new Map<string, RowData>([['asn|8075', { first: T0, last: T0, org: '' }]]));
    const days = baselineDaysOf(snapshot);
    expect(snapshot.derived).toBe(days);
    expect(baselineDaysOf(snapshot)).toBe(days);
    expect([...days.keys()]).toEqual(['asn|8075']);
  });
});
