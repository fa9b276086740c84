import { appendAll } from '../core/arrays';
import type { AsnFigures } from './asnBench';
import type { BenchStreamSize } from './benchStreamInput';
import type { ColdImportFigures } from './coldImport';
import type { MachineInfo } from './machine';
import type { LargestBatchAttempt, LargestBatchRun } from './largestBatch';
import type { MemoryFigures } from './memoryFigures';
import { round } from './measure';
import type { PureFigures } from './purePhases';
import { REMOTE_USE_STAGES } from './remoteUseStages';
import type { TableFigures, TableRun } from './tablePhases';

export interface SizeResult {
  readonly size: BenchStreamSize;
  readonly pure: PureFigures;
  /** Undefined when the Table Storage phase was skipped to keep the bench short (see `tableSkipped`). */
  readonly table: TableFigures | undefined;
  readonly tableSkipped?: string;
  /** Peak RSS of the process that streamed this size through TableStateStore. */
  readonly tablePeakRssMb: number | undefined;
}

export interface BenchResult {
  readonly machine: MachineInfo;
  readonly recordsPerInvocation: number;
  readonly cachePartitions: number;
  readonly asn: AsnFigures;
  readonly coldImport: ColdImportFigures;
  /** The first size is the one the final figures come from. */
  readonly sizes: readonly SizeResult[];
  /** The largest batch and the large replay (memoryFigures.ts); absent when not measured. */
  readonly memory?: MemoryFigures | undefined;
  readonly elapsedMs: number;
}

/** The one-line summary: the keys plus the once-a-day cost, from the first size. */
export interface FinalFigures {
  /** JSON.parse timed interleaved with the remote-use pipeline, invocation by invocation. */
  readonly parseFloorRecordsPerSec: number;
  readonly remoteUseRecordsPerSec: number;
  readonly theftRecordsPerSec: number;
  /** JSON.parse of the endpoint bodies (the theft pipeline's own floor, interleaved as the remote-use one), and the theft rate over it. */
  readonly theftParseFloorRecordsPerSec: number;
  readonly theftToFloorRatio: number;
  /** The endpoint parse in a tight loop, and the theft rate over it (no target: for comparison). */
  readonly theftParseFloorTightLoopRecordsPerSec: number;
  readonly theftToTightLoopFloorRatio: number;
  readonly pipelineToFloorRatio: number;
  /** The same parse in a tight loop over the whole stream, and the ratio against it (no target: for comparison). */
  readonly parseFloorTightLoopRecordsPerSec: number;
  readonly pipelineToTightLoopFloorRatio: number;
  readonly azuriteRecordsPerSec: number;
  readonly tableTransactionsPer1kRecords: number;
  readonly naiveTableTransactionsPer1kRecords: number | null;
  /**
   * The once-a-day cost the steady state does not see: Table Storage calls in the day-start phase
   * (every identity's first uses of the day, which advance last-seen days) per identity.
   */
  readonly dayStartTableTransactionsPerIdentity: number;
  /** Calls per 1,000 records over the whole measured day (day start + steady state) at the bench's density. */
  readonly wholeDayTableTransactionsPer1kRecords: number;
  readonly asnLookupsPerSec: number;
  readonly asnLoadMs: number;
  readonly coldImportMs: number;
  readonly peakRssMb: number;
  /**
   * Peak RSS of one invocation of the largest batch the host delivers (host.json maxEventBatchSize
   * × ~1 MB bodies) through the remote-use handler, under the deployed 384 MB heap; null when not measured.
   */
  readonly largestBatchPeakRssMb: number | null;
  /** `tokenwatch replay` of one generated NDJSON file: its size in MiB, the replay's peak RSS and records/s; null when not measured. */
  readonly replayFileMb: number | null;
  readonly replayPeakRssMb: number | null;
  readonly replayRecordsPerSec: number | null;
}

