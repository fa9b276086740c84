import { isObject } from '../records/envelope';
import { CidrSet } from '../network/cidrSet';
import { parseCidr } from '../network/cidr';
import type { CallerAddress } from './callerAddress';
import type { IdentityRef, IpFacts, RemoteUseAllowlist } from './settings';

/**
 * The operator allowlist of the remote-use detector. Listed networks are usual by decree: a use
 * from them raises no Low and never counts as an unusual IP or ASN.
 *
 * ```json
 * {
 *   "tenant": { "cidrs": ["198.51.100.0/24"], "asns": [64500], "note": "head office egress" },
 *   "identities": {
 *     "11111111-2222-3333-4444-555555555555": { "cidrs": ["203.0.113.10/32"], "note": "build agent" },
 *     "/subscriptions/…/resourcegroups/rg/providers/microsoft.hybridcompute/machines/onprem-01": { "asns": [64501] }
 *   }
 * }
 * ```
 * Identity keys match the identity's object id, client (app) id or resource id, case-insensitively.
 */
interface AllowEntry {
  readonly label: string;
  readonly cidrs: CidrSet;
  readonly asns: ReadonlySet<number>;
}

export type AllowlistParse = { readonly ok: true; readonly value: RemoteUseAllowlist } | { readonly ok: false; readonly errors: readonly string[] };

export function parseRemoteUseAllowlist(json: unknown): AllowlistParse {
  const errors: string[] = [];
  if (!isObject(json)) return { ok: false, errors: ['allowlist: must be a JSON object with "tenant" and/or "identities"'] };
  for (const key of Object.keys(json)) if (key !== 'tenant' && key !== 'identities') errors.push(`allowlist: unknown field "${key}" (expected "tenant" or "identities")`);
  const tenant = json['tenant'] === undefined ? undefined : parseEntry(json['tenant'], 'allowlist.tenant', 'tenant-wide', errors);
  const identities = new Map<string, AllowEntry>();
  const rawIdentities = json['identities'];
  if (rawIdentities !== undefined) {
    if (!isObject(rawIdentities)) errors.push('allowlist.identities: must be an object keyed by object id, app id or resource id');
    else {
      for (const [key, value] of Object.entries(rawIdentities)) {
        const entry = parseEntry(value, `allowlist.identities["${key}"]`, `identity ${key}`, errors);
        if (entry) identities.set(key.toLowerCase(), entry);
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: new StaticAllowlist(tenant, identities) };
}

function parseEntry(value: unknown, path: string, label: string, errors: string[]): AllowEntry | undefined {
  if (!isObject(value)) {
    errors.push(`${path}: must be an object with "cidrs" and/or "asns"`);
    return undefined;
  }
  const before = errors.length;
  for (const key of Object.keys(value)) if (!['cidrs', 'asns', 'note'].includes(key)) errors.push(`${path}: unknown field "${key}"`);
  const cidrs = value['cidrs'] ?? [];
  const asns = value['asns'] ?? [];
  if (!Array.isArray(cidrs)) errors.push(`${path}.cidrs: must be an array of CIDR strings`);
  else cidrs.forEach((c, i) => {
    const parsed = typeof c === 'string' ? parseCidr(c) : undefined;
    if (!parsed?.ok) errors.push(`${path}.cidrs[${i}]: ${parsed ? parsed.reason : 'must be a string'}`);
  });
  if (!Array.isArray(asns)) errors.push(`${path}.asns: must be an array of AS numbers`);
  else asns.forEach((a, i) => {
    if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a > 0xffff_ffff) errors.push(`${path}.asns[${i}]: must be an AS number (0 to 4294967295)`);
  });
  if (errors.length > before || !Array.isArray(cidrs) || !Array.isArray(asns)) return undefined;
  const note = typeof value['note'] === 'string' ? ` (${value['note']})` : '';
  return { label: `${label}${note}`, cidrs: CidrSet.from(cidrs as string[]), asns: new Set(asns as number[]) };
}

class StaticAllowlist implements RemoteUseAllowlist {
  constructor(private readonly tenant: AllowEntry | undefined, private readonly identities: ReadonlyMap<string, AllowEntry>) {}

  match(identity: IdentityRef, ip: IpFacts): string | undefined {
    const candidates: (AllowEntry | undefined)[] = [
      this.tenant,
      this.identities.get(identity.objectId.toLowerCase()),
      identity.appId ? this.identities.get(identity.appId.toLowerCase()) : undefined,
      identity.resourceId ? this.identities.get(identity.resourceId.toLowerCase()) : undefined,
    ];
    for (const entry of candidates) {
      if (!entry) continue;
      if (ip.asn !== null && entry.asns.has(ip.asn)) return `${entry.label}: AS${ip.asn}`;
      if (ip.parsed && entry.cidrs.contains(ip.parsed)) return `${entry.label}: ${ip.ip}`;
    }
    return undefined;
  }
}

/**
 * Whether the operator allowlists the address for the identity, outside Azure or inside it (an
 * Azure region the identity came to after its learning, a datacenter range its runners use):
 * the operator's word decides either way. Private and unknown addresses are no network to allow.
 */
export function isAllowlisted(allowlist: RemoteUseAllowlist, tenantId: string, identity: Omit<IdentityRef, 'tenantId'>, address: Pick<CallerAddress, 'scope' | 'facts'>): boolean {
  if (address.scope !== 'external' && address.scope !== 'azure') return false;
  return allowlist.match({ tenantId, objectId: identity.objectId, appId: identity.appId, resourceId: identity.resourceId }, address.facts) !== undefined;
}
