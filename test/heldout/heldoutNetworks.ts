/**
 * The address plan of the held-out tenant: real routed blocks (checked against the installed
 * `@ip-location-db/asn` CSV by the acceptance test), the addresses each workload and attacker uses
 * inside them, and the service-tags document (weekly-download shape) that puts the Microsoft blocks
 * into `AzureCloud.westeurope` and `AzureCloud.eastus`.
 *
 * Written independently of src/demo: nothing here is imported from the project's generators.
 */

export type BlockRole = 'azure-westeurope' | 'azure-eastus' | 'hosting' | 'tor-exit' | 'office-isp' | 'arc-isp';

export interface RoutedBlock {
  readonly cidr: string;
  readonly role: BlockRole;
  /** The origin AS the installed CSV must give for every address of the block. */
  readonly asn: number;
  /** Substring of the CSV's organisation name. */
  readonly organization: string;
}

/**
 * Blocks as the CSV (asn-ipv4.csv / asn-ipv6.csv of @ip-location-db/asn 2.3.2026061719) lists them:
 * 13.64.0.0-13.95.255.255, 40.65.68.0-40.71.255.255, 40.74.0.0-40.80.70.255 and
 * 2603:1000::-2603:1063:2ff:… are AS8075; 167.99.0.0/16 AS14061; 5.9.0.0/16 AS24940;
 * 185.220.101.0-185.220.102.255 AS60729 (a Tor-exit operator); 91.0.0.0-91.63.255.255 AS3320;
 * 73.0.0.0/8 AS7922.
 */
export const ROUTED_BLOCKS: readonly RoutedBlock[] = [
  { cidr: '13.69.0.0/17', role: 'azure-westeurope', asn: 8075, organization: 'Microsoft' },
  { cidr: '40.74.0.0/18', role: 'azure-westeurope', asn: 8075, organization: 'Microsoft' },
  { cidr: '2603:1020:200::/46', role: 'azure-westeurope', asn: 8075, organization: 'Microsoft' },
  { cidr: '40.71.0.0/16', role: 'azure-eastus', asn: 8075, organization: 'Microsoft' },
  { cidr: '13.82.0.0/16', role: 'azure-eastus', asn: 8075, organization: 'Microsoft' },
  { cidr: '2603:1030:210::/47', role: 'azure-eastus', asn: 8075, organization: 'Microsoft' },
  { cidr: '167.99.0.0/16', role: 'hosting', asn: 14061, organization: 'DigitalOcean' },
  { cidr: '5.9.0.0/16', role: 'hosting', asn: 24940, organization: 'Hetzner' },
  { cidr: '185.220.101.0/24', role: 'tor-exit', asn: 60729, organization: 'Stiftung Erneuerbare Freiheit' },
  { cidr: '91.32.0.0/11', role: 'office-isp', asn: 3320, organization: 'Deutsche Telekom' },
  { cidr: '73.0.0.0/8', role: 'arc-isp', asn: 7922, organization: 'Comcast' },
];

/** Private blocks of the private endpoint (RFC 1918, RFC 4193): never looked up. */
export const PRIVATE_BLOCKS: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', 'fd00::/8'];

/** Every address the tenant uses, by who uses it. */
export const ADDR = {
  // westeurope VMs (public IPs), vm-web01 dual-stack.
  web01: '13.69.64.20',
  web01v6: '2603:1020:200:4::20',
  web02: '13.69.64.21',
  app02: '13.69.66.40',
  batch03: '13.69.65.30',
  db04: '40.74.10.4',
  ops05: '40.74.10.5',
  syncWesteurope: '13.69.64.50',
  // The App Service app's outbound pool (five westeurope addresses).
  appPool: ['13.69.67.10', '13.69.67.11', '40.74.20.30', '40.74.20.31', '40.74.21.7'],
  // The NAT gateway of the scale set (three westeurope addresses).
  natGateway: ['40.74.28.11', '40.74.28.12', '40.74.28.13'],
  // The dual-region identity's eastus workload.
  syncEastus: '40.71.12.8',
  syncEastusV6: '2603:1030:210::8',
  // The function app's private endpoint path.
  privateEndpoint: ['10.20.1.4', '172.16.5.9', 'fd00:10:20::5'],
  // The customer's office (Deutsche Telekom) and the Arc machine's ISP (Comcast).
  office: '91.42.130.17',
  officeOther: '91.42.188.5',
  arc: '73.162.44.9',
  // Attackers.
  digitalOcean: '167.99.102.55',
  hetzner: '5.9.77.12',
  torExit: '185.220.101.47',
  eastusAttacker: '40.71.200.17',
  eastusAttacker2: '40.71.201.33',
  eastusAttackerV6: '2603:1030:210::77',
  // Non-managed principals: a CI runner at Hetzner and a user's VPN at DigitalOcean.
  ciRunner: '5.9.20.33',
  userVpn: '167.99.200.9',
} as const;

