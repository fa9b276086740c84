import { startAzurite } from '../adapters/azurite';
import { benchBodies } from '../demo/benchStream';
import { buildBenchStream, ENDPOINT_WARM_UP_SHARE, generatorOptions, type BenchStreamSize } from './benchStreamInput';
import { peakRssMb } from './measure';
import { runPurePhases, type PureFigures } from './purePhases';
import { runTablePhases, type TableFigures } from './tablePhases';

/**
 * One measurement job, run in a child process of its own (`node --expose-gc worker.js <job>`) so
 * that sizes do not share a heap or a JIT state and the peak RSS of a job is its own. Progress
 * goes to stderr; the result is the last line of stdout, as JSON.
 */
export type WorkerJob =
  | { readonly mode: 'pure'; readonly size: BenchStreamSize }
  | {
      readonly mode: 'table';
      readonly size: BenchStreamSize;
      readonly cachePartitions: number;
      readonly naiveRecords: number;
      readonly naiveBudgetMs: number;
      readonly steadyBudgetMs?: number;
      readonly warmUpBudgetMs?: number;
    };

export type WorkerResult = { readonly mode: 'pure'; readonly figures: PureFigures; readonly peakRssMb: number } | { readonly mode: 'table'; readonly figures: TableFigures; readonly peakRssMb: number };

export async function runJob(job: WorkerJob, log: (line: string) => void): Promise<WorkerResult> {
  if (job.mode === 'pure') {
    const figures = await runPurePhases(buildBenchStream(job.size), { log });
    return { mode: 'pure', figures, peakRssMb: peakRssMb() };
  }
  // Azurite runs as its own process: its memory is not this process's RSS.
  const azurite = await startAzurite();
  try {
    const options = generatorOptions(job.size);
    const figures = await runTablePhases(benchBodies(options), {
      connectionString: azurite.connectionString,
      tableName: `bench${job.size.records}x${job.size.identities}`,
      cachePartitions: job.cachePartitions,
      auditSteadyRecords: options.records,
      endpointRecords: options.endpointRecords ?? Math.floor(options.records / 10),
      endpointWarmUpShare: ENDPOINT_WARM_UP_SHARE,
      naiveRecords: job.naiveRecords,
      naiveBudgetMs: job.naiveBudgetMs,
      ...(job.steadyBudgetMs !== undefined ? { steadyBudgetMs: job.steadyBudgetMs } : {}),
      ...(job.warmUpBudgetMs !== undefined ? { warmUpBudgetMs: job.warmUpBudgetMs } : {}),
      log,
    });
    return { mode: 'table', figures, peakRssMb: peakRssMb() };
  } finally {
    await azurite.stop();
  }
}

if (require.main === module) {
  const job = JSON.parse(process.argv[2] ?? '{}') as WorkerJob;
  runJob(job, (line) => void process.stderr.write(`${line}\n`)).then(
    (result) => void process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      // One line: the bench reports it; the stack is no measurement's business.
      process.stderr.write(`bench worker: ${error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
