import { parseCidr } from '../core/network/cidr';
import { formatIpv6, parseIp } from '../core/network/ip';
import { bigIntToIpv6Words, ipv6WordsToBigInt } from '../core/network/ipRanges';

/**
 * The address blocks the synthetic data draws IP addresses from.
 *
 * These are real, routed blocks (not documentation ranges) on purpose: the detector enriches every
 * caller IP with its ASN from the bundled `@ip-location-db/asn` data and classifies Azure addresses
 * with the Azure service tags, so the demo only tells its story if Azure traffic really comes from
 * Microsoft's AS8075 and the attacker really sits in a hosting provider's network (or behind Tor).
 * Every block was checked against `asn-ipv4.csv` / `asn-ipv6.csv` of `@ip-location-db/asn` (one row
 * covers the whole block) and the Azure blocks, IPv4 and IPv6, against their `AzureCloud.<region>`
 * service tag (ServiceTags_Public_20251028); test/demo/networks.test.ts re-checks them against the
 * installed CSV and, when present, that download. The demo's own service-tags document is built
 * from the Azure blocks (serviceTagsDocument.ts).
 */

export interface AddressBlock {
  /** IPv4 or IPv6 CIDR. */
  readonly cidr: string;
  readonly asn: number;
  /** AS organisation as the ASN data names it. */
  readonly organization: string;
}

/** Azure regions the demo tenant and the benchmark place workloads in. */
export type AzureRegion = 'westeurope' | 'northeurope' | 'eastus' | 'eastus2' | 'westus2' | 'uksouth' | 'swedencentral' | 'centralus';

/** An AS8075 block (Microsoft Corporation). */
const microsoft = (cidr: string): AddressBlock => ({ cidr, asn: 8075, organization: 'Microsoft Corporation' });

/** Public outbound addresses of Azure workloads, per region (AzureCloud.<region>, all AS8075). */
export const AZURE_BLOCKS: Readonly<Record<AzureRegion, readonly AddressBlock[]>> = {
  westeurope: [microsoft('13.80.0.0/15'), microsoft('4.175.0.0/16')],
  northeurope: [microsoft('13.74.0.0/16'), microsoft('4.207.0.0/16')],
  eastus: [microsoft('13.82.0.0/16'), microsoft('13.92.0.0/16')],
  eastus2: [microsoft('20.10.0.0/16'), microsoft('20.7.0.0/16')],
  westus2: [microsoft('20.3.0.0/16')],
  uksouth: [microsoft('4.234.0.0/16')],
  swedencentral: [microsoft('4.223.0.0/16')],
  centralus: [microsoft('13.89.0.0/16'), microsoft('52.173.0.0/16')],
};

export const AZURE_REGIONS = Object.keys(AZURE_BLOCKS) as AzureRegion[];

/**
 * One IPv6 block of each region (an `AzureCloud.<region>` prefix of ServiceTags_Public_20251028),
 * for dual-stack workloads. All of them lie in the one AS8075 row `2603:1000::`–`2603:1063:2ff::/…`
 * of `asn-ipv6.csv`. Kept apart from AZURE_BLOCKS, whose blocks the generators draw IPv4 from.
 */
export const AZURE_IPV6_BLOCKS: Readonly<Record<AzureRegion, AddressBlock>> = {
  westeurope: microsoft('2603:1020:200::/46'),
  northeurope: microsoft('2603:1020::/47'),
  eastus: microsoft('2603:1030:20c::/47'),
  eastus2: microsoft('2603:1030:400::/48'),
  westus2: microsoft('2603:1030:c02::/47'),
  uksouth: microsoft('2603:1020:700::/47'),
  swedencentral: microsoft('2603:1020:1000::/47'),
  centralus: microsoft('2603:1030::/45'),
};

/**
 * `regionId` of each region's `AzureCloud.<region>` tag in the public download (stable across
 * downloads: it numbers the region, not the version).
 */
export const REGION_IDS: Readonly<Record<AzureRegion, number>> = {
  westeurope: 18,
  northeurope: 17,
  eastus: 32,
  eastus2: 33,
  westus2: 38,
  uksouth: 27,
  swedencentral: 76,
  centralus: 31,
};

/** Display names Graph activity records use for `location`. */
export const REGION_DISPLAY_NAMES: Readonly<Record<AzureRegion, string>> = {
  westeurope: 'West Europe',
  northeurope: 'North Europe',
  eastus: 'East US',
  eastus2: 'East US 2',
  westus2: 'West US 2',
  uksouth: 'UK South',
  swedencentral: 'Sweden Central',
  centralus: 'Central US',
};

/**
 * A named table of blocks: the names stay known to the compiler, the values are plain AddressBlocks
 * (an ASN is a number, so sets and comparisons of ASNs type-check against looked-up ones).
 */
const blockTable = <K extends string>(blocks: Readonly<Record<K, AddressBlock>>): Readonly<Record<K, AddressBlock>> => blocks;

