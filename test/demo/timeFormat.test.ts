import { describe, expect, it } from 'vitest';
import { createIsoTicksFormatter, isoOffset, isoSeconds, isoTicks, parseDay, tokenIdFromGuid } from '../../src/demo/timeFormat';

describe('timestamps', () => {
  it('writes 7 fractional digits, as Azure Monitor does', () => {
    const ms = Date.parse('2026-09-01T04:59:49.227Z');
    expect(isoTicks(ms, 9838)).toBe('2026-09-01T04:59:49.2279838Z');
    expect(isoTicks(ms, 7)).toBe('2026-09-01T04:59:49.2270007Z');
    expect(isoOffset(isoTicks(ms, 9838))).toBe('2026-09-01T04:59:49.2279838+00:00');
    expect(isoSeconds(Math.floor(ms / 1000))).toBe('2026-09-01T04:59:49Z');
  });

  it.each(['2026-9-1', '2026-09-01T00:00:00Z', 'tomorrow', '2026-13-01'])('parseDay rejects %s', (day) => {
    expect(() => parseDay(day, 'start')).toThrow(/start/);
  });

  it('parseDay reads midnight UTC', () => {
    expect(new Date(parseDay('2026-09-01', 'start')).toISOString()).toBe('2026-09-01T00:00:00.000Z');
  });
});

describe('tokenIdFromGuid', () => {
  it('encodes the GUID bytes in .NET order as unpadded base64url', () => {
    // a08869a8-3b15-46e4-8de3-273849e60100 → bytes a8 69 88 a0 15 3b e4 46 8d e3 27 38 49 e6 01 00.
    expect(tokenIdFromGuid('a08869a8-3b15-46e4-8de3-273849e60100')).toBe('qGmIoBU75EaN4yc4SeYBAA');
  });

  it('is 22 URL-safe characters for any GUID', () => {
    expect(tokenIdFromGuid('ffffffff-ffff-4fff-bfff-ffffffffffff')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(tokenIdFromGuid('ffffffff-ffff-4fff-bfff-ffffffffffff')).toContain('_');
  });

  it('rejects what is not a GUID', () => {
    expect(() => tokenIdFromGuid('not-a-guid')).toThrow(RangeError);
  });
});

describe('createIsoTicksFormatter', () => {
  it('writes what isoTicks writes, across minute, hour and day boundaries and backwards steps', () => {
    const format = createIsoTicksFormatter();
    const start = Date.parse('2026-09-01T23:58:59.990Z');
    const steps = [0, 1, 9, 10, 99, 100, 999, 1000, 60_000, 61_234, -120_000, 86_400_000, 3_600_001];
    let ticks = 0;
    for (const step of steps) {
      const ms = start + step;
      for (const t of [0, 7, 42, 999, 9999, ticks++]) expect(format(ms, t)).toBe(isoTicks(ms, t));
    }
  });
});
