import { describe, expect, it } from 'vitest';
import {
  afterRejectDetector,
  DEFAULT_REJECTS_RETENTION_DAYS,
  expiredRejectRange,
  firstKeptRejectDay,
  parseRejectPartitionKey,
  rejectDay,
  rejectPartitionKey,
} from '../../../src/core/records/rejectRetention';

describe('reject retention', () => {
  it('keys rejects by detector and UTC day of processing', () => {
    expect(rejectPartitionKey('TokenTheft', Date.UTC(2026, 10, 23, 23, 59, 59))).toBe('TokenTheft|20261123');
    expect(rejectPartitionKey('TokenTheft', Date.UTC(2026, 10, 24, 0, 0, 0))).toBe('TokenTheft|20261124');
    expect(rejectDay(Date.UTC(2027, 0, 1))).toBe('20270101');
  });

  it('keeps a reject through day D + retention and expires it the day after', () => {
    const processed = Date.UTC(2026, 10, 1, 18, 0);
    const partitionDay = parseRejectPartitionKey(rejectPartitionKey('RemoteTokenUse', processed))!.day;
    const expired = (nowMs: number): boolean => partitionDay < firstKeptRejectDay(nowMs, DEFAULT_REJECTS_RETENTION_DAYS);
    expect(expired(Date.UTC(2026, 11, 1, 23, 59))).toBe(false); // day D + 30
    expect(expired(Date.UTC(2026, 11, 2, 0, 0))).toBe(true); // day D + 31
    expect(firstKeptRejectDay(Date.UTC(2026, 2, 1, 4, 41), 1)).toBe('20260228');
    expect(firstKeptRejectDay(Date.UTC(2028, 2, 1, 4, 41), 1)).toBe('20280229');
  });

  it('refuses a retention that would delete today’s rejects or is not a whole number of days', () => {
    for (const days of [0, -1, 1.5, Number.NaN]) expect(() => firstKeptRejectDay(Date.UTC(2026, 10, 1), days)).toThrow(RangeError);
  });

  it('reads back only keys of the reject shape', () => {
    expect(parseRejectPartitionKey('TokenTheft|20261123')).toEqual({ detectorKey: 'TokenTheft', day: '20261123' });
    expect(parseRejectPartitionKey('Odd%7CName|20261123')).toEqual({ detectorKey: 'Odd%7CName', day: '20261123' });
    for (const key of ['TokenTheft', '|20261123', 'TokenTheft|2026-11-23', 'TokenTheft|20261123|x', 'host|t|h']) expect(parseRejectPartitionKey(key)).toBeUndefined();
  });

  it('bounds a detector’s expired days by key order, and steps past all its days to the next detector', () => {
    const range = expiredRejectRange('TokenTheft', '20261101');
    const inRange = (key: string): boolean => key >= range.from && key < range.to;
    expect(['TokenTheft|20250101', 'TokenTheft|20261031'].every(inRange)).toBe(true);
    expect(['TokenTheft|20261101', 'TokenTheft|20261225', 'TokenTheftX|20200101', 'TokenThef|20200101', 'RemoteTokenUse|20200101'].some(inRange)).toBe(false);
    const next = afterRejectDetector('TokenTheft');
    // Every key of the detector sorts before the bound, the keys of detectors after it at or after.
    expect(['TokenTheft|00000000', 'TokenTheft|99999999'].every((key) => key < next)).toBe(true);
    expect(['TokenTheft~|20200101', 'Zeta|20200101'].every((key) => key >= next)).toBe(true);
    // A detector whose name extends this one with a letter sorts before it: the walk met it already.
    expect('TokenTheftX|20200101' < range.from).toBe(true);
  });
});
