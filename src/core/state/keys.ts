import { createHash } from 'node:crypto';

/**
 * Table Storage forbids `/`, `\`, `#`, `?` and control characters (U+0000–U+001F, U+007F–U+009F)
 * in PartitionKey and RowKey, and limits each to 1 KiB. Key parts are escaped (`%XX`, like a URL,
 * so `%` itself is escaped too) and joined with `|`; a key that would exceed 512 characters is
 * shortened to a prefix plus a SHA-256 of the whole, so it stays unique and deterministic.
 */
const FORBIDDEN = /[%/\\#?|\u0000-\u001f\u007f-\u009f]/g;
/** Half the 1 KiB limit: leaves room for UTF-16 expansion of non-ASCII characters. */
const MAX_KEY_CHARS = 512;

/** The characters FORBIDDEN matches, as a test on one UTF-16 unit. */
function forbidden(c: number): boolean {
  return c <= 0x1f || (c >= 0x7f && c <= 0x9f) || c === 37 /* % */ || c === 47 /* / */ || c === 92 /* \\ */ || c === 35 /* # */ || c === 63 /* ? */ || c === 124 /* | */;
}

export function escapeKeyPart(part: string): string {
  // Most parts (GUIDs, ASNs, addresses) need no escaping: a character scan (hot path: every
  // record builds keys) decides before a new string is built.
  let clean = true;
  for (let i = 0; i < part.length; i++) {
    if (forbidden(part.charCodeAt(i))) {
      clean = false;
      break;
    }
  }
  if (clean) return part;
  return part.replace(FORBIDDEN, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
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
  return `${key.slice(0, MAX_KEY_CHARS - 66)}~${digest}`;
}
