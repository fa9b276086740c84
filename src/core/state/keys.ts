import { createHash } from 'node:crypto';

/**
 * Table Storage forbids `/`, `\`, `#`, `?` and control characters (U+0000–U+001F, U+007F–U+009F)
 * in PartitionKey and RowKey, and limits each to 1 KiB. Key parts are escaped (`%XX`, like a URL,
 * so `%` itself is escaped too) and joined with `|`; a key that would exceed 512 characters is
 * shortened to a prefix plus a SHA-256 of the whole, so it stays unique and deterministic.
 * A lone UTF-16 surrogate (valid in JSON as `\ud800`, but not text) is escaped as `%uD800`: the
 * SDK cannot put it into a request URL ("URI malformed"), so every write of the batch would fail
 * and the batch would be redelivered forever.
 */
/** Half the 1 KiB limit: leaves room for UTF-16 expansion of non-ASCII characters. */
const MAX_KEY_CHARS = 512;

/** The characters escaped as `%XX`, as a test on one UTF-16 unit. */
function forbidden(c: number): boolean {
  return c <= 0x1f || (c >= 0x7f && c <= 0x9f) || c === 37 /* % */ || c === 47 /* / */ || c === 92 /* \ */ || c === 35 /* # */ || c === 63 /* ? */ || c === 124 /* | */;
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

function needsEscaping(part: string): boolean {
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (forbidden(c)) return true;
    if (c < 0xd800 || c > 0xdfff) continue;
    // A surrogate pair is one character; a lone surrogate is escaped.
    if (!isHighSurrogate(c) || !isLowSurrogate(part.charCodeAt(i + 1))) return true;
    i++;
  }
  return false;
}

export function escapeKeyPart(part: string): string {
  // Most parts (GUIDs, ASNs, addresses) need no escaping: a character scan (hot path: every
  // record builds keys) decides before a new string is built.
  if (!needsEscaping(part)) return part;
  let out = '';
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (isHighSurrogate(c) && isLowSurrogate(part.charCodeAt(i + 1))) {
      out += part.slice(i, i + 2);
      i++;
    } else if (forbidden(c)) out += `%${c.toString(16).padStart(2, '0').toUpperCase()}`;
    else if (isHighSurrogate(c) || isLowSurrogate(c)) out += `%u${c.toString(16).toUpperCase()}`;
    else out += part[i];
  }
  return out;
}

export function tableKey(...parts: readonly (string | number)[]): string {
  let key = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    key += i === 0 ? '' : '|';
    key += escapeKeyPart(typeof part === 'string' ? part : String(part));
  }
  if (key.length <= MAX_KEY_CHARS) return key;
  const digest = createHash('sha256').update(key).digest('hex');
  // Never cut a surrogate pair in two (a lone half cannot go into a request URL).
  let cut = MAX_KEY_CHARS - 66;
  if (isHighSurrogate(key.charCodeAt(cut - 1))) cut--;
  return `${key.slice(0, cut)}~${digest}`;
}
