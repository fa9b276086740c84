import { classifyIp, type IpClassifierData } from '../core/network/classifyIp';
import type { IpClassifier } from '../core/remoteUse/settings';

/** The remote-use detector's view of the network layer: canonical IP, scope, ASN. */
export function makeIpClassifier(data: IpClassifierData): IpClassifier {
  return (raw) => {
    const c = classifyIp(raw, data);
    return { ip: c.ip?.text ?? raw, parsed: c.ip, scope: c.scope, asn: c.asn, asOrganization: c.asOrganization };
  };
}
