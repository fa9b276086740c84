import { MemoryStateBackend, MemoryStateStore } from '../adapters/memoryStateStore';
import { loadAsnData } from '../adapters/asnData';
import type { StateStore } from '../adapters/stateStore';
import { makeIpClassifier } from '../app/ipClassifier';
import type { RemoteUseDeps } from '../app/remoteUseRunner';
import type { TheftDeps } from '../app/theftRunner';
import { loadTheftSettings } from '../app/theftSettings';
import { defaultRemoteUseSettings, type RemoteUseSettings } from '../core/remoteUse/settings';
import type { TheftDetectorConfig } from '../core/theft/detectTheft';
import { streamRecords, type BenchStream } from './benchStreamInput';
import { CountingAlertSink, CountingRejectSink } from './countingSinks';
import { countRecords, toInvocations, type Invocation } from './invocations';
import { collectGarbage, median, nowMs, perSecond } from './measure';
import { parseFloor, runRemoteUseStream, runTheftStream, sumOutcomes, type StreamOutcome } from './pipelines';
import { REMOTE_USE_STAGES, timeRemoteUseStages, type RemoteUseStageTimes } from './remoteUseStages';

export interface PureFigures {
  readonly identities: number;
  readonly records: { readonly total: number; readonly warmUp: number; readonly steady: number; readonly auditSteady: number; readonly endpointSteady: number };
  readonly recordsPerInvocation: { readonly audit: number; readonly endpoint: number };
  /** JSON.parse of the audit bodies, timed interleaved with the remote-use pipeline (see runPurePhases). */
  readonly parseFloorRecordsPerSec: number;
  /** JSON.parse of the same bodies in a tight loop over the whole stream: faster than the same parse between other work. */
  readonly parseFloorTightLoopRecordsPerSec: number;
  readonly remoteUseRecordsPerSec: number;
  readonly theftRecordsPerSec: number;
  /** JSON.parse of the endpoint bodies the theft pipeline reads, timed interleaved with it as the remote-use floor is: its own floor. */
  readonly theftParseFloorRecordsPerSec: number;
  /** The theft rate over its own floor (target ≥ 0.5, as pipelineToFloorRatio). */
  readonly theftToFloorRatio: number;
  /** The same endpoint parse in a tight loop after each theft pass, and the theft rate over it: the stricter reading. */
  readonly theftParseFloorTightLoopRecordsPerSec: number;
  readonly theftToTightLoopFloorRatio: number;
  readonly pipelineToFloorRatio: number;
  /** The remote-use rate over the tight-loop floor: the stricter reading, for comparison. */
  readonly pipelineToTightLoopFloorRatio: number;
  /**
   * The ratio of each pass on its own (floor time ÷ remote-use time of the same pass), in pass
   * order: how far the figure moves within one process.
   */
  readonly pipelineToFloorByPass: readonly number[];
  /** Microseconds per steady audit record in each step of the remote-use invocation (memory store). */
  readonly remoteUseStagesUsPerRecord: Record<keyof RemoteUseStageTimes, number>;
  readonly remoteUse: StreamOutcome;
  readonly theft: StreamOutcome;
  /** Remote-use state after the run: partitions and rows (what Table Storage would hold). */
  readonly memoryState: { readonly partitions: number; readonly rows: number };
}

/**
 * The in-process measurements of one size, in passes (three by default), each on a fresh
 * in-memory store with its warm-up untimed. Every pass must produce the same alerts and state
 * changes, and each figure is the median of its passes.
 *
 * The parse floor is timed interleaved with the remote-use pipeline, invocation by invocation
 * (see interleavedRemotePass): the floor is then JSON.parse of the same bodies under the same
 * conditions as the pipeline's own parse, and a virtualised machine's drift (a quarter within
 * seconds) reaches both alike. The floor is also timed in a tight loop over the whole stream, as
 * before, and reported beside it (`parseFloorTightLoopRecordsPerSec`): a parse that runs with
 * nothing else between its calls is faster than the same parse inside any pipeline. Then theft,
 * measured the same two ways over the endpoint bodies, and last the remote-use steps one by one
 * on a fresh store, checked against the runner.
 */
