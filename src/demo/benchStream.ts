import { activityRecord, graphActivityRecord, managedIdentitySignInRecord, type Audience, type Caller, type TokenGrant } from './azureRecords';
import { auditdOpenedFile, mdeNetworkEvent, sysmonWindowsEvent, type EndpointHost, type EndpointProcess } from './endpointRecords';
import { ACTIVITY_OPERATIONS, DEMO_SUBSCRIPTIONS, DEMO_TENANT_ID, GRAPH_REQUESTS } from './identities';
import { ACCESS_BLOCKS, AZURE_BLOCKS, AZURE_REGIONS, HOSTING_BLOCKS, ipv4InBlock, REGION_DISPLAY_NAMES, type AddressBlock } from './networks';
import { createRandom, deriveSeed, type Random } from './random';
import { bindTemplate, compileTemplate, renderInto, slot, slotRandom, type RecordTemplate } from './recordTemplate';
import { createIsoTicksFormatter, isoSeconds, isoTicks, MS_PER_DAY, parseDay, tokenIdFromGuid } from './timeFormat';

/**
 * A steady-state stream for the benchmark: Event Hub bodies of MI sign-ins (~10 %), Activity-log
 * uses (~60 %) and Graph uses (~30 %) across thousands of managed identities, each calling from a
 * small stable set of Azure addresses (a few also from a stable address outside Azure, a very few
 * from a hosting network nobody used before), plus endpoint telemetry bodies.
 *
 * Bodies are produced as JSON text directly, from templates compiled from the same record builders
 * the demo tenant uses (recordTemplate.ts), because the benchmark measures the detector against
 * `JSON.parse` of the very same bodies and 200,000 records must take well under 2 s to produce.
 * `benchBodies` yields one body at a time (memory stays flat); `generateBenchStream` collects them.
 *
 * An optional warm-up phase comes first: enough days for the tenant to leave its learning period and
 * enough records to show every identity with every one of its addresses (round robin), so the
 * measured phase runs against known identities and populated baselines.
 */

export interface BenchStreamOptions {
  readonly seed?: number;
  /** Remote-use records of the measured phase; at least 200,000. */
  readonly records: number;
  /** Managed identities; at least 5,000. */
  readonly identities: number;
  /** Endpoint telemetry records (measured phase); default records / 10. */
  readonly endpointRecords?: number;
  /** Records per Event Hub body; default 500. */
  readonly recordsPerBody?: number;
  /** ISO day of the first record (of the warm-up when there is one); default 2026-09-01. */
  readonly start?: string;
  /** Days the measured phase spans; default 1. */
  readonly spanDays?: number;
  /**
   * Traffic before the measured phase. `days` ≥ 15 takes the tenant past its 14-day learning period;
   * `records` ≥ 10/9 × identities × 4 covers every identity's addresses (each has at most 4).
   */
  readonly warmup?: { readonly days: number; readonly records: number };
  /**
   * The first hours of the measured day, before the measured phase: every identity's first uses of
   * that day (round robin over identities and addresses, like the warm-up). A live tenant's stream
   * is mostly the middle of a day, when each identity has already been seen that day; the day's
   * first uses, which advance the baselines' last-seen day, are their own phase so their cost can
   * be reported on its own. The measured phase then spans the rest of the day(s).
   */
  readonly dayStart?: { readonly hours: number; readonly records: number };
  /** Share of identities with a stable address outside Azure; default 0.02. */
  readonly externalShare?: number;
  /** Share of use records from a hosting network the identity never used (High alerts); default 0.00005. */
  readonly novelShare?: number;
}

/** Untimed warm-up days, the untimed first hours of the measured day, the measured phase. */
export type BenchPhase = 'warmup' | 'dayStart' | 'measure';

export interface BenchCounts {
  signIn: number;
  activity: number;
  graph: number;
  endpoint: number;
  /** Uses from the identity's stable outside-Azure address. */
  external: number;
  /** Uses from a never-seen hosting network. */
  novel: number;
}

export interface BenchBody {
  /** `bench-warmup-000001.json`, `bench-daystart-000001.json`, `bench-000001.json`, `endpoint-000001.json`: name order is time order within each kind. */
  readonly name: string;
  readonly phase: BenchPhase;
  readonly kind: 'remote-use' | 'endpoint';
  /** The body as the Event Hub delivers it: `{"records":[…]}`. */
  readonly text: string;
  readonly records: number;
  readonly counts: Readonly<BenchCounts>;
}

