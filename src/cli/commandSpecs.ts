/**
 * The `tokenwatch` commands: each one's flags and help, read by the parser and the help alike
 * (see commandLine.ts). `bench` declares its own in benchFlags.ts.
 */
import { MAX_BACKFILL_DAYS } from '../core/workspaceRows/backfillMark';
import { BENCH_COMMAND } from './benchFlags';
import type { CommandSpec, FlagSpec } from './commandLine';
import { wrapText } from './wrapText';

const STORE_FORMS = 'an https table endpoint (signed in with your Azure identity) or a connection string';

const SETTINGS_FLAGS = {
  allowlist: { value: 'FILE', help: 'the remote-use allowlist (JSON: CIDRs and ASNs usual for the tenant or for one identity)' },
  'service-tags': { value: 'FILE', help: 'the Azure service tags (ServiceTags_Public_YYYYMMDD.json; the date in the name dates them): Azure addresses by region' },
} as const satisfies Record<string, FlagSpec>;

export const REPLAY_COMMAND: CommandSpec = {
  name: 'replay',
  summary: 'Feeds log files through the same pipeline as the functions and prints the alerts.',
  operands: '<files, folders or ->…',
  minOperands: 1,
  description: [
    'Reads Event Hub bodies (.json), NDJSON records (.ndjson, .jsonl, .log), and Log Analytics exports (.csv, query results, arrays of rows), each also gzipped (.ndjson.gz), in UTF-8 or UTF-16 with its byte-order mark; "-" reads standard input (NDJSON, one JSON document, or a CSV export; gzipped too). Entra and Azure records go to the remote-use detector, endpoint telemetry to the theft detector.',
    'Files are read in name order and a folder is walked in name order: name files in time order. When event time runs backwards across files by more than the lateness allowance (2 days; for endpoint telemetry the dedup window, 5 days), a warning names the files.',
    'Alert rows go to --out or stdout; progress (on a terminal), warnings and the summary go to stderr. Exits 1 when nothing could be read.',
  ],
  flags: {
    out: { value: 'FILE', help: 'write the alerts to FILE instead of stdout (- is stdout)' },
    format: { value: 'ndjson|table', help: 'the alerts as NDJSON rows (default) or a table: most severe first, then by time, each Reason in full, wrapped to the terminal width' },
    rejects: { value: 'FILE', help: 'write every rejected record to FILE as NDJSON: reason, detail, origin (file:line), a sample of the input (at most 4 KiB)' },
    store: { value: 'STORE', help: `where the detectors' state lives: memory (default), azurite (started from node_modules), ${STORE_FORMS}` },
    'batch-size': { value: 'N', help: 'records per invocation (default: one invocation per file); with it, files are read as they are needed' },
    ...SETTINGS_FLAGS,
    'theft-allowlist': { value: 'FILE', help: 'the theft allowlist (JSON: trusted agents to add or disable, applications allowed on some hosts)' },
    'usual-external': { value: 'alert|exposure', help: "what a use from an identity's usual network outside Azure becomes: a Low alert every dedup window (alert, default) or one RemoteTokenUseExposure row per identity and day (exposure), as TOKENWATCH_USUAL_EXTERNAL" },
    tenant: { value: 'ID', help: 'the tenant to judge records that name none in (Key Vault AuditEvent, sign-in rows without AADTenantId), as TOKENWATCH_HOME_TENANT_ID; default: the one tenant the earlier records name, while they name one only' },
  },
};

export const DEMO_COMMAND: CommandSpec = {
  name: 'demo',
  summary: 'Replays a generated 45-day tenant and endpoint telemetry, prints the alerts and checks them against what was planted.',
  operands: '',
  minOperands: 0,
  description: ['Exits 0 when every planted story behaved as planted, 1 when one did not.'],
  flags: {
    store: { value: 'memory|azurite', help: 'where the state lives: azurite (default; started from node_modules, in memory) or memory' },
    out: { value: 'FILE', help: 'also write the alert rows to FILE as NDJSON' },
  },
};

export const BASELINE_COMMAND: CommandSpec = {
  name: 'baseline',
  summary: 'Prints what the remote-use detector learned about one Managed Identity.',
  operands: '',
  minOperands: 0,
  description: ['ASNs, IPs and Azure regions with first and last seen, the networks caught replaying its tokens, and its open dedup states, read from the state table.'],
  flags: {
    store: { value: 'STORE', help: `the state table's account: ${STORE_FORMS} (required)` },
    tenant: { value: 'ID', help: 'the tenant id (required)' },
    identity: { value: 'ID|NAME', help: "the identity's object id, app id or name (required)" },
    table: { value: 'NAME', help: 'the state table (default TokenWatchState)' },
    at: { value: 'TIME', help: 'judge the baseline as of this time: ISO 8601 with its zone, or a date for UTC midnight (default now)' },
  },
};

export const BACKFILL_COMMAND: CommandSpec = {
  name: 'backfill',
  summary: "Replays a workspace's last days of logs into the state table, raising nothing, so alerts start on the first live batch.",
  operands: '',
  minOperands: 0,
  description: [
    `Reads up to ${MAX_BACKFILL_DAYS} days of the workspace's Entra, Activity, Graph, Key Vault and Storage logs. Progress (slices, rows, rows/s, ETA) goes to stderr, what the history would have raised to stdout. Resumes where it stopped; once finished, running it again changes nothing.`,
  ],
  flags: {
    workspace: { value: 'ID', help: 'the Log Analytics workspace id (the customer id, a GUID; required)' },
    store: { value: 'STORE', help: `the state table's account: ${STORE_FORMS}, azurite or memory (a dry run) (required)` },
    days: { value: 'N', help: `days to read, 1 to ${MAX_BACKFILL_DAYS} (default ${MAX_BACKFILL_DAYS}: the baseline's training window)` },
    table: { value: 'NAME', help: 'the state table (default TokenWatchState)' },
    ...SETTINGS_FLAGS,
  },
};

/** Every command by name, in the order the overview lists them. */
export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map([REPLAY_COMMAND, DEMO_COMMAND, BASELINE_COMMAND, BACKFILL_COMMAND, BENCH_COMMAND].map((spec) => [spec.name, spec]));

export function formatOverview(version: string): string {
  const names = [...COMMANDS.keys()];
  const pad = Math.max(...names.map((n) => n.length)) + 2;
  return [
    `tokenwatch ${version}: detects stolen cloud workload tokens`,
    '',
    'Usage: tokenwatch <command> [options]',
    '       tokenwatch <command> --help',
    '       tokenwatch --version',
    '',
    'Commands:',
    ...[...COMMANDS].flatMap(([name, spec]) => wrapText(spec.summary, 96 - pad).map((line, i) => `  ${(i === 0 ? name : '').padEnd(pad)}${line}`)),
    '',
    'Every command takes --help (its flags) and --debug (stack traces on failure).',
    'Exit status: 0 done, 1 failed (the message says why), 2 the command line is wrong.',
  ].join('\n');
}
