import type { Severity } from '../core/alerts/alertRow';
import {
  activityRecord,
  graphActivityRecord,
  keyVaultRecord,
  managedIdentitySignInRecord,
  servicePrincipalSignInRecord,
  storageRecord,
  storageTokenHash,
  tokenGrant,
  type Audience,
  type Caller,
  type PlaceOfAccess,
  type TokenAudience,
  type TokenGrant,
} from './azureRecords';
import {
  ACTIVITY_OPERATIONS,
  ATTACKER_GRAPH_REQUESTS,
  buildDemoIdentities,
  buildDemoPrincipals,
  DEMO_SUBSCRIPTIONS,
  DEMO_TENANT_ID,
  type DemoIdentity,
  type DemoPrincipal,
} from './identities';
import {
  ACCESS_BLOCKS,
  ANONYMISER_BLOCKS,
  AZURE_BLOCKS,
  AZURE_IPV6_BLOCKS,
  AZURE_REGIONS,
  blockHolds,
  HOSTING_BLOCKS,
  STORY_HOSTING_BLOCKS,
  ipv4InBlock,
  ipv6InBlock,
  REGION_DISPLAY_NAMES,
  type AddressBlock,
  type AzureRegion,
} from './networks';
import { createRandom, deriveSeed, type Random } from './random';
import { demoServiceTags, type DemoServiceTags } from './serviceTagsDocument';
import { castStories, type StoryCast } from './storyCast';
import { isoTicks, MS_PER_DAY, parseDay, tokenIdFromGuid } from './timeFormat';
import { appendAll } from '../core/arrays';

/**
 * The demo tenant: 45 days of Entra ID and Azure Monitor traffic of a mid-sized Azure estate, with a
 * handful of token-theft stories planted (most after the detector's learning period), the Azure
 * service tags its addresses belong to, and the list of what the detector is expected to say about
 * each story.
 *
 * Detector semantics the stories are planted against (src/core/remoteUse/ladder.ts):
 * - the network of an address is its ASN outside Azure and its Azure region (the regional service
 *   tag holding it) inside Azure;
 * - a token used from a second network (its `uti`, `signInActivityId` or Storage `tokenHash` first
 *   seen from another network) is a replay: High from day 0, learning period or not; the replaying
 *   network then stays High for that identity;
 * - the tenant becomes active 14 days after its earliest event; before that every other external
 *   use is Low (and learned) and every Azure use is learned;
 * - after that, an Azure use from a region the identity has not used in 30 days is Medium, and an
 *   external use is High when the ASN is new for the identity, Medium when only the IP is new, Low
 *   when both are known; Arc machines never get Low;
 * - alerts dedup per identity + severity + attribute (ASN, IP, region or network) for 5 days, a
 *   replay and an unusual ASN of the same network sharing their key;
 * - uses that raised an alert are not learned into the baseline (so a repeated attack from the
 *   same address within 5 days is a suppressed High, not a Low).
 * The identity's own workloads use each token from one network only: its Azure addresses, or its
 * outside-Azure footprint (a CI runner, a partner's egress), which holds tokens of its own.
 */

export type PlantedKind =
  /** A stolen token replayed from a hosting provider's network the identity never used. */
  | 'stolen-token-new-asn'
  /** The same attacker again within the dedup window: a High that must be suppressed. */
  | 'stolen-token-repeat'
  /** A new address inside a network the identity already uses (the same ISP). */
  | 'new-ip-known-asn'
  /** The identity's usual outside-Azure address (Low in the learning period and after it). */
  | 'outside-azure-usual-ip'
  /** An Azure Arc machine calling from its usual on-premises address: never an alert. */
  | 'arc-usual-ip'
  /** External use by a principal that is not a managed identity: never an alert. */
  | 'not-a-managed-identity'
  /** A token replayed from a hosting network during the learning period: High, not the learning Low. */
  | 'replay-during-learning'
  /** A token replayed from an address of another Azure region: High although both uses are Azure. */
  | 'replay-other-region'
  /** A token of the identity's own, used only from an Azure region the identity never used: Medium. */
  | 'unusual-region-own-token'
  /** A Storage OAuth token (known by its hash) replayed from a Tor exit relay: High. */
  | 'storage-token-from-tor'
  /** A Key Vault secret read with the identity's own fresh token from a hosting network: High. */
  | 'keyvault-read-hosting'
  /** One token used from several outbound addresses of the identity's region (App Service): no alert. */
  | 'same-region-address-pool'
  /** One token used from the IPv4 and the IPv6 address of a dual-stack VM in its region: no alert. */
  | 'same-region-dual-stack';

/** `category` of the record a story is planted in. */
export type PlantedCategory = 'Administrative' | 'MicrosoftGraphActivityLogs' | 'StorageRead' | 'AuditEvent';

export interface PlantedAttack {
  /** Stable id: `H1`, `H1-repeat`, `M1`, `L1`, `ARC1`, `SP1`, `RPL1`, `STOR1`, … */
  readonly id: string;
  readonly kind: PlantedKind;
  /** One sentence: what happened. */
  readonly description: string;
  readonly identityName: string;
  /** `xms_mirid` of the identity; '' for principals that are not managed identities. */
  readonly identityResourceId: string;
  /** Object id of the service principal (or the user). */
  readonly principalId: string;
  /** Time of the use record (7 fractional digits, as in the record). */
  readonly time: string;
  /** The caller address as the detector writes it (Storage's port removed). */
  readonly ip: string;
  readonly asn: number;
  readonly asOrganization: string;
  readonly category: PlantedCategory;
  /** `operationName` (Activity, Storage, Key Vault) or `requestUri` (Graph). */
  readonly operation: string;
  /**
   * Id of the token used (`uniqueTokenIdentifier` of its sign-in): Activity and Graph records carry
   * it (`uti`, `signInActivityId`), Storage records only its hash, Key Vault records neither.
   */
  readonly tokenId: string;
  /** Storage's `identity.tokenHash` of the token; '' for the other sources. */
  readonly tokenHash: string;
  /** Time of the sign-in record that issued the token ('' when the tenant has no sign-in for it: users). */
  readonly tokenIssuedAt: string;
  /** Severity the detector computes for the record; null: no alert at all. */
  readonly expectedSeverity: Severity | null;
  /** False when the record is expected to be suppressed (dedup) or not to alert. */
  readonly expectAlert: boolean;
  /** For a suppressed repeat: the id of the planted alert it repeats. */
  readonly duplicateOf: string | null;
}

