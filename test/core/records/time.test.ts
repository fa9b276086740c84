import { describe, expect, it } from 'vitest';
import { parseTime, utcEpochMs } from '../../../src/core/records/time';
import { createRandom } from '../../../src/demo/random';

describe('utcEpochMs', () => {
  it('agrees with Date.UTC on every day of 1968-2104 (leap years, century rules, month ends)', () => {
    const mismatches: string[] = [];
    for (let year = 1968; year <= 2104; year++) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= 31; day++) {
          const expected = Date.UTC(year, month - 1, day, 23, 59, 58, 999);
          if (utcEpochMs(year, month, day, 23, 59, 58, 999) !== expected) mismatches.push(`${year}-${month}-${day}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('agrees with Date.UTC on random instants of the years 100-9999, a second past 59 rolling over the same way', () => {
    const random = createRandom(20261201);
    for (let i = 0; i < 20_000; i++) {
      const args = [random.int(100, 9999), random.int(1, 12), random.int(1, 31), random.int(0, 23), random.int(0, 59), random.int(0, 60), random.int(0, 999)] as const;
      const [year, month, day, hour, minute, second, ms] = args;
      expect(utcEpochMs(year, month, day, hour, minute, second, ms), args.join(' ')).toBe(Date.UTC(year, month - 1, day, hour, minute, second, ms));
    }
  });

  it('reads years below 100 as those years, where Date.UTC reads them as 19xx', () => {
    expect(utcEpochMs(50, 6, 1, 0, 0, 0, 0)).toBe(Date.parse('0050-06-01T00:00:00Z'));
    expect(parseTime('0050-06-01T00:00:00Z')).toBe(Date.parse('0050-06-01T00:00:00Z'));
    expect(parseTime('0001-01-01T00:00:00.0000000Z')).toBe(Date.parse('0001-01-01T00:00:00Z'));
    expect(parseTime('1/1/0001 12:00:00 AM')).toBe(Date.parse('0001-01-01T00:00:00Z'));
  });

  it('is what parseTime gives for the canonical shapes, and out-of-range fields are no time', () => {
    expect(parseTime('2024-02-29T12:34:56.789Z')).toBe(Date.UTC(2024, 1, 29, 12, 34, 56, 789));
    expect(parseTime('2100-03-01T00:00:00+00:00')).toBe(Date.UTC(2100, 2, 1));
    expect(parseTime('2026-13-01T00:00:00Z')).toBeUndefined();
    expect(parseTime('2026-01-01T24:00:00Z')).toBeUndefined();
    expect(parseTime('2026-01-00T00:00:00Z')).toBeUndefined();
  });
});
