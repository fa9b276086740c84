import type { Severity } from '../core/alerts/alertRow';
import {
  activityRecord,
  graphActivityRecord,
  managedIdentitySignInRecord,
  servicePrincipalSignInRecord,
  tokenGrant,
  type Audience,
  type Caller,
  type PlaceOfAccess,
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
  type IdentityKind,
} from './identities';
import { ACCESS_BLOCKS, HOSTING_BLOCKS, ipv4InBlock, ipv6InBlock, REGION_DISPLAY_NAMES, type AddressBlock } from './networks';
import { createRandom, deriveSeed, type Random } from './random';
import { isoTicks, MS_PER_DAY, parseDay, tokenIdFromGuid } from './timeFormat';

/**
 * The demo tenant: 45 days of Entra ID and Azure Monitor traffic of a mid-sized Azure estate, with a
 * handful of token-theft stories planted after the detector's learning period, and the list of what
 * the detector is expected to say about each of them.
 *
 * Detector semantics the stories are planted against (the lead's detector implements them):
 * - the tenant becomes active 14 days after its earliest event; before that every external use is
 *   Low (and learned);
 * - after that, an MI token used from an external address is High when the ASN is new for the
 *   identity, Medium when only the IP is new, Low when both are known; Arc machines never get Low;
 * - alerts dedup per identity + severity + attribute for 5 days;
 * - uses that raised an alert are assumed not to be learned into the baseline (so a repeated attack
 *   from the same address within 5 days is a suppressed High, not a Low).
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
  | 'not-a-managed-identity';

export interface PlantedAttack {
  /** Stable id: `H1`, `H1-repeat`, `M1`, `L1`, `ARC1`, `SP1`, … */
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
  readonly ip: string;
  readonly asn: number;
  readonly asOrganization: string;
  /** `category` of the use record. */
  readonly category: 'Administrative' | 'MicrosoftGraphActivityLogs';
  /** `operationName` (Activity) or `requestUri` (Graph). */
  readonly operation: string;
  /** `uti` / `signInActivityId` of the token used. */
  readonly tokenId: string;
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

  const identities = buildDemoIdentities(options.identities ?? 36, createRandom(deriveSeed(seed, 'identities')));
  const principals = buildDemoPrincipals(createRandom(deriveSeed(seed, 'principals')));
  const tenantId = DEMO_TENANT_ID;
  const tokens = new Map<string, TokenGrant[]>();
  const timed: TimedRecord[] = [];

  for (let day = 0; day < days; day++) {
    const random = createRandom(deriveSeed(seed, `day-${day}`));
    const dayMs = startMs + day * MS_PER_DAY;
    for (const identity of identities) dailyIdentityTraffic(identity, dayMs, random, tenantId, tokens, timed);
    for (const principal of principals) dailyPrincipalTraffic(principal, dayMs, random, tenantId, timed);
  }

  const planted = plantStories({ seed, startMs, identities, principals, tenantId, tokens, timed });
  // Array.prototype.sort is stable: records with the same 7-digit time keep their generation order.
  timed.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  const first = timed[0];
  if (first === undefined) throw new Error('generateDemoTenant: no records generated.');
  const activationMs = first.ms + LEARNING_PERIOD_MS;
  planted.push(...expectedLows(timed, activationMs));
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
  };
}

function callerOf(identity: DemoIdentity): Caller {
  return { kind: 'managedIdentity', objectId: identity.servicePrincipalId, appId: identity.appId, name: identity.name, resourceId: identity.resourceId };
}

function issue(
  identity: DemoIdentity,
  audience: Audience,
  at: { time: string; ms: number },
  random: Random,
  tenantId: string,
  tokens: Map<string, TokenGrant[]>,
  timed: TimedRecord[],
): TokenGrant {
  const requestId = random.guid();
  const grant = tokenGrant(requestId, tokenIdFromGuid(requestId), audience, at.time, at.ms);
  const list = tokens.get(identity.name) ?? [];
  list.push(grant);
  tokens.set(identity.name, list);
  const record = managedIdentitySignInRecord(tenantId, { objectId: identity.servicePrincipalId, appId: identity.appId, name: identity.name }, grant, random);
  timed.push({ time: at.time, ms: at.ms, record });
  return grant;
}

