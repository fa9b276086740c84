/**
 * `tokenwatch replay` from its parsed command line: flags checked and turned into ReplayOptions,
 * progress and warnings on stderr, the alerts as NDJSON rows or a table, the summary, and the
 * exit status (1 when nothing could be read, or every record read was rejected).
 */
import { closeSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { USUAL_EXTERNAL_MODES, type UsualExternalMode } from '../core/remoteUse/settings';
import { formatAlertTable } from './alertTable';
import { CommandFailure, EXIT_OK, UsageError } from './cliErrors';
import { decimalWholeNumber, stringFlag, type CommandLine } from './commandLine';
import { tableWidthOf, type CliIo } from './cliIo';
import { openOutputFile, writeFailure } from './outputFile';
import { replay } from './replay';
import { ReplayProgress } from './replayProgress';
import { formatReplaySummary, nothingJudged, nothingRead } from './replayReport';
import { checkStoreFlag } from './stateTable';

/** A tenant id: a GUID. */
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const ALERT_FORMATS = ['ndjson', 'table'] as const;

export async function runReplayCommand(line: CommandLine, io: CliIo): Promise<number> {
  const flag = (name: string): string | undefined => stringFlag(line, name);
  const store = checkStoreFlag(flag('store') ?? 'memory', { memory: true, azurite: true });
  const batchSize = flag('batch-size') !== undefined ? decimalWholeNumber(flag('batch-size')) : undefined;
  if (flag('batch-size') !== undefined && (batchSize === undefined || batchSize < 1)) throw new UsageError(`--batch-size must be a positive whole number, not "${flag('batch-size')}"`);
  const format = flag('format') ?? 'ndjson';
  if (!(ALERT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format takes ${ALERT_FORMATS.join(' or ')}, not "${format}"`);
  const usualExternal = flag('usual-external') ?? 'alert';
  if (!(USUAL_EXTERNAL_MODES as readonly string[]).includes(usualExternal)) throw new UsageError(`--usual-external takes ${USUAL_EXTERNAL_MODES.join(' or ')}, not "${usualExternal}"`);
  const tenant = flag('tenant');
  if (tenant !== undefined && !TENANT_ID.test(tenant)) throw new UsageError(`--tenant must be a tenant id (a GUID), not "${tenant}"`);
  // `--out -` is standard output, where the alerts go without --out; the rejects have no such place.
  const out = flag('out') === '-' ? undefined : flag('out');
  if (flag('rejects') === '-') throw new UsageError('--rejects takes a file: standard output carries the alerts');
  const err = (text: string): void => void io.stderr.write(`${text}\n`);

  // The table is written once the replay is over (it is sorted by severity), but its file is opened now: a path that cannot be written fails first.
  const tableFd = format === 'table' && out !== undefined ? openOutputFile('--out', out) : undefined;
  const progress = new ReplayProgress(io.stderr, io.now);
  // Alert rows on the terminal that shows the progress line: the line is cleared before each write.
  const stdout = io.stdout.isTTY && io.stderr.isTTY ? new Writable({
    write(chunk: Buffer, _encoding, done) {
      progress.clear();
      io.stdout.write(chunk, done);
    },
  }) : io.stdout;
  let summary;
  try {
    summary = await replay(
      {
        inputs: line.operands,
        out: format === 'ndjson' ? out : undefined,
        alertsToStdout: format === 'ndjson',
        stdout,
        stdin: io.stdin,
        store,
        batchSize,
        allowlistFile: flag('allowlist'),
        theftAllowlistFile: flag('theft-allowlist'),
        serviceTagsFile: flag('service-tags'),
        usualExternal: usualExternal as UsualExternalMode,
        tenant: tenant?.toLowerCase(),
        rejectsFile: flag('rejects'),
        onProgress: (state) => progress.update(state),
        warn: (text) => progress.log(text),
      },
      io.now,
    );
  } catch (error) {
    if (tableFd !== undefined) closeSync(tableFd);
    throw error;
  } finally {
    progress.finish();
  }
  if (format === 'table') {
    const table = `${formatAlertTable(summary.alerts, tableFd === undefined ? tableWidthOf(io) : undefined)}\n`;
    if (tableFd === undefined) io.stdout.write(table);
    else {
      try {
        writeSync(tableFd, table);
      } catch (error) {
        throw writeFailure('--out', out!, error);
      } finally {
        closeSync(tableFd);
      }
    }
  }
  for (const text of formatReplaySummary(summary, flag('rejects'))) err(text);
  if (nothingRead(summary)) {
    const files = summary.files === 1 ? 'the input file holds' : `the ${summary.files} input files hold`;
    throw new CommandFailure(`nothing read: ${files} no records (empty, or blank lines only)`);
  }
  if (nothingJudged(summary)) {
    const where = flag('rejects') !== undefined ? `each in ${flag('rejects')}` : 'give --rejects FILE to see each';
    throw new CommandFailure(`nothing judged: every record read was rejected (reasons above; ${where})`);
  }
  return EXIT_OK;
}
