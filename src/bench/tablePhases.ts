import { loadAsnData } from '../adapters/asnData';
import { createTableClient, ensureTable } from '../adapters/tableClient';
import { MemoryStateBackend, MemoryStateStore } from '../adapters/memoryStateStore';
import type { PartitionSnapshot } from '../core/state/partition';
import { TableStateStore } from '../adapters/tableStateStore';
import { makeIpClassifier } from '../app/ipClassifier';
import { runRemoteUseBatch, SHARED_STATE_REFRESH, type RemoteUseDeps } from '../app/remoteUseRunner';
import { runTheftBatch, type TheftDeps } from '../app/theftRunner';
import { loadTheftSettings } from '../app/theftSettings';
import { defaultRemoteUseSettings } from '../core/remoteUse/settings';
import type { BenchPhase } from '../demo/benchStream';
import { ClassifyingRequestCounter, type RequestKind } from './classifyingCounter';
import { MAX_MESSAGES_PER_INVOCATION, type BenchBody, type Invocation } from './invocations';
import { collectGarbage, cpuMs, nowMs, perSecond } from './measure';
import { NaiveStateStore } from './naiveStateStore';
import { runRemoteUseStream, runTheftStream, type StreamOutcome } from './pipelines';
import { remoteDeps, theftDeps } from './purePhases';
import { runPerRecord } from './perRecord';
import { copyStateToTable } from './seedTable';

/** A body as the stream generator yields it, one at a time. */
export interface StreamBody extends BenchBody {
  readonly kind: 'remote-use' | 'endpoint';
  readonly phase: BenchPhase;
}

export interface TablePlan {
  readonly connectionString: string;
  /** A table name not used before in this Azurite. */
  readonly tableName: string;
  /** Partitions each TableStateStore caches (the production default unless the run says otherwise). */
  readonly cachePartitions: number;
  /** Measured remote-use records and endpoint records the stream will yield (to find its tail). */
  readonly auditSteadyRecords: number;
  readonly endpointRecords: number;
  /** Share of the endpoint records run untimed first. */
  readonly endpointWarmUpShare: number;
  /** Records at the end of the stream kept back for the naive reference (0 = skip it). */
  readonly naiveRecords: number;
  /** Stop feeding the naive reference after this long (it is slow by design). */
  readonly naiveBudgetMs: number;
  /** Stop feeding each detector's steady state after this long; undefined = the whole stream. */
  readonly steadyBudgetMs?: number;
  /** Give up on the size when the untimed warm-up takes longer than this (figures on half-known identities would mislead). */
  readonly warmUpBudgetMs?: number;
  readonly log?: (line: string) => void;
}

export interface TableRun {
  readonly records: number;
  readonly ms: number;
  /**
   * CPU this process spent in the timed invocations: detection, the Table client and HTTP. What an
   * instance pays per record against the real service, where nothing shares its cores (Azurite
   * runs on the other one here).
   */
  readonly cpuMs: number;
  readonly recordsPerSec: number;
  readonly requests: number;
  readonly requestsPer1kRecords: number;
  readonly byKind: Record<RequestKind, number>;
  readonly byTarget: Record<string, number>;
}

/** The untimed first hours of the measured day: every identity's first uses that day. */
export interface DayStartRun {
  readonly records: number;
  /** Requests of the remote-use store while those records ran. */
  readonly requests: number;
  readonly byTarget: Record<string, number>;
}

export interface TableFigures {
  /** Untimed records: the warm-up days and the day start. */
  readonly warmUpRecords: number;
  readonly dayStart: DayStartRun;
  readonly remoteUse: TableRun;
  readonly theft: TableRun;
  readonly combined: TableRun;
  readonly naive: TableRun | undefined;
  /** True when a time budget cut the steady state short (the figures cover `records` only). */
  readonly truncated: boolean;
  /** True when the warm-up outlasted its budget: nothing was measured. */
  readonly warmUpAbandoned: boolean;
}


/**
 * The stream end to end through TableStateStore on Azurite, as the functions run it: invocations
 * of up to 100 bodies, the remote-use and theft detectors each with its store and the production
 * cache size. The warm-up days run untimed on the in-memory twin and their state is copied into
 * the table and the caches; the day start runs through the real stores, untimed, its requests
 * counted on their own; steady state is timed (generating the bodies is not) and its HTTP
 * requests counted. Bodies are consumed one at a time, so the process holds the state cache
 * and one invocation, not the stream: its peak RSS is the detector's. The tail of the stream
 * then runs through the naive per-record reference on the same table.
 */
