import { describe, expect, it } from 'vitest';
import type { PureFigures } from '../../src/bench/purePhases';
import { cpuPerRecordUs, finalFigures, formatReport, wholeDayPer1k, type BenchResult } from '../../src/bench/report';
import { combineRuns, type TableRun } from '../../src/bench/tablePhases';

const run = (records: number, requests: number, ms: number): TableRun => ({
  records,
  ms,
  cpuMs: ms / 2,
  recordsPerSec: (records * 1000) / ms,
  requests,
  requestsPer1kRecords: (requests * 1000) / records,
  byKind: { query: requests, read: 0, transaction: 0, write: 0 },
  byTarget: { 'query mi': requests },
});

const pure = {
  identities: 5_000,
  records: { total: 230_000, warmUp: 30_000, steady: 200_000, auditSteady: 180_000, endpointSteady: 20_000 },
  recordsPerInvocation: { audit: 2_000, endpoint: 2_000 },
  parseFloorRecordsPerSec: 300_000,
  parseFloorTightLoopRecordsPerSec: 333_000,
  remoteUseRecordsPerSec: 150_000,
  theftRecordsPerSec: 40_000,
  theftParseFloorRecordsPerSec: 100_000,
  theftToFloorRatio: 0.4,
  theftParseFloorTightLoopRecordsPerSec: 125_000,
  theftToTightLoopFloorRatio: 0.32,
  pipelineToFloorRatio: 0.5,
  pipelineToTightLoopFloorRatio: 0.4505,
  pipelineToFloorByPass: [0.4812, 0.5, 0.5361],
  remoteUseStagesUsPerRecord: { parse: 4, partitionKeys: 1, load: 0.5, detect: 1, commit: 0.1, sinks: 0 },
  remoteUse: { invocations: 90, records: 180_000, alerts: 9, rejects: 0, stateChanges: 100, conflictRetries: 0 },
  theft: { invocations: 10, records: 20_000, alerts: 0, rejects: 0, stateChanges: 0, conflictRetries: 0 },
  memoryState: { partitions: 5_400, rows: 50_000 },
} satisfies PureFigures;

const result: BenchResult = {
  machine: { cpuModel: 'Contoso CPU', cores: 2, memoryGb: 8, node: 'v22.0.0', platform: 'linux' },
  recordsPerInvocation: 2_000,
  cachePartitions: 20_000,
  asn: { loadMs: 8, firstLoadMs: 9, lookupsPerSec: 5_000_000, lookups: 1, hitRatio: 0.8, ipv4Ranges: 1, ipv6Ranges: 1 },
  coldImport: { importMs: 320, readyMs: 340, runs: [] },
  sizes: [
    {
      size: { records: 200_000, identities: 5_000, seed: 1, recordsPerBody: 20 },
      pure,
      table: { warmUpRecords: 55_000, dayStart: { records: 25_000, requests: 12_500, byTarget: { 'transaction mi': 12_000, 'query tok': 500 } }, remoteUse: run(180_000, 540, 6_000), theft: run(20_000, 60, 1_000), combined: run(200_000, 600, 7_000), naive: run(1_000, 3_000, 1_000), truncated: false, warmUpAbandoned: false },
      tablePeakRssMb: 300,
    },
  ],
  elapsedMs: 1_000,
};

describe('bench report', () => {
  it('puts the figures of issue 5 and the once-a-day cost on the final line, from the first size', () => {
    const final = finalFigures(result);
    expect(Object.keys(final).sort()).toEqual(
      [
        'parseFloorRecordsPerSec', 'remoteUseRecordsPerSec', 'theftRecordsPerSec', 'pipelineToFloorRatio', 'azuriteRecordsPerSec', 'tableTransactionsPer1kRecords',
        'theftParseFloorRecordsPerSec', 'theftToFloorRatio', 'theftParseFloorTightLoopRecordsPerSec', 'theftToTightLoopFloorRatio',
        'parseFloorTightLoopRecordsPerSec', 'pipelineToTightLoopFloorRatio',
        'naiveTableTransactionsPer1kRecords', 'asnLookupsPerSec', 'asnLoadMs', 'coldImportMs', 'peakRssMb', 'dayStartTableTransactionsPerIdentity',
        'wholeDayTableTransactionsPer1kRecords',
        'largestBatchPeakRssMb', 'replayFileMb', 'replayPeakRssMb', 'replayRecordsPerSec',
      ].sort(),
    );
    expect(final).toMatchObject({ azuriteRecordsPerSec: 28_571, tableTransactionsPer1kRecords: 3, naiveTableTransactionsPer1kRecords: 3_000, coldImportMs: 320, peakRssMb: 300 });
    // 12,500 day-start calls over 5,000 identities; (12,500 + 600) calls over (25,000 + 200,000) records.
    expect(final.dayStartTableTransactionsPerIdentity).toBe(2.5);
    expect(final.wholeDayTableTransactionsPer1kRecords).toBeCloseTo(58.2, 1);
  });

  it('extends a time-boxed steady state to the whole day at its measured rate', () => {
    const table = result.sizes[0]!.table!;
    // 50,000 of 200,000 steady records measured, 150 calls: 3 per 1,000, as for the full day.
    const cut = { ...table, combined: run(50_000, 150, 2_000), truncated: true };
    expect(wholeDayPer1k(cut, 200_000)).toBeCloseTo((12_500 + 600) / 225, 6);
    expect(wholeDayPer1k({ ...cut, truncated: false }, 200_000)).toBeCloseTo((12_500 + 150) / 75, 6);
  });

  it('marks each target met or missed', () => {
    const lines = formatReport(result);
    expect(lines.find((l) => l.startsWith('coldImportMs'))).toMatch(/≤ 300\s+MISSED$/);
    expect(lines.find((l) => l.startsWith('pipelineToFloorRatio'))).toMatch(/≥ 0.5\s+met$/);
    expect(lines.find((l) => l.startsWith('theftToFloorRatio'))).toMatch(/≥ 0.5\s+MISSED$/);
    // The tight-loop reading is reported for comparison, with no target of its own.
    expect(lines.find((l) => l.startsWith('pipelineToTightLoopFloorRatio'))).toMatch(/^pipelineToTightLoopFloorRatio\s+0\.451\s*$/);
    expect(lines.find((l) => l.startsWith('parse floor (tight loop), records/s'))).toMatch(/333,000$/);
    expect(lines.find((l) => l.startsWith('tableTransactionsPer1kRecords'))).toMatch(/met$/);
    expect(lines[0]).toContain('Contoso CPU, 2 cores');
    expect(lines.find((l) => l.startsWith('day start (untimed): requests per MI'))).toMatch(/2\.5 \(25,000 records\)$/);
    expect(lines.find((l) => l.includes('day start, per 1k of its records'))).toContain('transaction mi 480');
  });

  it('reports the CPU per record the process spent in the Table Storage run of each detector', () => {
    const lines = formatReport(result);
    // 3,000 ms over 180,000 records and 500 ms over 20,000 (the fixture's runs use half their time on CPU).
    expect(lines.find((l) => l.includes('CPU of this process, µs/record'))).toMatch(/16\.7 \/ 25$/);
    expect(cpuPerRecordUs(run(0, 0, 0))).toBe(0);
    expect(combineRuns(run(1_000, 1, 40), run(1_000, 1, 60)).cpuMs).toBe(50);
  });
});
