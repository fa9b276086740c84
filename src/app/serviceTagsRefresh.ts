/**
 * The daily service-tags refresh: reads the Azure service tags from the Service Tag Discovery API
 * with the app's identity, validates them, and stores their AzureCloud subset with the retrieval
 * time, where every remote-use worker picks it up within the hour (src/adapters/serviceTagsCache.ts).
 */
import type { InvocationContext } from '@azure/functions';
import type { ServiceTagsSource } from '../adapters/serviceTagsApi';
import type { ServiceTagsStore } from '../adapters/serviceTagsStore';
import { azureCloudSubset } from '../core/network/azureCloudSubset';
import { parseAzureCloudRanges } from '../core/network/serviceTags';

export interface ServiceTagsRefreshDeps {
  readonly source: ServiceTagsSource;
  readonly store: ServiceTagsStore;
  readonly now: () => number;
}

export interface ServiceTagsRefreshReport {
  readonly changeNumber: number | null;
  readonly regionCount: number;
  readonly tags: number;
}

/**
 * One refresh. The document is validated before it is stored, so a bad answer never replaces a
 * good copy. Every failure is logged as one line and thrown: the run fails visibly and the next
 * day's run tries again, while the workers keep the copy they have (and warn once it is 30 days old).
 */
export async function refreshServiceTags(context: InvocationContext, deps: ServiceTagsRefreshDeps): Promise<ServiceTagsRefreshReport> {
  let stage = 'fetch';
  try {
    const document = await deps.source.fetch();
    stage = 'validate';
    const subset = azureCloudSubset(document);
    const tags = parseAzureCloudRanges(subset);
    stage = 'store';
    const retrievedAtMs = deps.now();
    await deps.store.save({ document: subset, retrievedAtMs });
    const report = { changeNumber: tags.changeNumber, regionCount: tags.regionCount, tags: subset.values.length };
    context.log(JSON.stringify({ event: 'serviceTagsRefresh.stored', ...report, cloud: tags.cloud, ipv4Prefixes: tags.ipv4PrefixCount, ipv6Prefixes: tags.ipv6PrefixCount, retrievedAt: new Date(retrievedAtMs).toISOString() }));
    return report;
  } catch (error) {
    context.error(JSON.stringify({ event: 'serviceTagsRefresh.failed', stage, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), detail: 'the stored service tags were not replaced; the next scheduled run tries again' }));
    throw error;
  }
}
