/**
 * The order a replay reads a downloaded storage-account archive of resource logs in. A diagnostic
 * setting archives each category to its own container (`insights-logs-<category>`,
 * `insights-activity-logs`), one `PT1H.json` per resource and hour under
 * `…/y=YYYY/m=MM/d=DD/h=HH/m=00/`. Walked in name order, a replay would read every hour of one
 * container before the first hour of the next: event time running back by the archive's whole
 * span at each new container, whose records would all be judged late (and its learning lost).
 * Ordered by the hour in their path, the containers' hours interleave as they happened. Within an
 * hour the sign-in containers come first: a token is issued before it is used, and a use's alert
 * links to its issuance only when the sign-in has been read.
 */

/** `y=2026/m=12/d=07/h=04/m=00/` anywhere in a path, either separator, any case. */
const ARCHIVE_HOUR = /(?:^|[\\/])y=(\d{4})[\\/]m=(\d{2})[\\/]d=(\d{2})[\\/]h=(\d{2})[\\/]m=(\d{2})[\\/]/i;

/** The UTC time (epoch ms) of the archive blob a path names, undefined for a path outside an archive's layout. */
export function archiveTimeOf(file: string): number | undefined {
  const m = ARCHIVE_HOUR.exec(file);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return Number.isNaN(ms) ? undefined : ms;
}

/** A sign-in log's container (`insights-logs-managedidentitysigninlogs`, `…serviceprincipalsigninlogs`, `…signinlogs`). */
const SIGN_IN_CONTAINER = /(?:^|[\\/])insights-logs-[a-z]*signinlogs[\\/]/i;

/**
 * A folder's files (in name order) with the archive blobs among them ordered by their time, within
 * an hour the sign-in containers' first, then name order; files outside an archive's layout first,
 * in name order. A folder without archive blobs keeps its order.
 */
export function inArchiveOrder<T extends { readonly path: string }>(files: readonly T[]): T[] {
  const keyed = files.map((file, index) => ({ file, index, time: archiveTimeOf(file.path) ?? -Infinity, issuance: SIGN_IN_CONTAINER.test(file.path) ? 0 : 1 }));
  if (keyed.every((k) => k.time === -Infinity)) return [...files];
  keyed.sort((a, b) => a.time - b.time || a.issuance - b.issuance || a.index - b.index);
  return keyed.map((k) => k.file);
}
