import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { LogQueryError, MemoryLogQueryClient } from '../../src/adapters/logAnalyticsQuery';
import { MemoryStateStore, MemoryStateBackend } from '../../src/adapters/memoryStateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import { runTheftSweep } from '../../src/app/theftSweep';
import { loadTheftSettings } from '../../src/app/theftSettings';
import { INGESTED_AT_COLUMN, SWEEP_TABLES } from '../../src/core/theft/sweep/sweepQueries';
import { SWEEP_MAX_SPAN_MS } from '../../src/core/theft/sweep/sweepWatermark';

/** The MDE fixture as a Log Analytics row: the Advanced Hunting columns plus our ingestion-time column. */
function laRow(file: string, ingestedAt: string): Record<string, unknown> {
  const record = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/endpoint/mde', file), 'utf8')) as { properties: Record<string, unknown>; tenantId: string };
  return { ...record.properties, TenantId: record.tenantId, TimeGenerated: record.properties['Timestamp'], [INGESTED_AT_COLUMN]: ingestedAt };
}

/** A sweep over `query` with its state and theft sink in memory, at the time `now` tells. */
function sweepDeps(query: MemoryLogQueryClient, now: () => number) {
  const backend = new MemoryStateBackend();
  const sink = new MemoryAlertSink();
  const deps = {
    query,
    store: new MemoryStateStore(backend),
    theft: { store: new MemoryStateStore(backend), sink, deadLetter: new MemoryRejectSink(), settings: loadTheftSettings(undefined) },
    workspaceId: '6a7b0000-0000-4000-8000-00000000beef',
    now,
  };
  return { deps, backend, sink };
}