export interface DemoBody {
  /** `day-014-part-02.json`: name order is time order. */
  readonly name: string;
  readonly body: { readonly records: unknown[] };
}

export interface DemoTenantOptions {
  readonly seed?: number;
  /** ISO day of the first record; default `2026-09-01`. */
  readonly start?: string;
  /** Days of traffic, at least 40 (the stories run until day 36); default 45. */
  readonly days?: number;
  /** Managed identities, at least 12; default 36. */
  readonly identities?: number;
  /** Upper bound of records per Event Hub body; default 300. */
  readonly recordsPerBody?: number;
}

export interface DemoTenant {
  readonly tenantId: string;
  /** Earliest record time + 14 days, when the detector starts raising alerts. */
  readonly activationTime: string;
  readonly bodies: DemoBody[];
  readonly planted: PlantedAttack[];
  readonly identities: DemoIdentity[];
  readonly principals: DemoPrincipal[];
  /** The one body of deliberately broken records, and how many records it holds (all rejects). */
  readonly malformed: { readonly bodyName: string; readonly records: number };
  /**
   * The Azure service tags of the tenant's Azure addresses (`ServiceTags_Public_<first day>.json`):
   * the region and replay stories are planted against a detector that reads them.
   */
  readonly serviceTags: DemoServiceTags;
}

export const DEFAULT_DEMO_SEED = 20260901;
/** 40 days: the learning period (14) + the last planted story (day 36) + a few quiet days after it. */
export const MIN_DEMO_DAYS = 40;
/** 14 days: the detector's learning period, counted from the tenant's earliest event. */
export const LEARNING_PERIOD_MS = 14 * MS_PER_DAY;
/** 5 days: the dedup window the Low expectations are computed with. */
const DEDUP_WINDOW_MS = 5 * MS_PER_DAY;
/** The day the deliberately broken records arrive (after activation, before the last stories). */
const MALFORMED_DAY = 30;

interface TimedRecord {
  readonly time: string;
  readonly ms: number;
  readonly record: unknown;
  /** Set on managed-identity use records, for the Low expectations. */
  readonly use?: { readonly identity: DemoIdentity; readonly ip: string; readonly tokenId: string; readonly issuedTime: string };
}

interface Clock {
  at(ms: number): { time: string; ms: number };
}

function clockFor(random: Random): Clock {
  return { at: (ms) => ({ ms: Math.floor(ms), time: isoTicks(Math.floor(ms), random.int(0, 9999)) }) };
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * Where an identity's own workload uses a token: from its Azure addresses, or from its outside-Azure
 * footprint (the CI runner, the partner's egress, the Arc machine's site), which signs in on its own.
 */
type Footprint = 'azure' | 'onPremises';

/** A token the tenant issued to an identity's workload, and when the workload first used it. */
interface IssuedToken {
  readonly grant: TokenGrant;
  readonly footprint: Footprint;
  /** Infinity until the workload uses the token. */
  firstUseMs: number;
}

/** Every workload token by identity name, in issue order. */
type TokenLedger = Map<string, IssuedToken[]>;

const FRANKFURT: Omit<PlaceOfAccess, 'ip'> = { city: 'Frankfurt am Main', state: 'Hesse', countryOrRegion: 'DE', latitude: 50.1109, longitude: 8.6821 };
const PLACES: Readonly<Record<number, Omit<PlaceOfAccess, 'ip'>>> = {
  3320: FRANKFURT,
  3209: { city: 'Düsseldorf', state: 'North Rhine-Westphalia', countryOrRegion: 'DE', latitude: 51.2277, longitude: 6.7735 },
};

export function generateDemoTenant(options: DemoTenantOptions = {}): DemoTenant {
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  const startMs = parseDay(options.start ?? '2026-09-01', 'start');
  const days = options.days ?? 45;
  if (!Number.isInteger(days) || days < MIN_DEMO_DAYS) throw new RangeError(`days: need an integer of at least ${MIN_DEMO_DAYS}, got ${days}.`);
  const recordsPerBody = options.recordsPerBody ?? 300;
  if (!Number.isInteger(recordsPerBody) || recordsPerBody < 1) throw new RangeError(`recordsPerBody: need a positive integer, got ${recordsPerBody}.`);

  const catalog = buildDemoIdentities(options.identities ?? 36, createRandom(deriveSeed(seed, 'identities')));
  const { cast, identities } = castStories(catalog, createRandom(deriveSeed(seed, 'cast')));
  const principals = buildDemoPrincipals(createRandom(deriveSeed(seed, 'principals')));
  const tenantId = DEMO_TENANT_ID;
  const tokens: TokenLedger = new Map();
  const timed: TimedRecord[] = [];

  for (let day = 0; day < days; day++) {
    const random = createRandom(deriveSeed(seed, `day-${day}`));
    const dayMs = startMs + day * MS_PER_DAY;
    for (const identity of identities) dailyIdentityTraffic(identity, dayMs, random, tenantId, tokens, timed);
    for (const principal of principals) dailyPrincipalTraffic(principal, dayMs, random, tenantId, timed);
    // Its own sub-stream, so the data-plane reads leave the rest of the day's traffic as it was.
    dailyDataPlaneTraffic(cast, dayMs, createRandom(deriveSeed(seed, `data-plane-${day}`)), tenantId, tokens, timed);
  }

  const planted = plantStories({ seed, startMs, cast, principals, tenantId, tokens, timed });
  // Array.prototype.sort is stable: records with the same 7-digit time keep their generation order.
  timed.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  const first = timed[0];
  if (first === undefined) throw new Error('generateDemoTenant: no records generated.');
  const activationMs = first.ms + LEARNING_PERIOD_MS;
  appendAll(planted, expectedLows(timed, activationMs));
  planted.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));

  const bodies = splitIntoBodies(timed, startMs, days, recordsPerBody);
  const malformed = malformedBody(startMs, tenantId, identities, seed);
  const insertAt = bodies.findIndex((b) => b.name > malformed.name);
  bodies.splice(insertAt === -1 ? bodies.length : insertAt, 0, malformed);

  return {
    tenantId,
    activationTime: new Date(activationMs).toISOString(),
    bodies,
    planted,
    identities,
    principals,
    malformed: { bodyName: malformed.name, records: malformed.body.records.length },
    serviceTags: demoServiceTags(startMs),
  };
}

