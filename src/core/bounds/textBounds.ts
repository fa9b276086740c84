import { createHash } from 'node:crypto';

/**
 * Bounds on text taken from records. A record's field can be a few megabytes (a command line, a
 * process path, a display name); carried as it is into a state row it fails the write (Table
 * Storage: 64 KiB per property, 1 MiB per entity, 4 MiB per batch), and into an alert row it fails
 * the upload (Logs Ingestion: 1 MB per row). Either failure would be redelivered forever, so such a
 * value is bounded where it enters: display text is cut with a marker saying how much was cut, an
 * identifier (which must stay unique: it names a state row or is compared) is cut and suffixed
 * with a hash of the whole, so two long identifiers that differ anywhere stay different.
 *
 * Every bound is far above what real telemetry writes (GUIDs, ARM ids of a few hundred characters,
 * paths and command lines of a few hundred to a few thousand), so a real value passes unchanged and
 * the check is one length comparison.
 */

/**
 * 1,024 characters: identifiers (object, app and tenant ids, token ids, ARM resource ids). An ARM id
 * of a nested resource is a few hundred characters; Table Storage keys hold 512, and longer keys are
 * hashed by tableKey anyway.
 */
export const ID_MAX_CHARS = 1_024;

/**
 * 64 characters: a tenant id (a GUID is 36). Partition keys join a tenant's key part with an hour
 * (`tok|<tenant>|<yyyymmddhh>`) after tableKey has bounded it, so a tenant id that is long, or
 * escaped into a long key part (a lone surrogate is six characters, `%uD800`), would make a key
 * over Table Storage's 1 KiB and every write of its batch fail. Bounded here, a tenant's key part
 * is under 250 characters however it is escaped.
 */
export const TENANT_ID_MAX_CHARS = 64;

/** A tenant id bounded to TENANT_ID_MAX_CHARS (see boundId). */
export function boundTenantId(id: string): string {
  return boundId(id, TENANT_ID_MAX_CHARS);
}

/** 2,048 characters: names, operations, categories, paths, URLs: display text in state rows and alerts. */
export const TEXT_MAX_CHARS = 2_048;

/**
 * 8,192 characters: a command line in an alert (Windows allows 32,767). The theft rules read the
 * whole command line; only what is shown is cut.
 */
export const COMMAND_LINE_MAX_CHARS = 8_192;

/**
 * `text` cut to at most `maxChars` characters, ending in a marker (`…[+123456 chars]`) that says how
 * much was cut; unchanged when it fits. Never splits a surrogate pair (a lone half is not text).
 */
export function boundText(text: string, maxChars: number = TEXT_MAX_CHARS): string {
  if (text.length <= maxChars) return text;
  // The marker names the characters cut, never more digits than the whole length has.
  const reserve = `…[+${text.length} chars]`.length;
  const head = keepHead(text, Math.max(0, maxChars - reserve));
  return `${head}…[+${text.length - head.length} chars]`;
}

/**
 * An identifier of at most `maxChars` characters: unchanged when it fits, else its head and
 * `…#` with the first 32 hex characters of its SHA-256, so the bounded form is deterministic and
 * two identifiers that differ anywhere (not only in the head) stay apart.
 */
export function boundId(id: string, maxChars: number = ID_MAX_CHARS): string {
  if (id.length <= maxChars) return id;
  const digest = createHash('sha256').update(id).digest('hex').slice(0, 32);
  const suffix = `…#${digest}`;
  return `${keepHead(id, Math.max(0, maxChars - suffix.length))}${suffix}`;
}

/**
 * The first `chars` characters, one fewer when the last would be the high half of a surrogate pair,
 * as a string of its own. V8 makes a long slice a view into the string it was cut from: a bounded
 * 2 KiB head would keep its whole record field alive (megabytes) for as long as the state row or
 * alert holding it, and a replay holding many such heads grew by every field it had cut. Copying
 * the UTF-16 units (lone surrogates included) costs a pass over the head, on the rare cut path only.
 */
function keepHead(text: string, chars: number): string {
  const code = text.charCodeAt(chars - 1);
  const head = text.slice(0, code >= 0xd800 && code <= 0xdbff ? chars - 1 : chars);
  return Buffer.from(head, 'utf16le').toString('utf16le');
}
