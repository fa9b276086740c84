/**
 * The held-out 45-day tenant: a deterministic, seeded generator of a tenant's Entra and Azure
 * resource logs, written as Event Hub bodies (`{"records":[…]}`, one .json file per 4-hour window,
 * name order = time order) beside a `ServiceTags_Public_YYYYMMDD.json` file. Written independently
 * of src/demo (nothing is imported from it) so that it can check the detector from outside.
 *
 * The tenant (every workload obtains ≥ 1 token a day from the MSI endpoint, registered by a
 * ManagedIdentitySignInLogs record, and reuses it for 1-8 hours):
 *   vm-web01      westeurope VM, dual-stack (IPv4 + IPv6 of the same region), ARM calls
 *   vm-web02      westeurope VM, Graph and ARM calls
 *   vm-app02      westeurope VM reading Key Vault (SecretGet without xms_mirid), ARM calls
 *   vm-batch03    westeurope VM reading Storage over OAuth from its public address (with a port)
 *   vm-db04       westeurope VM, ARM calls
 *   vm-ops05      westeurope VM with an on-premises footprint: own tokens used from the office ISP on weekdays
 *   app-portal    App Service app, outbound pool of five westeurope addresses (one token, several addresses)
 *   vmss-workers  scale set behind a NAT gateway with three westeurope addresses
 *   func-ingest   function app reading Storage through a private endpoint (10.x, 172.16.x, fd00::, with ports)
 *   id-sync-shared user-assigned identity working in westeurope and in eastus from day 0, own tokens each
 *   arc-plant01   Azure Arc server on a Comcast line
 *   sp-deploy     a plain service principal (client secret) calling ARM and Graph from a Hetzner CI runner
 *   alice         a user, from the office and from a VPN at DigitalOcean
 * and the planted stories (PLANTED below).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ADDR, SERVICE_TAGS_FILE_NAME, serviceTagsDocument } from './heldoutNetworks';
import {
  activityUse,
  graphUse,
  keyVaultSecretGet,
  keyVaultUserSecretGet,
  managedIdentity,
  miSignIn,
  servicePrincipalActivity,
  servicePrincipalSignIn,
  storageGetBlob,
  SUBSCRIPTION_ID,
  userActivity,
  userSignIn,
  withPort,
  type ArmOperation,
  type Audience,
  type ManagedIdentity,
  type Token,
} from './heldoutRecords';

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** Day 0, a Monday: 2026-03-02T00:00Z. */
export const T0 = Date.UTC(2026, 2, 2);
export const DAYS = 45;
/** The tenant's first event (a sign-in of func-ingest): its 14-day learning period starts here. */
export const FIRST_EVENT_MS = T0 + 2 * MINUTE_MS;
/** 4 hours of records per Event Hub body file. */
const FILE_WINDOW_MS = 4 * HOUR_MS;

/** `at(day, 'HH:MM')` or `at(day, 'HH:MM:SS')` in event time. */
export function at(day: number, clock: string): number {
  const [h = 0, m = 0, s = 0] = clock.split(':').map(Number);
  return T0 + day * DAY_MS + h * HOUR_MS + m * MINUTE_MS + s * 1000;
}

export const IDENTITIES = {
  web01: managedIdentity('vm-web01', 'vm', 1, 'rg-web'),
  web02: managedIdentity('vm-web02', 'vm', 2, 'rg-web'),
  app02: managedIdentity('vm-app02', 'vm', 3, 'rg-app'),
  batch03: managedIdentity('vm-batch03', 'vm', 4, 'rg-data'),
  db04: managedIdentity('vm-db04', 'vm', 5, 'rg-data'),
  ops05: managedIdentity('vm-ops05', 'vm', 6, 'rg-ops'),
  portal: managedIdentity('app-portal', 'appservice', 7, 'rg-web'),
  vmss: managedIdentity('vmss-workers', 'vmss', 8, 'rg-batch'),
  func: managedIdentity('func-ingest', 'function', 9, 'rg-data'),
  sync: managedIdentity('id-sync-shared', 'uami', 10, 'rg-shared'),
  arc: managedIdentity('arc-plant01', 'arc', 11, 'rg-onprem'),
} as const;

