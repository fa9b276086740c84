import { describe, expect, it } from 'vitest';
import { makeReject, REJECT_SAMPLE_CHARS } from '../../../src/core/records/reject';
import { wellFormed, wellFormedJson } from '../../../src/core/records/wellFormed';

const isWellFormed = (text: string): boolean => {
  try {
    encodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};

describe('wellFormed', () => {
  it.each([
    ['plain text', 'abc', 'abc'],
    ['a pair', 'a\ud83d\ude00b', 'a\ud83d\ude00b'],
    ['a lone high surrogate', 'a\ud800b', 'a\ufffdb'],
    ['a lone low surrogate', '\udc00', '\ufffd'],
    ['a reversed pair', '\udc00\ud800', '\ufffd\ufffd'],
    ['a high surrogate at the end', 'x\ud83d', 'x\ufffd'],
  ])('%s', (_name, input, expected) => {
    expect(wellFormed(input)).toBe(expected);
    expect(isWellFormed(wellFormed(input))).toBe(true);
  });

  it('returns the same string when nothing needs replacing', () => {
    const text = 'managed identity \ud83d\ude00';
    expect(wellFormed(text)).toBe(text);
  });

  it('reaches every string of a JSON value, keys included', () => {
    expect(wellFormedJson({ 'k\ud800': ['v\udc00', 1, null, { deep: 'x\ud83d' }] })).toEqual({ 'k\ufffd': ['v\ufffd', 1, null, { deep: 'x\ufffd' }] });
  });
});

describe('reject samples and details', () => {
  it('are well-formed, also when the sample is cut inside a surrogate pair', () => {
    const cutInsidePair = `${'a'.repeat(REJECT_SAMPLE_CHARS - 1)}\ud83d\ude00tail`;
    const reject = makeReject('x.test', 'detail \ud800', cutInsidePair, 'message 0');
    expect(isWellFormed(reject.sample)).toBe(true);
    expect(isWellFormed(reject.detail)).toBe(true);
    expect(isWellFormed(makeReject('x.test', 'd', { record: 'id-\udc00' }, 'message 0').sample)).toBe(true);
  });
});
