import { describe, expect, it } from 'vitest';
import { kqlDatetime, kqlLong, kqlString, kqlStringList } from '../../../../src/core/theft/sweep/kqlLiteral';
import { kqlDiagnostics } from '../../../support/kusto';

const T = { T: { A: 'string', B: 'long' } } as const;

describe('kqlString', () => {
  it.each([
    'plain',
    'a"b',
    'a\\b',
    '" | take 1 //',
    '"); T | where A == "x',
    'line\nbreak\r\ttab',
    '\u0000\u0001\u001f\u007f\u0085',
    'sep\u2028arator\u2029',
    "it's @'verbatim'",
    '\\"',
    '\\',
    '😀 ünïcode',
  ])('%j stays one literal and round-trips', (hostile) => {
    const literal = kqlString(hostile);
    // One literal, nothing after it: the query has exactly the one where clause and no errors.
    expect(kqlDiagnostics(`T | where A == ${literal} | project A`, T)).toEqual([]);
    expect(literal.startsWith('"') && literal.endsWith('"')).toBe(true);
    expect(JSON.parse(literal)).toBe(hostile);
  });

  it('lists values for in()', () => {
    expect(kqlDiagnostics(`T | where A in ${kqlStringList(['a"', 'b\\'])}`, T)).toEqual([]);
  });

  it('writes datetimes and row limits only from numbers it can vouch for', () => {
    expect(kqlDatetime(Date.UTC(2026, 2, 1, 10))).toBe('datetime(2026-03-01T10:00:00.000Z)');
    expect(() => kqlDatetime(Number.NaN)).toThrow(RangeError);
    expect(kqlLong(5000)).toBe('5000');
    expect(() => kqlLong(-1)).toThrow(RangeError);
    expect(() => kqlLong(1.5)).toThrow(RangeError);
  });
});
