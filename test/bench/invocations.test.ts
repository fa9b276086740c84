import { describe, expect, it } from 'vitest';
import { countRecords, MAX_MESSAGES_PER_INVOCATION, toInvocations, type BenchBody } from '../../src/bench/invocations';

const bodies = (...records: number[]): BenchBody[] => records.map((n, i) => ({ text: `{"records":[/* ${i} */]}`, records: n }));

describe('toInvocations', () => {
  it('closes an invocation at 100 messages, the host default, and keeps stream order', () => {
    const input = bodies(...Array.from({ length: 250 }, () => 3));
    const invocations = toInvocations(input);
    expect(invocations.map((i) => i.bodies.length)).toEqual([MAX_MESSAGES_PER_INVOCATION, 100, 50]);
    expect(invocations.map((i) => i.records)).toEqual([300, 300, 150]);
    expect(invocations.flatMap((i) => i.bodies)).toEqual(input);
  });

  it.each([
    { records: [5, 5, 5, 5, 5], maxMessages: 100, maxRecords: 10, expected: [2, 2, 1] },
    { records: [20, 1, 1], maxMessages: 100, maxRecords: 10, expected: [1, 2] },
    { records: [1, 1, 1], maxMessages: 2, maxRecords: Infinity, expected: [2, 1] },
    { records: [], maxMessages: 100, maxRecords: Infinity, expected: [] },
  ])('groups $records by at most $maxMessages messages / $maxRecords records', ({ records, maxMessages, maxRecords, expected }) => {
    expect(toInvocations(bodies(...records), maxMessages, maxRecords).map((i) => i.bodies.length)).toEqual(expected);
  });

  it('refuses a message limit that is not a positive integer', () => {
    expect(() => toInvocations(bodies(1), 0)).toThrow(RangeError);
  });

  it('counts records over bodies and invocations alike', () => {
    expect(countRecords(bodies(3, 4, 5))).toBe(12);
    expect(countRecords(toInvocations(bodies(3, 4, 5), 2))).toBe(12);
  });
});
