/**
 * Preloaded into a process the bench measures but does not write (`node --require
 * peakRssAtExit.js dist/src/cli/tokenwatch.js replay …`): at exit it writes the process's own peak
 * RSS and CPU time to the file TOKENWATCH_BENCH_USAGE_FILE names, since a parent cannot read a
 * child's resource usage in Node.
 */
import { writeFileSync } from 'node:fs';
import { cpuMs, peakRssMb } from './measure';

/** The environment variable naming the file the usage is written to. */
export const USAGE_FILE_ENV = 'TOKENWATCH_BENCH_USAGE_FILE';

export interface ProcessUsage {
  readonly peakRssMb: number;
  readonly cpuMs: number;
}

const target = process.env[USAGE_FILE_ENV];
if (target) {
  process.on('exit', () => {
    const usage: ProcessUsage = { peakRssMb: peakRssMb(), cpuMs: cpuMs() };
    writeFileSync(target, JSON.stringify(usage));
  });
}