export async function runTablePhases(bodies: Iterable<StreamBody>, plan: TablePlan): Promise<TableFigures> {
  const log = plan.log ?? (() => undefined);
  const remoteSettings = defaultRemoteUseSettings(makeIpClassifier({ asnLookup: loadAsnData() }));
  const theftSettings = loadTheftSettings(undefined);
  await ensureTable(plan.connectionString, plan.tableName);
  const target = { connectionString: plan.connectionString };
  const remoteCounter = new ClassifyingRequestCounter();
  const theftCounter = new ClassifyingRequestCounter();
  const remoteStore = new TableStateStore(createTableClient(target, plan.tableName, remoteCounter), { cachePartitions: plan.cachePartitions, refresh: SHARED_STATE_REFRESH });
  const theftStore = new TableStateStore(createTableClient(target, plan.tableName, theftCounter), { cachePartitions: plan.cachePartitions });
  const remote = remoteDeps(remoteStore, remoteSettings);
  const theft = theftDeps(theftStore, theftSettings);
  // The warm-up days run on the in-memory twin; their state is then copied to the table and read
  // into the stores' caches (untimed, uncounted), as an instance that ran those days would hold it.
  let warm: { remote: MemoryStateBackend; theft: MemoryStateBackend } | undefined = { remote: new MemoryStateBackend(), theft: new MemoryStateBackend() };
  const warmRemoteStore = new LoadNotingStore(warm.remote);
  const warmTheftStore = new LoadNotingStore(warm.theft);
  const warmRemote = remoteDeps(warmRemoteStore, remoteSettings);
  const warmTheft = theftDeps(warmTheftStore, theftSettings);
  const seedTable = async (): Promise<void> => {
    if (!warm) return;
    const started = nowMs();
    const client = createTableClient(target, plan.tableName);
    const copied = [await copyStateToTable(warm.remote, client), await copyStateToTable(warm.theft, client)];
    // Azurite answers every query by scanning the table, so reading them back would cost minutes.
    remoteStore.adopt(snapshotsOf(warm.remote, warmRemoteStore.loaded));
    theftStore.adopt(snapshotsOf(warm.theft, warmTheftStore.loaded));
    remoteCounter.reset();
    theftCounter.reset();
    warm = undefined;
    log(`  warm-up state copied to Azurite: ${copied[0]!.partitions + copied[1]!.partitions} partitions, ${copied[0]!.rows + copied[1]!.rows} rows, in ${Math.round(nowMs() - started)} ms`);
  };

  const noneYet = { ms: 0, cpuMs: 0, records: 0, requests: 0 };
  const measured = { remote: { records: 0, ms: 0, cpuMs: 0, started: false, invocations: 0, slowest: noneYet }, theft: { records: 0, ms: 0, cpuMs: 0, started: false, invocations: 0, slowest: noneYet } };
  const tail = { audit: [] as BenchBody[], endpoint: [] as BenchBody[] };
  let warmUpRecords = 0;
  let warmUpMs = 0;
  let warmUpAbandoned = false;
  let truncated = false;
  let auditSeen = 0;
  let endpointSeen = 0;
  let pending: BenchBody[] = [];
  let pendingKey = '';

  const dayStart = { records: 0, requests: 0, byTarget: {} as Record<string, number> };

  /** One invocation through the detector its bodies are for, with the given stores' dependencies. */
  const runInvocation = (kind: StreamBody['kind'], invocation: Invocation, deps: { remote: RemoteUseDeps; theft: TheftDeps }, batchPrefix?: string): Promise<StreamOutcome> =>
    kind === 'remote-use' ? runRemoteUseStream([invocation], deps.remote, batchPrefix) : runTheftStream([invocation], deps.theft, batchPrefix);

  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const invocation: Invocation = { bodies: pending, records: pending.reduce((sum, b) => sum + b.records, 0) };
    const [kind, phase] = pendingKey.split(' ') as ['remote-use' | 'endpoint', BenchPhase];
    pending = [];
    if (warmUpAbandoned) return;
    if (phase !== 'measure') {
      if (plan.warmUpBudgetMs !== undefined && warmUpMs >= plan.warmUpBudgetMs) {
        warmUpAbandoned = true;
        return;
      }
      const started = nowMs();
      warmUpRecords += invocation.records;
      // (Warm-up telemetry that arrives after the copy runs through the real store.)
      if (phase === 'warmup' && warm) {
        await runInvocation(kind, invocation, { remote: warmRemote, theft: warmTheft }, 'warm');
        warmUpMs += nowMs() - started;
        return;
      }
      await seedTable();
      // The day start's requests are counted from its first invocation on.
      if (phase === 'dayStart' && dayStart.records === 0) remoteCounter.reset();
      await runInvocation(kind, invocation, { remote, theft }, 'warm');
      warmUpMs += nowMs() - started;
      if (phase === 'dayStart') {
        dayStart.records += invocation.records;
        dayStart.requests = remoteCounter.requests;
        dayStart.byTarget = { ...remoteCounter.byTarget };
      }
      return;
    }
    await seedTable();
    const slot = kind === 'remote-use' ? measured.remote : measured.theft;
    if (!slot.started) {
      // Steady state starts here: count only its requests (none at all if the budget is already spent).
      (kind === 'remote-use' ? remoteCounter : theftCounter).reset();
      collectGarbage();
      slot.started = true;
    }
    if (plan.steadyBudgetMs !== undefined && slot.ms >= plan.steadyBudgetMs) {
      truncated = true;
      return;
    }
    const counter = kind === 'remote-use' ? remoteCounter : theftCounter;
    const requestsBefore = counter.requests;
    const started = nowMs();
    const cpuStarted = cpuMs();
    const outcome = await runInvocation(kind, invocation, { remote, theft });
    const ms = nowMs() - started;
    const cpu = cpuMs() - cpuStarted;
    slot.ms += ms;
    slot.cpuMs += cpu;
    slot.records += outcome.records;
    slot.invocations++;
    // The slowest invocation is logged: one Azurite stall can decide a size's figure.
    if (ms > slot.slowest.ms) slot.slowest = { ms, cpuMs: cpu, records: outcome.records, requests: counter.requests - requestsBefore };
  };

  const endpointWarmUp = plan.endpointRecords * plan.endpointWarmUpShare;
  for (const body of bodies) {
    let phase = body.phase;
    if (body.kind === 'remote-use' && phase === 'measure') {
      auditSeen += body.records;
      if (auditSeen > plan.auditSteadyRecords - proportion(plan, 'audit')) {
        tail.audit.push({ text: body.text, records: body.records });
        continue;
      }
    } else if (body.kind === 'endpoint') {
      endpointSeen += body.records;
      if (endpointSeen <= endpointWarmUp) phase = 'warmup';
      else if (endpointSeen > plan.endpointRecords - proportion(plan, 'endpoint')) {
        tail.endpoint.push({ text: body.text, records: body.records });
        continue;
      }
    }
    const key = `${body.kind} ${phase}`;
    if (key !== pendingKey || pending.length >= MAX_MESSAGES_PER_INVOCATION) {
      await flush();
      pendingKey = key;
    }
    pending.push({ text: body.text, records: body.records });
  }
  await flush();

  const remoteRun = tableRun(measured.remote.records, measured.remote.ms, remoteCounter, measured.remote.cpuMs);
  const theftRun = tableRun(measured.theft.records, measured.theft.ms, theftCounter, measured.theft.cpuMs);
  const combined = combineRuns(remoteRun, theftRun);
  if (warmUpAbandoned) log(`  Azurite: warm-up abandoned after ${Math.round(warmUpMs / 1000)} s (${warmUpRecords} records)`);
  else {
    log(`  Azurite: ${Math.round(combined.recordsPerSec)} records/s, ${combined.requestsPer1kRecords.toFixed(2)} requests per 1,000 records${truncated ? ' (time budget reached)' : ''}`);
    for (const [name, slot] of [['remote use', measured.remote], ['theft', measured.theft]] as const) {
      if (slot.records > 0) log(`    slowest ${name} invocation: ${Math.round(slot.slowest.ms)} ms (${Math.round(slot.slowest.cpuMs)} ms of this process's CPU) for ${slot.slowest.records} records, ${slot.slowest.requests} requests (mean ${Math.round(slot.ms / Math.max(1, slot.invocations))} ms over ${slot.invocations})`);
    }
  }

  let naive: TableRun | undefined;
  if (plan.naiveRecords > 0 && !warmUpAbandoned) {
    const counter = new ClassifyingRequestCounter();
    const client = createTableClient(target, plan.tableName, counter);
    const deadline = nowMs() + plan.naiveBudgetMs;
    const started = nowMs();
    const auditDone = await runPerRecord(tail.audit, (records, id) => runRemoteUseBatch(records, [], remoteDeps(new NaiveStateStore(client), remoteSettings), id), deadline);
    const auditMs = nowMs() - started;
    const auditRun = tableRun(auditDone.records, auditMs, counter);
    counter.reset();
    const theftStarted = nowMs();
    const theftDone = await runPerRecord(tail.endpoint, (records, id) => runTheftBatch(records, theftDeps(new NaiveStateStore(client), theftSettings), id), deadline + plan.naiveBudgetMs / 4);
    naive = combineRuns(auditRun, tableRun(theftDone.records, nowMs() - theftStarted, counter));
    log(`  naive reference: ${Math.round(naive.requestsPer1kRecords)} requests per 1,000 records (${naive.records} records)`);
  }
  return { warmUpRecords, dayStart, remoteUse: remoteRun, theft: theftRun, combined, naive, truncated, warmUpAbandoned };
}

