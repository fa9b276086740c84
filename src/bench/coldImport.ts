import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../adapters/asnData';
import { median } from './measure';

const execFileAsync = promisify(execFile);

/**
 * Settings the functions entry validates at import: a complete, valid production configuration
 * with contoso names. Nothing is contacted at import, so nothing here has to exist.
 */
export const COLD_IMPORT_ENV: Readonly<Record<string, string>> = {
  TOKENWATCH_EVENTHUB__fullyQualifiedNamespace: 'contoso-tw.servicebus.windows.net',
  TOKENWATCH_AUDIT_HUB: 'entra-audit',
  TOKENWATCH_ENDPOINT_HUB: 'endpoint-telemetry',
  TOKENWATCH_TABLE_ENDPOINT: 'https://contosotw.table.core.windows.net',
  TOKENWATCH_DCR_ENDPOINT: 'https://dcr-contoso.westeurope-1.ingest.monitor.azure.com',
  TOKENWATCH_DCR_IMMUTABLE_ID: 'dcr-00112233445566778899aabbccddeeff',
};

export interface ColdImportRun {
  /** `require()` of the entry, timed inside the child: what our code and its dependencies cost. */
  readonly importMs: number;
  /** Process uptime when the import returned: node's own start-up plus the import. */
  readonly readyMs: number;
}

export interface ColdImportFigures {
  readonly importMs: number;
  readonly readyMs: number;
  readonly runs: readonly ColdImportRun[];
}

// Runs in the child: time the require, print one JSON line.
const CHILD_SCRIPT = [
  'const started = process.hrtime.bigint();',
  'require(process.argv[1]);',
  'const importMs = Number(process.hrtime.bigint() - started) / 1e6;',
  'process.stdout.write(JSON.stringify({ importMs, readyMs: process.uptime() * 1000 }) + "\\n");',
].join('\n');

export function functionsEntry(): string {
  return join(packageRoot(__dirname), 'dist', 'functions', 'index.js');
}

/** Imports the built functions entry in `runs` fresh node processes, one after another; medians. */
export async function measureColdImport(runs = 5, entry = functionsEntry()): Promise<ColdImportFigures> {
  const results: ColdImportRun[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await execFileAsync(process.execPath, ['-e', CHILD_SCRIPT, entry], {
      // Only what a host would have: no inherited TOKENWATCH_* settings from the shell.
      env: { PATH: process.env['PATH'] ?? '', ...COLD_IMPORT_ENV },
      timeout: 30_000,
    });
    results.push(parseChildLine(stdout));
  }
  return { importMs: median(results.map((r) => r.importMs)), readyMs: median(results.map((r) => r.readyMs)), runs: results };
}

function parseChildLine(stdout: string): ColdImportRun {
  const line = stdout.trim().split('\n').pop() ?? '';
  const parsed = JSON.parse(line) as Partial<ColdImportRun>;
  if (typeof parsed.importMs !== 'number' || typeof parsed.readyMs !== 'number') throw new Error(`cold import: unexpected child output: ${line.slice(0, 200)}`);
  return { importMs: parsed.importMs, readyMs: parsed.readyMs };
}
