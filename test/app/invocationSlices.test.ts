import { existsSync } from 'node:fs';
import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { defaultAsnDataFile, loadAsnData } from '../../src/adapters/asnData';
import { MemoryStateBackend, MemoryStateStore } from '../../src/adapters/memoryStateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import { retrievedAtFromFileName } from '../../src/adapters/serviceTagsFile';
import { addSliceReports, bodyBytes, invocationSlices, PARSED_RECORD_BYTES, SLICE_BODY_BYTES, sliceBatchId, type InvocationSlice } from '../../src/app/eventHubBatch';
import { classifierForServiceTags } from '../../src/app/ipClassifier';
import { handleRemoteTokenUse, type RemoteUseHandlerDeps } from '../../src/app/remoteUseHandler';
import type { RemoteUseBatchReport } from '../../src/app/remoteUseRunner';
import { handleTokenTheft } from '../../src/app/theftHandler';
import { loadTheftSettings } from '../../src/app/theftSettings';
import type { AlertRow } from '../../src/core/alerts/alertRow';
import { parseAzureCloudRanges } from '../../src/core/network/serviceTags';
import { identityRowPastItsTime } from '../../src/core/remoteUse/identityBaseline';
import { defaultRemoteUseSettings } from '../../src/core/remoteUse/settings';
import { benchBodies } from '../../src/demo/benchStream';
import { endpointTelemetryForTenant } from '../../src/demo/stolenAndUsed';
import { generateDemoTenant, type DemoTenant } from '../../src/demo/tenant';
import { testClassifier } from '../support/auditFixtures';

function context(messages: number): InvocationContext {
  return new InvocationContext({
    invocationId: 'inv-slices',
    functionName: 'remoteTokenUse',
    triggerMetadata: { partitionContext: { partitionId: '4' }, sequenceNumberArray: Array.from({ length: messages }, (_, i) => 5_000 + i) },
    logHandler: () => undefined,
  });
}

/** The handler's dependencies over a fresh in-memory state, recording the slices it judges. */
function remoteUseDeps(tenant: DemoTenant | undefined, maxSliceBytes: number | undefined) {
  const sink = new MemoryAlertSink();
  const deadLetter = new MemoryRejectSink();
  const backend = new MemoryStateBackend();
  const slices: InvocationSlice[] = [];
  const tags = tenant && classifierForServiceTags(loadAsnData(), { tags: parseAzureCloudRanges(tenant.serviceTags.document), retrievedAtMs: retrievedAtFromFileName(tenant.serviceTags.fileName) });
  const settings = tags ? defaultRemoteUseSettings(tags.classifyIp, { serviceTags: tags.serviceTags }) : defaultRemoteUseSettings(testClassifier);
  const deps: RemoteUseHandlerDeps = {
    store: new MemoryStateStore(backend),
    sink,
    deadLetter,
    settings,
    now: () => Date.UTC(2026, 11, 6),
    slicing: { ...(maxSliceBytes !== undefined ? { maxSliceBytes } : {}), onSlice: (slice) => slices.push(slice) },
  };
  return { deps, sink, deadLetter, backend, slices };
}

const alertIds = (alerts: readonly AlertRow[]): string[] => alerts.map((a) => a.AlertId).sort();

/** What a batch's report says about its records and alerts: everything but the cost of writing them (one write per slice and partition). */
function countsOf(report: RemoteUseBatchReport) {
  const { alerts, stateChanges, conflictRetries, ...counts } = report;
  return { ...counts, alerts: alerts.length };
}

/**
 * Every row of a memory backend, by partition and row key (versions left out: slices write more
 * often), and the identities' watermarks apart: a watermark is the latest event of the batch that
 * wrote the identity, so a slice leaves an earlier one than the whole batch would. Rows past their
 * time at the identity's watermark are left out too: a batch drops them measured from the
 * watermark it found (IdentityBaseline.finish), so the slices after the first have dropped what
 * the one pass, which found none, leaves for its next batch; no use that is not late reads them.
 */
