import { describe, expect, it } from 'vitest';
import { LogQueryError, MemoryWorkspace } from '../../src/adapters/logAnalyticsQuery';
import type { SourcedRecord } from '../../src/app/decodeMessages';
import { replayWindows, WorkspaceReplayError, type ReplayRun } from '../../src/app/workspaceReplay';
import type { RemoteUseTable } from '../../src/core/workspaceRows/remoteUseTables';
import type { ReplayPosition, WindowSizing } from '../../src/core/workspaceRows/replayPosition';

const HOUR = 3_600_000;
const T = Date.UTC(2026, 2, 1, 0);
const TABLES: RemoteUseTable[] = ['AADManagedIdentitySignInLogs', 'AzureActivity', 'MicrosoftGraphActivityLogs'];

/** Rows `{ n }` at the given times (ms, or ISO text with ticks), in a table. */
function add(workspace: MemoryWorkspace, table: RemoteUseTable, times: readonly (number | string)[], pad = ''): void {
  workspace.add(table, times.map((t) => ({ TimeGenerated: typeof t === 'number' ? new Date(t) : t, n: `${table}@${typeof t === 'number' ? new Date(t).toISOString() : t}${pad}` })));
}

function workspace(): MemoryWorkspace {
  const w = new MemoryWorkspace();
  for (const table of TABLES) w.createTable(table);
  return w;
}

/** A judge that records what it was fed, and a run over [T, end) saving its checkpoints. */
function harness(w: MemoryWorkspace, options: { endMs: number; deadlineMs?: number; now?: () => number; judge?: (records: SourcedRecord[]) => void; batchRecords?: number }) {
  const fed: string[] = [];
  const checkpoints: ReplayPosition[] = [];
  const sleeps: number[] = [];
  const deps = {
    query: w,
    tables: TABLES,
    batchRecords: options.batchRecords ?? 3,
    now: options.now ?? (() => 0),
    sleep: async (ms: number) => void sleeps.push(ms),
    judge: async (records: SourcedRecord[]) => {
      options.judge?.(records);
      for (const r of records) fed.push(String((r.record as { n: unknown }).n));
    },
  };
  const run: ReplayRun = {
    on: 'TimeGenerated',
    endMs: options.endMs,
    deadlineMs: options.deadlineMs ?? Number.POSITIVE_INFINITY,
    batchPrefix: 'test',
    checkpoint: async (position) => void checkpoints.push(position),
  };
  return { deps, run, fed, checkpoints, sleeps };
}

const start = (sizing: WindowSizing = { windowMs: HOUR, pageRows: 2 }): ReplayPosition => ({ throughMs: T, sizing });

/** Every row of the workspace in the merged order (what a replay must feed, once each). */
async function everyRow(w: MemoryWorkspace, endMs: number): Promise<string[]> {
  const { deps, run, fed } = harness(w, { endMs });
  await replayWindows({ ...deps, batchRecords: 1000 }, { throughMs: T, sizing: { windowMs: endMs - T, pageRows: 100_000 } }, run);
  return fed;
}