/** The role each address must have (checked by the test against ROUTED_BLOCKS and PRIVATE_BLOCKS). */
export function addressRoles(): readonly { readonly ip: string; readonly role: BlockRole | 'private' }[] {
  const we: BlockRole = 'azure-westeurope';
  return [
    ...[ADDR.web01, ADDR.web01v6, ADDR.web02, ADDR.app02, ADDR.batch03, ADDR.db04, ADDR.ops05, ADDR.syncWesteurope, ...ADDR.appPool, ...ADDR.natGateway].map((ip) => ({ ip, role: we })),
    ...[ADDR.syncEastus, ADDR.syncEastusV6, ADDR.eastusAttacker, ADDR.eastusAttacker2, ADDR.eastusAttackerV6].map((ip) => ({ ip, role: 'azure-eastus' as const })),
    ...ADDR.privateEndpoint.map((ip) => ({ ip, role: 'private' as const })),
    { ip: ADDR.office, role: 'office-isp' },
    { ip: ADDR.officeOther, role: 'office-isp' },
    { ip: ADDR.arc, role: 'arc-isp' },
    { ip: ADDR.digitalOcean, role: 'hosting' },
    { ip: ADDR.hetzner, role: 'hosting' },
    { ip: ADDR.ciRunner, role: 'hosting' },
    { ip: ADDR.userVpn, role: 'hosting' },
    { ip: ADDR.torExit, role: 'tor-exit' },
  ];
}

export const SERVICE_TAGS_FILE_NAME = 'ServiceTags_Public_20260302.json';

/**
 * A service-tags document in the weekly download's shape (`ServiceTags_Public_YYYYMMDD.json`):
 * the global `AzureCloud` tag, the two regional `AzureCloud.<region>` tags holding the Microsoft
 * blocks above, and two service tags of other names (ignored for regions) as a real file has.
 */
export function serviceTagsDocument(): Record<string, unknown> {
  const cidrsOf = (role: BlockRole): string[] => ROUTED_BLOCKS.filter((b) => b.role === role).map((b) => b.cidr);
  const westeurope = cidrsOf('azure-westeurope');
  const eastus = cidrsOf('azure-eastus');
  // Other AzureCloud space that no address of the tenant uses (real Microsoft prefixes).
  const elsewhere = ['4.175.0.0/16', '20.38.64.0/19', '2603:1040:a06::/48'];
  const tag = (name: string, region: string, regionId: number | undefined, systemService: string, prefixes: string[], changeNumber: number) => ({
    name,
    id: name,
    properties: { changeNumber, region, ...(regionId !== undefined ? { regionId } : {}), platform: 'Azure', systemService, addressPrefixes: prefixes, networkFeatures: ['API', 'NSG', 'UDR', 'FW'] },
  });
  return {
    changeNumber: 382,
    cloud: 'Public',
    values: [
      tag('AzureCloud', '', undefined, '', [...westeurope, ...eastus, ...elsewhere].sort(), 291),
      tag('AzureCloud.eastus', 'eastus', 32, '', eastus, 171),
      tag('AzureCloud.westeurope', 'westeurope', 18, '', westeurope, 168),
      tag('AzureKeyVault.WestEurope', 'westeurope', 18, 'AzureKeyVault', ['13.69.64.64/27', '40.74.24.68/31'], 44),
      tag('Storage.EastUS', 'eastus', 32, 'AzureStorage', ['13.82.33.0/24'], 93),
    ],
  };
}
