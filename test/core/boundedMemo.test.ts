import { describe, expect, it } from 'vitest';
import { rememberBounded } from '../../src/core/boundedMemo';

describe('rememberBounded', () => {
  it('stores and returns the value while the memo has room', () => {
    const memo = new Map<string, number>([['a', 1]]);
    expect(rememberBounded(memo, 'b', 2, 3)).toBe(2);
    expect([...memo]).toEqual([['a', 1], ['b', 2]]);
  });

  it('clears a full memo before storing, so it never holds more than its bound', () => {
    const memo = new Map<string, number>([['a', 1], ['b', 2]]);
    expect(rememberBounded(memo, 'c', 3, 2)).toBe(3);
    expect([...memo]).toEqual([['c', 3]]);
  });
});