function stateRows(backend: MemoryStateBackend): { rows: Record<string, unknown>; watermarks: Map<string, number> } {
  const rows: Record<string, unknown> = {};
  const watermarks = new Map<string, number>();
  const { baselineWindowMs, dedupWindowMs, latenessAllowanceMs } = defaultRemoteUseSettings(testClassifier);
  for (const [key, partition] of [...backend.partitions].sort((a, b) => a[0].localeCompare(b[0]))) {
    const partitionRows: Record<string, unknown> = {};
    const watermark = partition.rows.get('meta')?.['wm'];
    for (const [rowKey, data] of [...partition.rows].sort((a, b) => a[0].localeCompare(b[0]))) {
      if (typeof watermark === 'number' && identityRowPastItsTime(rowKey, data, watermark - latenessAllowanceMs, baselineWindowMs, dedupWindowMs)) continue;
      // The watermark and the one it advanced from depend on where batches end: compared apart.
      const { wm, before, ...rest } = data;
      if (typeof wm === 'number') watermarks.set(`${key} ${rowKey}`, wm);
      partitionRows[rowKey] = wm === undefined && before === undefined ? data : rest;
    }
    rows[key] = partitionRows;
  }
  return { rows, watermarks };
}

describe('invocation slices', () => {
  it('cuts the messages into consecutive slices of whole messages, none past the bound unless one message is', () => {
    const text = (bytes: number): string => 'x'.repeat(bytes);
    const list = [text(300), text(300), text(500), Buffer.alloc(900), text(100), { records: [{}, {}] }];
    const slices = invocationSlices(list, 1_000);
    expect(slices.map((s) => [s.start, s.end, s.bytes])).toEqual([
      [0, 2, 600],
      [2, 3, 500],
      [3, 5, 1_000],
      [5, 6, 2 * PARSED_RECORD_BYTES],
    ]);
    expect(slices.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    expect(invocationSlices([], 1_000)).toEqual([{ index: 0, start: 0, end: 0, bytes: 0 }]);
    expect(invocationSlices(list).map((s) => [s.start, s.end])).toEqual([[0, 6]]);
  });

  it('counts a parsed body by its records, text and binary by their length', () => {
    expect(bodyBytes('{"records":[]}')).toBe(14);
    expect(bodyBytes(Buffer.from('abc'))).toBe(3);
    expect(bodyBytes({ records: [1, 2, 3] })).toBe(3 * PARSED_RECORD_BYTES);
    expect(bodyBytes([1, 2])).toBe(2 * PARSED_RECORD_BYTES);
    expect(bodyBytes({ time: 'a single record' })).toBe(PARSED_RECORD_BYTES);
  });

  it('names the first slice after the batch and the others apart from it', () => {
    const [first, second] = invocationSlices(['a', 'b'], 1);
    expect(sliceBatchId('4-5000', first!)).toBe('4-5000');
    expect(sliceBatchId('4-5000', second!)).toBe('4-5000.1');
  });

  it('adds slice reports: counts at every depth, lists joined in order', () => {
    const a = { records: 2, byCategory: { Administrative: 2 }, detection: { alerts: { Low: 1, High: 0 }, other: {} }, alerts: ['a1'] };
    const b = { records: 3, byCategory: { Administrative: 1, SignIn: 2 }, detection: { alerts: { Low: 0, High: 2 }, other: { user: 1 } }, alerts: ['b1', 'b2'] };
    expect(addSliceReports(a, b)).toEqual({ records: 5, byCategory: { Administrative: 3, SignIn: 2 }, detection: { alerts: { Low: 1, High: 2 }, other: { user: 1 } }, alerts: ['a1', 'b1', 'b2'] });
    // The inputs are left as they were.
    expect(a.alerts).toEqual(['a1']);
    expect(a.byCategory).toEqual({ Administrative: 2 });
  });

  it('judges the largest batch the host delivers (100 bodies of 1 MB) in slices of at most 8 MiB', async () => {
    const bodies: string[] = [];
    let records = 0;
    // 500 records per body: about 1 MB of diagnostic-setting JSON, the Event Hubs body limit.
    for (const body of benchBodies({ records: 200_000, identities: 5_000, recordsPerBody: 500, seed: 11 })) {
      bodies.push(body.text);
      records += body.records;
      if (bodies.length === 100) break;
    }
    const bytes = bodies.reduce((n, b) => n + b.length, 0);
    expect(bytes).toBeGreaterThan(90 * 1024 * 1024);
    const sliced = remoteUseDeps(undefined, undefined);
    const report = await handleRemoteTokenUse(bodies, context(bodies.length), sliced.deps);
    expect(sliced.slices.length).toBe(Math.ceil(bytes / SLICE_BODY_BYTES));
    for (const slice of sliced.slices) expect(slice.bytes).toBeLessThanOrEqual(SLICE_BODY_BYTES);
    expect(sliced.slices.map((s) => s.start)).toEqual([0, ...sliced.slices.slice(0, -1).map((s) => s.end)]);
    expect(sliced.slices.at(-1)!.end).toBe(100);
    expect(report.records).toBe(records);
    expect(report.rejects).toBe(0);
    expect(report.alerts.length).toBeGreaterThan(0);
    expect(alertIds(sliced.sink.rows)).toEqual(alertIds(report.alerts));
  }, 120_000);

  // The demo tenant's planted stories need the built ASN table (npm run build).
  it.skipIf(!existsSync(defaultAsnDataFile()))('gives the alerts, counts and state of one pass over the demo tenant (91 bodies in one invocation)', async () => {
    const tenant = generateDemoTenant();
    // As the Node library hands JSON bodies over: parsed.
    const bodies = tenant.bodies.map((b) => b.body);
    const whole = remoteUseDeps(tenant, Number.POSITIVE_INFINITY);
    const wholeReport = await handleRemoteTokenUse(bodies, context(bodies.length), whole.deps);
    const sliced = remoteUseDeps(tenant, 4 * 1024 * 1024);
    const slicedReport = await handleRemoteTokenUse(bodies, context(bodies.length), sliced.deps);

    expect(whole.slices).toHaveLength(1);
    expect(sliced.slices.length).toBeGreaterThanOrEqual(8);
    // The planted stories raise alerts, and the broken body's records are rejected, in both runs.
    expect(wholeReport.alerts.length).toBeGreaterThan(10);
    expect(wholeReport.rejects).toBe(tenant.malformed.records);
    expect(alertIds(sliced.sink.rows)).toEqual(alertIds(whole.sink.rows));
    expect(sliced.sink.rows.map((a) => [a.AlertId, a.Severity, a.Reason]).sort()).toEqual(whole.sink.rows.map((a) => [a.AlertId, a.Severity, a.Reason]).sort());
    expect(countsOf(slicedReport)).toEqual(countsOf(wholeReport));
    const slicedState = stateRows(sliced.backend);
    const wholeState = stateRows(whole.backend);
    expect(slicedState.rows).toEqual(wholeState.rows);
    expect([...slicedState.watermarks.keys()]).toEqual([...wholeState.watermarks.keys()]);
    expect(wholeState.watermarks.size).toBeGreaterThan(0);
    for (const [row, wm] of slicedState.watermarks) expect(wm, row).toBeLessThanOrEqual(wholeState.watermarks.get(row)!);
    // The same rejects, each stored under its own slice's name.
    expect(sliced.deadLetter.rejects.map((r) => r.origin)).toEqual(whole.deadLetter.rejects.map((r) => r.origin));
  }, 120_000);

  it('gives the theft alerts and counts of one pass over a week of endpoint telemetry', async () => {
    const { telemetry } = endpointTelemetryForTenant(generateDemoTenant());
    const bodies = telemetry.bodies.map((b) => JSON.stringify(b.body));
    const run = async (maxSliceBytes: number) => {
      const slices: InvocationSlice[] = [];
      const sink = new MemoryAlertSink();
      const deps = { store: new MemoryStateStore(), sink, deadLetter: new MemoryRejectSink(), settings: loadTheftSettings(undefined), now: () => Date.UTC(2026, 11, 6), slicing: { maxSliceBytes, onSlice: (s: InvocationSlice) => slices.push(s) } };
      const report = await handleTokenTheft(bodies, context(bodies.length), deps);
      const { alerts, stateChanges, conflictRetries, ...counts } = report;
      return { slices: slices.length, ids: alertIds(sink.rows), counts };
    };
    const whole = await run(Number.POSITIVE_INFINITY);
    const sliced = await run(256 * 1024);
    expect(whole.slices).toBe(1);
    expect(sliced.slices).toBeGreaterThanOrEqual(4);
    expect(whole.ids.length).toBeGreaterThan(0);
    expect(sliced.ids).toEqual(whole.ids);
    expect(sliced.counts).toEqual(whole.counts);
  }, 120_000);
});
