import { describe, expect, it } from 'vitest';
import { median, perSecond, round } from '../../src/bench/measure';

describe('measure helpers', () => {
  it.each([
    { values: [3], expected: 3 },
    { values: [5, 1, 3], expected: 3 },
    { values: [4, 1, 3, 2], expected: 2.5 },
  ])('median of $values is $expected', ({ values, expected }) => {
    expect(median(values)).toBe(expected);
  });

  it('has no median of nothing', () => {
    expect(() => median([])).toThrow(RangeError);
  });

  it('turns counts and milliseconds into a rate, and nothing timed into 0 rather than Infinity', () => {
    expect(perSecond(2_000, 500)).toBe(4_000);
    expect(perSecond(10, 0)).toBe(0);
  });

  it.each([
    { value: 123_456.7, expected: 123_457 },
    { value: 12.345, expected: 12.3 },
    { value: 0.123456, expected: 0.123 },
  ])('rounds $value for the report to $expected', ({ value, expected }) => {
    expect(round(value)).toBe(expected);
  });
});
