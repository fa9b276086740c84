import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectTheft } from '../../../../src/core/theft/detectTheft';
import { parseSweepRow, sweepRowIdentity, sweepRowIngestedAt } from '../../../../src/core/theft/sweep/sweepRows';

const FIXTURES = path.resolve(__dirname, '../../../fixtures/endpoint');
const read = (name: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;

/** A Log Analytics row as the query client returns it: datetime columns as Date, dynamic as objects. */
function laRowFromStreaming(name: string, table: string): Record<string, unknown> {
  const record = read(name);
  const props = record['properties'] as Record<string, unknown>;
  return {
    ...props,
    Timestamp: new Date(String(props['Timestamp'])),
    TenantId: record['tenantId'],
    TimeGenerated: new Date(String(record['time'])),
    Type: table,
    TokenWatchIngestedAt: new Date('2026-03-01T10:00:09.000Z'),
  };
}

describe('parseSweepRow', () => {
  it('maps an MDE DeviceNetworkEvents row through the same parser and rules as the Event Hub record', () => {
    const row = laRowFromStreaming('mde/network-curl-imds-token', 'DeviceNetworkEvents');
    const parsed = parseSweepRow('DeviceNetworkEvents', row, 'sweep:1');
    if (parsed.ok !== true) throw new Error(JSON.stringify(parsed));
    expect(parsed.value.source.format).toBe('mde-log-analytics');
    expect(parsed.value.timeMs).toBe(Date.parse('2026-03-01T10:00:00.123Z'));
    const { alerts } = detectTheft([parsed.value], new Map(), { allowlist: { processes: [], applications: [] } });
    expect(alerts.map((a) => [a.Severity, a.Target])).toEqual([['High', 'http://169.254.169.254/metadata/identity/oauth2/token']]);
  });

  it('maps a WindowsEvent row whose EventData is dynamic (an object)', () => {
    const record = read('sysmon-windowsevent/event3-public-folder-imds');
    const row = { ...record, EventData: JSON.parse(String(record['EventData'])) as unknown, TimeGenerated: new Date(String(record['TimeGenerated'])) };
    const parsed = parseSweepRow('WindowsEvent', row, 'sweep:2');
    expect(parsed.ok === true && parsed.value.network?.destinationIp).toBe('169.254.169.254');
  });

  it('turns a row the parsers throw on into a record.unreadable reject, and an invalid Date into no time', () => {
    // A throw would fail every sweep from the watermark on. No row makes the parsers throw today; a
    // column whose read throws stands in for one.
    const row = { get DeviceId(): string { throw new TypeError('unexpected shape'); } };
    expect(parseSweepRow('DeviceNetworkEvents', row, 'sweep:9')).toMatchObject({ ok: false, reject: { reason: 'record.unreadable', origin: 'sweep:9' } });
    const windows = read('sysmon-windowsevent/event3-public-folder-imds');
    expect(() => sweepRowIdentity('WindowsEvent', { ...windows, TimeGenerated: new Date(Number.NaN) })).not.toThrow();
  });

  it('maps a SecurityEvent 5156 row (XML EventData)', () => {
    const parsed = parseSweepRow('SecurityEvent', read('security-5156-securityevent/public-folder-binary-imds'), 'sweep:3');
    expect(parsed.ok === true && parsed.value.process.pathKey).toBe('?:/users/public/svchost.exe');
  });
});

describe('sweepRowIdentity', () => {
  it('is DeviceId|ReportId|Timestamp for MDE rows and stable whether times are Dates or strings', () => {
    const row = laRowFromStreaming('mde/network-curl-imds-token', 'DeviceNetworkEvents');
    const id = sweepRowIdentity('DeviceNetworkEvents', row);
    expect(id).toBe('DeviceNetworkEvents|5f0c3b1e9d2a4c6b8e7f1a2b3c4d5e6f7a8b9c0d|4242|2026-03-01T10:00:00.123Z');
    expect(sweepRowIdentity('DeviceNetworkEvents', { ...row, Timestamp: '2026-03-01T10:00:00.123Z' })).toBe(id);
  });

  it('fingerprints Windows rows without a record id, ignoring the ingestion-time column', () => {
    const row = read('sysmon-windowsevent/event3-public-folder-imds');
    const a = sweepRowIdentity('WindowsEvent', { ...row, TokenWatchIngestedAt: new Date(1) });
    const b = sweepRowIdentity('WindowsEvent', { ...row, TokenWatchIngestedAt: new Date(2) });
    expect(a).toBe(b);
    expect(sweepRowIdentity('WindowsEvent', { ...row, EventData: '{}' })).not.toBe(a);
  });

  it('reads the ingestion time from a Date or a string', () => {
    expect(sweepRowIngestedAt({ TokenWatchIngestedAt: new Date('2026-03-01T10:00:09.000Z') })).toBe(Date.UTC(2026, 2, 1, 10, 0, 9));
    expect(sweepRowIngestedAt({ TokenWatchIngestedAt: '2026-03-01T10:00:09Z' })).toBe(Date.UTC(2026, 2, 1, 10, 0, 9));
    expect(sweepRowIngestedAt({})).toBeUndefined();
  });
});
