import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { MemoryLogQueryClient } from '../../src/adapters/logAnalyticsQuery';
import { MemoryStateStore, MemoryStateBackend } from '../../src/adapters/memoryStateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import { runTheftSweep } from '../../src/app/theftSweep';
import { loadTheftSettings } from '../../src/app/theftSettings';
import { INGESTED_AT_COLUMN } from '../../src/core/theft/sweep/sweepQueries';

/** The MDE fixture as a Log Analytics row: the Advanced Hunting columns plus our ingestion-time column. */
function laRow(file: string, ingestedAt: string): Record<string, unknown> {
  const record = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/endpoint/mde', file), 'utf8')) as { properties: Record<string, unknown>; tenantId: string };
  return { ...record.properties, TenantId: record.tenantId, TimeGenerated: record.properties['Timestamp'], [INGESTED_AT_COLUMN]: ingestedAt };
}

describe('theft sweep over Log Analytics', () => {
  it('judges each row once across overlapping runs, advances the watermark, and fails without moving it when a query fails', async () => {
    const curl = laRow('network-curl-imds-token.json', '2026-03-01T10:02:00Z');
    const agent = laRow('network-guest-agent-trusted.json', '2026-03-01T10:02:30Z');
    let answer: Record<string, unknown>[] | Error = [curl, agent];
    const query = new MemoryLogQueryClient((kql) => (kql.trimStart().startsWith('DeviceNetworkEvents') ? answer : []));
    const backend = new MemoryStateBackend();
    const sink = new MemoryAlertSink();
    let now = Date.parse('2026-03-01T10:05:00Z');
    const deps = {
      query,
      store: new MemoryStateStore(backend),
      theft: { store: new MemoryStateStore(backend), sink, deadLetter: new MemoryRejectSink(), settings: loadTheftSettings(undefined) },
      workspaceId: '6a7b0000-0000-4000-8000-00000000beef',
      now: () => now,
    };
    const first = await runTheftSweep(deps);
    expect(first.freshByTable['DeviceNetworkEvents']).toBe(2);
    expect(sink.rows.map((a) => [a.Detector, a.Severity, a.ProcessName, a.Vector])).toEqual([['TokenTheft', 'High', 'curl', 'TokenEndpoint']]);
    expect(sink.rows[0]!.TimeGenerated).toBe('2026-03-01T10:05:00.000Z');
    expect(query.queries).toHaveLength(6);
    expect(query.queries[0]!.kql).toContain('ingestion_time()');

    // Five minutes later the overlap returns the same rows: nothing is judged twice.
    now += 5 * 60_000;
    const second = await runTheftSweep(deps);
    expect(second.freshByTable['DeviceNetworkEvents']).toBe(0);
    expect(sink.rows).toHaveLength(1);
    const window = query.queries[6]!.kql;
    expect(window).toContain('2026-03-01T09:55:00.000Z');

    // A failing query throws (the timer retries) and the watermark stays where it was.
    answer = new Error('throttled');
    now += 5 * 60_000;
    const versions = [...backend.partitions.values()].map((p) => p.version);
    await expect(runTheftSweep(deps)).rejects.toThrow('throttled');
    expect([...backend.partitions.values()].map((p) => p.version)).toEqual(versions);
  });
});
