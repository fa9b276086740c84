import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxEventBatchSize } from '../../src/bench/largestBatch';
import type { MemoryFigures } from '../../src/bench/memoryFigures';
import { memoryLines } from '../../src/bench/report';

const run = (peakRssMb: number, slices: number) => ({ slices, alerts: 3, rejects: 0, ms: 4_000, peakRssMb, inputRssMb: 250, heapUsedMb: 150 });

const memory: MemoryFigures = {
  largestBatch: {
    bodies: 100,
    records: 48_000,
    bodyMb: 104,
    largestBodyBytes: 1_046_000,
    identities: 46_000,
    heapMb: 384,
    sliced: run(320, 13),
    onePass: { ok: true, run: run(340, 1) },
    tightHeapMb: 200,
    tightSliced: { ok: true, run: run(300, 13) },
    tightOnePass: { ok: false, failure: 'FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory' },
  },
  replay: { fileMb: 2048, records: 1_030_000, identities: 10_000, batchSize: 2_000, generateMs: 30_000, replayMs: 60_000, recordsPerSec: 17_166, peakRssMb: 330, cpuMs: 58_000 },
};

describe('bench memory figures', () => {
  it("takes the largest batch from host.json's maxEventBatchSize", () => {
    const host = JSON.parse(readFileSync(join(__dirname, '../../host.json'), 'utf8')) as { extensions: { eventHubs: { maxEventBatchSize: number } } };
    expect(maxEventBatchSize(join(__dirname, '../..'))).toBe(host.extensions.eventHubs.maxEventBatchSize);
  });

  it('says the replayed size, both peaks and a one-pass run that ran out of heap', () => {
    const lines = memoryLines(memory).join('\n');
    expect(lines).toContain('100 bodies (host.json maxEventBatchSize)');
    expect(lines).toContain('--max-old-space-size=384, in slices (as deployed): peak RSS 320 MiB (the parsed batch alone 250 MiB), 13 slices');
    expect(lines).toContain('--max-old-space-size=384, in one pass: peak RSS 340 MiB');
    expect(lines).toContain('--max-old-space-size=200, in slices: peak RSS 300 MiB');
    expect(lines).toContain('--max-old-space-size=200, in one pass: failed: FATAL ERROR: Ineffective mark-compacts');
    expect(lines).toContain('generated 2,048 MiB NDJSON file (1,030,000 records');
    expect(lines).toContain('peak RSS 330 MiB, 17,166 records/s');
  });
});
