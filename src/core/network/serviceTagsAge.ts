/**
 * How old a service-tags document is, and whether that is too old to trust its regions. The clock
 * is a parameter: the shell passes the wall-clock time of the batch.
 */

const DAY_MS = 86_400_000;

/**
 * 30 days. Microsoft publishes the download weekly and the ARM API follows it; new prefixes are
 * announced before they go live. A copy a month old misses about four rounds of changes, so
 * addresses of new Azure ranges start to look external (or land in no region) and the regional
 * rule loses precision. The refresh timer runs daily, so a copy this old means it has been failing.
 */
export const SERVICE_TAGS_STALE_MS = 30 * DAY_MS;

export interface ServiceTagsAge {
  /** Whole days since retrieval (never negative: a retrieval "in the future" is age 0). */
  readonly ageDays: number;
  readonly stale: boolean;
}

/** Undefined when the retrieval time is unknown: nothing to judge. */
export function serviceTagsAge(retrievedAtMs: number | null, nowMs: number): ServiceTagsAge | undefined {
  if (retrievedAtMs === null) return undefined;
  const ageMs = Math.max(0, nowMs - retrievedAtMs);
  return { ageDays: Math.floor(ageMs / DAY_MS), stale: ageMs > SERVICE_TAGS_STALE_MS };
}
