import type { IpFacts } from './settings';

/**
 * What a "network" is when the detector compares the places a token was used from:
 * - an external address: its ASN (`64501`);
 * - a Microsoft / Azure address: the Azure region of the `AzureCloud.<region>` service tag that
 *   holds it (`westeurope`), or its ASN when no regional tag does or none are configured;
 * - a private or unparseable address, or one no AS announces: no network, never compared.
 *
 * Written as the ASN's digits or the region's name, so a network reads like the ASN or region
 * attribute of an unusual-ASN or unusual-region alert and shares its dedup key.
 */
export function networkOf(facts: Pick<IpFacts, 'scope' | 'asn' | 'region'>): string | undefined {
  if (facts.scope === 'azure' && facts.region !== '') return facts.region;
  if ((facts.scope === 'azure' || facts.scope === 'external') && facts.asn !== null) return String(facts.asn);
  return undefined;
}

/** How a network reads in a reason: `AS64501` or `Azure region westeurope`. */
export function networkLabel(network: string): string {
  return /^[0-9]+$/.test(network) ? `AS${network}` : `Azure region ${network}`;
}
