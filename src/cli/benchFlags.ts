/**
 * `tokenwatch bench`'s command line, in one place: its flags (with their help), and the options
 * read from them. A new bench flag is one entry in BENCH_FLAGS and one field in BenchOptions.
 */
import { REPLAY_FILE_MB } from '../bench/replayMemory';
import { MIN_BENCH_IDENTITIES, MIN_BENCH_RECORDS } from '../demo/benchStream';
import { UsageError } from './cliErrors';
import { decimalWholeNumber, type CommandLine, type CommandSpec, type FlagSpec } from './commandLine';

/** The stream's default seed: the same run every time unless told otherwise. */
const DEFAULT_SEED = 20260903;

export const BENCH_FLAGS = {
  records: { value: 'N', help: `records in the measured stream (default and least ${MIN_BENCH_RECORDS.toLocaleString('en-US')}); the second size doubles it` },
  identities: { value: 'N', help: `Managed Identities in the stream (default and least ${MIN_BENCH_IDENTITIES.toLocaleString('en-US')})` },
  seed: { value: 'N', help: `the stream's random seed (default ${DEFAULT_SEED})` },
  'replay-mb': { value: 'MB', help: `size in MiB of the NDJSON file the replay memory figure streams (default ${REPLAY_FILE_MB}: 2 GiB; less for a quick run)` },
} as const satisfies Record<string, FlagSpec>;

export interface BenchOptions {
  readonly records: number;
  readonly identities: number;
  readonly seed: number;
  /** Size of the replayed NDJSON file in MiB (src/bench/replayMemory.ts). */
  readonly replayMb: number;
}

export const BENCH_COMMAND: CommandSpec = {
  name: 'bench',
  summary: 'Measures throughput, table transactions and memory (see docs/performance.md).',
  operands: '',
  minOperands: 0,
  description: [
    'Runs the asked size and twice that size, each in fresh processes: the pure pipelines, then Table Storage on its own Azurite. Progress goes to stderr; the report to stdout, its last line one JSON object with the final figures.',
  ],
  flags: BENCH_FLAGS,
};

export function benchOptionsFromFlags(line: CommandLine): BenchOptions {
  return {
    // The least sizes the bench stream accepts (src/demo/benchStream.ts), checked here as a usage error.
    records: wholeNumber(line, 'records', MIN_BENCH_RECORDS, MIN_BENCH_RECORDS),
    identities: wholeNumber(line, 'identities', MIN_BENCH_IDENTITIES, MIN_BENCH_IDENTITIES),
    seed: wholeNumber(line, 'seed', DEFAULT_SEED, 0),
    replayMb: wholeNumber(line, 'replay-mb', REPLAY_FILE_MB, 1),
  };
}

function wholeNumber(line: CommandLine, name: keyof typeof BENCH_FLAGS, fallback: number, min: number): number {
  const raw = line.flags[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' ? decimalWholeNumber(raw) : undefined;
  if (value === undefined || value < min) throw new UsageError(`--${name} must be a whole number of at least ${min.toLocaleString('en-US')}, not "${String(raw)}"`);
  return value;
}