/** The budget of issue 5, as predicates over the final figures. */
export const TARGETS: readonly { readonly key: keyof FinalFigures; readonly text: string; readonly met: (value: number) => boolean }[] = [
  { key: 'pipelineToFloorRatio', text: '≥ 0.5', met: (v) => v >= 0.5 },
  { key: 'theftToFloorRatio', text: '≥ 0.5', met: (v) => v >= 0.5 },
  { key: 'azuriteRecordsPerSec', text: '≥ 20,000', met: (v) => v >= 20_000 },
  { key: 'tableTransactionsPer1kRecords', text: '≤ 5', met: (v) => v <= 5 },
  { key: 'asnLookupsPerSec', text: '≥ 2,000,000', met: (v) => v >= 2_000_000 },
  { key: 'asnLoadMs', text: '≤ 100', met: (v) => v <= 100 },
  { key: 'coldImportMs', text: '≤ 300', met: (v) => v <= 300 },
  { key: 'peakRssMb', text: '≤ 512', met: (v) => v <= 512 },
];

export function finalFigures(result: BenchResult): FinalFigures {
  const first = result.sizes[0];
  if (!first?.table || first.tablePeakRssMb === undefined) throw new Error('bench: the first size was not measured through Table Storage');
  return {
    parseFloorRecordsPerSec: round(first.pure.parseFloorRecordsPerSec),
    remoteUseRecordsPerSec: round(first.pure.remoteUseRecordsPerSec),
    theftRecordsPerSec: round(first.pure.theftRecordsPerSec),
    theftParseFloorRecordsPerSec: round(first.pure.theftParseFloorRecordsPerSec),
    theftToFloorRatio: round(first.pure.theftToFloorRatio),
    theftParseFloorTightLoopRecordsPerSec: round(first.pure.theftParseFloorTightLoopRecordsPerSec),
    theftToTightLoopFloorRatio: round(first.pure.theftToTightLoopFloorRatio),
    pipelineToFloorRatio: round(first.pure.pipelineToFloorRatio),
    parseFloorTightLoopRecordsPerSec: round(first.pure.parseFloorTightLoopRecordsPerSec),
    pipelineToTightLoopFloorRatio: round(first.pure.pipelineToTightLoopFloorRatio),
    azuriteRecordsPerSec: round(first.table.combined.recordsPerSec),
    tableTransactionsPer1kRecords: round(first.table.combined.requestsPer1kRecords),
    naiveTableTransactionsPer1kRecords: first.table.naive ? round(first.table.naive.requestsPer1kRecords) : null,
    dayStartTableTransactionsPerIdentity: round(first.table.dayStart.requests / first.size.identities),
    wholeDayTableTransactionsPer1kRecords: round(wholeDayPer1k(first.table, first.pure.records.steady)),
    asnLookupsPerSec: round(result.asn.lookupsPerSec),
    asnLoadMs: round(result.asn.loadMs),
    coldImportMs: round(result.coldImport.importMs),
    peakRssMb: round(first.tablePeakRssMb),
    largestBatchPeakRssMb: result.memory ? round(result.memory.largestBatch.sliced.peakRssMb) : null,
    replayFileMb: result.memory ? round(result.memory.replay.fileMb) : null,
    replayPeakRssMb: result.memory ? round(result.memory.replay.peakRssMb) : null,
    replayRecordsPerSec: result.memory ? round(result.memory.replay.recordsPerSec) : null,
  };
}

/**
 * Requests per 1,000 records over the measured day: the day start's requests plus the steady
 * state's. A steady state cut short by its time box is extended at its measured rate to the day's
 * `steadyRecords`, so the once-a-day cost is not spread over a shortened day.
 */
export function wholeDayPer1k(table: TableFigures, steadyRecords: number): number {
  const steady = table.truncated ? Math.max(steadyRecords, table.combined.records) : table.combined.records;
  const records = table.dayStart.records + steady;
  return records > 0 ? (table.dayStart.requests * 1000 + table.combined.requestsPer1kRecords * steady) / records : 0;
}

/** CPU of the bench process per record of a Table Storage run, in µs (0 when nothing ran). */
export function cpuPerRecordUs(run: TableRun): number {
  return run.records > 0 ? (run.cpuMs * 1000) / run.records : 0;
}

const fmt = (value: number): string => round(value).toLocaleString('en-US');

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [row(header, widths), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => row(r, widths))];
}

/** Requests per 1,000 records by partition family, most first. */
function requestsBreakdown({ byTarget, records }: { readonly byTarget: Record<string, number>; readonly records: number }): string {
  const parts = Object.entries(byTarget).sort((a, b) => b[1] - a[1]).map(([target, n]) => `${target} ${fmt((n * 1000) / Math.max(1, records))}`);
  return parts.join(', ') || 'none';
}

