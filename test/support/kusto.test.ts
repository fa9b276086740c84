import { describe, expect, it } from 'vitest';
import { kqlDiagnostics } from './kusto';

const tables = {
  DeviceNetworkEvents: { Timestamp: 'datetime', RemoteIP: 'string', RemotePort: 'int', AdditionalFields: 'dynamic' },
} as const;

describe('kqlDiagnostics', () => {
  it('finds the given tables: a valid query has no errors', () => {
    expect(kqlDiagnostics('DeviceNetworkEvents | where Timestamp > ago(1d) and RemoteIP == "169.254.169.254" | project RemotePort', tables)).toEqual([]);
  });

  it.each([
    ['an unknown column', 'DeviceNetworkEvents | where RemoteUrl has "metadata"', /RemoteUrl/],
    ['an unknown table', 'DeviceFileEvents | take 1', /DeviceFileEvents/],
    ['a syntax error', 'DeviceNetworkEvents | where', /Missing expression/],
    ['a type error', 'DeviceNetworkEvents | where RemotePort > now()', /.+/],
  ])('reports %s', (_name, query, message) => {
    const errors = kqlDiagnostics(query, tables);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(message);
  });
});
