/**
 * The remote-use settings built from the newest stored service tags, for the Event Hub handler:
 * a classifier with regions rebuilt only when the stored document changes, and one log line per
 * change of what the worker holds.
 */
import type { InvocationContext } from '@azure/functions';
import type { ServiceTagsCache, ServiceTagsCheck, ServiceTagsSnapshot } from '../adapters/serviceTagsCache';
import type { AsnLookup } from '../core/network/asnLookup';
import type { IpClassifier, RemoteUseSettings } from '../core/remoteUse/settings';
import { classifierForServiceTags } from './ipClassifier';

/**
 * The remote-use settings built from the newest stored service tags: one per worker
 * (functions/dependencies.ts), asked once per batch. The cache decides when the store is read;
 * this builds a new classifier only when the document's change number changes (a daily re-store of
 * the same document only updates the retrieval time the settings report), and logs what happened
 * to the tags: a new copy, a failed read (keeping the old copy, or ASN only), and "no tags at all"
 * once.
 */
export class StoredServiceTagsSettings {
  private built: { readonly key: string; readonly classifyIp: IpClassifier } | undefined;
  private lastReported: ServiceTagsCheck | undefined;
  private reportedNoTags = false;

  constructor(
    private readonly cache: ServiceTagsCache,
    private readonly asnLookup: AsnLookup,
  ) {}

  /** `base` with the classifier and serviceTags of the stored copy; `base` itself (ASN only) when there is none. */
  async settings(base: RemoteUseSettings, nowMs: number, context: InvocationContext): Promise<RemoteUseSettings> {
    const check = await this.cache.current(nowMs);
    this.report(check, context);
    const snapshot = check.snapshot;
    if (snapshot === undefined) return { ...base, serviceTags: undefined };
    const { tags, retrievedAtMs } = snapshot;
    const key = tags.changeNumber === null ? `version ${snapshot.version}` : `${tags.cloud} ${tags.changeNumber}`;
    if (this.built?.key !== key) this.built = { key, classifyIp: classifierForServiceTags(this.asnLookup, { tags, retrievedAtMs }).classifyIp };
    return { ...base, classifyIp: this.built.classifyIp, serviceTags: { changeNumber: tags.changeNumber, retrievedAtMs, regionCount: tags.regionCount } };
  }

  private report(check: ServiceTagsCheck, context: InvocationContext): void {
    // Batches that waited on the same store read share its result: report it once.
    if (check === this.lastReported || check.outcome === 'cached' || check.outcome === 'unchanged') return;
    this.lastReported = check;
    const keeping = check.snapshot === undefined ? 'asn-only' : 'previous copy';
    switch (check.outcome) {
      case 'loaded':
        context.log(JSON.stringify({ event: 'serviceTags.loaded', ...describe(check.snapshot), previousChangeNumber: check.previous?.tags.changeNumber ?? null }));
        return;
      case 'missing':
        if (check.snapshot !== undefined) {
          context.warn(JSON.stringify({ event: 'serviceTags.missing', keeping, ...describe(check.snapshot), detail: 'the stored service tags are gone; keeping the copy in memory' }));
        } else if (!this.reportedNoTags) {
          this.reportedNoTags = true;
          context.warn(JSON.stringify({ event: 'serviceTags.none', keeping, detail: 'no stored Azure service tags yet (the serviceTagsRefresh timer writes them daily): Azure addresses are known by ASN only, without regions' }));
        }
        return;
      case 'failed':
        context.warn(JSON.stringify({ event: 'serviceTags.readFailed', keeping, ...(check.snapshot === undefined ? {} : describe(check.snapshot)), error: check.error }));
        return;
    }
  }
}

function describe(snapshot: ServiceTagsSnapshot): Record<string, unknown> {
  const { tags, retrievedAtMs } = snapshot;
  return { changeNumber: tags.changeNumber, cloud: tags.cloud, retrievedAt: new Date(retrievedAtMs).toISOString(), regionCount: tags.regionCount, ipv4Prefixes: tags.ipv4PrefixCount, ipv6Prefixes: tags.ipv6PrefixCount };
}
