/**
 * Values placed into KQL text. Every value that is not a fixed keyword goes through one of these,
 * so no value can end a string literal or inject an operator.
 */

/** A double-quoted KQL string literal: `\` and `"` escaped, control and line-separator characters as `\uXXXX`. */
export function kqlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `("a", "b")` for `in` / `has_any`. */
export function kqlStringList(values: readonly string[]): string {
  return `(${values.map(kqlString).join(', ')})`;
}

/** `datetime(2026-03-01T10:00:00.000Z)`; throws on a time that is not a finite epoch (a programming error, not input). */
export function kqlDatetime(epochMs: number): string {
  if (!Number.isFinite(epochMs)) throw new RangeError(`kqlDatetime: not a time: ${epochMs}`);
  return `datetime(${new Date(epochMs).toISOString()})`;
}

/** A non-negative integer literal (row limits). */
export function kqlLong(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`kqlLong: not a non-negative integer: ${value}`);
  return String(value);
}