function useToken(
  identity: DemoIdentity,
  grant: TokenGrant,
  ip: string,
  at: { time: string; ms: number },
  random: Random,
  tenantId: string,
): TimedRecord {
  const caller = callerOf(identity);
  const record =
    grant.audience === 'arm'
      ? (() => {
          const op = random.pick(identity.operations);
          return activityRecord({ tenantId, subscriptionId: identity.subscriptionId, caller, grant, ip, time: at.time, target: op.target, operation: op.operation, random });
        })()
      : graphActivityRecord({
          tenantId,
          caller,
          grant,
          ip,
          time: at.time,
          request: random.pick(identity.graphRequests),
          location: REGION_DISPLAY_NAMES[identity.region],
          userAgent: identity.userAgent,
          random,
        });
  return { time: at.time, ms: at.ms, record, use: { identity, ip, tokenId: grant.tokenId, issuedTime: grant.issuedTime } };
}

/**
 * One day of one identity: tokens issued between 00:00 and 20:00, each used 1–5 times within the
 * next 4 hours (so every use falls on the day its token was issued), from the identity's own addresses.
 */
function dailyIdentityTraffic(
  identity: DemoIdentity,
  dayMs: number,
  random: Random,
  tenantId: string,
  tokens: Map<string, TokenGrant[]>,
  timed: TimedRecord[],
): void {
  const clock = clockFor(random);
  const session = (audience: Audience, ips: readonly string[], minUses: number, maxUses: number) => {
    const issued = clock.at(dayMs + random.next() * 20 * HOUR_MS);
    const grant = issue(identity, audience, issued, random, tenantId, tokens, timed);
    const uses = random.int(minUses, maxUses);
    for (let i = 0; i < uses; i++) {
      const at = clock.at(issued.ms + 3_000 + random.next() * 4 * HOUR_MS);
      timed.push(useToken(identity, grant, random.pick(ips), at, random, tenantId));
    }
  };
  const usual = identity.kind === 'arcMachine' && identity.onPremises !== null ? [identity.onPremises.ip] : identity.azureIps;
  const armSessions = random.int(1, 3);
  for (let i = 0; i < armSessions; i++) session('arm', usual, 1, 5);
  if (identity.usesGraph) {
    const graphSessions = random.int(1, 2);
    for (let i = 0; i < graphSessions; i++) session('graph', usual, 1, 4);
  }
  // The legitimate outside-Azure footprint (CI runner, forced tunnelling, office egress): one session a day.
  if (identity.onPremises !== null && identity.kind !== 'arcMachine') session('arm', [identity.onPremises.ip], 1, 2);
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

interface StoryContext {
  readonly seed: number;
  readonly startMs: number;
  readonly identities: readonly DemoIdentity[];
  readonly principals: readonly DemoPrincipal[];
  readonly tenantId: string;
  readonly tokens: Map<string, TokenGrant[]>;
  readonly timed: TimedRecord[];
}

function nth(identities: readonly DemoIdentity[], kind: IdentityKind, ordinal: number): DemoIdentity {
  const found = identities.filter((i) => i.kind === kind)[ordinal];
  if (found === undefined) throw new Error(`generateDemoTenant: the catalog has no ${kind} #${ordinal}.`);
  return found;
}

/** The newest token of the identity for that audience, issued at least 5 minutes before `ms` and still valid. */
function stolenToken(ctx: StoryContext, identity: DemoIdentity, audience: Audience, ms: number): TokenGrant {
  const candidates = (ctx.tokens.get(identity.name) ?? []).filter(
    (t) => t.audience === audience && t.issuedMs < ms - 5 * 60_000 && t.expSeconds * 1000 > ms,
  );
  const newest = candidates.reduce<TokenGrant | undefined>((best, t) => (best === undefined || t.issuedMs > best.issuedMs ? t : best), undefined);
  if (newest === undefined) throw new Error(`generateDemoTenant: ${identity.name} holds no ${audience} token at ${new Date(ms).toISOString()}.`);
  return newest;
}

function plantStories(ctx: StoryContext): PlantedAttack[] {
  const { identities, principals, tenantId, timed } = ctx;
  const random = createRandom(deriveSeed(ctx.seed, 'stories'));
  const clock = clockFor(random);
  // Stories run between 21:00 and 23:59, after the day's tokens (issued before 20:00) exist.
  const at = (day: number, hour: number) => clock.at(ctx.startMs + day * MS_PER_DAY + hour * HOUR_MS + random.int(0, 59) * 60_000 + random.int(0, 59_999));
  const planted: PlantedAttack[] = [];

  const attack = (spec: {
    id: string;
    kind: PlantedKind;
    description: string;
    identity: DemoIdentity;
    audience: Audience;
    when: { time: string; ms: number };
    ip: string;
    block: AddressBlock;
    severity: Severity | null;
    expectAlert: boolean;
    duplicateOf?: string;
    operation?: keyof typeof ACTIVITY_OPERATIONS;
    userAgent?: string;
  }): void => {
    const grant = stolenToken(ctx, spec.identity, spec.audience, spec.when.ms);
    const caller = callerOf(spec.identity);
    let record: Record<string, unknown>;
    let operation: string;
    if (spec.audience === 'arm') {
      const own = spec.identity.operations[0];
      const op = spec.operation === undefined ? own?.operation : ACTIVITY_OPERATIONS[spec.operation];
      const target = spec.operation === 'listKeys' || own === undefined
        ? `/subscriptions/${spec.identity.subscriptionId}/resourceGroups/rg-contoso-data/providers/Microsoft.Storage/storageAccounts/stcontosodata01`
        : own.target;
      const operationSpec = op ?? ACTIVITY_OPERATIONS.listKeys;
      record = activityRecord({ tenantId, subscriptionId: spec.identity.subscriptionId, caller, grant, ip: spec.ip, time: spec.when.time, target, operation: operationSpec, random });
      operation = operationSpec.operationName;
    } else {
      const request = random.pick(ATTACKER_GRAPH_REQUESTS);
      record = graphActivityRecord({
        tenantId,
        caller,
        grant,
        ip: spec.ip,
        time: spec.when.time,
        request,
        location: REGION_DISPLAY_NAMES[spec.identity.region],
        userAgent: spec.userAgent ?? 'python-requests/2.32.3',
        random,
      });
      operation = request.uri;
    }
    timed.push({ ...spec.when, record });
    planted.push({
      id: spec.id,
      kind: spec.kind,
      description: spec.description,
      identityName: spec.identity.name,
      identityResourceId: spec.identity.resourceId,
      principalId: spec.identity.servicePrincipalId,
      time: spec.when.time,
      ip: spec.ip,
      asn: spec.block.asn,
      asOrganization: spec.block.organization,
      category: spec.audience === 'arm' ? 'Administrative' : 'MicrosoftGraphActivityLogs',
      operation,
      tokenId: grant.tokenId,
      tokenIssuedAt: grant.issuedTime,
      expectedSeverity: spec.severity,
      expectAlert: spec.expectAlert,
      duplicateOf: spec.duplicateOf ?? null,
    });
  };

  const v4 = (block: AddressBlock) => ipv4InBlock(block.cidr, random.int(0, 4_000_000));
  const h1Victim = nth(identities, 'virtualMachine', 1);
  const h1Ip = v4(HOSTING_BLOCKS.digitalOcean);
  attack({
    id: 'H1', kind: 'stolen-token-new-asn', identity: h1Victim, audience: 'arm', when: at(18, 22), ip: h1Ip, block: HOSTING_BLOCKS.digitalOcean,
    severity: 'High', expectAlert: true, operation: 'listKeys',
    description: `A token stolen from ${h1Victim.name} lists storage account keys from a DigitalOcean droplet.`,
  });
  attack({
    id: 'H1-repeat', kind: 'stolen-token-repeat', identity: h1Victim, audience: 'arm', when: at(20, 21), ip: h1Ip, block: HOSTING_BLOCKS.digitalOcean,
    severity: 'High', expectAlert: false, duplicateOf: 'H1', operation: 'runCommand',
    description: `The same droplet comes back two days later with a fresh token of ${h1Victim.name}: within the 5-day dedup window of H1.`,
  });

  const m1Victim = nth(identities, 'userAssignedIdentity', 0);
  attack({
    id: 'M1', kind: 'new-ip-known-asn', identity: m1Victim, audience: 'arm', when: at(21, 23), ip: v4(ACCESS_BLOCKS.deutscheTelekomB), block: ACCESS_BLOCKS.deutscheTelekomB,
    severity: 'Medium', expectAlert: true, operation: 'secretRead',
    description: `${m1Victim.name}'s token is used from a new Deutsche Telekom address, not the CI runner's: same ISP, new IP.`,
  });

  const h2Victim = nth(identities, 'aksCluster', 1);
  attack({
    id: 'H2', kind: 'stolen-token-new-asn', identity: h2Victim, audience: 'graph', when: at(24, 22), ip: v4(HOSTING_BLOCKS.ovh), block: HOSTING_BLOCKS.ovh,
    severity: 'High', expectAlert: true, userAgent: 'python-requests/2.32.3',
    description: `A Graph token of ${h2Victim.name}, taken from a compromised pod, enumerates the directory from an OVH server.`,
  });

  const m2Victim = nth(identities, 'virtualMachine', 0);
  attack({
    id: 'M2', kind: 'new-ip-known-asn', identity: m2Victim, audience: 'arm', when: at(27, 21), ip: v4(ACCESS_BLOCKS.vodafoneB), block: ACCESS_BLOCKS.vodafoneB,
    severity: 'Medium', expectAlert: true, operation: 'listKeys',
    description: `${m2Victim.name}'s token is used from a Vodafone address outside the partner's usual egress.`,
  });

  const h3Victim = nth(identities, 'userAssignedIdentity', 1);
  const h3Ip = ipv6InBlock(HOSTING_BLOCKS.hetznerV6.cidr, [random.int(0, 0xffff), random.int(0, 0xffff), random.int(0, 0xffff), random.int(1, 0xfff)]);
  attack({
    id: 'H3', kind: 'stolen-token-new-asn', identity: h3Victim, audience: 'arm', when: at(31, 23), ip: h3Ip, block: HOSTING_BLOCKS.hetznerV6,
    severity: 'High', expectAlert: true, operation: 'secretRead',
    description: `A token of ${h3Victim.name} reads Key Vault secrets over IPv6 from a Hetzner server.`,
  });

  const h4Victim = nth(identities, 'functionApp', 0);
  attack({
    id: 'H4', kind: 'stolen-token-new-asn', identity: h4Victim, audience: 'arm', when: at(36, 22), ip: v4(HOSTING_BLOCKS.hetznerB), block: HOSTING_BLOCKS.hetznerB,
    severity: 'High', expectAlert: true, operation: 'listKeys',
    description: `A token leaked from ${h4Victim.name}'s settings is replayed from a Hetzner server.`,
  });

  const arc = nth(identities, 'arcMachine', 0);
  const arcPremises = arc.onPremises;
  if (arcPremises !== null) {
    attack({
      id: 'ARC1', kind: 'arc-usual-ip', identity: arc, audience: 'arm', when: at(25, 21), ip: arcPremises.ip,
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
      tokenIssuedAt: '',
      expectedSeverity: null,
      expectAlert: false,
      duplicateOf: null,
    });
  });
  return planted;
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
