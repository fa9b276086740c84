import { describe, expect, it } from 'vitest';
import { isBackfillDone, parseBackfillMark, planBackfill, INGESTION_MARGIN_MS } from '../../src/core/workspaceRows/backfillMark';
import { REMOTE_USE_TABLE_NAMES, REMOTE_USE_TABLES, tableOrder } from '../../src/core/workspaceRows/remoteUseTables';
import { adaptSizing, BUSY_PAGES, INITIAL_SIZING, MAX_WINDOW_MS, MIN_PAGE_ROWS, MIN_WINDOW_MS, nextWindow, parseReplayPosition, shrinkSizing } from '../../src/core/workspaceRows/replayPosition';
import { buildRowPageQuery, compareCursors, cursorOf, pageSpecOf, tickText, tickTextMs, withoutOurColumns, type RowPageSpec } from '../../src/core/workspaceRows/rowPage';
import { MAX_INGESTION_DELAY_MS } from '../../src/core/theft/sweep/sweepQueries';
import { kqlDiagnostics, type KqlColumnType } from '../support/kusto';

// The pure core of the workspace replay (src/core/workspaceRows), tested here beside its callers.

/** The columns the page queries name, per table: every Log Analytics table has TimeGenerated, Type and the hidden _ItemId. */
const STANDARD: Record<string, KqlColumnType> = { TimeGenerated: 'datetime', Type: 'string', _ItemId: 'string', TenantId: 'string' };
const SCHEMAS: Record<string, Record<string, KqlColumnType>> = Object.fromEntries(
  REMOTE_USE_TABLE_NAMES.map((table) => [
    table,
    {
      ...STANDARD,
      ...(table === 'AzureDiagnostics' ? { ResourceProvider: 'string', Category: 'string' } : {}),
      ...(table === 'StorageBlobLogs' ? { AuthenticationType: 'string' } : {}),
    },
  ]),
);

const HOUR = 3_600_000;
const T = Date.UTC(2026, 2, 1, 10);