/** Not Managed Identities: never judged. */
export const SERVICE_PRINCIPAL = { name: 'sp-deploy', objectId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a', appId: '2468ace0-1357-4bdf-9ace-02468ace1357' } as const;
export const USER = { name: 'Alice Contoso', upn: 'alice@contoso.example', objectId: 'a1ce0000-1111-4222-8333-444455556666' } as const;

/** The attacker's uses, by story: event times (ms) and the address as the record carries it. */
export const PLANTED = {
  /** (a) vm-web01's ARM token, issued 09:00 on day 5 (learning), used by the VM then from DigitalOcean twice. */
  aIssue: at(5, '09:00'),
  aVmUses: [at(5, '09:05:11'), at(5, '09:40:27'), at(5, '10:10:03')],
  aReplay: at(5, '11:47:19'),
  aReplayAgain: at(5, '12:30:02'),
  /** (a) day 20: an own token of vm-web01 (issued 14:00) first used from DigitalOcean, twice; day 21 once more. */
  aDay20Issue: at(20, '14:00'),
  aDay20: at(20, '14:12:45'),
  aDay20Again: at(20, '14:40:00'),
  aDay21Issue: at(21, '09:55'),
  aDay21: at(21, '10:00:30'),
  /** (b) vm-db04's ARM token, issued 07:30 on day 18, used by the VM, then from eastus. */
  bIssue: at(18, '07:30'),
  bVmUses: [at(18, '07:35:40'), at(18, '08:20:05')],
  bReplay: at(18, '09:02:33'),
  /** (b) day 24: an own token of vm-db04 first used from the same eastus address. */
  bDay24Issue: at(24, '15:00'),
  bDay24: at(24, '15:10:09'),
  /** (c) vm-web02: own Graph tokens first used in eastus (never used by the VM there). */
  cIssue: at(22, '13:05'),
  cFirst: at(22, '13:15:50'),
  cFirstAgain: at(22, '13:50:12'),
  cDay24Issue: at(24, '10:55'),
  cDay24V6: at(24, '11:00:44'),
  cDay28Issue: at(28, '10:30'),
  cDay28: at(28, '10:40:21'),
  /** (d) vm-batch03's Storage token, issued 09:55 on day 26, read with from the VM, then from a Tor exit twice. */
  dIssue: at(26, '09:55'),
  dVmUses: [at(26, '10:00:14'), at(26, '10:30:52')],
  dTor: at(26, '13:30:07'),
  dTorAgain: at(26, '13:31:40'),
  dTorPort: 41234,
  /** (e) vm-app02: an own Key Vault token used from Hetzner (SecretGet), twice on day 30 and once on day 31. */
  eIssue: at(30, '02:10'),
  eFirst: at(30, '02:14:36'),
  eFirstAgain: at(30, '02:15:02'),
  eDay31Issue: at(31, '02:58'),
  eDay31: at(31, '03:00:17'),
  /** (g) vm-ops05: an own token used from another Deutsche Telekom address on day 31 (a Wednesday), twice. */
  gIssue: at(31, '11:15'),
  gFirst: at(31, '11:20:00'),
  gAgain: at(31, '11:45:30'),
} as const;

export interface HeldoutTenant {
  /** The folder of Event Hub body files (nothing else in it). */
  readonly logDir: string;
  readonly serviceTagsFile: string;
  readonly files: number;
  readonly records: number;
  readonly recordsByCategory: Readonly<Record<string, number>>;
  /** Times of vm-ops05's uses from the office address (the on-premises footprint), ascending. */
  readonly officeUses: readonly number[];
}

/** A small seeded PRNG (mulberry32): the tenant is the same for the same seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Entry {
  readonly ms: number;
  readonly seq: number;
  readonly record: Record<string, unknown>;
}

class Writer {
  private readonly random: () => number;
  readonly entries: Entry[] = [];
  readonly officeUses: number[] = [];

  constructor(seed: number) {
    this.random = mulberry32(seed);
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  hex(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += Math.floor(this.random() * 16).toString(16);
    return out;
  }

  guid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** A uniqueTokenIdentifier: 16 random bytes, base64url (22 characters), as Entra writes it. */
  tokenId(): string {
    const bytes = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) bytes[i] = Math.floor(this.random() * 256);
    return bytes.toString('base64url');
  }

  push(ms: number, record: Record<string, unknown>): void {
    this.entries.push({ ms, seq: this.entries.length, record });
  }

  /** A token issued to `mi` at `issuedAtMs` (the sign-in record is written). */
  issue(mi: ManagedIdentity, issuedAtMs: number, audience: Audience): Token {
    const token = { id: this.tokenId(), issuedAtMs };
    this.push(issuedAtMs, miSignIn(mi, token, audience, { correlationId: this.guid(), signInId: this.guid() }));
    return token;
  }

  /** Use times of a token: the first a few minutes after issuance, then every `step` minutes. */
  useTimes(issuedAtMs: number, count: number, stepMin: number, stepMax: number): number[] {
    const times: number[] = [];
    let t = issuedAtMs + this.int(2, 9) * MINUTE_MS + this.int(0, 59_999);
    for (let i = 0; i < count; i++) {
      times.push(t);
      t += this.int(stepMin, stepMax) * MINUTE_MS + this.int(0, 59_999);
    }
    return times;
  }

  /** A session time within `hour` of `day`, minutes `lo..hi`. */
  sessionStart(day: number, hour: number, lo = 5, hi = 50): number {
    return T0 + day * DAY_MS + hour * HOUR_MS + this.int(lo, hi) * MINUTE_MS + this.int(0, 59) * 1000;
  }

  arm(mi: ManagedIdentity, ms: number, ip: string, token: Token, op: ArmOperation): void {
    this.push(ms, activityUse(mi, ms, ip, token, op, this.guid()));
  }

  graph(mi: ManagedIdentity | { objectId: string; appId: string }, ms: number, ip: string, token: Token, uri: string, roles: string): void {
    this.push(ms, graphUse(mi, ms, ip, token, { method: 'GET', uri, requestId: this.guid(), correlationId: this.guid(), location: 'West Europe', roles }));
  }

  keyVault(mi: ManagedIdentity, ms: number, ip: string): void {
    this.push(ms, keyVaultSecretGet(mi, ms, ip, { correlationId: this.guid(), secretVersion: this.hex(32) }));
  }

  storage(mi: ManagedIdentity, ms: number, ip: string, port: number, token: Token, account: string): void {
    this.push(ms, storageGetBlob(mi, ms, withPort(ip, port), token, { account, blob: `ingest/2026/${this.hex(6)}.parquet`, requestId: this.guid() }));
  }
}

