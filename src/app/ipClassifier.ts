import { rememberBounded } from '../core/boundedMemo';
import type { AsnLookup } from '../core/network/asnLookup';
import { classifyIp, type IpClassifierData } from '../core/network/classifyIp';
import type { DatedServiceTags } from '../core/network/serviceTags';
import type { IpClassifier, IpFacts, ServiceTagsInfo } from '../core/remoteUse/settings';

/**
 * Addresses remembered per classifier. A tenant's callers are a few thousand addresses used over
 * and over, and each use would otherwise parse its address and search the ASN table again; the
 * memo is cleared when full, so memory stays bounded whatever the stream.
 */
export const IP_MEMO_ENTRIES = 50_000;

/**
 * The remote-use detector's view of the network layer: canonical IP, scope, ASN, Azure region. The
 * data (ASN table, service-tag ranges and regions) does not change while the classifier lives, so
 * an address always gets the same facts and they are memoised by the address as logged. New
 * service tags mean a new classifier (see classifierForServiceTags).
 */
export function makeIpClassifier(data: IpClassifierData, memoEntries = IP_MEMO_ENTRIES): IpClassifier {
  const memo = new Map<string, IpFacts>();
  return (raw) => {
    const facts = memo.get(raw);
    if (facts !== undefined) return facts;
    const c = classifyIp(raw, data);
    return rememberBounded(memo, raw, { ip: c.ip?.text ?? raw, parsed: c.ip, scope: c.scope, asn: c.asn, asOrganization: c.asOrganization, region: c.region }, memoEntries);
  };
}

/** The classifier and the `serviceTags` settings field for one service-tags document, or ASN only without one. */
export interface ServiceTagsClassifier {
  readonly classifyIp: IpClassifier;
  readonly serviceTags: ServiceTagsInfo | undefined;
}

export function classifierForServiceTags(asnLookup: AsnLookup, dated: DatedServiceTags | undefined, memoEntries = IP_MEMO_ENTRIES): ServiceTagsClassifier {
  if (dated === undefined) return { classifyIp: makeIpClassifier({ asnLookup }, memoEntries), serviceTags: undefined };
  const { tags, retrievedAtMs } = dated;
  return {
    classifyIp: makeIpClassifier({ asnLookup, azureRanges: tags.ranges, regions: tags.regionLookup }, memoEntries),
    serviceTags: { changeNumber: tags.changeNumber, retrievedAtMs, regionCount: tags.regionCount },
  };
}