describe('replaying workspace rows in windows and pages', () => {
  it('feeds every row once, in event-time order across the tables, with rows on a window boundary in the later window', async () => {
    const w = workspace();
    add(w, 'AzureActivity', [T + HOUR, T + 10, '2026-03-01T00:30:00.0000002Z', T + 2 * HOUR + 5, T + HOUR - 1]);
    add(w, 'AADManagedIdentitySignInLogs', [T + HOUR, T + 10, '2026-03-01T00:30:00.0000001Z', T + 3 * HOUR]); // the last: at the end, not fed
    add(w, 'MicrosoftGraphActivityLogs', [T + 10, T + 2 * HOUR + 4, T + 2 * HOUR + 6]);
    const { deps, run, fed, checkpoints } = harness(w, { endMs: T + 3 * HOUR });
    const outcome = await replayWindows(deps, start(), run);
    expect(fed).toEqual([
      'AADManagedIdentitySignInLogs@2026-03-01T00:00:00.010Z', // same instant: sign-ins first, then Activity, then Graph
      'AzureActivity@2026-03-01T00:00:00.010Z',
      'MicrosoftGraphActivityLogs@2026-03-01T00:00:00.010Z',
      'AADManagedIdentitySignInLogs@2026-03-01T00:30:00.0000001Z', // ticks below the millisecond keep their order
      'AzureActivity@2026-03-01T00:30:00.0000002Z',
      'AzureActivity@2026-03-01T00:59:59.999Z',
      'AADManagedIdentitySignInLogs@2026-03-01T01:00:00.000Z', // [T+1h, T+2h): the second window
      'AzureActivity@2026-03-01T01:00:00.000Z',
      'MicrosoftGraphActivityLogs@2026-03-01T02:00:00.004Z',
      'AzureActivity@2026-03-01T02:00:00.005Z',
      'MicrosoftGraphActivityLogs@2026-03-01T02:00:00.006Z',
    ]);
    expect(outcome).toMatchObject({ reachedEnd: true, windows: 3, rows: 11, shrinks: 0, absentTables: [] });
    expect(checkpoints.map((c) => c.throughMs - T)).toEqual([HOUR, 2 * HOUR, 3 * HOUR]);
    // Pages of 2 rows (a third asked for, to know more follow): the busiest table of the first window took two pages.
    expect(w.queries.filter((q) => q.spec.window.fromMs === T && q.spec.table === 'AzureActivity').map((q) => q.spec.take)).toEqual([3, 3]);
  });

  it('pages a burst of rows sharing one tick, by _ItemId, without losing or repeating one', async () => {
    const w = workspace();
    add(w, 'AzureActivity', Array.from({ length: 7 }, () => T + 5), '');
    w.add('AzureActivity', Array.from({ length: 7 }, (_, i) => ({ TimeGenerated: new Date(T + 5), n: `same-${i}` })));
    const { deps, run, fed } = harness(w, { endMs: T + HOUR });
    await replayWindows(deps, start({ windowMs: HOUR, pageRows: 2 }), run);
    expect(fed).toHaveLength(14);
    expect(new Set(fed).size).toBe(8); // the first seven rows share their n; the item ids tell them apart
    expect(fed.filter((n) => n.startsWith('same-'))).toEqual(['same-0', 'same-1', 'same-2', 'same-3', 'same-4', 'same-5', 'same-6']);
  });

  it('halves the window and the page when a result comes back partial, and loses nothing', async () => {
    const w = workspace();
    const times = Array.from({ length: 24 }, (_, i) => T + i * 5 * 60_000);
    add(w, 'AzureActivity', times, `|${'x'.repeat(400)}`);
    add(w, 'MicrosoftGraphActivityLogs', times.map((t) => t + 1), `|${'y'.repeat(400)}`);
    const expected = await everyRow(w, T + 2 * HOUR);
    // About 450 characters a row: a result of more than 4 rows is over the limit.
    w.limits = { maxResultRows: 500_000, maxResultChars: 2000, maxScannedRows: Number.MAX_SAFE_INTEGER };
    const { deps, run, fed } = harness(w, { endMs: T + 2 * HOUR });
    const outcome = await replayWindows(deps, start({ windowMs: 2 * HOUR, pageRows: 16 }), run);
    expect(outcome.shrinks).toBeGreaterThanOrEqual(2);
    expect(fed).toEqual(expected);
  });

  it('halves a window whose query times out (it scans too much) until it does not', async () => {
    const w = workspace();
    add(w, 'AzureActivity', Array.from({ length: 40 }, (_, i) => T + i * 60_000));
    const expected = await everyRow(w, T + HOUR);
    w.limits = { maxResultRows: 500_000, maxResultChars: Number.MAX_SAFE_INTEGER, maxScannedRows: 12 };
    const { deps, run, fed } = harness(w, { endMs: T + HOUR });
    const outcome = await replayWindows(deps, start({ windowMs: HOUR, pageRows: 100 }), run);
    expect(outcome.shrinks).toBeGreaterThanOrEqual(2);
    expect(fed).toEqual(expected);
    expect(outcome.windows).toBeGreaterThanOrEqual(4);
  });

  it('waits and asks again when throttled (HTTP 429), and fails after the last wait', async () => {
    const w = workspace();
    add(w, 'AzureActivity', [T + 1]);
    w.failWhen = (_spec, n) => (n < 2 ? new LogQueryError('Too many requests', 'TooManyRequests', undefined, 429) : undefined);
    const ok = harness(w, { endMs: T + HOUR });
    await replayWindows(ok.deps, start(), ok.run);
    expect(ok.sleeps).toEqual([5000, 10_000]);
    expect(ok.fed).toHaveLength(1);

    w.failWhen = () => new LogQueryError('Too many requests', 'TooManyRequests', undefined, 429);
    const failing = harness(w, { endMs: T + HOUR });
    await expect(replayWindows(failing.deps, start(), failing.run)).rejects.toMatchObject({ kind: 'throttled' });
    expect(failing.sleeps).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(failing.checkpoints).toEqual([]);
  });

  it('skips a table the workspace does not have, and says so', async () => {
    const w = new MemoryWorkspace();
    add(w, 'AzureActivity', [T + 1, T + HOUR + 1]);
    const { deps, run, fed } = harness(w, { endMs: T + 2 * HOUR });
    const outcome = await replayWindows(deps, start(), run);
    expect(fed).toHaveLength(2);
    expect(outcome.absentTables.sort()).toEqual(['AADManagedIdentitySignInLogs', 'MicrosoftGraphActivityLogs']);
    // Asked once, not in every window.
    expect(w.queries.filter((q) => q.spec.table === 'MicrosoftGraphActivityLogs')).toHaveLength(1);
  });

  it('stops at the deadline after a batch, saving the last row fed, and the next run continues right after it', async () => {
    const w = workspace();
    add(w, 'AzureActivity', Array.from({ length: 10 }, (_, i) => T + i * 1000));
    add(w, 'AADManagedIdentitySignInLogs', Array.from({ length: 10 }, (_, i) => T + i * 1000));
    const expected = await everyRow(w, T + HOUR);
    let clock = 0;
    const first = harness(w, { endMs: T + HOUR, deadlineMs: 2, now: () => clock, judge: () => void clock++ });
    const stopped = await replayWindows(first.deps, start({ windowMs: HOUR, pageRows: 4 }), first.run);
    expect(stopped.reachedEnd).toBe(false);
    expect(first.fed).toHaveLength(6); // two batches of three
    expect(stopped.position.partial).toEqual({ toMs: T + HOUR, cursor: expect.objectContaining({ table: 'AzureActivity' }) });
    expect(first.checkpoints).toEqual([stopped.position]);

    const second = harness(w, { endMs: T + HOUR });
    const resumed = await replayWindows(second.deps, stopped.position, second.run);
    expect(resumed.reachedEnd).toBe(true);
    expect([...first.fed, ...second.fed]).toEqual(expected);
  });

  it('after a failure mid-way, a run from the last checkpoint feeds again only the window that failed', async () => {
    const w = workspace();
    add(w, 'AzureActivity', Array.from({ length: 12 }, (_, i) => T + i * 15 * 60_000)); // 4 per hour
    const expected = await everyRow(w, T + 3 * HOUR);
    let batches = 0;
    const first = harness(w, {
      endMs: T + 3 * HOUR,
      batchRecords: 2,
      judge: () => {
        if (++batches === 4) throw new Error('table storage unreachable');
      },
    });
    await expect(replayWindows(first.deps, start({ windowMs: HOUR, pageRows: 100 }), first.run)).rejects.toThrow('unreachable');
    const saved = first.checkpoints.at(-1)!;
    expect(saved.throughMs).toBe(T + HOUR); // the first window; the second failed at its second batch
    expect(first.fed).toHaveLength(6);

    const second = harness(w, { endMs: T + 3 * HOUR, batchRecords: 2 });
    await replayWindows(second.deps, saved, second.run);
    expect(second.fed).toEqual(expected.slice(4));
    expect(new Set([...first.fed, ...second.fed])).toEqual(new Set(expected));
  });

  it('gives up with a clear error when even the smallest window and page come back partial', async () => {
    const w = workspace();
    add(w, 'AzureActivity', [T + 1], 'z'.repeat(300));
    w.limits = { maxResultRows: 500_000, maxResultChars: 50, maxScannedRows: Number.MAX_SAFE_INTEGER };
    const { deps, run } = harness(w, { endMs: T + HOUR });
    await expect(replayWindows(deps, start({ windowMs: 4000, pageRows: 200 }), run)).rejects.toThrow(WorkspaceReplayError);
  });

  it('reads ingestion windows (from, to] the same way: a row that arrives late is fed in the window it arrived in', async () => {
    const w = workspace();
    w.add('AzureActivity', [{ TimeGenerated: new Date(T), n: 'late' }], { ingestedAtMs: () => T + 2 * HOUR });
    w.add('AzureActivity', [{ TimeGenerated: new Date(T + HOUR), n: 'on-time' }], { ingestedAtMs: () => T + HOUR + 60_000 });
    const { deps, fed } = harness(w, { endMs: 0 });
    const run: ReplayRun = { on: 'ingestion', endMs: T + 2 * HOUR, deadlineMs: Number.POSITIVE_INFINITY, batchPrefix: 'sweep', checkpoint: async () => undefined };
    await replayWindows(deps, { throughMs: T + HOUR, sizing: { windowMs: HOUR / 2, pageRows: 10 } }, run);
    expect(fed).toEqual(['on-time', 'late']);
    // In one window, event-time order again.
    const whole = harness(w, { endMs: 0 });
    await replayWindows(whole.deps, { throughMs: T + HOUR, sizing: { windowMs: HOUR, pageRows: 10 } }, run);
    expect(whole.fed).toEqual(['late', 'on-time']);
  });
});
