import { generateBenchStream, type BenchStreamOptions } from '../demo/benchStream';
import { countRecords, type BenchBody } from './invocations';

/**
 * The stream one size of the benchmark runs on, as the harness needs it: Event Hub body texts of
 * each hub, split into a warm-up phase (run untimed, so identities, baselines and caches exist)
 * and the steady state that is measured.
 */
export interface BenchStream {
  readonly identities: number;
  readonly audit: StreamPhases;
  readonly endpoint: StreamPhases;
}

export interface StreamPhases {
  readonly warmUp: readonly BenchBody[];
  readonly steady: readonly BenchBody[];
}

export function streamRecords(stream: BenchStream): { warmUp: number; steady: number; total: number } {
  const warmUp = countRecords(stream.audit.warmUp) + countRecords(stream.endpoint.warmUp);
  const steady = countRecords(stream.audit.steady) + countRecords(stream.endpoint.steady);
  return { warmUp, steady, total: warmUp + steady };
}

/** 10 %: the share of the endpoint records run untimed first (the theft detector's JIT and host state). */
export const ENDPOINT_WARM_UP_SHARE = 0.1;

export interface BenchStreamSize {
  readonly records: number;
  readonly identities: number;
  readonly seed: number;
  /** Records per Event Hub body; with 100 bodies per invocation this sets the invocation size. */
  readonly recordsPerBody: number;
}

/** Hours of the measured day that the day-start phase covers. */
export const DAY_START_HOURS = 6;

/**
 * The generator's options for one size: a warm-up of 15 days (past the 14-day learning period)
 * with 5 records per identity (the generator needs 10/9 × 4 per identity to show every identity
 * each of its addresses), the first 6 hours of the 16th day with another 5 records per identity
 * (every identity's first uses of the day, when baselines' last-seen days advance), then the
 * measured records over the rest of that day: the steady state of a live stream, where identities
 * are known and already seen today. The day-start phase is untimed but its Table Storage calls
 * are counted on their own (the once-a-day cost per identity).
 */
export function generatorOptions(size: BenchStreamSize): BenchStreamOptions {
  return {
    seed: size.seed,
    records: size.records,
    identities: size.identities,
    recordsPerBody: size.recordsPerBody,
    warmup: { days: 15, records: size.identities * 5 },
    dayStart: { hours: DAY_START_HOURS, records: size.identities * 5 },
  };
}

/** Builds one size's stream with the demo generator (src/demo/benchStream.ts), in memory. */
export function buildBenchStream(size: BenchStreamSize): BenchStream {
  const generated = generateBenchStream(generatorOptions(size));
  const plain = (bodies: readonly { text: string; records: number }[]): BenchBody[] => bodies.map((b) => ({ text: b.text, records: b.records }));
  const endpoint = plain(generated.endpointBodies);
  // Whole bodies up to the warm-up share of the records, the same cut the table phases make.
  const warmUpRecords = countRecords(endpoint) * ENDPOINT_WARM_UP_SHARE;
  let cut = 0;
  for (let seen = 0; cut < endpoint.length && seen + endpoint[cut]!.records <= warmUpRecords; cut++) seen += endpoint[cut]!.records;
  return {
    identities: generated.identities,
    audit: { warmUp: plain(generated.warmupBodies), steady: plain(generated.bodies) },
    endpoint: { warmUp: endpoint.slice(0, cut), steady: endpoint.slice(cut) },
  };
}
