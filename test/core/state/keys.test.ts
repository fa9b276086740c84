import { describe, expect, it } from 'vitest';
import { escapeKeyPart, tableKey } from '../../../src/core/state/keys';

describe('Table Storage keys', () => {
  it.each([
    ['plain', 'abc-123', 'abc-123'],
    ['slash', 'a/b', 'a%2Fb'],
    ['backslash', 'a\\b', 'a%5Cb'],
    ['hash and question mark', '#?', '%23%3F'],
    ['percent (the escape itself)', '100%', '100%25'],
    ['separator', 'a|b', 'a%7Cb'],
    ['control characters', 'a\u0000\u001f\u007f\u009fb', 'a%00%1F%7F%9Fb'],
    ['IPv6 colons stay', '2001:db8::1', '2001:db8::1'],
  ])('%s', (_name, input, expected) => {
    expect(escapeKeyPart(input)).toBe(expected);
    expect(escapeKeyPart(input)).not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
  });

  it('escapes exactly the forbidden characters, each on its own and inside a GUID-like part', () => {
    const forbidden = /[%/\\#?|\u0000-\u001f\u007f-\u009f]/;
    for (let code = 0; code < 0x300; code++) {
      const ch = String.fromCharCode(code);
      const expected = forbidden.test(ch) ? `%${code.toString(16).padStart(2, '0').toUpperCase()}` : ch;
      expect(escapeKeyPart(ch)).toBe(expected);
      expect(escapeKeyPart(`0a1b${ch}2c3d`)).toBe(`0a1b${expected}2c3d`);
    }
  });

  it('escapes lone UTF-16 surrogates (valid JSON escapes, but no request URL can carry them) and keeps pairs', () => {
    expect(escapeKeyPart('a\ud800b')).toBe('a%uD800b');
    expect(escapeKeyPart('\udc00')).toBe('%uDC00');
    expect(escapeKeyPart('\udc00\ud800')).toBe('%uDC00%uD800');
    expect(escapeKeyPart('x\ud83d\ude00y')).toBe('x\ud83d\ude00y');
    expect(escapeKeyPart('\ud83d\ude00/\ud800')).toBe('\ud83d\ude00%2F%uD800');
    for (const part of ['a\ud800b', '\udc00', '\ud83d', 'ok\ud83d\ude00']) expect(() => encodeURIComponent(escapeKeyPart(part))).not.toThrow();
  });

  it('does not cut a surrogate pair when it shortens a long key', () => {
    for (let pad = 0; pad < 4; pad++) {
      const key = tableKey('tok', `${'x'.repeat(pad)}${'\ud83d\ude00'.repeat(400)}`);
      expect(key.length).toBeLessThanOrEqual(512);
      expect(() => encodeURIComponent(key)).not.toThrow();
    }
  });

  it('joins parts so that different part lists never collide', () => {
    expect(tableKey('a|b', 'c')).not.toBe(tableKey('a', 'b|c'));
    expect(tableKey('mi', 't', 'o')).toBe('mi|t|o');
  });

  it('shortens a long key to a unique, deterministic, valid one', () => {
    const long = 'x'.repeat(2000);
    const key = tableKey('tok', long);
    expect(key.length).toBeLessThanOrEqual(512);
    expect(tableKey('tok', long)).toBe(key);
    expect(tableKey('tok', `${long}y`)).not.toBe(key);
  });
});