const rg = (group: string, provider: string, name: string): string => `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${group}/providers/${provider}/${name}`;
const OPS = {
  vmExtension: { operation: 'MICROSOFT.COMPUTE/VIRTUALMACHINES/EXTENSIONS/WRITE', resourceId: rg('rg-web', 'Microsoft.Compute/virtualMachines', 'vm-web01/extensions/AzureMonitorLinuxAgent') },
  deployment: { operation: 'MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE', resourceId: rg('rg-web', 'Microsoft.Resources/deployments', 'release-portal') },
  listKeys: { operation: 'MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION', resourceId: rg('rg-data', 'Microsoft.Storage/storageAccounts', 'stcontosoingest') },
  nsgRule: { operation: 'MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE', resourceId: rg('rg-web', 'Microsoft.Network/networkSecurityGroups', 'nsg-web/securityRules/allow-lb') },
  tags: { operation: 'MICROSOFT.RESOURCES/TAGS/WRITE', resourceId: rg('rg-ops', 'Microsoft.Compute/virtualMachines', 'vm-ops05/providers/Microsoft.Resources/tags/default') },
  runCommand: { operation: 'MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION', resourceId: rg('rg-data', 'Microsoft.Compute/virtualMachines', 'vm-db04') },
  scaleSet: { operation: 'MICROSOFT.COMPUTE/VIRTUALMACHINESCALESETS/WRITE', resourceId: rg('rg-batch', 'Microsoft.Compute/virtualMachineScaleSets', 'vmss-workers') },
  arcExtension: { operation: 'MICROSOFT.HYBRIDCOMPUTE/MACHINES/EXTENSIONS/WRITE', resourceId: rg('rg-onprem', 'Microsoft.HybridCompute/machines', 'arc-plant01/extensions/AzureMonitorWindowsAgent') },
  roleAssignment: { operation: 'MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE', resourceId: rg('rg-data', 'Microsoft.Authorization/roleAssignments', 'f1e2d3c4-b5a6-4978-8877-665544332211') },
} as const satisfies Record<string, ArmOperation>;

