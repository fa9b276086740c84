import { formatIpv4, formatIpv6 } from '../network/ip';
import type { IpFacts } from './settings';

/**
 * What a "network" is when the detector compares the places a token was used from:
 * - an external address: its ASN (`64501`); one the ASN data does not know (a block the
 *   snapshot lacks): its /24, or /48 for IPv6 (`192.0.2.0/24`), so a token replayed to it is
 *   still caught and the address is not learned by that use;
 * - a Microsoft / Azure address: the Azure region of the `AzureCloud.<region>` service tag that
 *   holds it (`westeurope`), or its ASN when no regional tag does or none are configured;
 * - a private or unparseable address: no network, never compared.
 *
 * Written as the ASN's digits, the region's name or the block, so a network reads like the ASN or
 * region attribute of an unusual-ASN or unusual-region alert and shares its dedup key.
 */
export function networkOf(facts: Pick<IpFacts, 'scope' | 'asn' | 'region' | 'parsed'>): string | undefined {
  if (facts.scope === 'azure' && facts.region !== '') return facts.region;
  if ((facts.scope === 'azure' || facts.scope === 'external') && facts.asn !== null) return String(facts.asn);
  if (facts.scope === 'external' && facts.parsed !== undefined) return addressBlockOf(facts.parsed);
  return undefined;
}

/** The /24 of an IPv4 address, the /48 of an IPv6 one. */
function addressBlockOf(ip: NonNullable<IpFacts['parsed']>): string {
  if (ip.version === 4) return `${formatIpv4((ip.value & 0xffffff00) >>> 0)}/24`;
  const [high, next] = ip.words;
  return `${formatIpv6([high, (next & 0xffff0000) >>> 0, 0, 0])}/48`;
}

/** How a network reads in a reason: `AS64501`, `Azure region westeurope` or `address block 192.0.2.0/24`. */
export function networkLabel(network: string): string {
  if (/^[0-9]+$/.test(network)) return `AS${network}`;
  return network.includes('/') ? `address block ${network}` : `Azure region ${network}`;
}