export interface BenchStream {
  /** The warm-up days' bodies, then the day-start bodies (both untimed). */
  readonly warmupBodies: BenchBody[];
  /** The measured remote-use bodies. */
  readonly bodies: BenchBody[];
  readonly endpointBodies: BenchBody[];
  /** Totals over warmupBodies, bodies and endpointBodies respectively. */
  readonly totals: { readonly warmup: BenchCounts; readonly measure: BenchCounts; readonly endpoint: BenchCounts };
  readonly identities: number;
}

export const MIN_BENCH_RECORDS = 200_000;
export const MIN_BENCH_IDENTITIES = 5_000;
/** 10 % sign-ins; of the uses, 2 in 3 are Activity-log records and 1 in 3 Graph records (60 % / 30 % overall). */
const SIGN_IN_SHARE = 0.1;
const ACTIVITY_SHARE_OF_USES = 2 / 3;
/** Identities with an outside-Azure address use it for a quarter of their calls. */
const EXTERNAL_USE_SHARE = 0.25;
/** 1,000 machines report endpoint telemetry: half Windows (MDE, Sysmon), half AKS nodes (auditd). */
const BENCH_HOSTS = 1_000;

/** Named slots of the remote-use templates, in the order of each identity's values array. */
const SLOTS = ['time', 'timeNoZ', 'ip', 'object-id', 'objectid', 'appId', 'name', 'mirid', 'sub', 'target', 'TARGET', 'roleAssignmentId', 'requestId', 'uti', 'aio', 'iat', 'exp', 'iatTime', 'location', 'userAgent'] as const;
type SlotName = (typeof SLOTS)[number];
const at = (name: SlotName): number => SLOTS.indexOf(name);
const I = {
  time: at('time'), timeNoZ: at('timeNoZ'), ip: at('ip'), objectIdDashed: at('object-id'), objectIdCompact: at('objectid'), appId: at('appId'), name: at('name'),
  mirid: at('mirid'), sub: at('sub'), target: at('target'), targetUpper: at('TARGET'), roleAssignmentId: at('roleAssignmentId'), requestId: at('requestId'), uti: at('uti'), aio: at('aio'), iat: at('iat'),
  exp: at('exp'), iatTime: at('iatTime'), location: at('location'), userAgent: at('userAgent'),
};

interface Templates {
  readonly signIn: Readonly<Record<Audience, RecordTemplate>>;
  readonly activity: readonly RecordTemplate[];
  readonly graph: readonly RecordTemplate[];
}

/**
 * The templates, compiled once from the record builders. Slot names that contain a dash or are
 * upper case are how one value reaches a builder that transforms it: `activityRecord` strips the
 * dashes of the object id for the role-assignment evidence (`⟦object-id⟧` becomes `⟦objectid⟧`)
 * and upper-cases the target for `resourceId` (`⟦target⟧` becomes `⟦TARGET⟧`).
 */
function compileTemplates(): Templates {
  const caller: Caller = { kind: 'managedIdentity', objectId: slot('object-id'), appId: slot('appId'), name: slot('name'), resourceId: slot('mirid') };
  const grant = (audience: Audience): TokenGrant => ({
    requestId: slot('requestId'),
    tokenId: slot('uti'),
    audience,
    issuedTime: `${slot('timeNoZ')}Z`,
    issuedMs: 0,
    iatSeconds: slot('iat') as unknown as number,
    expSeconds: slot('exp') as unknown as number,
    iatTime: slot('iatTime'),
    aio: slot('aio'),
  });
  const names = SLOTS as readonly string[];
  const signIn = (audience: Audience) =>
    compileTemplate(managedIdentitySignInRecord(DEMO_TENANT_ID, { objectId: slot('object-id'), appId: slot('appId'), name: slot('name') }, grant(audience), slotRandom()), names);
  return {
    signIn: { arm: signIn('arm'), graph: signIn('graph') },
    activity: Object.values(ACTIVITY_OPERATIONS).map((operation) =>
      compileTemplate(
        activityRecord({
          tenantId: DEMO_TENANT_ID, subscriptionId: slot('sub'), roleAssignmentId: slot('roleAssignmentId'), caller, grant: grant('arm'), ip: slot('ip'), time: slot('time'),
          target: slot('target'), operation, random: slotRandom(),
        }),
        names,
      ),
    ),
    graph: GRAPH_REQUESTS.map((request) =>
      compileTemplate(
        graphActivityRecord({ tenantId: DEMO_TENANT_ID, caller, grant: grant('graph'), ip: slot('ip'), time: slot('time'), request, location: slot('location'), userAgent: slot('userAgent'), random: slotRandom() }),
        names,
      ),
    ),
  };
}

