import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendAll } from '../../src/core/arrays';

/**
 * `array.push(...items)` passes every item as an argument on the stack: an unbounded array (a
 * file of rejects, a batch's changes) ends with "Maximum call stack size exceeded" and takes the
 * invocation with it. The code appends with appendAll (src/core/arrays.ts); this test lists every
 * place that spreads into push, so a new one fails here, not in production.
 */
const ROOT = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

describe('no push(...array)', () => {
  it('no source file spreads an array into push', () => {
    const offenders = [...sourceFiles(path.join(ROOT, 'src')), ...sourceFiles(path.join(ROOT, 'functions'))].flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${path.relative(ROOT, file)}:${i + 1}` }))
        .filter(({ line }) => /\.push\(\s*\.\.\./.test(line) && !line.trim().startsWith('*') && !line.trim().startsWith('//'))
        .map(({ at }) => at),
    );
    expect(offenders).toEqual([]);
  });

  it('appendAll appends an array far larger than the stack allows to spread', () => {
    const big = Array.from({ length: 300_000 }, (_, i) => i);
    expect(() => [].push(...(big as never[]))).toThrow(RangeError);
    const target = [-1];
    expect(appendAll(target, big)).toHaveLength(300_001);
    expect(target[300_000]).toBe(299_999);
  });
});