function callerOf(identity: DemoIdentity): Caller {
  return { kind: 'managedIdentity', objectId: identity.servicePrincipalId, appId: identity.appId, name: identity.name, resourceId: identity.resourceId };
}

/** A token issued to the identity: its sign-in record, pushed to `timed`. */
function signIn(identity: DemoIdentity, audience: TokenAudience, at: { time: string; ms: number }, random: Random, tenantId: string, timed: TimedRecord[]): TokenGrant {
  const requestId = random.guid();
  const grant = tokenGrant(requestId, tokenIdFromGuid(requestId), audience, at.time, at.ms);
  const record = managedIdentitySignInRecord(tenantId, { objectId: identity.servicePrincipalId, appId: identity.appId, name: identity.name }, grant, random);
  timed.push({ time: at.time, ms: at.ms, record });
  return grant;
}

/** The storage account the blob reader reads from, in the identity's subscription. */
function storageAccountOf(identity: DemoIdentity): string {
  return `/subscriptions/${identity.subscriptionId}/resourceGroups/rg-contoso-data/providers/Microsoft.Storage/storageAccounts/stcontosodata01`;
}

/** The vault holding the vault reader's secret, in the identity's subscription. */
function vaultOf(identity: DemoIdentity): string {
  return `/subscriptions/${identity.subscriptionId}/resourceGroups/rg-contoso-security/providers/Microsoft.KeyVault/vaults/kv-contoso-app`;
}

/** 49152–65535: the ephemeral ports a client connects from, as Storage logs them. */
const ephemeralPort = (random: Random): number => random.int(49_152, 65_535);

/** A use of the token by the identity's own workload, as its source logs it. */
function useToken(
  identity: DemoIdentity,
  grant: TokenGrant,
  ip: string,
  at: { time: string; ms: number },
  random: Random,
  tenantId: string,
): TimedRecord {
  const caller = callerOf(identity);
  const args = { tenantId, caller, grant, ip, time: at.time, random };
  let record: Record<string, unknown>;
  switch (grant.audience) {
    case 'arm': {
      const op = random.pick(identity.operations);
      record = activityRecord({ ...args, subscriptionId: identity.subscriptionId, target: op.target, operation: op.operation });
      break;
    }
    case 'graph':
      record = graphActivityRecord({ ...args, request: random.pick(identity.graphRequests), location: REGION_DISPLAY_NAMES[identity.region], userAgent: identity.userAgent });
      break;
    case 'storage':
      record = blobRead(identity, grant, ip, at.time, identity.userAgent, random, tenantId);
      break;
    case 'vault':
      record = secretRead(identity, grant, ip, at.time, identity.userAgent, random, tenantId);
      break;
  }
  return { time: at.time, ms: at.ms, record, use: { identity, ip, tokenId: grant.tokenId, issuedTime: grant.issuedTime } };
}

/**
 * A workload session: a token issued between 00:00 and 20:00 of the day, used `minUses`–`maxUses`
 * times within the next 4 hours (so every use falls on the day its token was issued) from `ips`.
 */
function workloadSession(
  identity: DemoIdentity,
  dayMs: number,
  random: Random,
  tenantId: string,
  tokens: TokenLedger,
  timed: TimedRecord[],
  session: { audience: TokenAudience; ips: readonly string[]; footprint: Footprint; minUses: number; maxUses: number },
): void {
  const clock = clockFor(random);
  const issued = clock.at(dayMs + random.next() * 20 * HOUR_MS);
  const token: IssuedToken = { grant: signIn(identity, session.audience, issued, random, tenantId, timed), footprint: session.footprint, firstUseMs: Infinity };
  const list = tokens.get(identity.name) ?? [];
  list.push(token);
  tokens.set(identity.name, list);
  const uses = random.int(session.minUses, session.maxUses);
  for (let i = 0; i < uses; i++) {
    const at = clock.at(issued.ms + 3_000 + random.next() * 4 * HOUR_MS);
    token.firstUseMs = Math.min(token.firstUseMs, at.ms);
    timed.push(useToken(identity, token.grant, random.pick(session.ips), at, random, tenantId));
  }
}

/**
 * One day of one identity: ARM (and Graph) sessions from the identity's own addresses, and one
 * session a day of its outside-Azure footprint, which holds tokens of its own.
 */
function dailyIdentityTraffic(identity: DemoIdentity, dayMs: number, random: Random, tenantId: string, tokens: TokenLedger, timed: TimedRecord[]): void {
  const session = (audience: Audience, ips: readonly string[], footprint: Footprint, minUses: number, maxUses: number) =>
    workloadSession(identity, dayMs, random, tenantId, tokens, timed, { audience, ips, footprint, minUses, maxUses });
  // An Arc machine runs on premises: its own sessions are its outside-Azure footprint.
  const site = identity.kind === 'arcMachine' ? identity.onPremises : null;
  const usual = site !== null ? [site.ip] : identity.azureIps;
  const footprint: Footprint = site !== null ? 'onPremises' : 'azure';
  const armSessions = random.int(1, 3);
  for (let i = 0; i < armSessions; i++) session('arm', usual, footprint, 1, 5);
  if (identity.usesGraph) {
    const graphSessions = random.int(1, 2);
    for (let i = 0; i < graphSessions; i++) session('graph', usual, footprint, 1, 4);
  }
  // The legitimate outside-Azure footprint (CI runner, forced tunnelling, office egress): one session a day.
  if (identity.onPremises !== null && site === null) session('arm', [identity.onPremises.ip], 'onPremises', 1, 2);
}

/** The data-plane reads of the cast: the VM reading blobs over OAuth, the function app reading its secret. */
function dailyDataPlaneTraffic(cast: StoryCast, dayMs: number, random: Random, tenantId: string, tokens: TokenLedger, timed: TimedRecord[]): void {
  workloadSession(cast.blobReader, dayMs, random, tenantId, tokens, timed, { audience: 'storage', ips: cast.blobReader.azureIps, footprint: 'azure', minUses: 2, maxUses: 6 });
  workloadSession(cast.vaultReader, dayMs, random, tenantId, tokens, timed, { audience: 'vault', ips: cast.vaultReader.azureIps, footprint: 'azure', minUses: 1, maxUses: 3 });
}