export async function runPurePhases(stream: BenchStream, options: { readonly passes?: number; readonly log?: (line: string) => void } = {}): Promise<PureFigures> {
  const log = options.log ?? (() => undefined);
  const remoteSettings = defaultRemoteUseSettings(makeIpClassifier({ asnLookup: loadAsnData() }));
  const theftSettings = loadTheftSettings(undefined);
  const audit = { warmUp: toInvocations(stream.audit.warmUp), steady: toInvocations(stream.audit.steady) };
  const endpoint = { warmUp: toInvocations(stream.endpoint.warmUp), steady: toInvocations(stream.endpoint.steady) };
  const auditSteady = countRecords(audit.steady);
  const endpointSteady = countRecords(endpoint.steady);

  // Not timed: a first floor pass (the pipelines' warm-ups, also untimed, warm their own code).
  parseFloor(audit.steady);
  const floorTimes: number[] = [];
  const tightFloorTimes: number[] = [];
  const remoteTimes: number[] = [];
  const theftTimes: number[] = [];
  const theftFloorTimes: number[] = [];
  const theftTightFloorTimes: number[] = [];
  let remoteUse: StreamOutcome | undefined;
  let theft: StreamOutcome | undefined;
  let memory = new MemoryStateBackend();
  for (let pass = 0; pass < (options.passes ?? 3); pass++) {
    memory = new MemoryStateBackend();
    const remoteMemory = remoteDeps(new MemoryStateStore(memory), remoteSettings);
    await runRemoteUseStream(audit.warmUp, remoteMemory, 'warm');
    const remotePass = await measuredPass('remote use', audit.steady, auditSteady, (invocation, i) => runRemoteUseStream([invocation], remoteMemory, 'remote', i));
    floorTimes.push(remotePass.floorMs);
    tightFloorTimes.push(remotePass.tightFloorMs);
    remoteTimes.push(remotePass.pipelineMs);
    remoteUse = sameOutcome('remote use', remoteUse, remotePass.outcome);

    const theftMemory = theftDeps(new MemoryStateStore(), theftSettings);
    await runTheftStream(endpoint.warmUp, theftMemory, 'warm');
    const theftPass = await measuredPass('theft', endpoint.steady, endpointSteady, (invocation, i) => runTheftStream([invocation], theftMemory, undefined, i));
    theftFloorTimes.push(theftPass.floorMs);
    theftTightFloorTimes.push(theftPass.tightFloorMs);
    theftTimes.push(theftPass.pipelineMs);
    theft = sameOutcome('theft', theft, theftPass.outcome);
  }
  if (!remoteUse || !theft) throw new Error('bench: no measured pass');
  const parseFloorRecordsPerSec = perSecond(auditSteady, median(floorTimes));
  const parseFloorTightLoopRecordsPerSec = perSecond(auditSteady, median(tightFloorTimes));
  const remoteUseRecordsPerSec = perSecond(remoteUse.records, median(remoteTimes));
  const theftRecordsPerSec = perSecond(theft.records, median(theftTimes));
  const theftParseFloorRecordsPerSec = perSecond(endpointSteady, median(theftFloorTimes));
  const theftParseFloorTightLoopRecordsPerSec = perSecond(endpointSteady, median(theftTightFloorTimes));
  log(
    `  parse floor: ${Math.round(parseFloorRecordsPerSec)} records/s interleaved with remote use, ${Math.round(parseFloorTightLoopRecordsPerSec)} in a tight loop; ` +
      `remote use, memory state: ${Math.round(remoteUseRecordsPerSec)} records/s; theft: ${Math.round(theftRecordsPerSec)} records/s over its own floor of ${Math.round(theftParseFloorRecordsPerSec)} interleaved, ${Math.round(theftParseFloorTightLoopRecordsPerSec)} in a tight loop (medians of ${floorTimes.length} passes)`,
  );

  const stagesDeps = remoteDeps(new MemoryStateStore(), remoteSettings);
  await runRemoteUseStream(audit.warmUp, stagesDeps, 'warm');
  collectGarbage();
  const stages = await timeRemoteUseStages(audit.steady, stagesDeps);
  if (stages.alerts !== remoteUse.alerts || stages.stateChanges !== remoteUse.stateChanges) {
    throw new Error(`remote-use stages disagree with the runner: ${stages.alerts}/${stages.stateChanges} alerts/changes vs ${remoteUse.alerts}/${remoteUse.stateChanges}`);
  }
  const remoteUseStagesUsPerRecord = Object.fromEntries(REMOTE_USE_STAGES.map((s) => [s, (stages.times[s] * 1000) / Math.max(1, stages.records)])) as Record<keyof RemoteUseStageTimes, number>;

  let rows = 0;
  for (const partition of memory.partitions.values()) rows += partition.rows.size;
  return {
    identities: stream.identities,
    records: { ...streamRecords(stream), auditSteady, endpointSteady },
    recordsPerInvocation: { audit: auditSteady / Math.max(1, audit.steady.length), endpoint: endpointSteady / Math.max(1, endpoint.steady.length) },
    parseFloorRecordsPerSec,
    parseFloorTightLoopRecordsPerSec,
    remoteUseRecordsPerSec,
    theftRecordsPerSec,
    theftParseFloorRecordsPerSec,
    theftToFloorRatio: theftRecordsPerSec / theftParseFloorRecordsPerSec,
    theftParseFloorTightLoopRecordsPerSec,
    theftToTightLoopFloorRatio: theftRecordsPerSec / theftParseFloorTightLoopRecordsPerSec,
    pipelineToFloorRatio: remoteUseRecordsPerSec / parseFloorRecordsPerSec,
    pipelineToTightLoopFloorRatio: remoteUseRecordsPerSec / parseFloorTightLoopRecordsPerSec,
    // Both per-record rates: floor time over pipeline time, scaled by their record counts (equal here).
    pipelineToFloorByPass: floorTimes.map((floorMs, pass) => (floorMs / remoteTimes[pass]!) * (remoteUse.records / auditSteady)),
    remoteUseStagesUsPerRecord,
    remoteUse,
    theft,
    memoryState: { partitions: memory.partitions.size, rows },
  };
}