/**
 * The warm-up's state as an instance that ran it holds it in its cache: every partition it wrote,
 * and every one it loaded and found empty (the next day's first uses of Storage tokens, say),
 * which the table does not hold either.
 */
function snapshotsOf(backend: MemoryStateBackend, loaded: ReadonlySet<string>): Map<string, PartitionSnapshot> {
  const snapshots = new Map<string, PartitionSnapshot>([...backend.partitions].map(([key, p]) => [key, { partitionKey: key, rows: p.rows }]));
  for (const key of loaded) if (!snapshots.has(key)) snapshots.set(key, { partitionKey: key, rows: new Map() });
  return snapshots;
}

/** The in-memory twin, noting every partition key a batch loads (see snapshotsOf). */
class LoadNotingStore extends MemoryStateStore {
  readonly loaded = new Set<string>();

  override async load(partitionKeys: readonly string[]): Promise<Map<string, PartitionSnapshot>> {
    for (const key of partitionKeys) this.loaded.add(key);
    return super.load(partitionKeys);
  }
}

/** The naive tail's share of each detector's records, proportional to its share of the stream. */
function proportion(plan: TablePlan, kind: 'audit' | 'endpoint'): number {
  const total = plan.auditSteadyRecords + plan.endpointRecords;
  if (total === 0) return 0;
  return Math.round((plan.naiveRecords * (kind === 'audit' ? plan.auditSteadyRecords : plan.endpointRecords)) / total);
}

