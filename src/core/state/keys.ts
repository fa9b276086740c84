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

const HAS_FORBIDDEN = /[%/\\#?|\u0000-\u001f\u007f-\u009f]/;

export function escapeKeyPart(part: string): string {
  // Most parts (GUIDs, ASNs, addresses) need no escaping: test before building a new string.
  if (!HAS_FORBIDDEN.test(part)) return part;
  return part.replace(FORBIDDEN, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
}

export function tableKey(...parts: readonly (string | number)[]): string {
  const key = parts.map((p) => escapeKeyPart(String(p))).join('|');
  if (key.length <= MAX_KEY_CHARS) return key;
  const digest = createHash('sha256').update(key).digest('hex');
  return `${key.slice(0, MAX_KEY_CHARS - 66)}~${digest}`;
}
