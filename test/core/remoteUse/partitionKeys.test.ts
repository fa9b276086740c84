import { describe, expect, it } from 'vitest';
import { tokenBucketCandidates, tokenBucketKey, tokenShard } from '../../../src/core/remoteUse/partitionKeys';

const TENANT = '72f988bf-0000-4000-8000-000000000001';
const ISSUED = Date.UTC(2026, 8, 14, 13, 57, 10);

describe('token bucket keys', () => {
  it('one shard keeps the plain tenant + hour key', () => {
    expect(tokenBucketKey(TENANT, ISSUED, 'x9Kq2v0AbUeoWb7cY1mQAA')).toBe(`tok|${TENANT}|2026091413`);
  });

  it('with shards, a token always lands in the same shard of its hour, and the shard is in the key', () => {
    const key = tokenBucketKey(TENANT, ISSUED, 'x9Kq2v0AbUeoWb7cY1mQAA', 8);
    expect(key).toMatch(new RegExp(`^tok\\|${TENANT}\\|2026091413\\|[0-7]$`));
    expect(tokenBucketKey(TENANT, ISSUED + 60_000, 'x9Kq2v0AbUeoWb7cY1mQAA', 8)).toBe(key);
    // FNV-1a of "a" is 0xe40c292c, finalised 444641715: the layout must not change between versions.
    expect(tokenShard('a', 2 ** 32)).toBe(444_641_715);
  });

  it('spreads token ids evenly over the shards', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[tokenShard(`tok-${i.toString(36)}-AbUeoWb7cY1m`, 16)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(850);
    expect(Math.max(...counts)).toBeLessThan(1_150);
  });

  it('a use looks in its token’s shard of the issuance hour and of the hour 10 minutes later', () => {
    const late = Date.UTC(2026, 8, 14, 13, 55);
    const shard = tokenShard('x9Kq2v0AbUeoWb7cY1mQAA', 4);
    expect(tokenBucketCandidates(TENANT, late, 'x9Kq2v0AbUeoWb7cY1mQAA', 4)).toEqual([`tok|${TENANT}|2026091413|${shard}`, `tok|${TENANT}|2026091414|${shard}`]);
    expect(tokenBucketCandidates(TENANT, Date.UTC(2026, 8, 14, 13, 20), 'x9Kq2v0AbUeoWb7cY1mQAA')).toEqual([`tok|${TENANT}|2026091413`]);
  });
});
