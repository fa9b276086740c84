#!/usr/bin/env node
import { MAX_BACKFILL_DAYS } from '../core/workspaceRows/backfillMark';
import { formatCounts } from './alertTable';
import type { BackfillCommandOptions } from './backfill';
import { replay, type ReplaySummary } from './replay';

const USAGE = `tokenwatch — detect stolen cloud workload tokens

  tokenwatch replay <files or folders…> [--out alerts.ndjson] [--store memory|azurite|<table endpoint>]
                    [--batch-size N] [--allowlist file] [--theft-allowlist file] [--service-tags file]
      Feeds Event Hub bodies (.json), NDJSON records (.ndjson, .log) or arrays through the same pipeline
      as the functions. Alert rows go to --out (NDJSON) or stdout; a summary goes to stderr.
  tokenwatch demo [--store memory|azurite] [--out alerts.ndjson]
      Generates a 45-day demo tenant and endpoint telemetry, replays them through Table Storage
      (Azurite started from node_modules) and prints the alerts.
  tokenwatch baseline --store <table endpoint or connection string> --tenant <id> --identity <object id, app id or name>
                      [--table TokenWatchState] [--at <ISO time>]
      Prints what the remote-use detector learned about one Managed Identity: ASNs, IPs and Azure regions
      with first and last seen, networks caught replaying its tokens, open dedup states.
  tokenwatch backfill --workspace <workspace id> --store <table endpoint | connection string | azurite | memory>
                      [--days 30] [--table TokenWatchState] [--service-tags file] [--allowlist file]
      Replays the last N days (1 to 30, default 30) of the workspace's Entra, Activity, Graph, Key Vault and
      Storage logs into the state table without raising alerts, so alerts start on the first live batch.
      Progress (slices, rows, rows/s, ETA) goes to stderr, what the history would have raised to stdout.
      Resumes where it stopped; once finished, running it again changes nothing.
  tokenwatch bench [--records N] [--identities N]
      Measures throughput, table transactions and memory (see docs/performance.md).`;

export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Record<string, string>;
}

const FLAGS_WITH_VALUES = new Set(['out', 'store', 'batch-size', 'allowlist', 'theft-allowlist', 'service-tags', 'records', 'identities', 'seed', 'tenant', 'identity', 'table', 'at', 'workspace', 'days']);

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      if (FLAGS_WITH_VALUES.has(name)) {
        const value = inline ?? argv[++i];
        if (value === undefined) throw new UsageError(`--${name} needs a value`);
        flags[name] = value;
      } else if (name === 'help') flags['help'] = 'true';
      else throw new UsageError(`unknown option --${name}`);
    } else positional.push(arg);
  }
  return { positional, flags };
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `backfill`'s options from its flags (30 days unless told otherwise: the baseline's training window); a usage error names what is wrong. */
export function backfillOptionsFromFlags(positional: readonly string[], flags: Readonly<Record<string, string>>): BackfillCommandOptions {
  if (positional.length > 0) throw new UsageError(`backfill takes no file arguments (got "${positional[0]}")`);
  const { workspace, store } = flags;
  if (!workspace || !store) throw new UsageError('backfill needs --workspace <workspace id> and --store <table endpoint | connection string | azurite | memory>');
  if (!GUID.test(workspace)) throw new UsageError(`--workspace must be the Log Analytics workspace id (the customer id, a GUID), not "${workspace}"`);
  const days = flags['days'] === undefined ? MAX_BACKFILL_DAYS : Number(flags['days']);
  if (!Number.isInteger(days) || days < 1 || days > MAX_BACKFILL_DAYS) throw new UsageError(`--days must be a whole number from 1 to ${MAX_BACKFILL_DAYS}, not "${flags['days']}"`);
  return { workspaceId: workspace, days, store, table: flags['table'] ?? 'TokenWatchState', serviceTagsFile: flags['service-tags'], allowlistFile: flags['allowlist'] };
}

export function printSummary(summary: ReplaySummary, write: (line: string) => void): void {
  write(`files ${summary.files}, records ${summary.records}, invocations ${summary.invocations}, ${Math.round(summary.elapsedMs)} ms`);
  write(`records by category: ${formatCounts(summary.byCategory)}`);
  write(`rejects by reason: ${formatCounts(summary.rejectsByReason)}`);
  write(`alerts by severity: ${formatCounts(summary.alertsBySeverity)}; by detector: ${formatCounts(summary.alertsByDetector)}; suppressed by dedup: ${summary.suppressed}`);
  if (summary.tableRequests !== undefined) write(`table storage requests: ${summary.tableRequests}, state rows changed: ${summary.stateChanges}`);
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const args = parseArgs(rest);
  if (!command || args.flags['help'] || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  switch (command) {
    case 'replay': {
      if (args.positional.length === 0) throw new UsageError('replay needs at least one file or folder');
      const batchSize = args.flags['batch-size'] !== undefined ? Number(args.flags['batch-size']) : undefined;
      if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) throw new UsageError('--batch-size must be a positive whole number');
      const summary = await replay({
        inputs: args.positional,
        out: args.flags['out'],
        store: args.flags['store'],
        batchSize,
        allowlistFile: args.flags['allowlist'],
        theftAllowlistFile: args.flags['theft-allowlist'],
        serviceTagsFile: args.flags['service-tags'],
      });
      printSummary(summary, err);
      return 0;
    }
    case 'demo': {
      // Loaded on demand: the generators are not needed by replay.
      const { runDemo } = require('./demo') as typeof import('./demo');
      return runDemo({ store: args.flags['store'] ?? 'azurite', out: args.flags['out'] });
    }
    case 'baseline': {
      const { store, tenant, identity } = args.flags;
      if (!store || !tenant || !identity) throw new UsageError('baseline needs --store, --tenant and --identity');
      if (store === 'memory' || store === 'azurite') throw new UsageError('baseline reads a state table that exists: give its endpoint or connection string in --store');
      const atMs = args.flags['at'] !== undefined ? Date.parse(args.flags['at']) : Date.now();
      if (Number.isNaN(atMs)) throw new UsageError('--at must be an ISO time such as 2026-12-01T00:00:00Z');
      const { loadIdentityBaseline, formatIdentityBaseline } = require('./baseline') as typeof import('./baseline');
      const { openStateTable } = require('./stateTable') as typeof import('./stateTable');
      const found = await loadIdentityBaseline(openStateTable(store, args.flags['table'] ?? 'TokenWatchState'), tenant, identity, atMs, 30 * 86_400_000);
      if (!found) {
        err(`tokenwatch: tenant ${tenant} has no Managed Identity "${identity}" in its catalog`);
        return 1;
      }
      for (const line of formatIdentityBaseline(found, atMs)) process.stdout.write(`${line}\n`);
      return 0;
    }
    case 'backfill': {
      // Loaded on demand, like the other commands' modules (the query client is not needed by replay).
      const options = backfillOptionsFromFlags(args.positional, args.flags);
      const { runBackfillCommand } = require('./backfill') as typeof import('./backfill');
      await runBackfillCommand(options, { err, out: (line) => void process.stdout.write(`${line}\n`) });
      return 0;
    }
    case 'bench': {
      const { runBench } = require('./bench') as typeof import('./bench');
      return runBench(args.flags);
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`tokenwatch: ${error instanceof Error ? error.message : String(error)}\n`);
      if (error instanceof UsageError) process.stderr.write(`${USAGE}\n`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}
