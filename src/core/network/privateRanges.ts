import { CidrSet } from './cidrSet';
import type { ParsedIp } from './ip';

/**
 * Address blocks that never leave a private network or the host itself. A token used from one of
 * them came through a private path (a VNet, a private endpoint, a proxy on the host), so its
 * scope is `private`. Other special-purpose blocks (documentation, multicast, 240/4) are not
 * private: they are either routed somewhere or bogus, and either way external to the tenant.
 */
export const PRIVATE_RANGES: readonly { readonly cidr: string; readonly meaning: string }[] = Object.freeze([
  { cidr: '0.0.0.0/8', meaning: '"this network" (RFC 791, RFC 1122 §3.2.1.3)' },
  { cidr: '10.0.0.0/8', meaning: 'private internet (RFC 1918)' },
  { cidr: '100.64.0.0/10', meaning: 'shared address space for carrier-grade NAT (RFC 6598)' },
  { cidr: '127.0.0.0/8', meaning: 'loopback (RFC 1122 §3.2.1.3)' },
  { cidr: '169.254.0.0/16', meaning: 'link-local, including the instance metadata endpoint 169.254.169.254 (RFC 3927)' },
  { cidr: '172.16.0.0/12', meaning: 'private internet (RFC 1918)' },
  { cidr: '192.168.0.0/16', meaning: 'private internet (RFC 1918)' },
  { cidr: '::/128', meaning: 'unspecified address (RFC 4291 §2.5.2)' },
  { cidr: '::1/128', meaning: 'loopback (RFC 4291 §2.5.3)' },
  { cidr: 'fc00::/7', meaning: 'unique local addresses (RFC 4193)' },
  { cidr: 'fe80::/10', meaning: 'link-local unicast (RFC 4291 §2.5.6)' },
]);

const privateSet = CidrSet.from(PRIVATE_RANGES.map((range) => range.cidr));

export function isPrivateIp(ip: ParsedIp): boolean {
  return privateSet.contains(ip);
}