function tableRun(records: number, ms: number, counter: ClassifyingRequestCounter, cpuMs = 0): TableRun {
  return {
    records,
    ms,
    cpuMs,
    recordsPerSec: perSecond(records, ms),
    requests: counter.requests,
    requestsPer1kRecords: records > 0 ? (counter.requests * 1000) / records : 0,
    byKind: { ...counter.byKind },
    byTarget: { ...counter.byTarget },
  };
}

export function combineRuns(a: TableRun, b: TableRun): TableRun {
  const records = a.records + b.records;
  const requests = a.requests + b.requests;
  const ms = a.ms + b.ms;
  const byTarget: Record<string, number> = { ...a.byTarget };
  for (const [k, v] of Object.entries(b.byTarget)) byTarget[k] = (byTarget[k] ?? 0) + v;
  return {
    records,
    ms,
    cpuMs: a.cpuMs + b.cpuMs,
    recordsPerSec: perSecond(records, ms),
    requests,
    requestsPer1kRecords: records > 0 ? (requests * 1000) / records : 0,
    byKind: { query: a.byKind.query + b.byKind.query, read: a.byKind.read + b.byKind.read, transaction: a.byKind.transaction + b.byKind.transaction, write: a.byKind.write + b.byKind.write },
    byTarget,
  };
}