/** The readable report: machine, final figures against their targets, both sizes side by side, where the time and the calls go. */
export function formatReport(result: BenchResult): string[] {
  const m = result.machine;
  const final = finalFigures(result);
  const lines: string[] = [];
  lines.push(`TokenWatch benchmark — ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GiB, node ${m.node}, ${m.platform}`);
  lines.push(`invocations of up to 100 Event Hub messages × ${result.recordsPerInvocation / 100} records = ${result.recordsPerInvocation} records; state cache ${fmt(result.cachePartitions)} partitions (production default)`);
  lines.push('');
  const targetOf = new Map(TARGETS.map((t) => [t.key, t]));
  lines.push(
    ...table(
      ['figure', 'value', 'target', ''],
      (Object.keys(final) as (keyof FinalFigures)[]).map((key) => {
        const value = final[key];
        const target = targetOf.get(key);
        return [key, value === null ? 'n/a' : fmt(value), target?.text ?? '', target && value !== null ? (target.met(value) ? 'met' : 'MISSED') : ''];
      }),
    ),
  );
  lines.push('');
  const sizes = result.sizes;
  const header = ['per size', ...sizes.map((s) => `${fmt(s.size.records)} rec / ${fmt(s.size.identities)} MI`)];
  const per = (label: string, value: (s: SizeResult) => string): string[] => [label, ...sizes.map(value)];
  const tab = (label: string, value: (s: SizeResult, t: TableFigures) => string): string[] => per(label, (s) => (s.table ? value(s, s.table) : 'skipped'));
  lines.push(
    ...table(header, [
      per('warm-up records (untimed)', (s) => fmt(s.pure.records.warmUp)),
      per('steady records (audit + endpoint)', (s) => `${fmt(s.pure.records.auditSteady)} + ${fmt(s.pure.records.endpointSteady)}`),
      per('parse floor (interleaved), records/s', (s) => fmt(s.pure.parseFloorRecordsPerSec)),
      per('parse floor (tight loop), records/s', (s) => fmt(s.pure.parseFloorTightLoopRecordsPerSec)),
      per('remote use (memory), records/s', (s) => fmt(s.pure.remoteUseRecordsPerSec)),
      per('theft (memory), records/s', (s) => fmt(s.pure.theftRecordsPerSec)),
      per('theft parse floor (interleaved), records/s', (s) => fmt(s.pure.theftParseFloorRecordsPerSec)),
      per('theft parse floor (tight loop), records/s', (s) => fmt(s.pure.theftParseFloorTightLoopRecordsPerSec)),
      per('theft / its floor', (s) => fmt(s.pure.theftToFloorRatio)),
      per('theft / its tight-loop floor', (s) => fmt(s.pure.theftToTightLoopFloorRatio)),
      per('pipeline / floor', (s) => fmt(s.pure.pipelineToFloorRatio)),
      per('  each pass', (s) => s.pure.pipelineToFloorByPass.map((r) => r.toFixed(3)).join(', ')),
      per('pipeline / tight-loop floor', (s) => fmt(s.pure.pipelineToTightLoopFloorRatio)),
      ...REMOTE_USE_STAGES.map((stage) => per(`  remote use µs/record: ${stage}`, (s) => fmt(s.pure.remoteUseStagesUsPerRecord[stage]))),
      per('alerts (remote use, steady)', (s) => fmt(s.pure.remoteUse.alerts)),
      per('state partitions / rows', (s) => `${fmt(s.pure.memoryState.partitions)} / ${fmt(s.pure.memoryState.rows)}`),
      tab('Azurite records measured', (_s, t) => `${fmt(t.combined.records)}${t.truncated ? ' (time-boxed)' : ''}`),
      tab('Azurite records/s', (_s, t) => fmt(t.combined.recordsPerSec)),
      tab('  remote use / theft records/s', (_s, t) => `${fmt(t.remoteUse.recordsPerSec)} / ${fmt(t.theft.recordsPerSec)}`),
      tab('  CPU of this process, µs/record', (_s, t) => `${fmt(cpuPerRecordUs(t.remoteUse))} / ${fmt(cpuPerRecordUs(t.theft))}`),
      tab('table requests per 1k records', (_s, t) => fmt(t.combined.requestsPer1kRecords)),
      tab('  remote use / theft', (_s, t) => `${fmt(t.remoteUse.requestsPer1kRecords)} / ${fmt(t.theft.requestsPer1kRecords)}`),
      tab('day start (untimed): requests per MI', (s, t) => `${fmt(t.dayStart.requests / s.size.identities)} (${fmt(t.dayStart.records)} records)`),
      tab('whole day: requests per 1k records', (s, t) => fmt(wholeDayPer1k(t, s.pure.records.steady))),
      tab('naive requests per 1k (records)', (_s, t) => (t.naive ? `${fmt(t.naive.requestsPer1kRecords)} (${fmt(t.naive.records)})` : 'not run')),
      tab('peak RSS of the Azurite run, MiB', (s) => fmt(s.tablePeakRssMb ?? 0)),
    ]),
  );
  lines.push('');
  for (const s of sizes) {
    if (!s.table) {
      lines.push(`Table Storage phase of ${fmt(s.size.records)} records skipped: ${s.tableSkipped ?? 'not run'}`);
      continue;
    }
    lines.push(`requests per 1k records by kind and partition family, ${fmt(s.size.records)} records: ${requestsBreakdown(s.table.combined)}`);
    lines.push(`  day start, per 1k of its records: ${requestsBreakdown(s.table.dayStart)}`);
    if (s.table.naive) lines.push(`  naive reference: ${requestsBreakdown(s.table.naive)}`);
  }
  lines.push(`ASN: ${fmt(result.asn.ipv4Ranges)} IPv4 + ${fmt(result.asn.ipv6Ranges)} IPv6 ranges, load ${fmt(result.asn.loadMs)} ms (first ${fmt(result.asn.firstLoadMs)} ms), ${fmt(result.asn.lookupsPerSec)} lookups/s, ${fmt(result.asn.hitRatio * 100)} % of sampled addresses announced`);
  lines.push(`cold import of dist/functions/index.js: ${fmt(result.coldImport.importMs)} ms median of ${result.coldImport.runs.length} (process ready after ${fmt(result.coldImport.readyMs)} ms)`);
  if (result.memory) appendAll(lines, memoryLines(result.memory));
  lines.push(`bench took ${fmt(result.elapsedMs / 1000)} s`);
  return lines;
}

