import { describe, expect, it } from 'vitest';
import { text } from '../../../src/core/records/fields';

describe('text', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['a', 'a'],
    [' padded\t', 'padded'],
    ['\u00a0no-break spaces\u00a0', 'no-break spaces'],
    ['\ufeffbom', 'bom'],
    ['ideographic\u3000', 'ideographic'],
    ['\nline\r\n', 'line'],
    ['é', 'é'],
    ['x ', 'x'],
    [' x', 'x'],
  ])('%j -> %j', (input, expected) => {
    expect(text(input)).toBe(expected);
  });

  it.each([[''], ['   '], ['\u2028\u2029'], [null], [undefined], [{}], [Number.NaN]])('%j is no text', (input) => {
    expect(text(input)).toBeUndefined();
  });

  it('renders finite numbers (logs mix "4" and 4)', () => {
    expect(text(4)).toBe('4');
    expect(text(1.5)).toBe('1.5');
  });
});
