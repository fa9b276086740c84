import { rememberBounded } from '../core/boundedMemo';
import { classifyIp, type IpClassifierData } from '../core/network/classifyIp';
import type { IpClassifier, IpFacts } from '../core/remoteUse/settings';

/**
 * Addresses remembered per classifier. A tenant's callers are a few thousand addresses used over
 * and over, and each use would otherwise parse its address and search the ASN table again; the
 * memo is cleared when full, so memory stays bounded whatever the stream.
 */
export const IP_MEMO_ENTRIES = 50_000;

/**
 * The remote-use detector's view of the network layer: canonical IP, scope, ASN. The data (ASN
 * table, service-tag ranges) does not change while the classifier lives, so an address always
 * gets the same facts and they are memoised by the address as logged.
 */
export function makeIpClassifier(data: IpClassifierData, memoEntries = IP_MEMO_ENTRIES): IpClassifier {
  const memo = new Map<string, IpFacts>();
  return (raw) => {
    const facts = memo.get(raw);
    if (facts !== undefined) return facts;
    const c = classifyIp(raw, data);
    return rememberBounded(memo, raw, { ip: c.ip?.text ?? raw, parsed: c.ip, scope: c.scope, asn: c.asn, asOrganization: c.asOrganization, region: '' }, memoEntries);
  };
}
