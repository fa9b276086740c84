import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { MemoryAlertSink, type AlertSink } from '../../src/adapters/alertSink';
import { LogQueryError, type MemoryWorkspace } from '../../src/adapters/logAnalyticsQuery';
import { MemoryStateBackend, MemoryStateStore } from '../../src/adapters/memoryStateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import type { StateStore } from '../../src/adapters/stateStore';
import { decodeMessages } from '../../src/app/decodeMessages';
import { runRemoteUseBatch } from '../../src/app/remoteUseRunner';
import { remoteUseSweepPartition, runRemoteUseSweep, SWEEP_ROW, type RemoteUseSweepDeps } from '../../src/app/remoteUseSweep';
import { loadJsonRow } from '../../src/app/stateJsonRow';
import { defaultRemoteUseSettings } from '../../src/core/remoteUse/settings';
import { INGESTION_MARGIN_MS } from '../../src/core/workspaceRows/backfillMark';
import { INITIAL_SIZING, parseReplayPosition, type ReplayPosition } from '../../src/core/workspaceRows/replayPosition';
import { activityUse, at, ATTACKER_IP6, testClassifier } from '../support/auditFixtures';
import { threeWeeks, vm } from './remoteUseScenario';
import { WORKSPACE_ID, workspaceOfRecords, workspaceOfRows } from './workspaceRowFixtures';

const settings = defaultRemoteUseSettings(testClassifier);
/** Rows reach the workspace two minutes after they happen. */
const INGESTION_DELAY = 2 * 60_000;
const ingested = (timeMs: number): number => timeMs + INGESTION_DELAY;

function context(): InvocationContext {
  return new InvocationContext({ invocationId: 'sweep-1', functionName: 'remoteTokenUseSweep' });
}

function sweepDeps(query: MemoryWorkspace, store: StateStore, now: () => number, sink: AlertSink = new MemoryAlertSink()): RemoteUseSweepDeps {
  return { query, markStore: store, workspaceId: WORKSPACE_ID, remoteUse: { store, sink, deadLetter: new MemoryRejectSink(), settings, now } };
}

async function setWatermark(store: StateStore, throughMs: number): Promise<void> {
  const row = await loadJsonRow(store, remoteUseSweepPartition(WORKSPACE_ID), SWEEP_ROW, parseReplayPosition);
  await row.save({ throughMs, sizing: INITIAL_SIZING });
}

async function watermark(store: StateStore): Promise<ReplayPosition | undefined> {
  return (await loadJsonRow(store, remoteUseSweepPartition(WORKSPACE_ID), SWEEP_ROW, parseReplayPosition)).value;
}

/** The alerts of the Event Hub path for the same records, judged in one live batch. */
async function streamed(records: readonly Record<string, unknown>[], store: StateStore = new MemoryStateStore(), processedAt = at(21)): Promise<MemoryAlertSink> {
  const sink = new MemoryAlertSink();
  const decoded = decodeMessages([{ records }], () => 'hub');
  await runRemoteUseBatch(decoded.records, decoded.rejects, { store, sink, deadLetter: new MemoryRejectSink(), settings: { ...settings, processedAt } }, 'hub-batch');
  return sink;
}