/** The largest batch and the large replay, in words and numbers. */
export function memoryLines({ largestBatch: b, replay: r }: MemoryFigures): string[] {
  const run = (x: LargestBatchRun): string => `peak RSS ${fmt(x.peakRssMb)} MiB (the parsed batch alone ${fmt(x.inputRssMb)} MiB), ${x.slices} slice${x.slices === 1 ? '' : 's'}, ${fmt(x.ms)} ms`;
  const attempt = (x: LargestBatchAttempt): string => (x.ok ? run(x.run) : `failed: ${x.failure}`);
  return [
    `largest batch: ${b.bodies} bodies (host.json maxEventBatchSize) of up to ${fmt(b.largestBodyBytes / 1024)} KiB, ${fmt(b.bodyMb)} MB, ${fmt(b.records)} records over ${fmt(b.identities)} identities, one invocation of the remote-use handler:`,
    `  --max-old-space-size=${b.heapMb}, in slices (as deployed): ${run(b.sliced)}; ${fmt(b.sliced.alerts)} alerts`,
    `  --max-old-space-size=${b.heapMb}, in one pass: ${attempt(b.onePass)}`,
    `  --max-old-space-size=${b.tightHeapMb}, in slices: ${attempt(b.tightSliced)}`,
    `  --max-old-space-size=${b.tightHeapMb}, in one pass: ${attempt(b.tightOnePass)}`,
    `replay: tokenwatch replay of a generated ${fmt(r.fileMb)} MiB NDJSON file (${fmt(r.records)} records, ${fmt(r.identities)} identities, --batch-size ${fmt(r.batchSize)}, memory store): ` +
      `peak RSS ${fmt(r.peakRssMb)} MiB, ${fmt(r.recordsPerSec)} records/s (${fmt(r.replayMs / 1000)} s, CPU ${fmt(r.cpuMs / 1000)} s; generating the file took ${fmt(r.generateMs / 1000)} s)`,
  ];
}