const weekday = (day: number): boolean => day % 7 < 5;

/** The regular, benign workloads of one day. */
function regularDay(w: Writer, day: number): void {
  const id = IDENTITIES;
  const armSession = (mi: ManagedIdentity, start: number, uses: number, ips: readonly string[], ops: readonly ArmOperation[], step: [number, number] = [20, 60]): void => {
    const token = w.issue(mi, start, 'arm');
    for (const t of w.useTimes(start, uses, step[0], step[1])) w.arm(mi, t, w.pick(ips), token, w.pick(ops));
  };
  const graphSession = (mi: ManagedIdentity, start: number, uses: number, ips: readonly string[], step: [number, number] = [20, 60]): void => {
    const token = w.issue(mi, start, 'graph');
    const uris = ['https://graph.microsoft.com/v1.0/users?$top=50', 'https://graph.microsoft.com/v1.0/groups?$select=id,displayName', 'https://graph.microsoft.com/v1.0/applications?$top=20'];
    for (const t of w.useTimes(start, uses, step[0], step[1])) w.graph(mi, t, w.pick(ips), token, w.pick(uris), 'User.Read.All Group.Read.All');
  };
  const storageSession = (mi: ManagedIdentity, start: number, uses: number, ips: readonly string[], account: string): void => {
    const token = w.issue(mi, start, 'storage');
    for (const t of w.useTimes(start, uses, 15, 50)) w.storage(mi, t, w.pick(ips), w.int(49_152, 65_535), token, account);
  };

  // vm-web01: two ARM tokens a day, each used from its IPv4 and IPv6 addresses (same region).
  armSession(id.web01, w.sessionStart(day, 1), 5, [ADDR.web01, ADDR.web01v6], [OPS.vmExtension, OPS.nsgRule]);
  armSession(id.web01, w.sessionStart(day, 12), 4, [ADDR.web01, ADDR.web01v6], [OPS.vmExtension, OPS.nsgRule]);
  // vm-web02: Graph in the morning, ARM in the afternoon.
  graphSession(id.web02, w.sessionStart(day, 6), 4, [ADDR.web02]);
  armSession(id.web02, w.sessionStart(day, 15), 3, [ADDR.web02], [OPS.deployment]);
  // vm-app02: Key Vault twice a day (no token id in the AuditEvent, no xms_mirid), ARM once.
  for (const hour of [3, 14]) {
    const start = w.sessionStart(day, hour);
    w.issue(id.app02, start, 'keyvault');
    for (const t of w.useTimes(start, 4, 15, 45)) w.keyVault(id.app02, t, ADDR.app02);
  }
  armSession(id.app02, w.sessionStart(day, 9), 2, [ADDR.app02], [OPS.listKeys]);
  // vm-batch03: Storage over OAuth from its public westeurope address, with a port.
  storageSession(id.batch03, w.sessionStart(day, 2), 4, [ADDR.batch03], 'stcontosoingest');
  storageSession(id.batch03, w.sessionStart(day, 13), 4, [ADDR.batch03], 'stcontosoingest');
  // vm-db04.
  armSession(id.db04, w.sessionStart(day, 6), 3, [ADDR.db04], [OPS.runCommand, OPS.listKeys]);
  // vm-ops05: its VM, and on weekdays the office (own tokens, outside Azure).
  armSession(id.ops05, w.sessionStart(day, 10), 2, [ADDR.ops05], [OPS.tags]);
  if (weekday(day)) {
    const start = w.sessionStart(day, 8);
    const token = w.issue(id.ops05, start, 'arm');
    for (const t of w.useTimes(start, w.int(3, 4), 40, 80)) {
      w.arm(id.ops05, t, ADDR.office, token, OPS.tags);
      w.officeUses.push(t);
    }
  }
  // app-portal: one Graph token used from several outbound addresses, twice a day; ARM once.
  graphSession(id.portal, w.sessionStart(day, 0, 10, 50), 7, ADDR.appPool, [10, 40]);
  graphSession(id.portal, w.sessionStart(day, 12), 7, ADDR.appPool, [10, 40]);
  armSession(id.portal, w.sessionStart(day, 18), 2, ADDR.appPool, [OPS.deployment]);
  // vmss-workers behind the NAT gateway.
  armSession(id.vmss, w.sessionStart(day, 4), 4, ADDR.natGateway, [OPS.scaleSet, OPS.listKeys]);
  armSession(id.vmss, w.sessionStart(day, 16), 4, ADDR.natGateway, [OPS.scaleSet, OPS.listKeys]);
  // func-ingest: Storage through the private endpoint (the tenant's first event is its day-0 sign-in).
  storageSession(id.func, day === 0 ? FIRST_EVENT_MS : w.sessionStart(day, 1), 5, ADDR.privateEndpoint, 'stcontosoraw');
  storageSession(id.func, w.sessionStart(day, 9), 5, ADDR.privateEndpoint, 'stcontosoraw');
  storageSession(id.func, w.sessionStart(day, 17), 5, ADDR.privateEndpoint, 'stcontosoraw');
  // id-sync-shared: a westeurope workload (ARM) and an eastus workload (Graph), each with its own tokens.
  armSession(id.sync, w.sessionStart(day, 5), 3, [ADDR.syncWesteurope], [OPS.roleAssignment, OPS.listKeys]);
  graphSession(id.sync, w.sessionStart(day, 11), 3, [ADDR.syncEastus, ADDR.syncEastusV6]);
  // arc-plant01: its own ISP every evening (Azure Arc: outside Azure by design).
  armSession(id.arc, w.sessionStart(day, 20), 3, [ADDR.arc], [OPS.arcExtension], [15, 40]);

  if (weekday(day)) {
    // sp-deploy: a client-credential sign-in from the CI runner, two ARM calls, one Graph call.
    const start = w.sessionStart(day, 10);
    const uti = w.tokenId();
    w.push(start, servicePrincipalSignIn(SERVICE_PRINCIPAL, start, ADDR.ciRunner, uti, { correlationId: w.guid(), signInId: w.guid() }));
    const [t1, t2, t3] = w.useTimes(start, 3, 3, 10) as [number, number, number];
    w.push(t1, servicePrincipalActivity(SERVICE_PRINCIPAL, t1, ADDR.ciRunner, uti, start, OPS.deployment, w.guid()));
    w.push(t2, servicePrincipalActivity(SERVICE_PRINCIPAL, t2, ADDR.ciRunner, uti, start, OPS.roleAssignment, w.guid()));
    w.graph(SERVICE_PRINCIPAL, t3, ADDR.ciRunner, { id: w.tokenId(), issuedAtMs: start }, 'https://graph.microsoft.com/v1.0/applications?$top=20', 'Application.Read.All');
    // alice: portal sign-in (from the VPN on Fridays), ARM calls and a secret read.
    const where = day % 7 === 4 ? ADDR.userVpn : ADDR.office;
    const signIn = w.sessionStart(day, 9);
    w.push(signIn, userSignIn(USER, signIn, where, where === ADDR.office ? 3320 : 14061, { correlationId: w.guid(), signInId: w.guid() }));
    const [u1, u2, u3] = w.useTimes(signIn, 3, 5, 30) as [number, number, number];
    w.push(u1, userActivity(USER, u1, where, w.tokenId(), OPS.nsgRule, w.guid()));
    w.push(u2, userActivity(USER, u2, where, w.tokenId(), OPS.deployment, w.guid()));
    w.push(u3, keyVaultUserSecretGet(USER, u3, where, { correlationId: w.guid(), secretVersion: w.hex(32) }));
  }
}

