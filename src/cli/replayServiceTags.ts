/**
 * Whether a replay's service tags are too old for the events it reads. In Azure the function warns
 * on every batch when its tags are older than 30 days by the wall clock; a replay goes by event
 * time, so the same 30 days are measured from the events: a month-old `--service-tags` file is
 * stale for today's logs and current for last month's. Said once per replay, on standard error.
 */
import { serviceTagsAge } from '../core/network/serviceTagsAge';
import type { ServiceTagsInfo } from '../core/remoteUse/settings';

export interface StaleServiceTags {
  readonly ageDays: number;
  readonly changeNumber: number | null;
  readonly retrievedAtMs: number;
  /** The latest event of the first batch that found them stale. */
  readonly eventMs: number;
}

/** The tags as stale for events up to `latestEventMs`, or undefined when they are not (or their date is unknown). */
export function staleServiceTags(tags: ServiceTagsInfo | undefined, latestEventMs: number): StaleServiceTags | undefined {
  if (tags === undefined || tags.retrievedAtMs === null) return undefined;
  const age = serviceTagsAge(tags.retrievedAtMs, latestEventMs);
  if (age === undefined || !age.stale) return undefined;
  return { ageDays: age.ageDays, changeNumber: tags.changeNumber, retrievedAtMs: tags.retrievedAtMs, eventMs: latestEventMs };
}

export function formatStaleServiceTags(stale: StaleServiceTags): string {
  const change = stale.changeNumber === null ? '' : `, change number ${stale.changeNumber}`;
  return (
    `warning: the service tags (${new Date(stale.retrievedAtMs).toISOString().slice(0, 10)}${change}) are ${stale.ageDays} days older than events of ` +
    `${new Date(stale.eventMs).toISOString()}: Azure ranges added since look external and have no region; ` +
    'replay with a ServiceTags_Public file from within 30 days of the events'
  );
}
