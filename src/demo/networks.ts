/**
 * The address blocks the synthetic data draws IP addresses from.
 *
 * These are real, routed blocks (not documentation ranges) on purpose: the detector enriches every
 * caller IP with its ASN from the bundled `@ip-location-db/asn` data and classifies Azure addresses
 * with the Azure service tags, so the demo only tells its story if Azure traffic really comes from
 * Microsoft's AS8075 and the attacker really sits in a hosting provider's network. Every block was
 * checked against `asn-ipv4.csv` / `asn-ipv6.csv` of `@ip-location-db/asn` (one row covers the whole
 * block) and the Azure blocks against the `AzureCloud` service tag (ServiceTags_Public_20251028);
 * test/demo/networks.test.ts re-checks them against the installed CSV.
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

/** Access networks of offices, data centres and partners: where legitimate on-premises use comes from. */
export const ACCESS_BLOCKS = {
  deutscheTelekom: { cidr: '87.128.0.0/10', asn: 3320, organization: 'Deutsche Telekom AG' },
  deutscheTelekomB: { cidr: '93.192.0.0/10', asn: 3320, organization: 'Deutsche Telekom AG' },
  vodafone: { cidr: '188.192.0.0/14', asn: 3209, organization: 'Vodafone GmbH' },
  vodafoneB: { cidr: '31.16.0.0/14', asn: 3209, organization: 'Vodafone GmbH' },
  comcast: { cidr: '23.24.0.0/15', asn: 7922, organization: 'Comcast Cable Communications, LLC' },
} as const satisfies Record<string, AddressBlock>;

/** VPS / hosting networks an attacker rents: never part of a workload's normal footprint. */
export const HOSTING_BLOCKS = {
  digitalOcean: { cidr: '167.99.0.0/16', asn: 14061, organization: 'DigitalOcean, LLC' },
  digitalOceanB: { cidr: '159.223.0.0/17', asn: 14061, organization: 'DigitalOcean, LLC' },
  ovh: { cidr: '51.81.0.0/16', asn: 16276, organization: 'OVH SAS' },
  hetzner: { cidr: '116.202.0.0/15', asn: 24940, organization: 'Hetzner Online GmbH' },
  hetznerB: { cidr: '88.198.0.0/16', asn: 24940, organization: 'Hetzner Online GmbH' },
  hetznerV6: { cidr: '2a01:4f8::/32', asn: 24940, organization: 'Hetzner Online GmbH' },
} as const satisfies Record<string, AddressBlock>;

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

/** An address in an IPv6 /32 block: the block prefix, then four random 16-bit groups and `::n`. */
export function ipv6InBlock(cidr: string, groups: readonly number[]): string {
  const [base, bitsText] = cidr.split('/');
  if (bitsText !== '32' || base === undefined || !base.includes(':')) throw new RangeError(`ipv6InBlock: ${cidr} is not an IPv6 /32.`);
  const prefix = base.replace(/::$/, '').split(':').slice(0, 2).join(':');
  const tail = groups.slice(0, 3).map((g) => (g & 0xffff).toString(16));
  return `${prefix}:${tail.join(':')}::${((groups[3] ?? 1) & 0xfff || 1).toString(16)}`;
}
