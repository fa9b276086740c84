import type { IpScope } from '../alerts/alertRow';
import type { AsnLookup } from './asnLookup';
import type { CidrSet } from './cidrSet';
import { parseIp, type ParsedIp } from './ip';
import { isMicrosoftAsn } from './microsoftAsns';
import { isPrivateIp } from './privateRanges';
import type { RegionLookup } from './regionTable';

export interface IpClassification {
  /** Undefined when the text is empty or not an address. */
  readonly ip: ParsedIp | undefined;
  readonly scope: IpScope;
  /** Null when the address is private, unparseable or in no announced range. */
  readonly asn: number | null;
  /** '' whenever asn is null. */
  readonly asOrganization: string;
  /** The Azure region whose `AzureCloud.<region>` tag holds the address; '' when none does (always for private and unknown). */
  readonly region: string;
}

export interface IpClassifierData {
  readonly asnLookup: AsnLookup;
  /** AzureCloud service-tag ranges, when service tags are configured. */
  readonly azureRanges?: CidrSet | undefined;
  /** Address → region from the regional `AzureCloud.<region>` tags, when service tags are configured. */
  readonly regions?: RegionLookup | undefined;
}

/**
 * Where a caller address sits:
 * - `unknown`  empty or unparseable;
 * - `private`  a private, loopback, link-local, CGNAT or unspecified block (see PRIVATE_RANGES);
 * - `azure`    announced by a Microsoft AS, or inside the AzureCloud service tag or a regional
 *              `AzureCloud.<region>` tag (an address Microsoft lists under a region is Azure
 *              whatever AS announces it);
 * - `external` everything else.
 * Private addresses are not looked up: no AS announces them and no service tag lists them.
 */
export function classifyIp(text: string, data: IpClassifierData): IpClassification {
  const ip = parseIp(text);
  if (ip === undefined) return { ip, scope: 'unknown', asn: null, asOrganization: '', region: '' };
  if (isPrivateIp(ip)) return { ip, scope: 'private', asn: null, asOrganization: '', region: '' };

  const as = data.asnLookup.lookup(ip);
  const asn = as?.asn ?? null;
  const asOrganization = as?.organization ?? '';
  const region = data.regions?.lookup(ip) ?? '';
  const azure = (asn !== null && isMicrosoftAsn(asn)) || region !== '' || (data.azureRanges?.contains(ip) ?? false);
  return { ip, scope: azure ? 'azure' : 'external', asn, asOrganization, region };
}