interface BenchIdentity {
  /** Values of the per-record SLOTS, overwritten before each render. */
  readonly values: string[];
  readonly ips: readonly string[];
  readonly externalIp: string | null;
  /**
   * The identity's templates with everything constant for it bound in (names, ids, targets): two
   * Activity operations, one or two Graph requests, a sign-in per audience. About 12 KB per identity.
   */
  readonly activity: readonly RecordTemplate[];
  readonly graph: readonly RecordTemplate[];
  readonly signIn: Readonly<Record<Audience, RecordTemplate>>;
  readonly tokens: { arm: TokenValues | null; graph: TokenValues | null };
  /**
   * The token of the identity's outside-Azure footprint (a CI runner, an office): a workload there
   * holds its own token, and one token used from two networks would be a replay.
   */
  externalToken: TokenValues | null;
}

interface TokenValues {
  /** Expiry in epoch ms, for the refresh decision. */
  readonly expMs: number;
  readonly requestId: string;
  readonly uti: string;
  readonly aio: string;
  readonly iat: string;
  readonly exp: string;
  readonly iatTime: string;
}

const KINDS = [
  { provider: 'Microsoft.Compute/virtualMachines', prefix: 'vm', rg: 'rg-bench-compute', ua: 'azsdk-net-Identity/1.11.4 (.NET 8.0.8; Microsoft Windows 10.0.20348)' },
  { provider: 'Microsoft.ManagedIdentity/userAssignedIdentities', prefix: 'id', rg: 'rg-bench-identity', ua: 'azsdk-python-identity/1.17.1 Python/3.11.9' },
  { provider: 'Microsoft.ContainerService/managedClusters', prefix: 'aks', rg: 'rg-bench-aks', ua: 'azsdk-go-azidentity/v1.7.0 (go1.22.5; linux)' },
  { provider: 'Microsoft.Web/sites', prefix: 'func', rg: 'rg-bench-func', ua: 'azsdk-js-identity/4.4.1 core-rest-pipeline/1.16.3 Node/v20.15.1' },
] as const;

const TARGETS: readonly ((sub: string, name: string) => string)[] = Object.keys(ACTIVITY_OPERATIONS).map((op) => (sub: string, name: string) => {
  const rg = (suffix: string) => `/subscriptions/${sub}/resourceGroups/rg-bench-${suffix}`;
  switch (op) {
    case 'listKeys':
      return `${rg('data')}/providers/Microsoft.Storage/storageAccounts/stbench${name.length % 10}`;
    case 'containerWrite':
      return `${rg('data')}/providers/Microsoft.Storage/storageAccounts/stbench0/blobServices/default/containers/${name}`;
    case 'secretWrite':
    case 'secretRead':
      return `${rg('security')}/providers/Microsoft.KeyVault/vaults/kv-bench/secrets/${name}`;
    case 'siteConfigList':
      return `${rg('func')}/providers/Microsoft.Web/sites/${name}/config/appsettings`;
    case 'clusterUserCredential':
      return `${rg('aks')}/providers/Microsoft.ContainerService/managedClusters/${name}`;
    case 'deploymentWrite':
      return `${rg('app')}/providers/Microsoft.Resources/deployments/${name}-release`;
    default:
      return `${rg('compute')}/providers/Microsoft.Compute/snapshots/snap-${name}`;
  }
});

