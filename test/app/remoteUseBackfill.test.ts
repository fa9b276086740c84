import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { LogQueryError, type MemoryWorkspace } from '../../src/adapters/logAnalyticsQuery';
import { MemoryStateBackend, MemoryStateStore } from '../../src/adapters/memoryStateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import type { StateStore } from '../../src/adapters/stateStore';
import { ensureTable } from '../../src/adapters/tableClient';
import { decodeMessages } from '../../src/app/decodeMessages';
import { backfillPartition, BACKFILL_ROW, runRemoteUseBackfill, type BackfillDeps } from '../../src/app/remoteUseBackfill';
import { runRemoteUseBatch } from '../../src/app/remoteUseRunner';
import { defaultRemoteUseSettings } from '../../src/core/remoteUse/settings';
import { INGESTION_MARGIN_MS, parseBackfillMark } from '../../src/core/workspaceRows/backfillMark';
import { openStateTable } from '../../src/cli/stateTable';
import { at, TENANT, testClassifier } from '../support/auditFixtures';
import { azuriteConnectionString, uniqueTableName } from '../support/azurite';
import { attackerReturns, stateRows, threeWeeks, vm } from './remoteUseScenario';
import { WORKSPACE_ID, workspaceOfRecords, workspaceOfRows } from './workspaceRowFixtures';

const NOW = at(21, 0);
const settings = defaultRemoteUseSettings(testClassifier);

function deps(query: MemoryWorkspace, store: StateStore, markStore: StateStore = store): BackfillDeps & { deadLetter: MemoryRejectSink } {
  return { query, markStore, store, deadLetter: new MemoryRejectSink(), settings, workspaceId: WORKSPACE_ID, now: () => NOW };
}

/** One live Event Hub batch judged on a store (the first batch after the backfill). */
async function liveBatch(store: StateStore, record: Record<string, unknown>): Promise<MemoryAlertSink> {
  const sink = new MemoryAlertSink();
  const decoded = decodeMessages([{ records: [record] }], () => 'live');
  await runRemoteUseBatch(decoded.records, decoded.rejects, { store, sink, deadLetter: new MemoryRejectSink(), settings: { ...settings, processedAt: at(22, 1) } }, 'live-1');
  return sink;
}