/**
 * One pipeline's timed pass over its steady stream (its warm-up already run): interleaved with
 * its floor invocation by invocation, then the floor alone in a tight loop over the same bodies.
 * Both floors must parse every record of the stream.
 */
async function measuredPass(
  name: string,
  steady: readonly Invocation[],
  records: number,
  run: (invocation: Invocation, index: number) => Promise<StreamOutcome>,
): Promise<InterleavedPass & { readonly tightFloorMs: number }> {
  collectGarbage();
  const interleaved = await interleavedPass(steady, run);
  if (interleaved.floorRecords !== records) throw new Error(`${name} parse floor: ${interleaved.floorRecords} records parsed, the stream has ${records}`);
  collectGarbage();
  const started = nowMs();
  const parsed = parseFloor(steady);
  const tightFloorMs = nowMs() - started;
  if (parsed !== records) throw new Error(`${name} parse floor (tight loop): ${parsed} records parsed, the stream has ${records}`);
  return { ...interleaved, tightFloorMs };
}

/** What one interleaved pass measured (see interleavedPass). */
interface InterleavedPass {
  readonly floorMs: number;
  readonly floorRecords: number;
  readonly pipelineMs: number;
  readonly outcome: StreamOutcome;
}

/**
 * A pipeline over `steady`, one invocation at a time, each paired with the parse floor of another
 * invocation: the one half a stream away, whose bodies nothing has read for half a stream, so
 * neither side finds text the other just read in the caches. The pair's order alternates, so
 * neither side always follows the other (and its garbage). Every invocation is parsed by the
 * floor exactly once. Both pipelines are measured this way, so their ratios mean the same thing.
 */
async function interleavedPass(steady: readonly Invocation[], run: (invocation: Invocation, index: number) => Promise<StreamOutcome>): Promise<InterleavedPass> {
  const half = Math.floor(steady.length / 2);
  const outcomes: StreamOutcome[] = [];
  let floorMs = 0, floorRecords = 0, pipelineMs = 0;
  const floor = (i: number): void => {
    const partner = [steady[(i + half) % steady.length]!];
    const started = nowMs();
    floorRecords += parseFloor(partner);
    floorMs += nowMs() - started;
  };
  const pipeline = async (i: number): Promise<void> => {
    const started = nowMs();
    outcomes.push(await run(steady[i]!, i));
    pipelineMs += nowMs() - started;
  };
  for (let i = 0; i < steady.length; i++) {
    if (i % 2 === 0) {
      floor(i);
      await pipeline(i);
    } else {
      await pipeline(i);
      floor(i);
    }
  }
  return { floorMs, floorRecords, pipelineMs, outcome: sumOutcomes(outcomes) };
}

/** Every pass of a pipeline must judge the stream the same way; the figures then come from one outcome. */
function sameOutcome(name: string, previous: StreamOutcome | undefined, next: StreamOutcome): StreamOutcome {
  if (previous && (previous.alerts !== next.alerts || previous.stateChanges !== next.stateChanges || previous.records !== next.records)) {
    throw new Error(`${name}: passes disagree (${previous.alerts}/${previous.stateChanges} alerts/changes vs ${next.alerts}/${next.stateChanges})`);
  }
  return next;
}

export function remoteDeps(store: StateStore, settings: RemoteUseSettings): RemoteUseDeps {
  return { store, sink: new CountingAlertSink(), deadLetter: new CountingRejectSink(), settings };
}

export function theftDeps(store: StateStore, settings: TheftDetectorConfig): TheftDeps {
  return { store, sink: new CountingAlertSink(), deadLetter: new CountingRejectSink(), settings };
}