function buildIdentities(count: number, externalShare: number, templates: Templates, random: Random): BenchIdentity[] {
  const access = Object.values(ACCESS_BLOCKS) as AddressBlock[];
  const subscriptions = [DEMO_SUBSCRIPTIONS.production, DEMO_SUBSCRIPTIONS.development];
  return Array.from({ length: count }, (_, i) => {
    const kind = KINDS[i % KINDS.length] as (typeof KINDS)[number];
    const name = `${kind.prefix}-bench-${String(i).padStart(5, '0')}`;
    const sub = subscriptions[i % 2] as string;
    const region = AZURE_REGIONS[i % AZURE_REGIONS.length] as (typeof AZURE_REGIONS)[number];
    const objectId = random.guid();
    const fixed: (string | undefined)[] = new Array<string | undefined>(SLOTS.length);
    fixed[I.objectIdDashed] = objectId;
    fixed[I.objectIdCompact] = objectId.replace(/-/g, '');
    fixed[I.appId] = random.guid();
    fixed[I.name] = name;
    fixed[I.mirid] = `/subscriptions/${sub}/resourcegroups/${kind.rg}/providers/${kind.provider}/${name}`;
    fixed[I.sub] = sub;
    fixed[I.location] = REGION_DISPLAY_NAMES[region];
    fixed[I.userAgent] = kind.ua;
    const ips = Array.from({ length: random.int(1, 3) }, () => ipv4InBlock(random.pick(AZURE_BLOCKS[region]).cidr, random.int(0, 1 << 20)));
    const activity = random.sample(TARGETS.map((_, t) => t), 2).map((t) => {
      const target = (TARGETS[t] as (s: string, n: string) => string)(sub, name);
      const withTarget = [...fixed];
      withTarget[I.target] = target;
      withTarget[I.targetUpper] = target.toUpperCase();
      withTarget[I.roleAssignmentId] = random.hex(32);
      return bindTemplate(templates.activity[t] as RecordTemplate, withTarget);
    });
    return {
      values: new Array<string>(SLOTS.length).fill(''),
      ips: [...new Set(ips)],
      externalIp: random.chance(externalShare) ? ipv4InBlock(random.pick(access).cidr, random.int(0, 1 << 22)) : null,
      activity,
      graph: random.sample(templates.graph, random.int(1, 2)).map((t) => bindTemplate(t, fixed)),
      signIn: { arm: bindTemplate(templates.signIn.arm, fixed), graph: bindTemplate(templates.signIn.graph, fixed) },
      tokens: { arm: null, graph: null },
      externalToken: null,
    };
  });
}

interface Phase {
  readonly phase: BenchPhase;
  readonly records: number;
  readonly startMs: number;
  readonly spanMs: number;
  /**
   * Warm-up and day start walk identities and their addresses round robin so every pair is seen;
   * such uses hit only known addresses (no novel networks while baselines are being learned).
   */
  readonly roundRobin: boolean;
}

function emptyCounts(): BenchCounts {
  return { signIn: 0, activity: 0, graph: 0, endpoint: 0, external: 0, novel: 0 };
}

function addCounts(into: BenchCounts, from: Readonly<BenchCounts>): void {
  into.signIn += from.signIn;
  into.activity += from.activity;
  into.graph += from.graph;
  into.endpoint += from.endpoint;
  into.external += from.external;
  into.novel += from.novel;
}

/** One body's text as pieces, joined once at the end (see renderInto). */
class BodyText {
  private readonly pieces: string[] = ['{"records":['];
  records = 0;

  /** The piece list to render the next record into (after a separating comma). */
  nextRecord(): string[] {
    if (this.records++ > 0) this.pieces.push(',');
    return this.pieces;
  }

  finish(): string {
    this.pieces.push(']}');
    return this.pieces.join('');
  }
}

class RemoteUseWriter {
  private useCounter = 0;
  private refreshCursor = 0;

  /**
   * The identity and audience whose token is next due: a cursor over all (identity, audience) pairs,
   * which is oldest-first because tokens are first issued in the same order (see benchBodies).
   */
  oldestToken(identities: readonly BenchIdentity[]): { identity: BenchIdentity; audience: Audience } {
    const k = this.refreshCursor++ % (identities.length * 2);
    return { identity: identities[k >> 1] as BenchIdentity, audience: k % 2 === 0 ? 'arm' : 'graph' };
  }

  private readonly hosting = Object.values(HOSTING_BLOCKS).filter((b) => !b.cidr.includes(':')) as AddressBlock[];

  constructor(
    private readonly random: Random,
    /** Share of random-address uses from a never-seen hosting network (round-robin uses never are). */
    private readonly novelShare: number,
  ) {}