describe('remote-use backfill (history from the workspace)', () => {
  it('replays 30 days in history mode: nothing is sent, what would have been raised is summarised, and the first live batch alerts at once', async () => {
    const backend = new MemoryStateBackend();
    const store = new MemoryStateStore(backend);
    const progress: number[] = [];
    const report = await runRemoteUseBackfill(deps(workspaceOfRecords(threeWeeks()), store), { days: 30, onProgress: (p) => progress.push(p.done) });

    expect(report).toMatchObject({ status: 'started', done: true, rejectsByReason: {} });
    expect(report.replay.rows).toBe(threeWeeks().length);
    // The sink of history mode counts; BackfillDeps has no alert sink at all.
    expect(report.wouldHaveRaised.bySeverity).toEqual({ Low: 1, Medium: 0, High: 1 });
    expect(report.wouldHaveRaised.byRule).toMatchObject({ 'token-replay': 1 });
    expect(report.wouldHaveRaised.topIdentities).toEqual([{ tenantId: TENANT, objectId: vm.objectId, name: vm.name, alerts: 2, highest: 'High' }]);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    // The watermark: the range fixed at the first run, ending an ingestion margin before it.
    const stored = backend.partitions.get(backfillPartition(WORKSPACE_ID))?.rows.get(BACKFILL_ROW);
    const mark = parseBackfillMark(JSON.parse(String(stored?.['json'])));
    expect(mark).toMatchObject({ days: 30, liveStartMs: NOW - INGESTION_MARGIN_MS, startMs: NOW - INGESTION_MARGIN_MS - 30 * 86_400_000, finishedAtMs: NOW, rows: report.replay.rows });
    expect(mark?.wouldHaveRaised.total).toBe(2);
    // The tenant's first event is its first day, not the day of the first live batch.
    expect(backend.partitions.get(`tenant|${TENANT}`)?.rows.get('meta')).toEqual({ firstEventAt: at(0, 0) });

    // The first live batch: the thief's network, already caught replaying, is High at once.
    const live = await liveBatch(store, attackerReturns());
    expect(live.rows.map((a) => [a.Severity, (a.Evidence['rules'] as string[])[0]])).toEqual([['High', 'replayed-network']]);
    // Without the backfill the same use is a Low of a tenant in its first day.
    const fresh = await liveBatch(new MemoryStateStore(), attackerReturns());
    expect(fresh.rows.map((a) => a.Severity)).toEqual(['Low']);
  });

  it('resumes after a failure mid-way and ends with the state of an uninterrupted run', async () => {
    const whole = new MemoryStateBackend();
    await runRemoteUseBackfill(deps(workspaceOfRecords(threeWeeks()), new MemoryStateStore(whole)), { days: 30 });

    const backend = new MemoryStateBackend();
    const workspace = workspaceOfRecords(threeWeeks());
    workspace.failWhen = (_spec, n) => (n === 40 ? new LogQueryError('logAnalyticsQuery: the query failed (InternalServerError): try again', 'InternalServerError', undefined, 500) : undefined);
    await expect(runRemoteUseBackfill(deps(workspace, new MemoryStateStore(backend)), { days: 30 })).rejects.toThrow(/InternalServerError/);
    const halfway = parseBackfillMark(JSON.parse(String(backend.partitions.get(backfillPartition(WORKSPACE_ID))?.rows.get(BACKFILL_ROW)?.['json'])));
    expect(halfway?.finishedAtMs).toBeUndefined();
    expect(halfway!.slices).toBeGreaterThan(0);

    workspace.failWhen = undefined;
    const queriesBefore = workspace.queries.length;
    const resumed = await runRemoteUseBackfill(deps(workspace, new MemoryStateStore(backend)), { days: 30 });
    expect(resumed).toMatchObject({ status: 'resumed', done: true });
    // It continued from the watermark: its first query starts where the first run's last slice ended.
    expect(workspace.queries[queriesBefore]?.spec.window.fromMs).toBe(halfway!.position.throughMs);
    expect(stateRows(backend)).toEqual(stateRows(whole));
  });

  it('stops within its time budget and the next run continues (the timer backfills this way)', async () => {
    const backend = new MemoryStateBackend();
    const workspace = workspaceOfRecords(threeWeeks());
    let clock = NOW;
    const tick = { ...deps(workspace, new MemoryStateStore(backend)), now: () => (clock += 1000), batchRecords: 5 };
    const runs: string[] = [];
    for (let i = 0; i < 50; i++) {
      const report = await runRemoteUseBackfill(tick, { days: 30, budgetMs: 20_000 });
      runs.push(report.status);
      if (report.done) break;
    }
    expect(runs[0]).toBe('started');
    expect(runs.length).toBeGreaterThan(2);
    expect(runs.at(-1)).toBe('resumed');

    const whole = new MemoryStateBackend();
    await runRemoteUseBackfill(deps(workspaceOfRecords(threeWeeks()), new MemoryStateStore(whole)), { days: 30 });
    expect(stateRows(backend)).toEqual(stateRows(whole));
  });

  it('is idempotent against Table Storage (Azurite): a second run changes nothing, and replaying the same history again leaves the same rows', async () => {
    const conn = azuriteConnectionString();
    const table = uniqueTableName('backfill');
    await ensureTable(conn, table);
    const run = () => runRemoteUseBackfill(deps(workspaceOfRecords(threeWeeks()), openStateTable(conn, table), openStateTable(conn, table)), { days: 30 });
    const first = await run();
    expect(first.done).toBe(true);
    const once = await entities(conn, table);

    const second = await run();
    expect(second).toMatchObject({ status: 'finished-before', done: true, replay: { rows: 0 } });
    expect(await entities(conn, table)).toEqual(once);

    // The same history once more (the watermark removed): the detector's rows are as they were,
    // but for dedup rows past their 5 days, which the detector drops only when it next writes the
    // identity's partition (a replay of known history writes nothing after day 3's Low).
    await TableClient.fromConnectionString(conn, table, { allowInsecureConnection: true }).deleteEntity(backfillPartition(WORKSPACE_ID), BACKFILL_ROW);
    const third = await run();
    expect(third).toMatchObject({ status: 'started', done: true });
    const expiredBefore = at(20, 0) - settings.dedupWindowMs;
    const detectorRows = (rows: Entity[]) =>
      rows
        .filter((e) => !e.partitionKey.startsWith('backfill|') && e.rowKey !== '~v')
        .filter((e) => !(/^(hd|dd)\|/.test(e.rowKey) && Number(e['raisedAt']) < expiredBefore))
        .map(({ timestamp: _t, etag: _e, ...rest }) => rest);
    expect(detectorRows(await entities(conn, table))).toEqual(detectorRows(once));
    expect(third.wouldHaveRaised.total).toBe(first.wouldHaveRaised.total);
  });

  it('learns the same from the real table rows as from the Event Hub records (needs the Log Analytics row parsers)', async () => {
    const fromRecords = new MemoryStateBackend();
    const a = await runRemoteUseBackfill(deps(workspaceOfRecords(threeWeeks()), new MemoryStateStore(fromRecords)), { days: 30 });
    const fromRows = new MemoryStateBackend();
    const b = await runRemoteUseBackfill(deps(workspaceOfRows(threeWeeks()), new MemoryStateStore(fromRows)), { days: 30 });
    expect(b.rejectsByReason).toEqual({});
    expect(b.byCategory).toEqual(a.byCategory);
    expect(b.wouldHaveRaised).toEqual(a.wouldHaveRaised);
    expect(stateRows(fromRows)).toEqual(stateRows(fromRecords));
  });
});

interface Entity {
  partitionKey: string;
  rowKey: string;
  timestamp?: string;
  etag?: string;
  [key: string]: unknown;
}

async function entities(conn: string, table: string): Promise<Entity[]> {
  const client = TableClient.fromConnectionString(conn, table, { allowInsecureConnection: true });
  const out: Entity[] = [];
  for await (const entity of client.listEntities()) out.push(entity as Entity);
  return out.sort((x, y) => (x.partitionKey + '\n' + x.rowKey < y.partitionKey + '\n' + y.rowKey ? -1 : 1));
}