describe('theft sweep over Log Analytics', () => {
  it('judges each row once across overlapping runs, advances the watermark, and fails without moving it when a query fails', async () => {
    const curl = laRow('network-curl-imds-token.json', '2026-03-01T10:02:00Z');
    const agent = laRow('network-guest-agent-trusted.json', '2026-03-01T10:02:30Z');
    let answer: Record<string, unknown>[] | Error = [curl, agent];
    const query = new MemoryLogQueryClient((kql) => (kql.trimStart().startsWith('DeviceNetworkEvents') ? answer : []));
    let now = Date.parse('2026-03-01T10:05:00Z');
    const { deps, backend, sink } = sweepDeps(query, () => now);
    const first = await runTheftSweep(deps);
    expect(first.freshByTable['DeviceNetworkEvents']).toBe(2);
    expect(sink.rows.map((a) => [a.Detector, a.Severity, a.ProcessName, a.Vector])).toEqual([['TokenTheft', 'High', 'curl', 'TokenEndpoint']]);
    expect(sink.rows[0]!.TimeGenerated).toBe('2026-03-01T10:05:00.000Z');
    expect(query.queries).toHaveLength(SWEEP_TABLES.length);
    expect(query.queries[0]!.kql).toContain('ingestion_time()');

    // Five minutes later the overlap returns the same rows: nothing is judged twice.
    now += 5 * 60_000;
    const second = await runTheftSweep(deps);
    expect(second.freshByTable['DeviceNetworkEvents']).toBe(0);
    expect(sink.rows).toHaveLength(1);
    const window = query.queries[SWEEP_TABLES.length]!.kql;
    expect(window).toContain('2026-03-01T09:55:00.000Z');

    // A failing query throws (the timer retries) and the watermark stays where it was.
    answer = new Error('throttled');
    now += 5 * 60_000;
    const versions = [...backend.partitions.values()].map((p) => p.version);
    await expect(runTheftSweep(deps)).rejects.toThrow('throttled');
    expect([...backend.partitions.values()].map((p) => p.version)).toEqual(versions);
  });

  it('skips the tables the workspace does not have, reads the others, and reads a table once it appears', async () => {
    const curl = laRow('network-curl-imds-token.json', '2026-03-01T10:02:00Z');
    // Log Analytics' answer for a table nothing was ever sent to (SEM0100).
    const missing = (table: string): LogQueryError =>
      new LogQueryError(`logAnalyticsQuery: the query failed (BadArgumentError): 'where' operator: Failed to resolve table or column expression named '${table}'`, 'BadArgumentError', undefined, 400);
    const absent = new Set(['Event', 'SecurityEvent', 'CloudProcessEvents']);
    const pod = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/endpoint/cloud-process-events/pod-cat-workload-identity-token-row.json'), 'utf8')) as Record<string, unknown>;
    const query = new MemoryLogQueryClient((kql) => {
      const table = kql.trimStart().split('\n', 1)[0]!;
      if (absent.has(table)) return missing(table);
      if (table === 'DeviceNetworkEvents') return [curl];
      if (table === 'CloudProcessEvents') return [{ ...pod, [INGESTED_AT_COLUMN]: '2026-03-02T09:21:00Z' }];
      return [];
    });
    let now = Date.parse('2026-03-01T10:05:00Z');
    const { deps, sink } = sweepDeps(query, () => now);
    const first = await runTheftSweep(deps);
    expect(first.missingTables).toEqual(['CloudProcessEvents', 'Event', 'SecurityEvent']);
    expect(first.caughtUp).toBe(true);
    expect(sink.rows.map((a) => [a.Severity, a.ProcessName, a.Vector])).toEqual([['High', 'curl', 'TokenEndpoint']]);

    // Defender for Containers is connected: its table appears and its first rows are judged.
    absent.delete('CloudProcessEvents');
    now = Date.parse('2026-03-02T09:25:00Z');
    const second = await runTheftSweep(deps);
    expect(second.missingTables).toEqual(['Event', 'SecurityEvent']);
    expect(second.freshByTable['CloudProcessEvents']).toBe(1);
    expect(sink.rows.map((a) => [a.Severity, a.HostName, a.ProcessName, a.Target])).toContainEqual(['High', 'payments/api-6c9f7d8b5-q2w8r', 'cat', '/var/run/secrets/azure/tokens/azure-identity-token']);
  });

  it('after a three-day outage, queries bounded windows, says it is catching up, and judges a row from the middle of the gap once', async () => {
    const start = Date.parse('2026-03-01T10:00:00Z');
    // Ingested a day and a half into the outage.
    const curl = laRow('network-curl-imds-token.json', '2026-03-02T22:00:00Z');
    const within = (kql: string, ingestedAt: string): boolean => {
      const [, from, to] = /ingestion_time\(\) > datetime\(([^)]+)\) and ingestion_time\(\) <= datetime\(([^)]+)\)/.exec(kql)!;
      const at = Date.parse(ingestedAt);
      return at > Date.parse(from!) && at <= Date.parse(to!);
    };
    // The workspace answers what the query's window holds, as Log Analytics would.
    const query = new MemoryLogQueryClient((kql) => (kql.trimStart().startsWith('DeviceNetworkEvents') && within(kql, String(curl[INGESTED_AT_COLUMN])) ? [curl] : []));
    let now = start;
    const { deps, sink } = sweepDeps(query, () => now);
    expect((await runTheftSweep(deps)).caughtUp).toBe(true);
    now = start + 3 * 24 * 3_600_000;
    const reports = [];
    for (let run = 0; run < 20; run++) {
      const report = await runTheftSweep(deps);
      reports.push(report);
      if (report.caughtUp) break;
      now += 5 * 60_000;
    }
    // Every query after the first run spans at most the cap (timespan: the window plus the 2-day ingestion delay).
    for (const q of query.queries.slice(6)) expect(q.timespan.endTime.getTime() - q.timespan.startTime.getTime()).toBeLessThanOrEqual(SWEEP_MAX_SPAN_MS + 2 * 24 * 3_600_000);
    expect(reports.slice(0, -1).every((r) => !r.caughtUp)).toBe(true);
    expect(reports.at(-1)!.caughtUp).toBe(true);
    expect(reports.length).toBeGreaterThanOrEqual(13);
    expect(sink.rows.map((a) => [a.Detector, a.Severity, a.ProcessName])).toEqual([['TokenTheft', 'High', 'curl']]);
    expect(reports.reduce((n, r) => n + (r.freshByTable['DeviceNetworkEvents'] ?? 0), 0)).toBe(1);
  });
});
