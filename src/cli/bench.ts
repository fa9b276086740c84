import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../adapters/asnData';
import { measureAsn } from '../bench/asnBench';
import type { BenchStreamSize } from '../bench/benchStreamInput';
import { COLD_IMPORT_ENV, measureColdImport } from '../bench/coldImport';
import { describeMachine } from '../bench/machine';
import { nowMs } from '../bench/measure';
import { measureMemoryFigures } from '../bench/memoryFigures';
import { finalFigures, formatReport, type BenchResult, type SizeResult } from '../bench/report';
import type { WorkerJob, WorkerResult } from '../bench/worker';
import { loadConfig } from '../config';
import type { BenchOptions } from './benchFlags';

/**
 * 20 records per Event Hub message × 100 messages per invocation (the host's default
 * maxEventBatchSize) = 2,000 records per invocation: diagnostic settings pack many records into a
 * message, and 1,000–5,000 records is what one invocation sees under load.
 */
const RECORDS_PER_BODY = 20;
/** Records of the 200k run's tail fed to the naive reference, and how long it may take (it reads per record). */
const NAIVE_RECORDS = 2_000;
const NAIVE_BUDGET_MS = 15_000;
/** The larger size runs its Azurite steady state for at most this long: the whole bench stays near 5 minutes. */
const SECOND_SIZE_STEADY_BUDGET_MS = 30_000;
/**
 * The larger size's Table Storage phase is given up when its untimed warm-up (copying the
 * warm-up state into Azurite, then the day start, which writes every identity's baseline) takes
 * longer than this: with a slow store the bench would otherwise run for many minutes.
 */
const SECOND_SIZE_WARM_UP_BUDGET_MS = 150_000;

/**
 * `tokenwatch bench` (`npm run bench`): the performance budget of docs/performance.md, measured in
 * one run. The asked size (default 200,000 records over 5,000 identities) gives the final
 * figures; the same stream at twice the records and identities shows how cost grows. Each size
 * runs in child processes (pure pipelines; Table Storage on its own Azurite), prints a table,
 * and the last line of stdout is one JSON object with the final figures. Its flags: benchFlags.ts.
 */
export async function runBench(options: BenchOptions): Promise<number> {
  const started = nowMs();
  const { records, identities, seed } = options;
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  const sizes: BenchStreamSize[] = [
    { records, identities, seed, recordsPerBody: RECORDS_PER_BODY },
    { records: records * 2, identities: identities * 2, seed, recordsPerBody: RECORDS_PER_BODY },
  ];
  // The production default, read the way the function app reads it.
  const cachePartitions = loadConfig(COLD_IMPORT_ENV, (file) => readFileSync(file, 'utf8')).cachePartitions;

  say('ASN data: load and lookups');
  const asn = measureAsn();
  say('cold import of the functions entry (5 fresh processes)');
  const coldImport = await measureColdImport(5);
  const results: SizeResult[] = [];
  for (const [i, size] of sizes.entries()) {
    say(`size ${size.records} records / ${size.identities} identities: pure pipelines`);
    const pure = await runWorker({ mode: 'pure', size });
    if (pure.mode !== 'pure') throw new Error('bench: the pure worker answered with the wrong kind of result');
    say(`size ${size.records} records / ${size.identities} identities: Table Storage (Azurite)`);
    const table = await runWorker({
      mode: 'table',
      size,
      cachePartitions,
      naiveRecords: i === 0 ? NAIVE_RECORDS : 0,
      naiveBudgetMs: NAIVE_BUDGET_MS,
      ...(i === 0 ? {} : { steadyBudgetMs: SECOND_SIZE_STEADY_BUDGET_MS, warmUpBudgetMs: SECOND_SIZE_WARM_UP_BUDGET_MS }),
    });
    if (table.mode !== 'table') throw new Error('bench: the table worker answered with the wrong kind of result');
    if (table.figures.warmUpAbandoned) {
      const tableSkipped = `its warm-up did not finish within ${SECOND_SIZE_WARM_UP_BUDGET_MS / 1000} s (${table.figures.warmUpRecords} records done)`;
      results.push({ size, pure: pure.figures, table: undefined, tableSkipped, tablePeakRssMb: undefined });
    } else results.push({ size, pure: pure.figures, table: table.figures, tablePeakRssMb: table.peakRssMb });
  }

  const memory = await measureMemoryFigures({ replayFileMb: options.replayMb, seed, heapMb: PRODUCTION_HEAP_MB, semiSpaceMb: PRODUCTION_SEMI_SPACE_MB, say });
  const result: BenchResult = { machine: describeMachine(), recordsPerInvocation: RECORDS_PER_BODY * 100, cachePartitions, asn, coldImport, sizes: results, memory, elapsedMs: nowMs() - started };
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  for (const line of formatReport(result)) out(line);
  // Full figures for docs/performance.md; .bench/ is not committed.
  const folder = join(packageRoot(__dirname), '.bench');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'last-run.json'), `${JSON.stringify(result, null, 2)}\n`);
  out(JSON.stringify(finalFigures(result)));
  return 0;
}

/**
 * The heap ceiling production runs with (infra/modules/functionApp.bicep sets NODE_OPTIONS from
 * `nodeHeapMb`). The Table Storage job, which streams the whole run the way a function instance
 * does and reports peak RSS, runs under it; the pure jobs hold every body in memory for repeated
 * passes (a harness need, not the product's) and run without it.
 */
export const PRODUCTION_HEAP_MB = 384;

/**
 * The young-generation size production runs with (`nodeSemiSpaceMb`, NODE_OPTIONS
 * --max-semi-space-size). It changes what garbage collection costs per record, so every measured
 * process runs with it: the floor and the pipelines alike.
 */
export const PRODUCTION_SEMI_SPACE_MB = 32;

/** Runs one job in a fresh `node --expose-gc` process; its progress is passed through to stderr. */
function runWorker(job: WorkerJob): Promise<WorkerResult> {
  const worker = join(__dirname, '..', 'bench', 'worker.js');
  return new Promise((resolve, reject) => {
    const heap = job.mode === 'table' ? [`--max-old-space-size=${PRODUCTION_HEAP_MB}`] : [];
    const v8Flags = [`--max-semi-space-size=${PRODUCTION_SEMI_SPACE_MB}`, ...heap];
    let lastLine = '';
    const child = execFile(process.execPath, ['--expose-gc', ...v8Flags, worker, JSON.stringify(job)], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      if (error) {
        // The worker's own last line says why; execFile's message would repeat its whole command line.
        const why = lastLine.replace(/^bench worker: /, '') || (error.signal ? `ended by ${error.signal}` : `exit ${String(error.code)}`);
        reject(new Error(`the ${job.mode === 'pure' ? 'in-memory' : 'Table Storage'} measurement of ${job.size.records.toLocaleString('en-US')} records failed: ${why}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as WorkerResult);
      } catch (parseError) {
        reject(new Error(`bench worker (${job.mode}): unreadable result: ${parseError instanceof Error ? parseError.message : String(parseError)}`));
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      const lines = text.split('\n').filter((line) => line.trim() !== '');
      if (lines.length > 0) lastLine = lines[lines.length - 1]!;
      // Progress passes through; the failure line is reported once, by the bench.
      process.stderr.write(text.split('\n').filter((line) => !line.startsWith('bench worker: ')).join('\n'));
    });
  });
}
