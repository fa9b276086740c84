import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { boundId, boundText, ID_MAX_CHARS, TEXT_MAX_CHARS } from '../../../src/core/bounds/textBounds';

/** A full collection, as HeapWatch forces one (the test worker was not started with --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('text bounds', () => {
  it('cuts display text with a marker and identifiers with a hash of the whole, never splitting a surrogate pair', () => {
    // The head kept is TEXT_MAX_CHARS less the 14-character marker: the pair straddles its end.
    const long = `${'x'.repeat(TEXT_MAX_CHARS - 15)}\u{1F600}${'y'.repeat(100)}`;
    const cut = boundText(long);
    expect(cut.length).toBeLessThanOrEqual(TEXT_MAX_CHARS);
    expect(cut).toMatch(/…\[\+\d+ chars\]$/);
    // No lone surrogate: the pair before the cut is kept whole or dropped whole.
    expect(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(cut)).toBe(false);
    const a = boundId(`${'i'.repeat(ID_MAX_CHARS)}a`);
    const b = boundId(`${'i'.repeat(ID_MAX_CHARS)}b`);
    expect([a.length, b.length]).toEqual([ID_MAX_CHARS, ID_MAX_CHARS]);
    expect(a).not.toBe(b);
    expect(boundText('short')).toBe('short');
  });

  it('keeps nothing of the text it cut: a bounded head does not hold its whole field alive', () => {
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    const kept: string[] = [];
    // 20 fields of 5 MB (one-byte characters): 100 MB if each bounded value held its field.
    for (let i = 0; i < 20; i++) {
      const field = `${i}${'a'.repeat(5_000_000)}`;
      kept.push(boundText(field), boundId(field));
    }
    collectGarbage();
    const retainedMb = (process.memoryUsage().heapUsed - before) / 1e6;
    expect(kept).toHaveLength(40);
    expect(retainedMb).toBeLessThan(25);
  });
});