  /** Issues a token to the identity: a sign-in record, and the identity's current token for that audience. */
  signIn(identity: BenchIdentity, audience: Audience, ms: number, time: string, body: BodyText): void {
    const token = this.issue(identity, audience, ms);
    const v = identity.values;
    v[I.timeNoZ] = time.slice(0, -1);
    v[I.requestId] = token.requestId;
    v[I.uti] = token.uti;
    renderInto(body.nextRecord(), identity.signIn[audience], v, this.random);
  }

  /**
   * Makes a token the identity's current one without a sign-in record: a stream joins traffic that
   * is already flowing, so the first uses carry tokens issued before it began.
   */
  issue(identity: BenchIdentity, audience: Audience, ms: number): TokenValues {
    const token = this.mint(ms);
    identity.tokens[audience] = token;
    return token;
  }

  /** The outside-Azure footprint's token, minted anew shortly before it expires (see BenchIdentity.externalToken). */
  private externalToken(identity: BenchIdentity, ms: number): TokenValues {
    const current = identity.externalToken;
    if (current !== null && current.expMs - 300_000 > ms) return current;
    const token = this.mint(ms);
    identity.externalToken = token;
    return token;
  }

  private mint(ms: number): TokenValues {
    const requestId = this.random.guid();
    const issued = Math.floor(ms / 1000);
    // iat/nbf back-dated 5 minutes; managed identity tokens live 24 hours (see azureRecords).
    const token: TokenValues = {
      expMs: (issued + 86_400) * 1000,
      requestId,
      uti: tokenIdFromGuid(requestId),
      aio: `k2BgYGD${this.random.hex(24)}AA==`,
      iat: String(issued - 300),
      exp: String(issued + 86_400),
      iatTime: isoSeconds(issued - 300),
    };
    return token;
  }

  /**
   * One use by the identity; `ipIndex` picks from its addresses (round robin), or null to choose at
   * random. When the identity's token has expired (or is about to), the workload fetches a new one
   * first: the record written is then that sign-in, and the method returns false (no use written).
   */
  use(identity: BenchIdentity, ms: number, time: string, counts: BenchCounts, ipIndex: number | null, body: BodyText, enforceExpiry: boolean): boolean {
    const audience: Audience = this.random.chance(ACTIVITY_SHARE_OF_USES) ? 'arm' : 'graph';
    const current = identity.tokens[audience];
    // 5 minutes: the Azure SDKs refresh a managed identity token shortly before it expires.
    if (current === null || (enforceExpiry && current.expMs - 300_000 <= ms)) {
      this.signIn(identity, audience, ms, time, body);
      counts.signIn++;
      return false;
    }
    const ip = this.pickIp(identity, ipIndex, counts);
    const token = ip === identity.externalIp ? this.externalToken(identity, ms) : current;
    const v = identity.values;
    v[I.time] = time;
    v[I.uti] = token.uti;
    v[I.aio] = token.aio;
    v[I.iat] = token.iat;
    v[I.exp] = token.exp;
    v[I.iatTime] = token.iatTime;
    v[I.ip] = ip;
    this.useCounter++;
    if (audience === 'arm') {
      renderInto(body.nextRecord(), this.random.pick(identity.activity), v, this.random);
      counts.activity++;
    } else {
      renderInto(body.nextRecord(), this.random.pick(identity.graph), v, this.random);
      counts.graph++;
    }
    return true;
  }

  private pickIp(identity: BenchIdentity, ipIndex: number | null, counts: BenchCounts): string {
    const all = identity.externalIp === null ? identity.ips : [...identity.ips, identity.externalIp];
    if (ipIndex !== null) {
      const ip = all[ipIndex % all.length] as string;
      if (ip === identity.externalIp) counts.external++;
      return ip;
    }
    if (this.novelShare > 0 && this.random.chance(this.novelShare)) {
      counts.novel++;
      return ipv4InBlock(this.random.pick(this.hosting).cidr, this.random.int(0, 1 << 20));
    }
    if (identity.externalIp !== null && this.random.chance(EXTERNAL_USE_SHARE)) {
      counts.external++;
      return identity.externalIp;
    }
    return this.random.pick(identity.ips);
  }
}

