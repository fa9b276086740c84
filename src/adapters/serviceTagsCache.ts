import { parseAzureCloudRanges, type AzureCloudRanges } from '../core/network/serviceTags';
import type { ServiceTagsStore } from './serviceTagsStore';

/**
 * A worker's copy of the stored service tags: read at the first call, re-checked at most once per
 * RECHECK interval with a conditional read (a 304 costs one small request), re-parsed only when
 * the stored version changed. Failures are values: a read or parse failure keeps the copy in
 * memory (or none), and is tried again after the shorter RETRY interval. Never throws, so a
 * missing or broken tag file cannot stop detection.
 */
export interface ServiceTagsSnapshot {
  readonly tags: AzureCloudRanges;
  /** When the refresh timer retrieved the document (epoch ms). */
  readonly retrievedAtMs: number;
  /** The store version it was read at (the blob ETag). */
  readonly version: string;
}

export type ServiceTagsCheck =
  /** Checked less than an interval ago: no store call. */
  | { readonly outcome: 'cached'; readonly snapshot: ServiceTagsSnapshot | undefined }
  /** The store still has the version in memory. */
  | { readonly outcome: 'unchanged'; readonly snapshot: ServiceTagsSnapshot }
  /** A new copy was read and parsed; `previous` is the one it replaced. */
  | { readonly outcome: 'loaded'; readonly snapshot: ServiceTagsSnapshot; readonly previous: ServiceTagsSnapshot | undefined }
  /** The store holds no copy; a copy already in memory is kept (a deleted blob must not drop regions). */
  | { readonly outcome: 'missing'; readonly snapshot: ServiceTagsSnapshot | undefined }
  /** The store could not be read or its copy not parsed; the copy in memory (if any) is kept. */
  | { readonly outcome: 'failed'; readonly snapshot: ServiceTagsSnapshot | undefined; readonly error: string };

/** 1 hour: the timer writes once a day; an hour bounds how late a new copy reaches a worker, at one conditional GET per worker and hour. */
export const SERVICE_TAGS_RECHECK_MS = 3_600_000;
/** 5 minutes: after a failed read, try again sooner than the hourly check, but not on every batch (each try can take seconds of retries). */
export const SERVICE_TAGS_RETRY_MS = 300_000;

export class ServiceTagsCache {
  private snapshot: ServiceTagsSnapshot | undefined;
  private nextCheckAtMs = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<ServiceTagsCheck> | undefined;

  constructor(
    private readonly store: ServiceTagsStore,
    private readonly recheckMs = SERVICE_TAGS_RECHECK_MS,
    private readonly retryMs = SERVICE_TAGS_RETRY_MS,
  ) {}

  /** The copy to use at `nowMs` (the batch's wall-clock time), checking the store when due. Concurrent callers share one check. */
  current(nowMs: number): Promise<ServiceTagsCheck> {
    if (nowMs < this.nextCheckAtMs) return Promise.resolve({ outcome: 'cached', snapshot: this.snapshot });
    this.inFlight ??= this.check(nowMs).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async check(nowMs: number): Promise<ServiceTagsCheck> {
    const previous = this.snapshot;
    try {
      const read = await this.store.load(previous?.version);
      this.nextCheckAtMs = nowMs + this.recheckMs;
      if (read.kind === 'missing') return { outcome: 'missing', snapshot: previous };
      if (read.kind === 'unchanged' && previous !== undefined) return { outcome: 'unchanged', snapshot: previous };
      if (read.kind === 'unchanged') return { outcome: 'missing', snapshot: undefined };
      const tags = parseAzureCloudRanges(read.stored.document);
      this.snapshot = { tags, retrievedAtMs: read.stored.retrievedAtMs, version: read.version };
      return { outcome: 'loaded', snapshot: this.snapshot, previous };
    } catch (error) {
      this.nextCheckAtMs = nowMs + this.retryMs;
      return { outcome: 'failed', snapshot: previous, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }
}