function principalCaller(principal: DemoPrincipal, random: Random): Caller {
  return principal.kind === 'user'
    ? { kind: 'user', objectId: principal.objectId, appId: principal.appId, name: principal.name, upn: principal.upn, puid: '10032003A1B2C3D4' }
    : { kind: 'servicePrincipal', objectId: principal.objectId, appId: principal.appId, name: principal.name };
}

/** App registrations sign in (ServicePrincipalSignInLogs, with IP) and use their tokens; the user only uses hers. */
function dailyPrincipalTraffic(principal: DemoPrincipal, dayMs: number, random: Random, tenantId: string, timed: TimedRecord[]): void {
  const clock = clockFor(random);
  const weekday = new Date(dayMs).getUTCDay();
  if (principal.kind === 'user' && (weekday === 0 || weekday === 6)) return;
  const caller = principalCaller(principal, random);
  const place: PlaceOfAccess = { ip: principal.ip, ...(PLACES[principal.asn] ?? FRANKFURT) };
  const sessions = random.int(1, 3);
  for (let s = 0; s < sessions; s++) {
    const audience: Audience = principal.usesArm && (!principal.usesGraph || random.chance(0.6)) ? 'arm' : 'graph';
    // Office hours (07:00–17:00) for people and pipelines alike.
    const issued = clock.at(dayMs + 7 * HOUR_MS + random.next() * 10 * HOUR_MS);
    const requestId = random.guid();
    const grant = tokenGrant(requestId, tokenIdFromGuid(requestId), audience, issued.time, issued.ms);
    if (principal.kind === 'servicePrincipal') {
      timed.push({
        ...issued,
        record: servicePrincipalSignInRecord(
          tenantId,
          { objectId: principal.objectId, appId: principal.appId, name: principal.name, credentialKeyId: deriveGuid(principal.objectId) },
          grant,
          place,
          random,
        ),
      });
    }
    const uses = random.int(1, 4);
    for (let i = 0; i < uses; i++) {
      const at = clock.at(issued.ms + 2_000 + random.next() * 50 * 60_000);
      timed.push({ ...at, record: principalUse(principal, caller, grant, at.time, tenantId, random) });
    }
  }
}

function principalUse(principal: DemoPrincipal, caller: Caller, grant: TokenGrant, time: string, tenantId: string, random: Random): unknown {
  if (grant.audience === 'arm') {
    const operation = random.pick([ACTIVITY_OPERATIONS.deploymentWrite, ACTIVITY_OPERATIONS.containerWrite, ACTIVITY_OPERATIONS.secretWrite]);
    const subscriptionId = DEMO_SUBSCRIPTIONS.production;
    const target =
      operation === ACTIVITY_OPERATIONS.deploymentWrite
        ? `/subscriptions/${subscriptionId}/resourceGroups/rg-contoso-app/providers/Microsoft.Resources/deployments/release-${random.hex(6)}`
        : operation === ACTIVITY_OPERATIONS.containerWrite
          ? `/subscriptions/${subscriptionId}/resourceGroups/rg-contoso-data/providers/Microsoft.Storage/storageAccounts/stcontosodata01/blobServices/default/containers/releases`
          : `/subscriptions/${subscriptionId}/resourceGroups/rg-contoso-security/providers/Microsoft.KeyVault/vaults/kv-contoso-app/secrets/release-signing`;
    return activityRecord({ tenantId, subscriptionId, caller, grant, ip: principal.ip, time, target, operation, random });
  }
  return graphActivityRecord({
    tenantId,
    caller,
    grant,
    ip: principal.ip,
    time,
    request: {
      method: 'GET',
      uri: principal.kind === 'user' ? 'https://graph.microsoft.com/v1.0/me/memberOf' : 'https://graph.microsoft.com/v1.0/users?$select=id,mail,department',
      roles: 'User.Read.All',
      status: 200,
    },
    location: 'Germany West Central',
    userAgent: principal.kind === 'user' ? 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36 Edg/128.0.0.0' : 'Fabrikam-CRM-Sync/4.2',
    random,
  });
}

/** A GUID that is a fixed function of another (credential key ids must stay stable across days). */
function deriveGuid(from: string): string {
  return createRandom(deriveSeed(0, from)).guid();
}

/** 32 hex digits that are a fixed function of a label (a secret's version is the same every day). */
function deriveHex(from: string): string {
  return createRandom(deriveSeed(0, from)).hex(32);
}

/** A blob read of the identity's token (its workload's, or a thief's with another client). */
function blobRead(identity: DemoIdentity, grant: TokenGrant, ip: string, time: string, userAgent: string, random: Random, tenantId: string): Record<string, unknown> {
  const day = time.slice(0, 10).replace(/-/g, '/');
  return storageRecord({
    tenantId, caller: callerOf(identity), grant, ip, time, random,
    accountId: storageAccountOf(identity),
    location: identity.region,
    blobPath: `exports/${day}/part-${String(random.int(0, 31)).padStart(5, '0')}.parquet`,
    port: ephemeralPort(random),
    userAgent,
    roleAssignmentId: deriveGuid(`${identity.servicePrincipalId}|blob-reader`),
  });
}

/** A read of the identity's own Key Vault secret. */
function secretRead(identity: DemoIdentity, grant: TokenGrant, ip: string, time: string, clientInfo: string, random: Random, tenantId: string): Record<string, unknown> {
  return keyVaultRecord({
    tenantId, caller: callerOf(identity), grant, ip, time, random,
    vaultId: vaultOf(identity),
    secretName: `${identity.name}-db-password`,
    secretVersion: deriveHex(`${identity.name}|secret`),
    clientInfo,
  });
}

interface StoryContext {
  readonly seed: number;
  readonly startMs: number;
  readonly cast: StoryCast;
  readonly principals: readonly DemoPrincipal[];
  readonly tenantId: string;
  readonly tokens: TokenLedger;
  readonly timed: TimedRecord[];
}

/** What a planted story says about itself. */
interface StorySpec {
  readonly id: string;
  readonly kind: PlantedKind;
  readonly description: string;
  readonly identity: DemoIdentity;
  readonly severity: Severity | null;
  readonly expectAlert: boolean;
  readonly duplicateOf?: string;
}

/** The use record a story is planted in. */
interface StoryUse {
  readonly when: { time: string; ms: number };
  readonly ip: string;
  readonly block: AddressBlock;
  readonly grant: TokenGrant;
  readonly record: Record<string, unknown>;
  readonly category: PlantedCategory;
  readonly operation: string;
}