describe('page queries (rowPage)', () => {
  const slice = { on: 'TimeGenerated' as const, fromMs: T, toMs: T + HOUR };

  it.each(REMOTE_USE_TABLE_NAMES)('%s: parses and type-checks, with and without a cursor, on both kinds of window', (table) => {
    for (const window of [slice, { on: 'ingestion' as const, fromMs: T, toMs: T + HOUR }]) {
      for (const after of [undefined, { time: '2026-03-01 10:00:00.1234567', table: 'AzureActivity', itemId: 'x"y' }]) {
        const { kql } = buildRowPageQuery({ table, window, after, take: 2001 });
        expect(kqlDiagnostics(kql, SCHEMAS)).toEqual([]);
      }
    }
  });

  it('is checked for real: a schema without _ItemId fails', () => {
    const { kql } = buildRowPageQuery({ table: 'AzureActivity', window: slice, take: 1 });
    const { _ItemId: _dropped, ...withoutItemId } = SCHEMAS['AzureActivity'] ?? {};
    expect(kqlDiagnostics(kql, { AzureActivity: withoutItemId }).join('\n')).toMatch(/_ItemId/);
  });

  it('reads a half-open slice of TimeGenerated in a fixed order, keeps Type, and adds the tick time and _ItemId', () => {
    const { kql, timespan } = buildRowPageQuery({ table: 'AzureActivity', window: slice, take: 2001 });
    expect(kql.split('\n').slice(1)).toEqual([
      'AzureActivity',
      '| where TimeGenerated >= datetime(2026-03-01T10:00:00.000Z) and TimeGenerated < datetime(2026-03-01T11:00:00.000Z)',
      '| extend TokenWatchTime = format_datetime(TimeGenerated, "yyyy-MM-dd HH:mm:ss.fffffff"), TokenWatchItemId = tostring(_ItemId)',
      '| order by TimeGenerated asc, TokenWatchItemId asc',
      '| take 2001',
      '| project-reorder TimeGenerated, Type',
    ]);
    expect(timespan).toEqual({ startTime: new Date(T), endTime: new Date(T + HOUR) });
  });

  it('reads an ingestion window (from, to] with a timespan wide enough for late and early TimeGenerated', () => {
    const { kql, timespan } = buildRowPageQuery({ table: 'AADManagedIdentitySignInLogs', window: { on: 'ingestion', fromMs: T, toMs: T + HOUR }, take: 11 });
    expect(kql).toContain('| where ingestion_time() > datetime(2026-03-01T10:00:00.000Z) and ingestion_time() <= datetime(2026-03-01T11:00:00.000Z)');
    expect(timespan.startTime.getTime()).toBe(T - MAX_INGESTION_DELAY_MS);
    expect(timespan.endTime.getTime()).toBe(T + HOUR + 24 * HOUR);
  });

  it('filters AzureDiagnostics to Key Vault audit events and StorageBlobLogs to OAuth requests, nothing else', () => {
    expect(buildRowPageQuery({ table: 'AzureDiagnostics', window: slice, take: 1 }).kql).toContain('| where ResourceProvider == "MICROSOFT.KEYVAULT" and Category == "AuditEvent"');
    expect(buildRowPageQuery({ table: 'StorageBlobLogs', window: slice, take: 1 }).kql).toContain('| where AuthenticationType == "OAuth"');
    expect(REMOTE_USE_TABLES.filter((t) => t.filter !== undefined).map((t) => t.table)).toEqual(['AzureDiagnostics', 'StorageBlobLogs']);
  });

  it('continues after a cursor: by time alone for the tables before the cursor\'s, by time and _ItemId for its own, from the same time for the tables after it', () => {
    const after = { time: '2026-03-01 10:20:00.0000001', table: 'AzureActivity', itemId: 'i-5' };
    const line = (table: RowPageSpec['table']): string => buildRowPageQuery({ table, window: slice, after, take: 3 }).kql.split('\n').find((l) => l.includes('todatetime')) ?? '';
    expect(line('AADManagedIdentitySignInLogs')).toBe('| where TimeGenerated > todatetime("2026-03-01 10:20:00.0000001")');
    expect(line('AzureActivity')).toBe('| where TimeGenerated > todatetime("2026-03-01 10:20:00.0000001") or (TimeGenerated == todatetime("2026-03-01 10:20:00.0000001") and strcmp(TokenWatchItemId, "i-5") > 0)');
    expect(line('StorageBlobLogs')).toBe('| where TimeGenerated >= todatetime("2026-03-01 10:20:00.0000001")');
  });

  it('puts the spec on the first line, for LAQueryLogs and the twin, and reads it back', () => {
    const spec: RowPageSpec = { table: 'AZKVAuditLogs', window: slice, after: { time: '2026-03-01 10:00:00.0000000', table: 'AZKVAuditLogs', itemId: 'a\nb' }, take: 5 };
    const { kql } = buildRowPageQuery(spec);
    expect(kql.split('\n')[0]).toMatch(/^\/\/ TokenWatch rows \{/);
    expect(pageSpecOf(kql)).toEqual(spec);
    expect(pageSpecOf('AzureActivity | take 1')).toBeUndefined();
  });

  it('orders positions by tick time, then table order, then _ItemId', () => {
    const at = (time: string, table: string, itemId: string) => ({ time, table, itemId });
    const sorted = [
      at('2026-03-01 10:00:00.0000002', 'AADManagedIdentitySignInLogs', 'a'),
      at('2026-03-01 10:00:00.0000001', 'StorageBlobLogs', 'a'),
      at('2026-03-01 10:00:00.0000001', 'AzureActivity', 'b'),
      at('2026-03-01 10:00:00.0000001', 'AzureActivity', 'a'),
      at('2026-03-01 10:00:00.0000001', 'AADManagedIdentitySignInLogs', 'z'),
    ].sort(compareCursors);
    expect(sorted.map((c) => `${c.time.slice(-1)} ${c.table} ${c.itemId}`)).toEqual([
      '1 AADManagedIdentitySignInLogs z',
      '1 AzureActivity a',
      '1 AzureActivity b',
      '1 StorageBlobLogs a',
      '2 AADManagedIdentitySignInLogs a',
    ]);
    expect(tableOrder('AADManagedIdentitySignInLogs')).toBeLessThan(tableOrder('AzureActivity'));
    expect(tableOrder('Heartbeat')).toBe(REMOTE_USE_TABLE_NAMES.length);
  });

  it('keeps ticks in the time text and drops the added columns from the row', () => {
    expect(tickText(new Date(T + 5))).toBe('2026-03-01 10:00:00.0050000');
    expect(tickTextMs('2026-03-01 10:00:00.0059999')).toBe(T + 5);
    const row = { Type: 'AzureActivity', TimeGenerated: new Date(T), TokenWatchTime: '2026-03-01 10:00:00.0000003', TokenWatchItemId: 'i-1', CallerIpAddress: '203.0.113.7' };
    expect(cursorOf('AzureActivity', row)).toEqual({ time: '2026-03-01 10:00:00.0000003', table: 'AzureActivity', itemId: 'i-1' });
    expect(cursorOf('AzureActivity', { TimeGenerated: new Date(T) })).toEqual({ time: '2026-03-01 10:00:00.0000000', table: 'AzureActivity', itemId: '' });
    expect(withoutOurColumns(row)).toEqual({ Type: 'AzureActivity', TimeGenerated: new Date(T), CallerIpAddress: '203.0.113.7' });
  });
});

describe('windows and their sizing (replayPosition)', () => {
  it('cuts the range into windows of the current length, the last one short, and ends at endMs', () => {
    const position = { throughMs: T, sizing: INITIAL_SIZING };
    expect(nextWindow(position, T + 90 * 60_000, 'TimeGenerated')).toEqual({ window: { on: 'TimeGenerated', fromMs: T, toMs: T + HOUR }, after: undefined });
    expect(nextWindow({ ...position, throughMs: T + HOUR }, T + 90 * 60_000, 'TimeGenerated')?.window.toMs).toBe(T + 90 * 60_000);
    expect(nextWindow({ ...position, throughMs: T + 90 * 60_000 }, T + 90 * 60_000, 'TimeGenerated')).toBeUndefined();
  });

  it('resumes a window left part-way with its own end and cursor, whatever the sizing says now', () => {
    const cursor = { time: '2026-03-01 10:10:00.0000000', table: 'AzureActivity', itemId: 'i-9' };
    const position = { throughMs: T, sizing: { windowMs: MIN_WINDOW_MS, pageRows: 100 }, partial: { toMs: T + HOUR, cursor } };
    expect(nextWindow(position, T + 10 * HOUR, 'ingestion')).toEqual({ window: { on: 'ingestion', fromMs: T, toMs: T + HOUR }, after: cursor });
  });

  it('halves window and page on a partial result down to their floors, then gives up', () => {
    let sizing: ReturnType<typeof shrinkSizing> = INITIAL_SIZING;
    let steps = 0;
    while (sizing !== undefined) {
      sizing = shrinkSizing(sizing);
      steps++;
    }
    expect(steps).toBeGreaterThan(10);
    expect(shrinkSizing({ windowMs: MIN_WINDOW_MS, pageRows: MIN_PAGE_ROWS })).toBeUndefined();
    expect(shrinkSizing({ windowMs: HOUR, pageRows: 2000 })).toEqual({ windowMs: HOUR / 2, pageRows: 1000 });
  });

  it('shortens the next window after a busy one, lengthens it after one that fit in a page, up to a day', () => {
    expect(adaptSizing({ windowMs: HOUR, pageRows: 500 }, BUSY_PAGES + 1)).toEqual({ windowMs: HOUR / 2, pageRows: 1000 });
    expect(adaptSizing({ windowMs: HOUR, pageRows: 2000 }, 1)).toEqual({ windowMs: 2 * HOUR, pageRows: 2000 });
    expect(adaptSizing({ windowMs: HOUR, pageRows: 2000 }, 3)).toEqual({ windowMs: HOUR, pageRows: 2000 });
    expect(adaptSizing({ windowMs: MAX_WINDOW_MS, pageRows: 2000 }, 0).windowMs).toBe(MAX_WINDOW_MS);
  });

  it('round-trips a stored position and refuses malformed ones', () => {
    const position = { throughMs: T, sizing: { windowMs: HOUR, pageRows: 2000 }, partial: { toMs: T + HOUR, cursor: { time: 't', table: 'AzureActivity', itemId: 'i' } } };
    expect(parseReplayPosition(JSON.parse(JSON.stringify(position)))).toEqual(position);
    expect(parseReplayPosition({ throughMs: T, sizing: { windowMs: 0, pageRows: 1 } })).toBeUndefined();
    expect(parseReplayPosition({ throughMs: 'x', sizing: INITIAL_SIZING })).toBeUndefined();
    expect(parseReplayPosition({ throughMs: T, sizing: INITIAL_SIZING, partial: { toMs: T } })).toBeUndefined();
  });
});

describe('the backfill watermark (backfillMark)', () => {
  it('fixes the range at the first run: N days up to now less the ingestion margin', () => {
    const mark = planBackfill(T, 30);
    expect(mark.liveStartMs).toBe(T - INGESTION_MARGIN_MS);
    expect(mark.startMs).toBe(T - INGESTION_MARGIN_MS - 30 * 24 * HOUR);
    expect(mark.position.throughMs).toBe(mark.startMs);
    expect(isBackfillDone(mark)).toBe(false);
    expect(isBackfillDone({ ...mark, position: { ...mark.position, throughMs: mark.liveStartMs } })).toBe(true);
    expect(() => planBackfill(T, 31)).toThrow(RangeError);
    expect(() => planBackfill(T, 0)).toThrow(RangeError);
  });

  it('round-trips through JSON and starts afresh from a malformed row', () => {
    const mark = { ...planBackfill(T, 7), finishedAtMs: undefined };
    expect(parseBackfillMark(JSON.parse(JSON.stringify(mark)))).toEqual(mark);
    expect(parseBackfillMark({ ...mark, version: 2 })).toBeUndefined();
    expect(parseBackfillMark({ ...mark, liveStartMs: null })).toBeUndefined();
    expect(parseBackfillMark('{')).toBeUndefined();
  });
});