describe('remote-use sweep over the workspace', () => {
  it('judges the rows ingested since the watermark through the live detector and sends the alerts the Event Hub path would', async () => {
    const store = new MemoryStateStore();
    await setWatermark(store, at(0) - 60_000);
    const sink = new MemoryAlertSink();
    const now = at(21);
    const report = await runRemoteUseSweep(sweepDeps(workspaceOfRecords(threeWeeks(), ingested), store, () => now, sink), context());
    expect(report).toMatchObject({ caughtUp: true, rows: threeWeeks().length, rejectsByReason: {} });
    // Tables nothing was sent to are skipped, and named.
    expect(report.absentTables).toEqual(['AADServicePrincipalSignInLogs', 'AzureDiagnostics', 'AZKVAuditLogs', 'StorageBlobLogs']);
    expect(report.toMs).toBe(now - INGESTION_MARGIN_MS);
    expect((await watermark(store))?.throughMs).toBe(now - INGESTION_MARGIN_MS);
    const hub = await streamed(threeWeeks());
    expect(sink.rows.map((a) => a.AlertId).sort()).toEqual(hub.rows.map((a) => a.AlertId).sort());
    expect(sink.rows.map((a) => a.Severity)).toEqual(['Low', 'High']);
    // Sent live: stamped with the time of the run.
    expect(sink.rows[0]?.TimeGenerated).toBe(new Date(now).toISOString());
  });

  it('reads the last hour of ingestion on its first run, like the theft sweep', async () => {
    const store = new MemoryStateStore();
    const workspace = workspaceOfRecords(threeWeeks(), ingested);
    const now = at(5, 30);
    const report = await runRemoteUseSweep(sweepDeps(workspace, store, () => now), context());
    expect(report.fromMs).toBe(now - INGESTION_MARGIN_MS - 60 * 60_000);
    expect(workspace.queries[0]?.spec.window).toEqual({ on: 'ingestion', fromMs: report.fromMs, toMs: report.toMs });
    expect(report.rows).toBe(3); // day 5's sign-in, ARM and Graph uses
  });

  it('a failed invocation leaves the watermark where it was, and the next one reads the gap', async () => {
    const store = new MemoryStateStore();
    const records = threeWeeks();
    const workspace = workspaceOfRecords(records, ingested);
    const sink = new MemoryAlertSink();
    let now = at(10);
    await setWatermark(store, at(0) - 60_000);
    await runRemoteUseSweep(sweepDeps(workspace, store, () => now, sink), context());
    const before = await watermark(store);

    now = at(17);
    workspace.failWhen = () => new LogQueryError('logAnalyticsQuery: the query failed (InsufficientAccessError): forbidden', 'InsufficientAccessError', undefined, 403);
    await expect(runRemoteUseSweep(sweepDeps(workspace, store, () => now, sink), context())).rejects.toMatchObject({ kind: 'failed' });
    expect(await watermark(store)).toEqual(before);
    expect(sink.rows.map((a) => a.Severity)).toEqual(['Low']); // day 16's replay is in the gap

    workspace.failWhen = undefined;
    now = at(17, 5);
    const next = await runRemoteUseSweep(sweepDeps(workspace, store, () => now, sink), context());
    expect(next.fromMs).toBe(before?.throughMs);
    expect(sink.rows.map((a) => a.Severity)).toEqual(['Low', 'High']);
  });

  it('does not move the watermark past alerts it could not send: the next run sends them again under the same AlertIds', async () => {
    const store = new MemoryStateStore();
    await setWatermark(store, at(16) - 60_000);
    const workspace = workspaceOfRecords(threeWeeks(), ingested);
    const failing: AlertSink = {
      send: async () => {
        throw new Error('AlertUploadTransientError: 503');
      },
    };
    const now = at(17);
    await expect(runRemoteUseSweep(sweepDeps(workspace, store, () => now, failing), context())).rejects.toThrow('503');
    expect((await watermark(store))?.throughMs).toBe(at(16) - 60_000);
    const sink = new MemoryAlertSink();
    await runRemoteUseSweep(sweepDeps(workspace, store, () => now, sink), context());
    const hub = await streamed(threeWeeks().filter((r) => Date.parse(String(r['time'])) <= at(17) - INGESTION_MARGIN_MS - INGESTION_DELAY));
    expect(sink.rows.map((a) => a.AlertId)).toEqual(hub.rows.filter((a) => a.Severity === 'High').map((a) => a.AlertId));
  });

  it('judges a row that reached the workspace late in the run after it arrived', async () => {
    const store = new MemoryStateStore();
    const workspace = workspaceOfRecords(threeWeeks().filter((r) => Date.parse(String(r['time'])) < at(20)), ingested);
    // A use on day 19 that reaches the workspace on day 20 (TimeGenerated older than the watermark by then).
    workspace.add('AzureActivity', [{ ...activityUse(vm, at(19, 40), ATTACKER_IP6, { token: 'late-token' }), TimeGenerated: new Date(at(19, 40)) }], { ingestedAtMs: () => at(20, 10) });
    await setWatermark(store, at(0) - 60_000);
    const sink = new MemoryAlertSink();
    await runRemoteUseSweep(sweepDeps(workspace, store, () => at(20)), context());
    const second = await runRemoteUseSweep(sweepDeps(workspace, store, () => at(20, 30), sink), context());
    expect(second.rows).toBe(1);
    expect(sink.rows.map((a) => [a.Severity, a.IPAddress, a.EventTime])).toEqual([['High', ATTACKER_IP6, new Date(at(19, 40)).toISOString()]]);
  });

  it('stops when its time is up and the next run continues exactly where it stopped', async () => {
    const store = new MemoryStateStore();
    await setWatermark(store, at(0) - 60_000);
    const workspace = workspaceOfRecords(threeWeeks(), ingested);
    let clock = at(21);
    const deps = { ...sweepDeps(workspace, store, () => (clock += 1000)), batchRecords: 4, budgetMs: 5000 };
    const first = await runRemoteUseSweep(deps, context());
    expect(first.caughtUp).toBe(false);
    let rows = first.rows;
    for (let i = 0; i < 40; i++) {
      const report = await runRemoteUseSweep(deps, context());
      rows += report.rows;
      if (report.caughtUp && report.rows === 0) break;
    }
    expect(rows).toBe(threeWeeks().length);
  });

  it('raises one set of AlertIds when Event Hubs and the sweep both judge the same uses (needs the Log Analytics row parsers)', async () => {
    const records = threeWeeks();
    const hubOnly = await streamed(records);
    const expected = hubOnly.rows.map((a) => a.AlertId).sort();
    expect(expected).toHaveLength(2);

    // Streaming first, then the sweep over the rows of the same events, on one state.
    const backend = new MemoryStateBackend();
    const hub = await streamed(records, new MemoryStateStore(backend));
    await setWatermark(new MemoryStateStore(backend), at(0) - 60_000);
    const swept = new MemoryAlertSink();
    const report = await runRemoteUseSweep(sweepDeps(workspaceOfRows(records, ingested), new MemoryStateStore(backend), () => at(21), swept), context());
    expect(report.rejectsByReason).toEqual({});
    expect([...new Set([...hub.rows, ...swept.rows].map((a) => a.AlertId))].sort()).toEqual(expected);

    // The sweep first, then the hub.
    const other = new MemoryStateBackend();
    await setWatermark(new MemoryStateStore(other), at(0) - 60_000);
    const sweptFirst = new MemoryAlertSink();
    await runRemoteUseSweep(sweepDeps(workspaceOfRows(records, ingested), new MemoryStateStore(other), () => at(21), sweptFirst), context());
    const hubAfter = await streamed(records, new MemoryStateStore(other));
    expect(sweptFirst.rows.map((a) => a.AlertId).sort()).toEqual(expected);
    expect([...new Set([...sweptFirst.rows, ...hubAfter.rows].map((a) => a.AlertId))].sort()).toEqual(expected);
  });
});