/** The client a thief reads blobs with (not the workload's SDK). */
const THIEF_STORAGE_CLIENT = 'azsdk-python-storage-blob/12.23.1 Python/3.12.3 (Linux-6.8.0-45-generic-x86_64-with-glibc2.39)';
/** What a thief reads a secret with. */
const THIEF_VAULT_CLIENT = 'curl/8.5.0';

/** The first region of `preferred` that is not `own`. */
function otherRegion(own: AzureRegion, preferred: readonly AzureRegion[]): AzureRegion {
  const region = [...preferred, ...AZURE_REGIONS].find((r) => r !== own);
  if (region === undefined) throw new Error('generateDemoTenant: the demo needs a second Azure region.');
  return region;
}

function plantStories(ctx: StoryContext): PlantedAttack[] {
  const { cast, principals, tenantId, timed } = ctx;
  const random = createRandom(deriveSeed(ctx.seed, 'stories'));
  const clock = clockFor(random);
  // Stories run between 21:00 and 23:59, after the day's tokens (issued before 20:00) exist.
  const at = (day: number, hour: number) => clock.at(ctx.startMs + day * MS_PER_DAY + hour * HOUR_MS + random.int(0, 59) * 60_000 + random.int(0, 59_999));
  const planted: PlantedAttack[] = [];

  /**
   * The token a thief holds at `when`: the newest token of the identity's workload at `footprint`
   * for the audience, issued at least 5 minutes earlier, still valid and already used by the
   * workload, so the thief's use is the token's second network (a replay) and the workload's own
   * uses never are. When the workload has used none of its valid tokens yet, the theft waits until
   * 5–30 minutes after the first such use.
   */
  const steal = (identity: DemoIdentity, audience: TokenAudience, footprint: Footprint, when: { time: string; ms: number }) => {
    const valid = (ctx.tokens.get(identity.name) ?? []).filter(
      (t) => t.grant.audience === audience && t.footprint === footprint && t.grant.issuedMs < when.ms - 5 * MINUTE_MS && t.grant.expSeconds * 1000 > when.ms,
    );
    const newest = valid.filter((t) => t.firstUseMs < when.ms).reduce<IssuedToken | undefined>((best, t) => (best === undefined || t.grant.issuedMs > best.grant.issuedMs ? t : best), undefined);
    if (newest !== undefined) return { grant: newest.grant, when };
    const soonest = valid.filter((t) => Number.isFinite(t.firstUseMs)).reduce<IssuedToken | undefined>((best, t) => (best === undefined || t.firstUseMs < best.firstUseMs ? t : best), undefined);
    if (soonest === undefined) throw new Error(`generateDemoTenant: ${identity.name} holds no ${footprint} ${audience} token at ${new Date(when.ms).toISOString()}.`);
    return { grant: soonest.grant, when: clock.at(soonest.firstUseMs + random.int(5, 30) * MINUTE_MS) };
  };

  /** An ARM call: the identity's own operation, or `operation` (listKeys on its storage account). */
  const armCall = (identity: DemoIdentity, grant: TokenGrant, ip: string, time: string, operation?: keyof typeof ACTIVITY_OPERATIONS) => {
    const own = identity.operations[0];
    const op = (operation === undefined ? own?.operation : ACTIVITY_OPERATIONS[operation]) ?? ACTIVITY_OPERATIONS.listKeys;
    const target = operation === 'listKeys' || own === undefined
      ? `/subscriptions/${identity.subscriptionId}/resourceGroups/rg-contoso-data/providers/Microsoft.Storage/storageAccounts/stcontosodata01`
      : own.target;
    const record = activityRecord({ tenantId, subscriptionId: identity.subscriptionId, caller: callerOf(identity), grant, ip, time, target, operation: op, random });
    return { record, category: 'Administrative' as const, operation: op.operationName };
  };

  const plant = (story: StorySpec, use: StoryUse): void => {
    timed.push({ time: use.when.time, ms: use.when.ms, record: use.record });
    planted.push({
      id: story.id,
      kind: story.kind,
      description: story.description,
      identityName: story.identity.name,
      identityResourceId: story.identity.resourceId,
      principalId: story.identity.servicePrincipalId,
      time: use.when.time,
      ip: use.ip,
      asn: use.block.asn,
      asOrganization: use.block.organization,
      category: use.category,
      operation: use.operation,
      tokenId: use.grant.tokenId,
      tokenHash: use.category === 'StorageRead' ? storageTokenHash(use.grant) : '',
      tokenIssuedAt: use.grant.issuedTime,
      expectedSeverity: story.severity,
      expectAlert: story.expectAlert,
      duplicateOf: story.duplicateOf ?? null,
    });
  };

  /** A workload token used from `ip` (ARM or Graph). */
  const attack = (spec: StorySpec & {
    audience: Audience;
    /** Where the workload uses the token; default its Azure addresses. */
    footprint?: Footprint;
    when: { time: string; ms: number };
    ip: string;
    block: AddressBlock;
    operation?: keyof typeof ACTIVITY_OPERATIONS;
    userAgent?: string;
  }): void => {
    const { grant, when } = steal(spec.identity, spec.audience, spec.footprint ?? 'azure', spec.when);
    if (spec.audience === 'arm') {
      plant(spec, { ...armCall(spec.identity, grant, spec.ip, when.time, spec.operation), when, ip: spec.ip, block: spec.block, grant });
      return;
    }
    const request = random.pick(ATTACKER_GRAPH_REQUESTS);
    const record = graphActivityRecord({
      tenantId,
      caller: callerOf(spec.identity),
      grant,
      ip: spec.ip,
      time: when.time,
      request,
      location: REGION_DISPLAY_NAMES[spec.identity.region],
      userAgent: spec.userAgent ?? 'python-requests/2.32.3',
      random,
    });
    plant(spec, { record, category: 'MicrosoftGraphActivityLogs', operation: request.uri, when, ip: spec.ip, block: spec.block, grant });
  };

  const v4 = (block: AddressBlock) => ipv4InBlock(block.cidr, random.int(0, 4_000_000));
  const h1Victim = cast.h1;
  const h1Ip = v4(HOSTING_BLOCKS.digitalOcean);
  attack({
    id: 'H1', kind: 'stolen-token-new-asn', identity: h1Victim, audience: 'arm', when: at(18, 22), ip: h1Ip, block: HOSTING_BLOCKS.digitalOcean,
    severity: 'High', expectAlert: true, operation: 'listKeys',
    description: `A token stolen from ${h1Victim.name} lists storage account keys from a DigitalOcean droplet: replayed from a second network, an ASN the VM never used.`,
  });
  attack({
    id: 'H1-repeat', kind: 'stolen-token-repeat', identity: h1Victim, audience: 'arm', when: at(20, 21), ip: h1Ip, block: HOSTING_BLOCKS.digitalOcean,
    severity: 'High', expectAlert: false, duplicateOf: 'H1', operation: 'runCommand',
    description: `The same droplet comes back two days later with a fresh token of ${h1Victim.name}: a replay from a network already caught replaying its tokens, inside H1's 5-day dedup window (same identity, severity and network).`,
  });

  const m1Victim = cast.m1;
  attack({
    id: 'M1', kind: 'new-ip-known-asn', identity: m1Victim, audience: 'arm', footprint: 'onPremises', when: at(21, 23), ip: v4(ACCESS_BLOCKS.deutscheTelekomB), block: ACCESS_BLOCKS.deutscheTelekomB,
    severity: 'Medium', expectAlert: true, operation: 'secretRead',
    description: `A token of ${m1Victim.name}'s CI-runner session is used from a new Deutsche Telekom address, not the runner's: same ISP (no replay), new IP.`,
  });

  const h2Victim = cast.h2;
  attack({
    id: 'H2', kind: 'stolen-token-new-asn', identity: h2Victim, audience: 'graph', when: at(24, 22), ip: v4(HOSTING_BLOCKS.ovh), block: HOSTING_BLOCKS.ovh,
    severity: 'High', expectAlert: true, userAgent: 'python-requests/2.32.3',
    description: `A Graph token of ${h2Victim.name}, taken from a compromised pod, enumerates the directory from an OVH server: a replay from an ASN the cluster never used.`,
  });

  const m2Victim = cast.m2;
  attack({
    id: 'M2', kind: 'new-ip-known-asn', identity: m2Victim, audience: 'arm', footprint: 'onPremises', when: at(27, 21), ip: v4(ACCESS_BLOCKS.vodafoneB), block: ACCESS_BLOCKS.vodafoneB,
    severity: 'Medium', expectAlert: true, operation: 'listKeys',
    description: `A token of ${m2Victim.name}'s partner-egress session is used from a Vodafone address outside the partner's usual egress: same ISP (no replay), new IP.`,
  });

  const h3Victim = cast.h3;
  const h3Ip = ipv6InBlock(HOSTING_BLOCKS.hetznerV6.cidr, [random.int(0, 0xffff), random.int(0, 0xffff), random.int(0, 0xffff), random.int(1, 0xfff)]);
  attack({
    id: 'H3', kind: 'stolen-token-new-asn', identity: h3Victim, audience: 'arm', when: at(31, 23), ip: h3Ip, block: HOSTING_BLOCKS.hetznerV6,
    severity: 'High', expectAlert: true, operation: 'secretRead',
    description: `A token of ${h3Victim.name} reads Key Vault secrets over IPv6 from a Hetzner server: a replay from an ASN the identity never used.`,
  });

  const h4Victim = cast.h4;
  attack({
    id: 'H4', kind: 'stolen-token-new-asn', identity: h4Victim, audience: 'arm', when: at(36, 22), ip: v4(HOSTING_BLOCKS.hetznerB), block: HOSTING_BLOCKS.hetznerB,
    severity: 'High', expectAlert: true, operation: 'listKeys',
    description: `A token leaked from ${h4Victim.name}'s settings is replayed from a Hetzner server: a second network, an ASN the app never used.`,
  });

  const arc = cast.arc;
  const arcPremises = arc?.onPremises ?? null;
  if (arc !== undefined && arcPremises !== null) {
    attack({
      id: 'ARC1', kind: 'arc-usual-ip', identity: arc, audience: 'arm', footprint: 'onPremises', when: at(25, 21), ip: arcPremises.ip,
      block: { cidr: `${arcPremises.ip}/32`, asn: arcPremises.asn, organization: arcPremises.organization },
      severity: null, expectAlert: false,
      description: `Azure Arc machine ${arc.name} calls ARM from its usual on-premises address: outside Azure by design, never an alert.`,
    });
  }

  principals.forEach((principal, index) => {
    const when = at(22, 9 + index);
    const caller = principalCaller(principal, random);
    const audience: Audience = principal.usesArm ? 'arm' : 'graph';
    const requestId = random.guid();
    const grant = tokenGrant(requestId, tokenIdFromGuid(requestId), audience, '', when.ms - 10 * 60_000);
    const record = principalUse(principal, caller, grant, when.time, tenantId, random) as Record<string, unknown>;
    timed.push({ ...when, record });
    const access = Object.values(ACCESS_BLOCKS).find((b) => b.asn === principal.asn) ?? ACCESS_BLOCKS.deutscheTelekom;
    planted.push({
      id: `NOTMI${index + 1}`,
      kind: 'not-a-managed-identity',
      description: `${principal.name} (${principal.kind === 'user' ? 'a user' : 'an app registration'}) works from outside Azure: not a managed identity, never an alert.`,
      identityName: principal.name,
      identityResourceId: '',
      principalId: principal.objectId,
      time: when.time,
      ip: principal.ip,
      asn: principal.asn,
      asOrganization: access.organization,
      category: audience === 'arm' ? 'Administrative' : 'MicrosoftGraphActivityLogs',
      operation: audience === 'arm' ? String(record['operationName']) : String((record['properties'] as Record<string, unknown>)['requestUri']),
      tokenId: grant.tokenId,
      tokenHash: '',
      tokenIssuedAt: '',
      expectedSeverity: null,
      expectAlert: false,
      duplicateOf: null,
    });
  });

  // Stories of the token rules and the Azure regions (the detector reads the demo's service tags).
  const rpl1 = cast.learningReplay;
  attack({
    id: 'RPL1', kind: 'replay-during-learning', identity: rpl1, audience: 'arm', when: at(6, 22), ip: v4(STORY_HOSTING_BLOCKS.vultr), block: STORY_HOSTING_BLOCKS.vultr,
    severity: 'High', expectAlert: true, operation: 'listKeys',
    description: `${rpl1.name}'s current ARM token, already used from its ${REGION_DISPLAY_NAMES[rpl1.region]} address, is replayed from a Vultr server on day 6: a replay is High from day 0, not the learning period's Low.`,
  });

  const rpl2 = cast.regionReplay;
  const rpl2Region = otherRegion(rpl2.region, ['eastus', 'northeurope']);
  const rpl2Block = random.pick(AZURE_BLOCKS[rpl2Region]);
  attack({
    id: 'RPL2', kind: 'replay-other-region', identity: rpl2, audience: 'arm', when: at(19, 22), ip: v4(rpl2Block), block: rpl2Block,
    severity: 'High', expectAlert: true, operation: 'listKeys',
    description: `${rpl2.name}'s current ARM token, first used from its ${REGION_DISPLAY_NAMES[rpl2.region]} address, is replayed from an Azure VM in ${REGION_DISPLAY_NAMES[rpl2Region]}: both addresses are Microsoft's, but two regions are two networks: a replay.`,
  });

  const reg1 = cast.newRegion;
  const reg1Region = otherRegion(reg1.region, ['swedencentral', 'westus2', 'uksouth']);
  const reg1Block = random.pick(AZURE_BLOCKS[reg1Region]);
  const reg1When = at(26, 22);
  // The attacker's VM asks its identity endpoint for a token a few minutes after the identity is attached.
  const reg1Grant = signIn(reg1, 'arm', clock.at(reg1When.ms - random.int(2, 9) * MINUTE_MS), random, tenantId, timed);
  const reg1Ip = v4(reg1Block);
  plant(
    {
      id: 'REG1', kind: 'unusual-region-own-token', identity: reg1, severity: 'Medium', expectAlert: true,
      description: `An attacker attaches ${reg1.name} to a VM of their own in ${REGION_DISPLAY_NAMES[reg1Region]} and uses the token issued there: no replay (its only network), but a region the identity never used.`,
    },
    { ...armCall(reg1, reg1Grant, reg1Ip, reg1When.time, 'listKeys'), when: reg1When, ip: reg1Ip, block: reg1Block, grant: reg1Grant },
  );

  const stor1 = cast.blobReader;
  const torIp = v4(ANONYMISER_BLOCKS.torExit);
  const stor1Stolen = steal(stor1, 'storage', 'azure', at(28, 22));
  plant(
    {
      id: 'STOR1', kind: 'storage-token-from-tor', identity: stor1, severity: 'High', expectAlert: true,
      description: `${stor1.name}'s blob-reading token, known to Storage only by its hash, is replayed through a Tor exit relay hours after the VM used it from its ${REGION_DISPLAY_NAMES[stor1.region]} address.`,
    },
    {
      record: blobRead(stor1, stor1Stolen.grant, torIp, stor1Stolen.when.time, THIEF_STORAGE_CLIENT, random, tenantId),
      category: 'StorageRead', operation: 'GetBlob', when: stor1Stolen.when, ip: torIp, block: ANONYMISER_BLOCKS.torExit, grant: stor1Stolen.grant,
    },
  );

  const kv1 = cast.vaultReader;
  const kv1When = at(33, 22);
  // A shell on the function app fetches a fresh Key Vault token from the identity endpoint.
  const kv1Grant = signIn(kv1, 'vault', clock.at(kv1When.ms - random.int(1, 4) * MINUTE_MS), random, tenantId, timed);
  const kv1Ip = v4(STORY_HOSTING_BLOCKS.scaleway);
  plant(
    {
      id: 'KV1', kind: 'keyvault-read-hosting', identity: kv1, severity: 'High', expectAlert: true,
      description: `With a fresh token of ${kv1.name}, fetched from the app's identity endpoint, the attacker reads its database password from a Scaleway server: Key Vault logs no token id, but the ASN is new for the identity.`,
    },
    {
      record: secretRead(kv1, kv1Grant, kv1Ip, kv1When.time, THIEF_VAULT_CLIENT, random, tenantId),
      category: 'AuditEvent', operation: 'SecretGet', when: kv1When, ip: kv1Ip, block: STORY_HOSTING_BLOCKS.scaleway, grant: kv1Grant,
    },
  );

  // The benign twins: one token, several addresses of one region.
  const pool = cast.appServicePool;
  const poolStart = at(16, 21);
  const poolGrant = signIn(pool, 'arm', poolStart, random, tenantId, timed);
  let poolMs = poolStart.ms;
  pool.azureIps.forEach((ip, index) => {
    poolMs += random.int(20, 90) * 1000;
    const when = clock.at(poolMs);
    const call = armCall(pool, poolGrant, ip, when.time);
    if (index < pool.azureIps.length - 1) {
      timed.push({ ...when, record: call.record });
      return;
    }
    plant(
      {
        id: 'POOL1', kind: 'same-region-address-pool', identity: pool, severity: null, expectAlert: false,
        description: `${pool.name} (App Service) calls ARM with one token from the ${pool.azureIps.length} outbound addresses of its pool within minutes: one region, one network, no replay.`,
      },
      { ...call, when, ip, block: azureBlockOf(pool.region, ip), grant: poolGrant },
    );
  });

  const dual = cast.dualStack;
  const dualV4 = dual.azureIps.find((ip) => !ip.includes(':'));
  const dualV6 = dual.azureIps.find((ip) => ip.includes(':'));
  if (dualV4 === undefined || dualV6 === undefined) throw new Error(`generateDemoTenant: ${dual.name} is not dual-stack.`);
  const dualStart = at(23, 21);
  const dualGrant = signIn(dual, 'arm', dualStart, random, tenantId, timed);
  const overV4 = clock.at(dualStart.ms + random.int(20, 90) * 1000);
  timed.push({ ...overV4, record: armCall(dual, dualGrant, dualV4, overV4.time).record });
  const overV6 = clock.at(overV4.ms + random.int(20, 90) * 1000);
  plant(
    {
      id: 'DUAL1', kind: 'same-region-dual-stack', identity: dual, severity: null, expectAlert: false,
      description: `Dual-stack VM ${dual.name} uses one token over IPv4, then over IPv6, both addresses of ${REGION_DISPLAY_NAMES[dual.region]}: one region, one network, no replay.`,
    },
    { ...armCall(dual, dualGrant, dualV6, overV6.time), when: overV6, ip: dualV6, block: azureBlockOf(dual.region, dualV6), grant: dualGrant },
  );
  return planted;
}

