/**
 * A caller address as judging needs it (scope, ASN, region, and the baseline row keys), remembered
 * per classifier across batches by the address as logged.
 */
import type { IpScope } from '../alerts/alertRow';
import { networkOf } from './network';
import { asnRowKey, ipRowKey, regionRowKey, replayedNetworkRowKey } from './partitionKeys';
import type { IpClassifier, IpFacts } from './settings';

/**
 * A caller address as judging needs it: what the classifier says, and the baseline row keys of
 * its ASN and IP. Remembered by the address as logged, per classifier (a classifier always gives
 * an address the same facts), across batches: a tenant's callers are a few thousand addresses
 * used over and over, and classifying, then keying the ASN and the IP, were three memo lookups
 * per use where one does.
 */
export class CallerAddress {
  /** What every use reads, copied out of `facts`: one object to fetch from memory, not two. */
  readonly scope: IpScope;
  readonly asn: number | null;
  readonly asOrganization: string;
  /** `asn|<n>`; `asn|0` for an address without an ASN (read, never learned). */
  readonly asnKey: string;
  readonly ipKey: string;
  /** The address's network (network.ts), undefined when it has none. */
  readonly network: string | undefined;
  /**
   * The baseline row an Azure use is judged by: `rg|<region>`, or the ASN's row when no regional
   * tag holds the address; '' for other scopes.
   */
  readonly azureNetworkKey: string;
  /** `rn|<network>`: the row that marks the network as caught replaying ('' without a network). */
  readonly replayedKey: string;

  constructor(readonly facts: IpFacts) {
    this.scope = facts.scope;
    this.asn = facts.asn;
    this.asOrganization = facts.asOrganization;
    this.asnKey = asnRowKey(facts.asn ?? 0);
    this.ipKey = ipRowKey(facts.ip);
    this.network = networkOf(facts);
    this.azureNetworkKey = facts.scope !== 'azure' ? '' : facts.region !== '' ? regionRowKey(facts.region) : this.asnKey;
    this.replayedKey = this.network !== undefined ? replayedNetworkRowKey(this.network) : '';
  }
}

export const CALLER_ADDRESS_MEMO_MAX = 50_000;

/**
 * Caller addresses of one classifier: plain dotted quads by their number (`TokenUse.callerIpv4`,
 * as a signed 32-bit integer, which V8 hashes and compares without a memory access), every other
 * spelling by its text.
 */
export interface CallerAddressMemo {
  readonly byIpv4: Map<number, CallerAddress>;
  readonly byText: Map<string, CallerAddress>;
}

const callerAddressMemos = new WeakMap<IpClassifier, CallerAddressMemo>();

export function callerAddressMemo(classifier: IpClassifier): CallerAddressMemo {
  let memo = callerAddressMemos.get(classifier);
  if (!memo) {
    memo = { byIpv4: new Map(), byText: new Map() };
    callerAddressMemos.set(classifier, memo);
  }
  return memo;
}