const PHASE_PREFIX: Readonly<Record<BenchPhase, string>> = { warmup: 'warmup-', dayStart: 'daystart-', measure: '' };

function* remoteUseBodies(writer: RemoteUseWriter, identities: readonly BenchIdentity[], phase: Phase, recordsPerBody: number, random: Random): Generator<BenchBody> {
  const step = phase.spanMs / phase.records;
  const formatTime = createIsoTicksFormatter();
  let bodyIndex = 0;
  let body = new BodyText();
  let counts = emptyCounts();
  let uses = 0;
  let signIns = 0;
  const flush = (): BenchBody => {
    bodyIndex++;
    const done: BenchBody = {
      name: `bench-${PHASE_PREFIX[phase.phase]}${String(bodyIndex).padStart(6, '0')}.json`,
      phase: phase.phase,
      kind: 'remote-use',
      records: body.records,
      text: body.finish(),
      counts,
    };
    body = new BodyText();
    counts = emptyCounts();
    return done;
  };
  for (let i = 0; i < phase.records; i++) {
    const ms = Math.floor(phase.startMs + i * step);
    const time = formatTime(ms, random.int(0, 9999));
    // Sign-ins stay near their share: refreshes forced by expiry (a burst where the measured phase
    // follows a sparse warm-up) use up the budget that the oldest-first refreshes would otherwise take.
    if (random.chance(SIGN_IN_SHARE) && signIns < SIGN_IN_SHARE * (i + 1)) {
      // Tokens are refreshed oldest first, as a fleet of workloads on 24-hour tokens does.
      const { identity, audience } = writer.oldestToken(identities);
      writer.signIn(identity, audience, ms, time, body);
      counts.signIn++;
      signIns++;
    } else if (phase.roundRobin) {
      const identity = identities[uses % identities.length] as BenchIdentity;
      // The warm-up is time-compressed (a few records per identity per day), so it does not expire
      // tokens: it exists to show every identity with every address, and refreshes would crowd that out.
      if (writer.use(identity, ms, time, counts, Math.floor(uses / identities.length), body, false)) uses++;
      else signIns++;
    } else if (!writer.use(random.pick(identities), ms, time, counts, null, body, true)) {
      signIns++;
    }
    if (body.records >= recordsPerBody) yield flush();
  }
  if (body.records > 0) yield flush();
}

function benchHosts(random: Random): { host: EndpointHost; windows: boolean }[] {
  return Array.from({ length: BENCH_HOSTS }, (_, i) => {
    const windows = i % 2 === 0;
    const name = windows ? `vm-bench-${String(i).padStart(4, '0')}.contoso.com` : `aks-benchpool-vmss${String(i).padStart(6, '0')}`;
    return {
      windows,
      host: {
        name,
        id: windows ? random.hex(40) : random.hex(32),
        resourceId: `/subscriptions/${DEMO_SUBSCRIPTIONS.production}/resourceGroups/rg-bench-compute/providers/Microsoft.Compute/virtualMachines/${name.split('.')[0]}`,
        privateIp: `10.${20 + (i >> 8)}.${i & 255}.4`,
      },
    };
  });
}

const GUEST_AGENT: Omit<EndpointProcess, 'pid' | 'parentPid'> = {
  path: 'C:\\WindowsAzure\\GuestAgent_2.7.41491.1102_2024-01-01_000000\\WindowsAzureGuestAgent.exe',
  commandLine: '"C:\\WindowsAzure\\GuestAgent_2.7.41491.1102_2024-01-01_000000\\WindowsAzureGuestAgent.exe"',
  account: 'NT AUTHORITY\\SYSTEM',
  parentPath: 'C:\\Windows\\System32\\services.exe',
  sha256: 'a1f3c5e7092b4d6f8a0c2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b',
};
const NETWORK_WATCHER: Omit<EndpointProcess, 'pid' | 'parentPid'> = {
  path: 'C:\\Packages\\Plugins\\Microsoft.Azure.NetworkWatcher.NetworkWatcherAgentWindows\\1.4.2798.3\\NetworkWatcherAgent\\NetworkWatcherAgent.exe',
  commandLine: '"C:\\Packages\\Plugins\\Microsoft.Azure.NetworkWatcher.NetworkWatcherAgentWindows\\1.4.2798.3\\NetworkWatcherAgent\\NetworkWatcherAgent.exe"',
  account: 'NT AUTHORITY\\SYSTEM',
  parentPath: 'C:\\Windows\\System32\\services.exe',
  sha256: 'b2e4d6f8193a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e',
};
const KUBELET: Omit<EndpointProcess, 'pid' | 'parentPid'> = {
  path: '/usr/local/bin/kubelet',
  commandLine: '/usr/local/bin/kubelet --config=/var/lib/kubelet/config.yaml',
  account: 'root',
  parentPath: '/usr/lib/systemd/systemd',
  sha256: 'c3f5e7a92b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e',
};