/** The Azure block of `region` (IPv4 or IPv6) holding `ip`. */
function azureBlockOf(region: AzureRegion, ip: string): AddressBlock {
  const block = [...AZURE_BLOCKS[region], AZURE_IPV6_BLOCKS[region]].find((b) => blockHolds(b.cidr, ip));
  if (block === undefined) throw new Error(`generateDemoTenant: ${ip} is in no Azure block of ${region}.`);
  return block;
}

/**
 * The Lows the legitimate outside-Azure footprint produces, from the first record on (in the
 * learning period every external use is Low; after it, a known IP in a known ASN is Low): the first
 * use from the usual address raises Low, later uses within 5 days are suppressed, and the next one
 * after that raises again. Arc machines are exempt.
 */
function expectedLows(timed: readonly TimedRecord[], activationMs: number): PlantedAttack[] {
  const lastRaised = new Map<string, number>();
  const lows: PlantedAttack[] = [];
  for (const entry of timed) {
    const use = entry.use;
    if (use === undefined) continue;
    const premises = use.identity.onPremises;
    if (premises === null || use.identity.kind === 'arcMachine' || use.ip !== premises.ip) continue;
    const key = `${use.identity.name}|${use.ip}`;
    const last = lastRaised.get(key);
    if (last !== undefined && Math.abs(entry.ms - last) < DEDUP_WINDOW_MS) continue;
    lastRaised.set(key, entry.ms);
    const record = entry.record as Record<string, unknown>;
    const isGraph = record['category'] === 'MicrosoftGraphActivityLogs';
    lows.push({
      id: `L${lows.length + 1}`,
      kind: 'outside-azure-usual-ip',
      description: `${use.identity.name} is used from its usual outside-Azure address (${premises.story.replace(/\.$/, '')})${entry.ms < activationMs ? ', during the learning period' : ''}.`,
      identityName: use.identity.name,
      identityResourceId: use.identity.resourceId,
      principalId: use.identity.servicePrincipalId,
      time: entry.time,
      ip: use.ip,
      asn: premises.asn,
      asOrganization: premises.organization,
      category: isGraph ? 'MicrosoftGraphActivityLogs' : 'Administrative',
      operation: isGraph ? String((record['properties'] as Record<string, unknown>)['requestUri']) : String(record['operationName']),
      tokenId: use.tokenId,
      tokenHash: '',
      tokenIssuedAt: use.issuedTime,
      expectedSeverity: 'Low',
      expectAlert: true,
      duplicateOf: null,
    });
  }
  return lows;
}

