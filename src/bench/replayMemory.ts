import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchBodies } from '../demo/benchStream';
import { nowMs, perSecond } from './measure';
import { USAGE_FILE_ENV, type ProcessUsage } from './peakRssAtExit';

/**
 * `tokenwatch replay` over one large NDJSON file, as an operator runs it: the built CLI in a
 * process of its own (its peak RSS and CPU read by a preloaded module, peakRssAtExit.ts), the file
 * generated first into the system's temporary folder, streamed to disk body by body, and deleted
 * afterwards. The replay streams the file (`--batch-size`: records are read as invocations need
 * them), so its memory is bounded by an invocation and the detector's state, not by the file.
 */
export interface ReplayMemoryFigures {
  /** Size of the generated file in MiB (REPLAY_FILE_MB unless `--replay-mb`), and what it held. */
  readonly fileMb: number;
  readonly records: number;
  readonly identities: number;
  readonly batchSize: number;
  readonly generateMs: number;
  readonly replayMs: number;
  readonly recordsPerSec: number;
  readonly peakRssMb: number;
  readonly cpuMs: number;
}

/**
 * 2 GiB: the size the issue asks to replay in bounded memory. On the 2-core benchmark machine it
 * takes about 2 minutes (41 s to generate, 78 s to replay 1,029,920 records); `--replay-mb` makes a
 * quick run smaller, and the report and the JSON line say the size used (`replayFileMb`).
 */
export const REPLAY_FILE_MB = 2048;
/** 10,000 identities: twice the bench's first size, so the state grows through the file. */
const IDENTITIES = 10_000;
/** 20 records per line (an Event Hub body per line, as the bench's invocations), 2,000 per replay invocation. */
const RECORDS_PER_LINE = 20;
const BATCH_SIZE = 2_000;
/** Records asked of the generator per MiB of file: more than a MiB holds at the bench stream's ~2.1 KB per record (~500), so the file reaches its size first. */
const RECORDS_PER_MB = 600;

export async function measureReplayMemory(options: { readonly fileMb: number; readonly seed: number; readonly cliPath: string; readonly say: (line: string) => void }): Promise<ReplayMemoryFigures> {
  const folder = mkdtempSync(join(tmpdir(), 'tokenwatch-replay-bench-'));
  try {
    const file = join(folder, 'audit.ndjson');
    options.say(`replay: generating a ${options.fileMb} MiB NDJSON file (${IDENTITIES.toLocaleString('en-US')} identities) in ${tmpdir()}`);
    const generateStarted = nowMs();
    const records = await writeNdjson(file, options.fileMb * 1024 * 1024, options.seed);
    const generateMs = nowMs() - generateStarted;
    options.say(`replay: tokenwatch replay of ${records.toLocaleString('en-US')} records, --batch-size ${BATCH_SIZE}, memory store`);
    const usageFile = join(folder, 'usage.json');
    const started = nowMs();
    await runReplay(options.cliPath, [file, '--batch-size', String(BATCH_SIZE), '--out', join(folder, 'alerts.ndjson')], usageFile);
    const replayMs = nowMs() - started;
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as ProcessUsage;
    return {
      fileMb: statSync(file).size / (1024 * 1024),
      records,
      identities: IDENTITIES,
      batchSize: BATCH_SIZE,
      generateMs,
      replayMs,
      recordsPerSec: perSecond(records, replayMs),
      peakRssMb: usage.peakRssMb,
      cpuMs: usage.cpuMs,
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Writes bench-stream bodies, one per line, until the file reaches `bytes`; returns the records written. */
async function writeNdjson(file: string, bytes: number, seed: number): Promise<number> {
  const out = createWriteStream(file);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  let written = 0;
  let records = 0;
  const stream = benchBodies({ seed, records: Math.max(200_000, Math.ceil((bytes / (1024 * 1024)) * RECORDS_PER_MB)), identities: IDENTITIES, recordsPerBody: RECORDS_PER_LINE, endpointRecords: 0 });
  for (const body of stream) {
    if (written >= bytes) break;
    const line = `${body.text}\n`;
    written += Buffer.byteLength(line);
    records += body.records;
    // Back-pressure: wait for the disk rather than hold the file in memory.
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await done;
  return records;
}

function runReplay(cliPath: string, args: readonly string[], usageFile: string): Promise<void> {
  const preload = join(__dirname, 'peakRssAtExit.js');
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['--require', preload, cliPath, 'replay', ...args], { env: { ...process.env, [USAGE_FILE_ENV]: usageFile }, maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`replay failed: ${stderr.trim().split('\n').slice(-3).join(' ') || error.message}`));
      else resolve();
    });
    child.stdin?.end();
  });
}