/**
 * Endpoint bodies: mostly cloud agents at the metadata service and kubelet at service-account
 * tokens (the bulk a theft detector must wave through quickly). Built as objects and serialised:
 * the endpoint builders compute publish times from their random values, which templates cannot.
 */
function* endpointBodies(count: number, startMs: number, spanMs: number, recordsPerBody: number, random: Random): Generator<BenchBody> {
  const hosts = benchHosts(random);
  const step = spanMs / Math.max(1, count);
  let out: string[] = [];
  let bodyIndex = 0;
  const flush = (): BenchBody => {
    bodyIndex++;
    const body: BenchBody = {
      name: `endpoint-${String(bodyIndex).padStart(6, '0')}.json`,
      phase: 'measure',
      kind: 'endpoint',
      text: `{"records":[${out.join(',')}]}`,
      records: out.length,
      counts: { ...emptyCounts(), endpoint: out.length },
    };
    out = [];
    return body;
  };
  for (let i = 0; i < count; i++) {
    const ms = Math.floor(startMs + i * step);
    const when = { ms, time: isoTicks(ms, random.int(0, 9999)) };
    const { host, windows } = random.pick(hosts);
    const pid = random.int(400, 65_000);
    let record: Record<string, unknown>;
    if (windows && i % 2 === 0) {
      record = mdeNetworkEvent({ tenantId: DEMO_TENANT_ID, host, at: when, process: { ...GUEST_AGENT, pid, parentPid: 700 }, remoteIp: '169.254.169.254', remotePort: 80, remoteUrl: '', reportId: i, random });
    } else if (windows) {
      record = sysmonWindowsEvent(host, when, { eventId: 3, process: { ...NETWORK_WATCHER, pid, parentPid: 700 }, destinationIp: '169.254.169.254', destinationPort: 80, destinationHostname: '-' }, random);
    } else {
      const pod = random.hex(8);
      record = auditdOpenedFile({
        host,
        at: when,
        process: { ...KUBELET, pid, parentPid: 1 },
        path: `/var/lib/kubelet/pods/${pod}-0000-4000-8000-000000000000/volumes/kubernetes.io~projected/kube-api-access-${pod.slice(0, 5)}/token`,
        workingDirectory: '/',
        sequence: i,
      });
    }
    out.push(JSON.stringify(record));
    if (out.length >= recordsPerBody) yield flush();
  }
  if (out.length > 0) yield flush();
}

interface Resolved {
  readonly seed: number;
  readonly records: number;
  readonly identities: number;
  readonly endpointRecords: number;
  readonly recordsPerBody: number;
  readonly startMs: number;
  readonly spanMs: number;
  readonly warmup: { readonly days: number; readonly records: number } | null;
  readonly dayStart: { readonly hours: number; readonly records: number } | null;
  readonly externalShare: number;
  readonly novelShare: number;
}