/** The planted stories (PLANTED): the attacker's uses and the victims' own uses of the same tokens. */
function plantedStories(w: Writer): void {
  const id = IDENTITIES;
  const p = PLANTED;
  // (a) day 5, learning: vm-web01's token first used by the VM (IPv4, IPv6), then from DigitalOcean.
  const a = w.issue(id.web01, p.aIssue, 'arm');
  p.aVmUses.forEach((t, i) => w.arm(id.web01, t, i === 1 ? ADDR.web01v6 : ADDR.web01, a, OPS.vmExtension));
  w.arm(id.web01, p.aReplay, ADDR.digitalOcean, a, OPS.listKeys);
  w.arm(id.web01, p.aReplayAgain, ADDR.digitalOcean, a, OPS.roleAssignment);
  // (a) days 20 and 21: new tokens of vm-web01 (requested on the VM, exfiltrated), used only from DigitalOcean.
  const a20 = w.issue(id.web01, p.aDay20Issue, 'arm');
  w.arm(id.web01, p.aDay20, ADDR.digitalOcean, a20, OPS.listKeys);
  w.arm(id.web01, p.aDay20Again, ADDR.digitalOcean, a20, OPS.roleAssignment);
  const a21 = w.issue(id.web01, p.aDay21Issue, 'arm');
  w.arm(id.web01, p.aDay21, ADDR.digitalOcean, a21, OPS.listKeys);
  // (b) day 18: vm-db04's token used by the VM, then from an eastus address.
  const b = w.issue(id.db04, p.bIssue, 'arm');
  for (const t of p.bVmUses) w.arm(id.db04, t, ADDR.db04, b, OPS.runCommand);
  w.arm(id.db04, p.bReplay, ADDR.eastusAttacker, b, OPS.listKeys);
  // (b) day 24: an own token of vm-db04 first used from the same eastus address.
  const b24 = w.issue(id.db04, p.bDay24Issue, 'arm');
  w.arm(id.db04, p.bDay24, ADDR.eastusAttacker, b24, OPS.roleAssignment);
  // (c) vm-web02: own Graph tokens used only in eastus (IPv4, IPv6, IPv4).
  const c = w.issue(id.web02, p.cIssue, 'graph');
  w.graph(id.web02, p.cFirst, ADDR.eastusAttacker2, c, 'https://graph.microsoft.com/v1.0/servicePrincipals?$top=999', 'User.Read.All Group.Read.All');
  w.graph(id.web02, p.cFirstAgain, ADDR.eastusAttacker2, c, 'https://graph.microsoft.com/v1.0/directoryRoles', 'User.Read.All Group.Read.All');
  const c24 = w.issue(id.web02, p.cDay24Issue, 'graph');
  w.graph(id.web02, p.cDay24V6, ADDR.eastusAttackerV6, c24, 'https://graph.microsoft.com/v1.0/users?$top=999', 'User.Read.All Group.Read.All');
  const c28 = w.issue(id.web02, p.cDay28Issue, 'graph');
  w.graph(id.web02, p.cDay28, ADDR.eastusAttacker2, c28, 'https://graph.microsoft.com/v1.0/groups?$top=999', 'User.Read.All Group.Read.All');
  // (d) day 26: vm-batch03's Storage token read with from the VM, then from a Tor exit.
  const d = w.issue(id.batch03, p.dIssue, 'storage');
  for (const t of p.dVmUses) w.storage(id.batch03, t, ADDR.batch03, w.int(49_152, 65_535), d, 'stcontosoingest');
  w.storage(id.batch03, p.dTor, ADDR.torExit, p.dTorPort, d, 'stcontosoingest');
  w.storage(id.batch03, p.dTorAgain, ADDR.torExit, p.dTorPort + 1, d, 'stcontosoingest');
  // (e) days 30-31: vm-app02's own Key Vault tokens, SecretGet from Hetzner.
  w.issue(id.app02, p.eIssue, 'keyvault');
  w.keyVault(id.app02, p.eFirst, ADDR.hetzner);
  w.keyVault(id.app02, p.eFirstAgain, ADDR.hetzner);
  w.issue(id.app02, p.eDay31Issue, 'keyvault');
  w.keyVault(id.app02, p.eDay31, ADDR.hetzner);
  // (g) day 31: vm-ops05's own token from another address of the office's ISP.
  const g = w.issue(id.ops05, p.gIssue, 'arm');
  w.arm(id.ops05, p.gFirst, ADDR.officeOther, g, OPS.tags);
  w.arm(id.ops05, p.gAgain, ADDR.officeOther, g, OPS.tags);
}