/** Access networks of offices, data centres and partners: where legitimate on-premises use comes from. */
export const ACCESS_BLOCKS = blockTable({
  deutscheTelekom: { cidr: '87.128.0.0/10', asn: 3320, organization: 'Deutsche Telekom AG' },
  deutscheTelekomB: { cidr: '93.192.0.0/10', asn: 3320, organization: 'Deutsche Telekom AG' },
  vodafone: { cidr: '188.192.0.0/14', asn: 3209, organization: 'Vodafone GmbH' },
  vodafoneB: { cidr: '31.16.0.0/14', asn: 3209, organization: 'Vodafone GmbH' },
  comcast: { cidr: '23.24.0.0/15', asn: 7922, organization: 'Comcast Cable Communications, LLC' },
});

/** VPS / hosting networks an attacker rents: never part of a workload's normal footprint. */
export const HOSTING_BLOCKS = blockTable({
  digitalOcean: { cidr: '167.99.0.0/16', asn: 14061, organization: 'DigitalOcean, LLC' },
  digitalOceanB: { cidr: '159.223.0.0/17', asn: 14061, organization: 'DigitalOcean, LLC' },
  ovh: { cidr: '51.81.0.0/16', asn: 16276, organization: 'OVH SAS' },
  hetzner: { cidr: '116.202.0.0/15', asn: 24940, organization: 'Hetzner Online GmbH' },
  hetznerB: { cidr: '88.198.0.0/16', asn: 24940, organization: 'Hetzner Online GmbH' },
  hetznerV6: { cidr: '2a01:4f8::/32', asn: 24940, organization: 'Hetzner Online GmbH' },
});

/**
 * More hosting networks, for the demo tenant's region and data-plane stories only: kept out of
 * HOSTING_BLOCKS, which the benchmark stream draws its never-seen addresses from, so the benchmark
 * stream stays as it was. Vultr is The Constant Company.
 */
export const STORY_HOSTING_BLOCKS = blockTable({
  vultr: { cidr: '45.76.0.0/15', asn: 20473, organization: 'The Constant Company, LLC' },
  scaleway: { cidr: '51.15.0.0/16', asn: 12876, organization: 'Scaleway SAS' },
});

/**
 * Tor exit relays: 185.220.101.0/24 is one of the best-known exit ranges (operated by the
 * Stiftung Erneuerbare Freiheit); its ASN data row runs from 185.220.101.0 to 185.220.102.255.
 */
export const ANONYMISER_BLOCKS = blockTable({
  torExit: { cidr: '185.220.101.0/24', asn: 60729, organization: 'Stiftung Erneuerbare Freiheit' },
});

/**
 * The `offset`-th usable host address of an IPv4 block. Offsets wrap inside the block and skip the
 * .0 and .255 addresses of every /24, which look like network/broadcast addresses to a reader.
 */
export function ipv4InBlock(cidr: string, offset: number): string {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const parts = (base ?? '').split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255) || !(bits >= 8 && bits <= 24)) {
    throw new RangeError(`ipv4InBlock: ${cidr} is not an IPv4 block between /8 and /24.`);
  }
  const start = (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8)) >>> 0;
  const subnets = 2 ** (24 - bits);
  // 254 usable host numbers (1..254) per /24.
  const index = ((Math.floor(offset) % (subnets * 254)) + subnets * 254) % (subnets * 254);
  const value = start + Math.floor(index / 254) * 256 + (index % 254) + 1;
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** True when the block (IPv4 or IPv6 CIDR) holds the address. */
export function blockHolds(cidr: string, ip: string): boolean {
  const block = parseCidr(cidr);
  const address = parseIp(ip);
  if (!block.ok || address === undefined || block.value.version !== address.version) return false;
  if (block.value.version === 4 && address.version === 4) return address.value >= block.value.first && address.value <= block.value.last;
  if (block.value.version === 6 && address.version === 6) {
    const value = ipv6WordsToBigInt(address.words);
    return value >= block.value.first && value <= block.value.last;
  }
  return false;
}

/**
 * An address of any IPv6 block: the block's first address plus `host` (wrapped inside the block;
 * 0 becomes 1, as the first address reads like the network itself), in RFC 5952 text, as the
 * detector writes it.
 */
export function ipv6InPrefix(cidr: string, host: bigint): string {
  const parsed = parseCidr(cidr);
  if (!parsed.ok || parsed.value.version !== 6) throw new RangeError(`ipv6InPrefix: ${cidr} is not an IPv6 block.`);
  const { first, last } = parsed.value;
  const size = last - first + 1n;
  const offset = ((host % size) + size) % size;
  return formatIpv6(bigIntToIpv6Words(first + (offset === 0n ? 1n : offset)));
}

/** An address in an IPv6 /32 block: the block prefix, then four random 16-bit groups and `::n`. */
export function ipv6InBlock(cidr: string, groups: readonly number[]): string {
  const [base, bitsText] = cidr.split('/');
  if (bitsText !== '32' || base === undefined || !base.includes(':')) throw new RangeError(`ipv6InBlock: ${cidr} is not an IPv6 /32.`);
  const prefix = base.replace(/::$/, '').split(':').slice(0, 2).join(':');
  const tail = groups.slice(0, 3).map((g) => (g & 0xffff).toString(16));
  return `${prefix}:${tail.join(':')}::${((groups[3] ?? 1) & 0xfff || 1).toString(16)}`;
}
