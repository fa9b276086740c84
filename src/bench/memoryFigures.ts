import { join } from 'node:path';
import { measureLargestBatch, type LargestBatchFigures } from './largestBatch';
import { measureReplayMemory, REPLAY_FILE_MB, type ReplayMemoryFigures } from './replayMemory';

/**
 * The bench's memory figures beyond the streamed sizes' peak RSS: the largest batch the host can
 * deliver in one invocation (largestBatch.ts) and a replay of one large NDJSON file
 * (replayMemory.ts), each in processes of its own.
 */
export interface MemoryFigures {
  readonly largestBatch: LargestBatchFigures;
  readonly replay: ReplayMemoryFigures;
}

export interface MemoryFigureOptions {
  /** Size of the replayed file in MiB (default REPLAY_FILE_MB). */
  readonly replayFileMb?: number;
  readonly seed: number;
  /** The deployed heap ceiling and young generation (bench.ts: PRODUCTION_HEAP_MB, PRODUCTION_SEMI_SPACE_MB). */
  readonly heapMb: number;
  readonly semiSpaceMb: number;
  readonly say: (line: string) => void;
}

export async function measureMemoryFigures(options: MemoryFigureOptions): Promise<MemoryFigures> {
  const largestBatch = await measureLargestBatch(options);
  // The built CLI beside this file (dist/src/bench → dist/src/cli).
  const cliPath = join(__dirname, '..', 'cli', 'tokenwatch.js');
  const replay = await measureReplayMemory({ fileMb: options.replayFileMb ?? REPLAY_FILE_MB, seed: options.seed, cliPath, say: options.say });
  return { largestBatch, replay };
}
