import { describe, expect, it } from 'vitest';
import { buildSweepQuery, MAX_INGESTION_DELAY_MS, SWEEP_TABLES } from '../../../../src/core/theft/sweep/sweepQueries';
import { kqlDiagnostics } from '../../../support/kusto';
import { ENDPOINT_TABLES } from '../../../rules/endpointTableSchemas';

const window = { fromMs: Date.UTC(2026, 2, 1, 10), toMs: Date.UTC(2026, 2, 1, 10, 5) };

describe('buildSweepQuery', () => {
  it.each(SWEEP_TABLES)('%s parses and type-checks', (table) => {
    const query = buildSweepQuery(table, window);
    expect(kqlDiagnostics(query.kql, ENDPOINT_TABLES)).toEqual([]);
    expect(query.kql).toContain('ingestion_time() > datetime(2026-03-01T10:00:00.000Z) and ingestion_time() <= datetime(2026-03-01T10:05:00.000Z)');
    expect(query.kql).toMatch(/\| top 5000 by TokenWatchIngestedAt asc$/);
  });

  it('widens the TimeGenerated timespan by the longest accepted ingestion delay', () => {
    const { timespan } = buildSweepQuery('DeviceNetworkEvents', window, 10);
    expect(timespan.startTime.getTime()).toBe(window.fromMs - MAX_INGESTION_DELAY_MS);
    expect(timespan.endTime.getTime()).toBe(window.toMs);
  });

  it('reports an unknown column when the schema lacks it (the check is real)', () => {
    const { kql } = buildSweepQuery('DeviceNetworkEvents', window);
    const { RemoteUrl: _dropped, ...withoutRemoteUrl } = ENDPOINT_TABLES['DeviceNetworkEvents'] ?? {};
    expect(kqlDiagnostics(kql, { DeviceNetworkEvents: withoutRemoteUrl }).join('\n')).toMatch(/RemoteUrl/);
  });
});
