import { describe, expect, it } from 'vitest';
import { createRandom, deriveSeed } from '../../src/demo/random';

const draw = (seed: number, n: number) => {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => random.next());
};

describe('createRandom', () => {
  it('repeats the same sequence for the same seed and not for another', () => {
    expect(draw(42, 100)).toEqual(draw(42, 100));
    expect(draw(42, 100)).not.toEqual(draw(43, 100));
  });

  it('stays in [0, 1) and spreads over the whole interval', () => {
    const values = draw(7, 20_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    // Ten equal buckets each get 10 % ± 1.5 % of 20,000 draws.
    const buckets = new Array(10).fill(0);
    for (const v of values) buckets[Math.floor(v * 10)]++;
    for (const count of buckets) expect(Math.abs(count - 2000)).toBeLessThan(300);
  });

  it('int covers both bounds and nothing outside them', () => {
    const random = createRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(random.int(3, 7));
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it('guid has the version-4 layout and hex has the asked length', () => {
    const random = createRandom(9);
    for (let i = 0; i < 200; i++) expect(random.guid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(random.hex(43)).toMatch(/^[0-9a-f]{43}$/);
  });

  it('sample returns distinct elements of the list', () => {
    const random = createRandom(5);
    const picked = random.sample(['a', 'b', 'c', 'd', 'e'], 3);
    expect(picked).toHaveLength(3);
    expect(new Set(picked).size).toBe(3);
    expect(random.sample(['a', 'b'], 5).sort()).toEqual(['a', 'b']);
  });

  it('pick refuses an empty list', () => {
    expect(() => createRandom(1).pick([])).toThrow(RangeError);
  });
});

describe('deriveSeed', () => {
  it('gives different sub-seeds for different labels and parents, and the same for the same', () => {
    expect(deriveSeed(1, 'day-1')).toBe(deriveSeed(1, 'day-1'));
    expect(deriveSeed(1, 'day-1')).not.toBe(deriveSeed(1, 'day-2'));
    expect(deriveSeed(1, 'day-1')).not.toBe(deriveSeed(2, 'day-1'));
  });
});