function splitIntoBodies(timed: readonly TimedRecord[], startMs: number, days: number, recordsPerBody: number): DemoBody[] {
  const byDay: unknown[][] = Array.from({ length: days }, () => []);
  for (const entry of timed) {
    const day = Math.min(days - 1, Math.max(0, Math.floor((entry.ms - startMs) / MS_PER_DAY)));
    (byDay[day] as unknown[]).push(entry.record);
  }
  const bodies: DemoBody[] = [];
  byDay.forEach((records, day) => {
    // Even parts, each at most recordsPerBody: a 460-record day becomes two bodies of 230.
    const parts = Math.max(1, Math.ceil(records.length / recordsPerBody));
    const size = Math.ceil(records.length / parts);
    for (let part = 0; part < parts; part++) {
      bodies.push({ name: bodyName(day, part + 1), body: { records: records.slice(part * size, (part + 1) * size) } });
    }
  });
  return bodies;
}

function bodyName(day: number, part: number, suffix = ''): string {
  return `day-${String(day).padStart(3, '0')}-part-${String(part).padStart(2, '0')}${suffix}.json`;
}

/**
 * Six records a real pipeline meets sooner or later, one of each kind of breakage; every one must
 * end as a counted reject, and none may stop the batch.
 */
function malformedBody(startMs: number, tenantId: string, identities: readonly DemoIdentity[], seed: number): DemoBody {
  const random = createRandom(deriveSeed(seed, 'malformed'));
  const identity = identities[2] ?? identities[0];
  if (identity === undefined) throw new Error('generateDemoTenant: no identities.');
  const ms = startMs + MALFORMED_DAY * MS_PER_DAY + 23 * HOUR_MS + 59 * 60_000 + 58_000;
  const time = isoTicks(ms, 1234);
  const requestId = random.guid();
  const grant = tokenGrant(requestId, tokenIdFromGuid(requestId), 'arm', time, ms - HOUR_MS);
  const op = identity.operations[0];
  if (op === undefined) throw new Error('generateDemoTenant: identity without operations.');
  const activity = activityRecord({
    tenantId, subscriptionId: identity.subscriptionId, caller: callerOf(identity), grant, ip: identity.azureIps[0] ?? '13.80.0.1', time,
    target: op.target, operation: op.operation, random,
  });
  const { time: _dropped, ...missingTime } = activity;
  const graph = graphActivityRecord({
    tenantId, caller: callerOf(identity), grant: { ...grant, audience: 'graph' }, ip: identity.azureIps[0] ?? '13.80.0.1', time,
    request: { method: 'GET', uri: 'https://graph.microsoft.com/v1.0/users', roles: 'User.Read.All', status: 200 }, location: 'West Europe',
    userAgent: identity.userAgent, random,
  });
  const signIn = managedIdentitySignInRecord(tenantId, { objectId: identity.servicePrincipalId, appId: identity.appId, name: identity.name }, grant, random);
  const records: unknown[] = [
    // Truncated in transit: a record that is not JSON at all.
    `{"time":"${time}","category":"Administrative","callerIpAddress":"13.80.4.7","identity":{"claims":{"uti":"`,
    missingTime,
    // An array where the time string belongs, and no properties.timeGenerated to fall back on
    // (epoch numbers are a valid time format, so a number would not do).
    { ...graph, time: [time], properties: { ...(graph['properties'] as Record<string, unknown>), timeGenerated: null } },
    { ...signIn, properties: 'unavailable' },
    { ...activity, callerIpAddress: 168430090, identity: { claims: { uti: 42, xms_mirid: identity.resourceId } } },
    null,
  ];
  return { name: bodyName(MALFORMED_DAY, 99, '-malformed'), body: { records } };
}
