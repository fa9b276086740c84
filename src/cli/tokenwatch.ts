#!/usr/bin/env node
/**
 * `tokenwatch`, the command line: `--help`, `--version`, and the commands (commandSpecs.ts), each
 * with its own flags and `--help`. The modules of demo, baseline, backfill and bench are loaded
 * only when they run (their generators and clients are not needed by replay). Exit status: 0
 * done, 1 failed (one line that says why, and what to do where that is known), 2 the command line
 * is wrong; a stack trace only with `--debug`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../adapters/asnData';
import { MAX_BACKFILL_DAYS } from '../core/workspaceRows/backfillMark';
import type { BackfillCommandOptions } from './backfill';
import { boundedLine, describeFailure, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './cliErrors';
import { processIo, tableWidthOf, type CliIo } from './cliIo';
import { decimalWholeNumber, formatCommandHelp, isoTimeFlag, parseCommandLine, stringFlag, withoutSecrets, type CommandLine, type CommandSpec } from './commandLine';
import { COMMANDS, formatOverview } from './commandSpecs';
import { benchOptionsFromFlags } from './benchFlags';
import { writeReason } from './outputFile';
import { runReplayCommand } from './replayCommand';
import { checkStoreFlag, checkTableFlag } from './stateTable';
import { printable } from './terminalText';

export { UsageError } from './cliErrors';

/** The package's version, from its package.json (dist/src/cli/ and src/cli/ both find it above them). */
export function version(): string {
  const manifest = JSON.parse(readFileSync(path.join(packageRoot(__dirname), 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const out = (text: string): void => void io.stdout.write(`${text}\n`);
  const err = (text: string): void => void io.stderr.write(`${text}\n`);
  const debug = argv.includes('--debug');
  // `--debug` may come before the command too.
  const [first, ...rest] = argv[0] === '--debug' ? argv.slice(1) : argv;
  let command: string | undefined;
  try {
    if (first === undefined) {
      err(formatOverview(version()));
      return EXIT_USAGE;
    }
    if (first === '--version' || first === '-V') {
      out(`tokenwatch ${version()}`);
      return EXIT_OK;
    }
    if (first === '--help' || first === '-h' || (first === 'help' && rest.length === 0)) {
      out(formatOverview(version()));
      return EXIT_OK;
    }
    if (first === 'help') {
      out(formatCommandHelp(commandSpec(rest[0]!)));
      return EXIT_OK;
    }
    const spec = commandSpec(first);
    command = first;
    const line = parseCommandLine(spec, rest);
    if (line.flags['help'] === true) {
      out(formatCommandHelp(spec));
      return EXIT_OK;
    }
    return await run(first, line, io);
  } catch (error) {
    const prefix = `tokenwatch${command ? ` ${command}` : ''}: `;
    if (error instanceof UsageError) {
      err(`${prefix}${printable(boundedLine(error.message))}`);
      err(`  see: tokenwatch ${command ? `${command} ` : ''}--help`);
      return EXIT_USAGE;
    }
    // The first line may quote a record, a file or an argument: control characters are shown, not sent.
    describeFailure(error, debug).forEach((text, i) => err(i === 0 ? `${prefix}${printable(text)}` : text));
    return EXIT_FAILURE;
  }
}

function commandSpec(name: string): CommandSpec {
  const spec = COMMANDS.get(name);
  if (spec) return spec;
  if (name.startsWith('-')) throw new UsageError(`${name} is not a command: the command comes first (tokenwatch <command> [options])`);
  throw new UsageError(`unknown command "${name}"; the commands are ${[...COMMANDS.keys()].join(', ')}`);
}

async function run(command: string, line: CommandLine, io: CliIo): Promise<number> {
  const flag = (name: string): string | undefined => stringFlag(line, name);
  switch (command) {
    case 'replay':
      return runReplayCommand(line, io);
    case 'demo': {
      const store = flag('store') ?? 'azurite';
      if (store !== 'memory' && store !== 'azurite') throw new UsageError(`--store takes memory or azurite for the demo, not "${withoutSecrets(store)}"`);
      const { runDemo } = require('./demo') as typeof import('./demo');
      return runDemo({ store, out: flag('out') }, { write: (text) => void io.stdout.write(`${text}\n`), width: tableWidthOf(io) });
    }
    case 'baseline': {
      const store = flag('store');
      const tenant = flag('tenant');
      const identity = flag('identity');
      if (!store || !tenant || !identity) throw new UsageError('baseline needs --store, --tenant and --identity');
      if (store === 'memory' || store === 'azurite') throw new UsageError('baseline reads a state table that exists: give its endpoint or connection string in --store');
      checkStoreFlag(store, { memory: false, azurite: false });
      const table = checkTableFlag(flag('table'));
      const at = flag('at');
      const atMs = at !== undefined ? isoTimeFlag(at) : io.now();
      if (atMs === undefined) throw new UsageError(`--at must be an ISO time with its zone, such as 2026-12-01T08:30:00Z, or a date (UTC midnight), not "${at}"`);
      if (!GUID.test(tenant)) throw new UsageError(`--tenant must be a tenant id (a GUID), not "${printable(tenant)}"`);
      const { loadIdentityBaseline, formatIdentityBaseline, ledgerShardsSetting } = require('./baseline') as typeof import('./baseline');
      const shards = ledgerShardsSetting(io.env);
      const { openStateTable } = require('./stateTable') as typeof import('./stateTable');
      // 30 days: the baseline's training window.
      const found = await loadIdentityBaseline(openStateTable(store, table), tenant, identity, atMs, 30 * 86_400_000, shards);
      if (!found) {
        // Echoed arguments are printable: a terminal escape in --identity must not reach the terminal.
        io.stderr.write(`tokenwatch baseline: tenant ${printable(tenant)} has no Managed Identity "${printable(identity)}" in its catalog\n`);
        return EXIT_FAILURE;
      }
      for (const text of formatIdentityBaseline(found, atMs)) io.stdout.write(`${text}\n`);
      return EXIT_OK;
    }
    case 'backfill': {
      const options = backfillOptionsFromFlags(line.operands, line.flags);
      const { runBackfillCommand } = require('./backfill') as typeof import('./backfill');
      await runBackfillCommand(options, { err: (text) => void io.stderr.write(`${text}\n`), out: (text) => void io.stdout.write(`${text}\n`) });
      return EXIT_OK;
    }
    case 'bench': {
      const options = benchOptionsFromFlags(line);
      const { runBench } = require('./bench') as typeof import('./bench');
      return runBench(options);
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `backfill`'s options from its flags (30 days unless told otherwise: the baseline's training window); a usage error names what is wrong. */
export function backfillOptionsFromFlags(positional: readonly string[], flags: Readonly<Record<string, string | true>>): BackfillCommandOptions {
  if (positional.length > 0) throw new UsageError(`backfill takes no file arguments (got "${positional[0]}")`);
  const value = (name: string): string | undefined => (typeof flags[name] === 'string' ? flags[name] : undefined);
  const workspace = value('workspace');
  const store = value('store');
  if (!workspace || !store) throw new UsageError('backfill needs --workspace <workspace id> and --store <table endpoint | connection string | azurite | memory>');
  if (!GUID.test(workspace)) throw new UsageError(`--workspace must be the Log Analytics workspace id (the customer id, a GUID), not "${workspace}"`);
  checkStoreFlag(store, { memory: true, azurite: true });
  const days = value('days') === undefined ? MAX_BACKFILL_DAYS : decimalWholeNumber(value('days'));
  if (days === undefined || days < 1 || days > MAX_BACKFILL_DAYS) throw new UsageError(`--days must be a whole number from 1 to ${MAX_BACKFILL_DAYS}, not "${value('days')}"`);
  return { workspaceId: workspace, days, store, table: checkTableFlag(value('table')), serviceTagsFile: value('service-tags'), allowlistFile: value('allowlist') };
}

/** The signals that end a run, and the exit status a shell gives them (128 + the signal's number). */
const EXIT_SIGNALS: readonly (readonly [NodeJS.Signals, number])[] = [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
];

if (require.main === module) {
  // `tokenwatch replay … | head`: a closed pipe ends the output, not the run with a stack trace.
  // Any other failure to write the output (a full disk) is one line and exit 1.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT_OK);
    process.stderr.write(`tokenwatch: writing to standard output failed (${writeReason(error)})\n`);
    process.exit(EXIT_FAILURE);
  });
  // Progress and warnings are a courtesy: a closed or full stderr must not end the run before its
  // alerts are written (to stdout or --out).
  process.stderr.on('error', () => undefined);
  // Ctrl-C, `kill` and a closed terminal end the run through process.exit, so 'exit' handlers run:
  // the demo's scratch folder is removed and an Azurite the run started is stopped, not orphaned.
  for (const [signal, code] of EXIT_SIGNALS) process.once(signal, () => process.exit(code));
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // The run is over: exit once what it wrote is flushed, not when the event loop empties. The
    // Azure SDK's HTTP client clears a request's timeout timer only when a response comes, so a
    // request that failed to connect (a mistyped --store) held the process 30 s after its message.
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}