/**
 * Writes the tenant under `root`: `root/logs/*.json` (Event Hub bodies, one per 4-hour window,
 * records in time order) and `root/ServiceTags_Public_20260302.json`.
 */
export function writeHeldoutTenant(root: string, seed = 20260302): HeldoutTenant {
  const w = new Writer(seed);
  for (let day = 0; day < DAYS; day++) regularDay(w, day);
  plantedStories(w);
  const entries = [...w.entries].sort((x, y) => x.ms - y.ms || x.seq - y.seq);
  if (entries[0]!.ms !== FIRST_EVENT_MS) throw new Error(`heldout tenant: first event at ${new Date(entries[0]!.ms).toISOString()}, not FIRST_EVENT_MS`);
  if (entries[entries.length - 1]!.ms >= T0 + DAYS * DAY_MS) throw new Error('heldout tenant: an event after day 44');

  const logDir = path.join(root, 'logs');
  mkdirSync(logDir, { recursive: true });
  const windows = new Map<number, Record<string, unknown>[]>();
  const recordsByCategory: Record<string, number> = {};
  for (const e of entries) {
    const window = Math.floor(e.ms / FILE_WINDOW_MS) * FILE_WINDOW_MS;
    let records = windows.get(window);
    if (!records) windows.set(window, (records = []));
    records.push(e.record);
    const category = String(e.record['category']);
    recordsByCategory[category] = (recordsByCategory[category] ?? 0) + 1;
  }
  for (const [window, records] of windows) {
    // PT1H-style names sort in time order: y=2026/m=03/d=02/h=04 → 20260302T04.
    const stamp = new Date(window).toISOString().slice(0, 13).replace(/[-:]/g, '');
    writeFileSync(path.join(logDir, `eh-tokenwatch-audit-${stamp}.json`), JSON.stringify({ records }));
  }
  const serviceTagsFile = path.join(root, SERVICE_TAGS_FILE_NAME);
  writeFileSync(serviceTagsFile, JSON.stringify(serviceTagsDocument(), null, 2));
  return { logDir, serviceTagsFile, files: windows.size, records: entries.length, recordsByCategory, officeUses: [...w.officeUses].sort((x, y) => x - y) };
}
