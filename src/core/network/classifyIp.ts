import type { IpScope } from '../alerts/alertRow';
import type { AsnLookup } from './asnLookup';
import type { CidrSet } from './cidrSet';
import { parseIp, type ParsedIp } from './ip';
import { isMicrosoftAsn } from './microsoftAsns';
import { isPrivateIp } from './privateRanges';

export interface IpClassification {
  /** Undefined when the text is empty or not an address. */
  readonly ip: ParsedIp | undefined;
  readonly scope: IpScope;
  /** Null when the address is private, unparseable or in no announced range. */
  readonly asn: number | null;
  /** '' whenever asn is null. */
  readonly asOrganization: string;
}

export interface IpClassifierData {
  readonly asnLookup: AsnLookup;
  /** AzureCloud service-tag ranges, when a ServiceTags_Public file is configured. */
  readonly azureRanges?: CidrSet | undefined;
}

/**
 * Where a caller address sits:
 * - `unknown`  empty or unparseable;
 * - `private`  a private, loopback, link-local, CGNAT or unspecified block (see PRIVATE_RANGES);
 * - `azure`    announced by a Microsoft AS, or inside the AzureCloud service tag;
 * - `external` everything else.
 * Private addresses are not looked up: no AS announces them.
 */
export function classifyIp(text: string, data: IpClassifierData): IpClassification {
  const ip = parseIp(text);
  if (ip === undefined) return { ip, scope: 'unknown', asn: null, asOrganization: '' };
  if (isPrivateIp(ip)) return { ip, scope: 'private', asn: null, asOrganization: '' };

  const as = data.asnLookup.lookup(ip);
  const asn = as?.asn ?? null;
  const asOrganization = as?.organization ?? '';
  const azure = (asn !== null && isMicrosoftAsn(asn)) || (data.azureRanges?.contains(ip) ?? false);
  return { ip, scope: azure ? 'azure' : 'external', asn, asOrganization };
}