function resolve(options: BenchStreamOptions): Resolved {
  const integer = (name: string, value: number, min: number) => {
    if (!Number.isInteger(value) || value < min) throw new RangeError(`${name}: need an integer of at least ${min}, got ${value}.`);
    return value;
  };
  const share = (name: string, value: number) => {
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name}: need a share between 0 and 1, got ${value}.`);
    return value;
  };
  const spanDays = options.spanDays ?? 1;
  if (!(spanDays > 0)) throw new RangeError(`spanDays: need a positive number of days, got ${spanDays}.`);
  const warmup = options.warmup ?? null;
  if (warmup !== null) {
    if (!(warmup.days > 0)) throw new RangeError(`warmup.days: need a positive number of days, got ${warmup.days}.`);
    integer('warmup.records', warmup.records, 1);
  }
  const dayStart = options.dayStart ?? null;
  if (dayStart !== null) {
    if (!(dayStart.hours > 0 && dayStart.hours < spanDays * 24)) throw new RangeError(`dayStart.hours: need a number of hours inside the measured span, got ${dayStart.hours}.`);
    integer('dayStart.records', dayStart.records, 1);
  }
  const records = integer('records', options.records, MIN_BENCH_RECORDS);
  return {
    seed: options.seed ?? 20260903,
    records,
    identities: integer('identities', options.identities, MIN_BENCH_IDENTITIES),
    endpointRecords: integer('endpointRecords', options.endpointRecords ?? Math.floor(records / 10), 0),
    recordsPerBody: integer('recordsPerBody', options.recordsPerBody ?? 500, 1),
    startMs: parseDay(options.start ?? '2026-09-01', 'start'),
    spanMs: spanDays * MS_PER_DAY,
    warmup,
    dayStart,
    externalShare: share('externalShare', options.externalShare ?? 0.02),
    novelShare: share('novelShare', options.novelShare ?? 0.00005),
  };
}

/**
 * The stream, one body at a time, in this order: warm-up bodies, measured remote-use bodies,
 * endpoint bodies (which span the measured phase). Validates the options before the first body.
 */
export function benchBodies(options: BenchStreamOptions): Generator<BenchBody> {
  const o = resolve(options);
  return (function* () {
    const identities = buildIdentities(o.identities, o.externalShare, compileTemplates(), createRandom(deriveSeed(o.seed, 'bench-identities')));
    const writer = new RemoteUseWriter(createRandom(deriveSeed(o.seed, 'bench-records')), o.novelShare);
    const timing = createRandom(deriveSeed(o.seed, 'bench-timing'));
    // Tokens already in flight when the stream starts: issued over the 12 hours before it, in the
    // order oldestToken walks them (identity by identity, arm then graph).
    identities.forEach((identity, i) => {
      (['arm', 'graph'] as const).forEach((audience, a) => {
        const k = i * 2 + a;
        writer.issue(identity, audience, o.startMs - 12 * 3_600_000 + Math.floor((k * 12 * 3_600_000) / (identities.length * 2)));
      });
    });
    let measureStart = o.startMs;
    if (o.warmup !== null) {
      const spanMs = o.warmup.days * MS_PER_DAY;
      yield* remoteUseBodies(writer, identities, { phase: 'warmup', records: o.warmup.records, startMs: o.startMs, spanMs, roundRobin: true }, o.recordsPerBody, timing);
      measureStart += spanMs;
    }
    let measureSpan = o.spanMs;
    if (o.dayStart !== null) {
      const spanMs = o.dayStart.hours * 3_600_000;
      yield* remoteUseBodies(writer, identities, { phase: 'dayStart', records: o.dayStart.records, startMs: measureStart, spanMs, roundRobin: true }, o.recordsPerBody, timing);
      measureStart += spanMs;
      measureSpan -= spanMs;
    }
    yield* remoteUseBodies(writer, identities, { phase: 'measure', records: o.records, startMs: measureStart, spanMs: measureSpan, roundRobin: false }, o.recordsPerBody, timing);
    yield* endpointBodies(o.endpointRecords, measureStart, measureSpan, o.recordsPerBody, createRandom(deriveSeed(o.seed, 'bench-endpoint')));
  })();
}

/** The whole stream in memory, with totals. For 200,000 records expect a few hundred MB of text. */
export function generateBenchStream(options: BenchStreamOptions): BenchStream {
  const warmupBodies: BenchBody[] = [];
  const bodies: BenchBody[] = [];
  const endpointBodiesList: BenchBody[] = [];
  const totals = { warmup: emptyCounts(), measure: emptyCounts(), endpoint: emptyCounts() };
  for (const body of benchBodies(options)) {
    if (body.kind === 'endpoint') {
      endpointBodiesList.push(body);
      addCounts(totals.endpoint, body.counts);
    } else if (body.phase !== 'measure') {
      warmupBodies.push(body);
      addCounts(totals.warmup, body.counts);
    } else {
      bodies.push(body);
      addCounts(totals.measure, body.counts);
    }
  }
  return { warmupBodies, bodies, endpointBodies: endpointBodiesList, totals, identities: options.identities };
}
